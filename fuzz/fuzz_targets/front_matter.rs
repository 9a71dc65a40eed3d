//! Front matter: BOM/CRLF clean-up, split at the fences, YAML/TOML parse.
//! Invariants: no panic; the parts are the file's own text; every error
//! points at a line of the file.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::front_matter(data));
