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
    /// Collect nothing (a render of the HTML alone, see
    /// [`super::render_html`]); only the `<!--more-->` marker is still seen.
    off: bool,
}

/// What [`TextStats`] found, with white space collapsed.
pub(super) struct Summary {
    pub more: Option<String>,
    pub first_paragraph: String,
    pub words: usize,
    pub text: String,
}

impl TextStats {
    /// Stats that collect nothing.
    pub(super) fn off() -> TextStats {
        TextStats {
            off: true,
            ..TextStats::default()
        }
    }

    /// Text of the document; `in_code` text is part of the summaries but not
    /// words of prose.
    pub(super) fn push(&mut self, text: &str, in_code: bool) {
        if self.off {
            return;
        }
        if !in_code {
            self.words += count_words(text);
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
        if self.off {
            return;
        }
        let len = self.all.len();
        self.push(text, in_code);
        self.all.truncate(len);
        self.all.push_str(shown);
    }

    /// Text the page shows that is not the author's text (a heading's `#`
    /// anchor, footnote numbers, emoji in their own element): search text only.
    pub(super) fn push_shown(&mut self, text: &str) {
        if self.off {
            return;
        }
        self.all.push_str(text);
    }

    /// An element starts or ends: words on either side stay apart in the
    /// search text (`**a**b` is two words there), as a page's words are when
    /// read element by element. Summaries keep the text as written.
    pub(super) fn separate(&mut self) {
        if !self.off && !self.all.ends_with(' ') {
            self.all.push(' ');
        }
    }

    /// Counts the words of `text` without collecting it (the caller pushes
    /// its pieces as code-like text).
    pub(super) fn count_words(&mut self, text: &str) {
        if self.off {
            return;
        }
        self.words += count_words(text);
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
        if self.off {
            return Summary {
                more: self.more,
                first_paragraph: String::new(),
                words: 0,
                text: String::new(),
            };
        }
        Summary {
            more: self.more.map(|s| collapse_ws(&s)),
            first_paragraph: collapse_ws(&self.first_paragraph),
            words: self.words,
            text: collapse_ws(&self.all),
        }
    }
}

/// `text.split_whitespace().count()`, a byte at a time for ASCII (most of
/// any post), decoding only the other characters: the count ran over every
/// text run of every post and was a tenth of a load.
pub(super) fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut words, mut in_word, mut i) = (0, false, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let (space, len) = if b.is_ascii() {
            // `char::is_whitespace` on ASCII: also the vertical tab.
            (b.is_ascii_whitespace() || b == 0x0b, 1)
        } else {
            match text.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => (false, 1),
            }
        };
        if space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
        }
        i += len;
    }
    words
}

/// Runs of white space (line breaks included) as one space, trimmed.
pub(super) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
