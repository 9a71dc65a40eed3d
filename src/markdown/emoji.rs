//! GitHub emoji shortcodes: `:rocket:` → 🚀, GitHub's own `:shipit:` → image.

use super::escape_html;
use crate::model::{EmojiGallery, EmojiGroup, EmojiItem};

/// GitHub's custom emoji: not Unicode, GitHub serves them as images.
const GITHUB_CUSTOM: [&str; 22] = [
    "accessibility",
    "atom",
    "basecamp",
    "basecampy",
    "bowtie",
    "dependabot",
    "electron",
    "feelsgood",
    "finnadie",
    "fishsticks",
    "goberserk",
    "godmode",
    "hurtrealbad",
    "neckbeard",
    "octocat",
    "rage1",
    "rage2",
    "rage3",
    "rage4",
    "shipit",
    "suspect",
    "trollface",
];

/// Where the old site (and GitHub) serve the custom emoji images from.
pub const DEFAULT_EMOJI_BASE_URL: &str = "https://github.githubassets.com/images/icons/emoji";

/// Result of scanning one text run.
#[derive(Debug, Default, PartialEq)]
pub struct Replaced {
    /// HTML with emoji substituted (text escaped), or `None` when nothing matched.
    pub html: Option<String>,
    /// The text as a reader sees it: glyphs for Unicode emoji, `:name:` for images.
    pub plain: String,
    /// The text as the page shows it, for search: each emoji is an element of
    /// its own (a glyph between spaces; an image, which shows no text, a space).
    pub shown: String,
    /// Shortcode-shaped names that are not emoji, in order of appearance.
    pub unknown: Vec<String>,
    /// Byte offset in the text of each `unknown` name's opening colon.
    pub unknown_at: Vec<usize>,
}

enum Emoji {
    Custom(&'static str),
    Unicode(&'static str),
}

/// Renders shortcodes; the image base URL is configurable (`EMOJI_BASE_URL`).
#[derive(Debug, Clone)]
pub struct EmojiRenderer {
    base_url: String,
}

impl Default for EmojiRenderer {
    fn default() -> Self {
        Self::new(DEFAULT_EMOJI_BASE_URL)
    }
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'+' | b'-')
}

fn lookup(name: &str) -> Option<Emoji> {
    if let Some(custom) = GITHUB_CUSTOM.iter().find(|c| **c == name) {
        return Some(Emoji::Custom(custom));
    }
    emojis::get_by_shortcode(name).map(|e| Emoji::Unicode(e.as_str()))
}

impl EmojiRenderer {
    /// Where the custom emoji images live (part of what a render depends on).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn new(base_url: &str) -> Self {
        EmojiRenderer {
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }

    fn markup(&self, name: &str, emoji: &Emoji) -> String {
        match emoji {
            Emoji::Custom(n) => format!(
                "<img class=\"emoji\" alt=\":{n}:\" title=\":{n}:\" width=\"20\" height=\"20\" src=\"{}/{n}.png\">",
                escape_html(&self.base_url)
            ),
            Emoji::Unicode(glyph) => format!(
                "<span class=\"emoji\" role=\"img\" aria-label=\"{}\">{glyph}</span>",
                escape_html(&name.replace('_', " "))
            ),
        }
    }

