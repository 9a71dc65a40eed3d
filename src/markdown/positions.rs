//! Source positions: where in the author's file a problem is.
//!
//! The text pulldown-cmark parses is not the text the author wrote: the
//! pre-parse passes (emoji-line protection, `{{< ref >}}` expansion) rewrite
//! it, and each records its rewrites as [`Edit`]s. A diagnostic found at an
//! offset in the parsed text is mapped back through those edits, then to a
//! 1-based line and column as an editor shows them.

use super::{Diagnostic, Severity};

/// Maps byte offsets to 1-based (line, column), columns counted in characters
/// as editors show them.
pub struct LineIndex {
    text: String,
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text: text.to_string(),
            starts,
        }
    }

    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// One rewrite of the source before parsing: `new` bytes replaced `old` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Edit {
    pub new_start: usize,
    pub new_end: usize,
    pub old_start: usize,
    pub old_end: usize,
}

/// Maps an offset in rewritten text back to the text before the rewrite.
/// Edits are in increasing order of position.
fn to_old(edits: &[Edit], pos: usize) -> usize {
    // Binary search: a document may have thousands of edits and diagnostics.
    let before = edits.partition_point(|e| e.new_start <= pos);
    match before.checked_sub(1).map(|i| &edits[i]) {
        None => pos,
        Some(e) if pos < e.new_end => e.old_start,
        Some(e) => pos - e.new_end + e.old_end,
    }
}

/// Turns offsets in the parsed text into positions in the author's file.
pub(super) struct Positions {
    lines: LineIndex,
    /// Applied last-first: the ref expansion, then the emoji-line protection.
    pub(super) edits: [Vec<Edit>; 2],
}

impl Positions {
    /// `body` as the author wrote it; the edits of the two pre-parse passes.
    pub(super) fn new(body: &str, ref_edits: Vec<Edit>, protect_edits: Vec<Edit>) -> Self {
        Positions {
            lines: LineIndex::new(body),
            edits: [ref_edits, protect_edits],
        }
    }

    /// A diagnostic at `offset` in the parsed text (after every rewrite).
    pub(super) fn at(&self, offset: usize, severity: Severity, message: String) -> Diagnostic {
        self.diagnostic(offset, &self.edits, severity, message)
    }

    /// `edits`: the rewrites that `offset` has been through, latest first.
    pub(super) fn diagnostic(
        &self,
        offset: usize,
        edits: &[Vec<Edit>],
        severity: Severity,
        message: String,
    ) -> Diagnostic {
        let original = edits.iter().fold(offset, |pos, e| to_old(e, pos));
        let (line, col) = self.lines.position(original);
        Diagnostic {
            line,
            col,
            severity,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_offsets_past_the_end_stay_on_the_last_line() {
        let lines = LineIndex::new("añb\nsecond\n");
        // `b` is byte 3 (ñ is two bytes) but the third character.
        assert_eq!(lines.position(3), (1, 3));
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(5), (2, 1));
        assert_eq!(lines.position(12), (3, 1));
        assert_eq!(lines.position(1_000), (3, 1));
    }

    #[test]
    fn offsets_map_back_through_an_edit() {
        // "ab" became "aXYZb": bytes 1..4 are new, nothing was removed.
        let edits = [Edit {
            new_start: 1,
            new_end: 4,
            old_start: 1,
            old_end: 1,
        }];
        assert_eq!(to_old(&edits, 0), 0, "before the edit");
        assert_eq!(to_old(&edits, 2), 1, "inside it: its start");
        assert_eq!(to_old(&edits, 4), 1, "after it: shifted back");
        let positions = Positions::new("ab", Vec::new(), edits.to_vec());
        let d = positions.at(4, Severity::Warning, "w".into());
        assert_eq!((d.line, d.col), (1, 2));
    }
}
