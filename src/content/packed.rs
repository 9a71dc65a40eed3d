//! Text held compressed: a post's Markdown body (what its HTML is rendered
//! from on request) and its search text. At 10,000 posts the Markdown alone
//! is ~100 MB and the search text nearly as much; zstd at its fastest level
//! keeps both at a third of that, and unpacking one post (~10 KB) takes
//! microseconds, far less than rendering it.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// zstd's fastest standard level: load time matters more than the last bytes.
const LEVEL: i32 = 1;

/// Compressed UTF-8 text (see the module doc). A clone shares the bytes:
/// the search index holds the same search text as the post it indexes.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Packed {
    /// zstd frame of the text; empty for the empty text.
    bytes: Arc<[u8]>,
    /// Length of the text in bytes, so unpacking allocates once.
    len: usize,
}

/// A packed text that does not unpack: only possible for bytes that came
/// from outside this process (a render cache on disk is checksummed first).
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("packed text does not decompress: {0}")]
    Zstd(#[from] std::io::Error),
    #[error("packed text is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

impl Packed {
    /// Compresses `text`. zstd fails only when it cannot allocate its
    /// context; the text is then lost (logged) rather than the process.
    pub fn new(text: &str) -> Packed {
        if text.is_empty() {
            return Packed::default();
        }
        // One compression context per thread: making one per text was a
        // fifth of the compression time.
        thread_local! {
            static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
                std::cell::RefCell::new(zstd::bulk::Compressor::new(LEVEL).ok());
        }
        let compressed = COMPRESSOR.with(|c| match c.borrow_mut().as_mut() {
            Some(c) => c.compress(text.as_bytes()),
            None => zstd::bulk::compress(text.as_bytes(), LEVEL),
        });
        match compressed {
            Ok(bytes) => Packed {
                bytes: Arc::from(bytes),
                len: text.len(),
            },
            Err(e) => {
                tracing::error!("cannot compress a text of {} bytes: {e}", text.len());
                Packed::default()
            }
        }
    }

    /// The text back.
    pub fn unpack(&self) -> Result<String, UnpackError> {
        if self.len == 0 {
            return Ok(String::new());
        }
        // One decompression context per thread, as for compression: making
        // one per text was a twentieth of rendering a post page.
        thread_local! {
            static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
                std::cell::RefCell::new(zstd::bulk::Decompressor::new().ok());
        }
        let bytes = DECOMPRESSOR.with(|d| match d.borrow_mut().as_mut() {
            Some(d) => d.decompress(&self.bytes, self.len),
            None => zstd::bulk::decompress(&self.bytes, self.len),
        })?;
        Ok(String::from_utf8(bytes)?)
    }

    /// The text back, or empty (logged) in the case [`UnpackError`] covers.
    pub fn text(&self) -> String {
        self.unpack().unwrap_or_else(|e| {
            tracing::error!("{e}");
            String::new()
        })
    }

    /// Length of the text (not of the compressed bytes).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held.
    pub fn packed_len(&self) -> usize {
        self.bytes.len()
    }
}

/// Text whose beginning is kept plain and the rest compressed: a post's
/// search text. The search index cuts its snippets from the beginning (it
/// settles most of them, at no cost) and unpacks the rest only for a hit
/// whose first match lies past it; held this way, the beginning is not
/// also held compressed inside a packed whole (at 10,000 posts that copy
/// was ~20 MB). A clone shares both parts with the post.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Split {
    head: Arc<str>,
    rest: Packed,
}

impl Split {
    /// `text` with its first `head_bytes` at most (cut at a char boundary)
    /// plain.
    pub fn new(text: &str, head_bytes: usize) -> Split {
        let mut cut = head_bytes.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Split {
            head: Arc::from(&text[..cut]),
            rest: Packed::new(&text[cut..]),
        }
    }

    /// The plain beginning.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// True when the beginning is the whole text.
    pub fn is_whole(&self) -> bool {
        self.rest.is_empty()
    }

    /// The whole text (the rest unpacked; empty rest, logged, in the case
    /// [`UnpackError`] covers).
    pub fn text(&self) -> String {
        let mut text = String::with_capacity(self.len());
        text.push_str(&self.head);
        text.push_str(&self.rest.text());
        text
    }

    /// Length of the whole text.
    pub fn len(&self) -> usize {
        self.head.len() + self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held: the plain beginning and the packed rest.
    pub fn held_bytes(&self) -> usize {
        self.head.len() + self.rest.packed_len()
    }
}

impl fmt::Debug for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Split({} plain, {:?})", self.head.len(), self.rest)
    }
}

impl From<&str> for Packed {
    fn from(text: &str) -> Packed {
        Packed::new(text)
    }
}

impl From<String> for Packed {
    fn from(text: String) -> Packed {
        Packed::new(&text)
    }
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Packed({} bytes as {})", self.len, self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_is_smaller() {
        let text = "Un despliegue canario con métricas 🚀 and a rollback.\n".repeat(200);
        let p = Packed::new(&text);
        assert_eq!(p.len(), text.len());
        assert!(p.packed_len() * 4 < text.len(), "{p:?}");
        assert_eq!(p.unpack().expect("unpacks"), text);
    }

    #[test]
    fn empty_text_holds_nothing() {
        let p = Packed::new("");
        assert!(p.is_empty());
        assert_eq!(p.packed_len(), 0);
        assert_eq!(p.unpack().expect("unpacks"), "");
    }

    /// The search index holds a clone of each post's search text: it must
    /// not be a second copy of the bytes.
    #[test]
    fn a_clone_shares_the_bytes() {
        let p = Packed::new(&"shared search text ".repeat(40));
        let q = p.clone();
        assert!(std::sync::Arc::ptr_eq(&p.bytes, &q.bytes));
        assert_eq!(q.text(), "shared search text ".repeat(40));
    }

    #[test]
    fn a_split_text_is_whole_again_and_cut_at_a_char_boundary() {
        let text = "ñandú ".repeat(100);
        for head in [0, 1, 2, 3, 7, 64, text.len(), text.len() + 10] {
            let s = Split::new(&text, head);
            assert_eq!(s.text(), text, "head {head}");
            assert_eq!(s.len(), text.len());
            let max = head.min(text.len());
            assert!(s.head().len() <= max && max - s.head().len() < 4, "{head}");
            assert!(text.starts_with(s.head()));
            assert_eq!(s.is_whole(), s.head().len() == text.len(), "{head}");
        }
        assert_eq!(Split::new("", 10).text(), "");
        assert!(Split::new("", 10).is_whole());
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut p = Packed::new(&"some text to compress ".repeat(50));
        let mut bytes = p.bytes.to_vec();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        bytes[mid + 1] ^= 0xff;
        p.bytes = bytes.into();
        // Either zstd notices, or the length or UTF-8 check does; the text
        // falls back to empty rather than garbage or a panic.
        match p.unpack() {
            Err(_) => assert_eq!(p.text(), ""),
            Ok(t) => assert_ne!(t, "some text to compress ".repeat(50)),
        }
    }
}
