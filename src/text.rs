//! Text helpers shared by the server and the browser: the glossary and emoji
//! filters run in the browser with the same folding the server's search uses.

/// Lower-case and without diacritics, one char for each input char, so a
/// match in the folded text is at the same char index in the original.
pub fn fold(s: &str) -> Vec<char> {
    s.chars().map(fold_char).collect()
}

pub fn fold_char(c: char) -> char {
    // Most text is ASCII: skip the Unicode tables for it.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        c => c,
    }
}

/// `s` folded, as a string: for substring tests.
pub fn folded(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// A client-side filter: every word of the query must occur somewhere in an
/// item's text. Items fold their text once ([`haystack`]); typing then costs a
/// substring test per item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    words: Vec<String>,
}

impl Filter {
    pub fn new(query: &str) -> Self {
        Filter {
            words: folded(query)
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn matches(&self, haystack: &str) -> bool {
        self.words.iter().all(|w| haystack.contains(w.as_str()))
    }
}

/// The searchable text of an item made of `fields`: folded, one per line so
/// no word matches across two fields.
pub fn haystack<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    fields
        .into_iter()
        .map(folded)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(folded("Hidratación Ñandú"), "hidratacion nandu");
        assert_eq!(fold("É").len(), 1);
    }

    #[test]
    fn every_query_word_must_match_some_field() {
        let h = haystack(["Hidratación", "ssr"]);
        assert!(Filter::new("hidra").matches(&h));
        assert!(Filter::new("ssr HIDRA").matches(&h));
        assert!(!Filter::new("ssr kube").matches(&h));
        assert!(
            !Filter::new("nssr").matches(&h),
            "no match across two fields"
        );
        assert!(
            Filter::new("  ").matches(&h),
            "an empty filter keeps everything"
        );
        assert!(Filter::new("  ").is_empty());
    }
}
