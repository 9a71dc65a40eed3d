//! The plain text a document yields besides its HTML: the word count, the
//! two summary sources (the text before `<!--more-->`, and the first
//! paragraph) and the whole text the search index is built from. Collected
//! from the events during the rendering pass, not from the rendered HTML.

/// Plain text and word count, fed by the rendering pass as it sees text.
#[derive(Default)]
pub(super) struct TextStats {
    words: usize,
    first_paragraph: String,
    /// Paragraph nesting seen so far: 0 = none started, 1 = inside the first, 2 = done.
    first_paragraph_state: u8,
    /// Plain text collected until the `<!--more-->` marker.
    before_more: String,
    more: Option<String>,
    /// Everything a reader reads, for search: words in different elements
    /// are kept apart (see [`TextStats::separate`]).
    all: String,
}

/// What [`TextStats`] found, with white space collapsed.
pub(super) struct Summary {
    pub more: Option<String>,
    pub first_paragraph: String,
    pub words: usize,
    pub text: String,
}

impl TextStats {
    /// Text of the document; `in_code` text is part of the summaries but not
    /// words of prose.
    pub(super) fn push(&mut self, text: &str, in_code: bool) {
        if !in_code {
            self.words += text.split_whitespace().count();
        }
        if self.first_paragraph_state == 1 {
            self.first_paragraph.push_str(text);
        }
        if self.more.is_none() {
            self.before_more.push_str(text);
        }
        self.all.push_str(text);
    }

    /// Image alt text: part of the summaries (a reader of the summary does
    /// not see the image) but not of the search text, which holds what the
    /// page shows.
    pub(super) fn push_alt(&mut self, text: &str, in_code: bool) {
        let len = self.all.len();
        self.push(text, in_code);
        self.all.truncate(len);
    }

    /// Text whose search form differs from its summary form (emoji: each in
    /// its own element on the page).
    pub(super) fn push_as(&mut self, text: &str, shown: &str, in_code: bool) {
        let len = self.all.len();
        self.push(text, in_code);
        self.all.truncate(len);
        self.all.push_str(shown);
    }

    /// Text the page shows that is not the author's text (a heading's `#`
    /// anchor, footnote numbers, emoji in their own element): search text only.
    pub(super) fn push_shown(&mut self, text: &str) {
        self.all.push_str(text);
    }

    /// An element starts or ends: words on either side stay apart in the
    /// search text (`**a**b` is two words there), as a page's words are when
    /// read element by element. Summaries keep the text as written.
    pub(super) fn separate(&mut self) {
        if !self.all.ends_with(' ') {
            self.all.push(' ');
        }
    }

    /// Counts the words of `text` without collecting it (the caller pushes
    /// its pieces as code-like text).
    pub(super) fn count_words(&mut self, text: &str) {
        self.words += text.split_whitespace().count();
    }

    pub(super) fn soft_break(&mut self) {
        self.push(" ", true);
    }

    /// A paragraph opens; the first one outside a heading is the fallback summary.
    pub(super) fn paragraph_start(&mut self, in_heading: bool) {
        if self.first_paragraph_state == 0 && !in_heading {
            self.first_paragraph_state = 1;
        }
    }

    pub(super) fn paragraph_end(&mut self) {
        if self.first_paragraph_state == 1 {
            // A paragraph of only emoji or symbols makes a poor summary.
            if self.first_paragraph.chars().any(char::is_alphabetic) {
                self.first_paragraph_state = 2;
            } else {
                self.first_paragraph.clear();
                self.first_paragraph_state = 0;
            }
        }
        self.push(" ", true);
    }

    /// Whether a `<!--more-->` marker has been seen (only the first counts).
    pub(super) fn has_more(&self) -> bool {
        self.more.is_some()
    }

    /// The `<!--more-->` marker: the text so far is the summary.
    pub(super) fn mark_more(&mut self) {
        self.more = Some(std::mem::take(&mut self.before_more));
    }

    pub(super) fn finish(self) -> Summary {
        Summary {
            more: self.more.map(|s| collapse_ws(&s)),
            first_paragraph: collapse_ws(&self.first_paragraph),
            words: self.words,
            text: collapse_ws(&self.all),
        }
    }
}

/// Runs of white space (line breaks included) as one space, trimmed.
pub(super) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
