//! The plain text a document yields: summary sources and word count (`summary`).

use super::*;

#[test]
fn summary_sources() {
    let with_more = render_plain("First :rocket: part.\n\nSecond.\n\n<!--more-->\n\nRest.\n");
    assert_eq!(
        with_more.more_summary.as_deref(),
        Some("First 🚀 part. Second.")
    );
    let first = render_plain(":sunrise:\n\n## Title\n\nThe real intro, with `code`.\n\nLater.\n");
    assert_eq!(first.more_summary, None);
    assert_eq!(first.first_paragraph, "The real intro, with code.");
}

#[test]
fn word_count_skips_code() {
    let r = render_plain("one two three\n\n```\nnot counted at all\n```\n\nfour `skip` five\n");
    assert_eq!(r.words, 5);
}
