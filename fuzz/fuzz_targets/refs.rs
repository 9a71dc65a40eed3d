//! `{{< ref >}}` expansion and relative-path joining, with a resolver that
//! knows a few pages. Invariants: no panic; problems and edits stay inside
//! the text; a path that resolves never climbs above the root.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::refs(data));
