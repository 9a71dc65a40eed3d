//! The whole Markdown pipeline (emoji-line protection, refs, pulldown-cmark,
//! emoji, headings, code highlighting, summary). Invariants: no panic; every
//! diagnostic names a line of the body; TOC entries have ids.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::render(data));
