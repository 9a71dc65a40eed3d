//! Every input kept in `fuzz/regressions/<target>/` (crashes the fuzzers
//! found, and hand-made edge cases) replayed through the same checks the fuzz
//! targets run, so a fixed crash stays fixed without nightly or cargo-fuzz.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions folder") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails its check", path.display());
        count += 1;
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}

#[test]
fn front_matter_regressions() {
    replay("front_matter", checks::front_matter);
}

#[test]
fn refs_regressions() {
    replay("refs", checks::refs);
}

#[test]
fn emoji_regressions() {
    replay("emoji", checks::emoji);
}

#[test]
fn render_regressions() {
    replay("render", checks::render);
}
