//! Emoji shortcode replacement on a text run. Invariants: no panic; the HTML
//! holds no markup but the emoji's own (the text is escaped), and nothing
//! changes when nothing matched.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::emoji(data));