    /// Replaces `:name:` shortcodes in a plain-text run.
    ///
    /// A shortcode must stand alone: its colons may not touch a letter or digit
    /// (`10:30:00`, `a:b:c`) nor a stray colon (`::x::`), but two shortcodes may
    /// touch each other (`:rocket::rocket:`).
    pub fn replace(&self, text: &str) -> Replaced {
        let bytes = text.as_bytes();
        let mut html = String::new();
        let mut plain = String::new();
        let mut shown = String::new();
        let mut unknown = Vec::new();
        let mut unknown_at = Vec::new();
        let mut matched_any = false;
        // Start of the text not yet copied to the output.
        let mut copied = 0;
        // End of the last emoji, so a following shortcode may reuse the boundary.
        let mut last_emoji_end = usize::MAX;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b':' {
                i += 1;
                continue;
            }
            let opens_ok = i == 0
                || i == last_emoji_end
                || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b':');
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|c| is_name_char(**c))
                .count();
            let close = i + 1 + name_len;
            let closes_ok = name_len > 0
                && close < bytes.len()
                && bytes[close] == b':'
                && !bytes
                    .get(close + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            if !(opens_ok && closes_ok) {
                i += 1;
                continue;
            }
            let name = &text[i + 1..close];
            match lookup(name) {
                Some(emoji) => {
                    html.push_str(&escape_html(&text[copied..i]));
                    plain.push_str(&text[copied..i]);
                    shown.push_str(&text[copied..i]);
                    html.push_str(&self.markup(name, &emoji));
                    match emoji {
                        Emoji::Unicode(glyph) => {
                            plain.push_str(glyph);
                            shown.push(' ');
                            shown.push_str(glyph);
                            shown.push(' ');
                        }
                        Emoji::Custom(_) => {
                            plain.push_str(&text[i..=close]);
                            shown.push(' ');
                        }
                    }
                    matched_any = true;
                    copied = close + 1;
                    last_emoji_end = close + 1;
                    i = close + 1;
                }
                None => {
                    if name.bytes().any(|c| c.is_ascii_lowercase()) {
                        unknown.push(name.to_string());
                        unknown_at.push(i);
                    }
                    i = close;
                }
            }
        }
        html.push_str(&escape_html(&text[copied..]));
        plain.push_str(&text[copied..]);
        shown.push_str(&text[copied..]);
        Replaced {
            html: matched_any.then_some(html),
            plain,
            shown,
            unknown,
            unknown_at,
        }
    }
}

impl EmojiRenderer {
    /// Every emoji with a shortcode, GitHub's custom ones first, then the
    /// Unicode groups in CLDR order.
    pub fn gallery(&self) -> EmojiGallery {
        let custom = EmojiGroup {
            id: "github".into(),
            name: "GitHub custom".into(),
            items: GITHUB_CUSTOM
                .iter()
                .map(|n| EmojiItem {
                    shortcodes: vec![n.to_string()],
                    name: n.replace('_', " "),
                    glyph: None,
                    image: Some(format!("{}/{n}.png", self.base_url)),
                })
                .collect(),
        };
        let unicode = emojis::Group::iter().map(|group| {
            let (id, name) = group_label(group);
            EmojiGroup {
                id: id.into(),
                name: name.into(),
                items: group
                    .emojis()
                    .filter(|e| e.shortcode().is_some())
                    .map(|e| EmojiItem {
                        shortcodes: e.shortcodes().map(str::to_string).collect(),
                        name: e.name().to_string(),
                        glyph: Some(e.as_str().to_string()),
                        image: None,
                    })
                    .collect(),
            }
        });
        EmojiGallery {
            groups: std::iter::once(custom)
                .chain(unicode)
                .filter(|g| !g.items.is_empty())
                .collect(),
        }
    }
}

fn group_label(group: emojis::Group) -> (&'static str, &'static str) {
    use emojis::Group;
    match group {
        Group::SmileysAndEmotion => ("smileys-emotion", "Smileys & emotion"),
        Group::PeopleAndBody => ("people-body", "People & body"),
        Group::AnimalsAndNature => ("animals-nature", "Animals & nature"),
        Group::FoodAndDrink => ("food-drink", "Food & drink"),
        Group::TravelAndPlaces => ("travel-places", "Travel & places"),
        Group::Activities => ("activities", "Activities"),
        Group::Objects => ("objects", "Objects"),
        Group::Symbols => ("symbols", "Symbols"),
        Group::Flags => ("flags", "Flags"),
    }
}
