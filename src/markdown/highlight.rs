//! Server-side code highlighting to CSS classes, done once at content load.
//! Colours live in `style/_syntax.scss` (one light and one dark theme), so the
//! HTML is the same whatever theme the reader uses.

use std::sync::{Arc, OnceLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::escape_html;

/// Class names are `hl-<scope>`, so they cannot clash with the site's CSS.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Names authors write after the fence that syntect knows by another token.
fn canonical(lang: &str) -> &str {
    match lang {
        "terraform" | "tf" | "hcl" => "tf",
        "shell" | "sh" | "console" | "zsh" => "bash",
        "dockerfile" | "docker" => "Dockerfile",
        "yml" => "yaml",
        "ts" => "typescript",
        "js" => "javascript",
        "py" => "python",
        "rs" => "rust",
        "golang" => "go",
        other => other,
    }
}

pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_ascii_lowercase();
    let set = syntaxes();
    let token = canonical(&lower);
    set.find_syntax_by_token(token)
        .or_else(|| set.find_syntax_by_name(token))
        .or_else(|| set.find_syntax_by_extension(token))
}

/// Most bytes of highlighted blocks kept by [`highlight_cached`].
const BLOCK_CACHE_BYTES: u64 = 16 << 20;

/// Blocks by xxh3-128 of (language, code): the same block in another post,
/// in the next render of an edited post or in the export's render of every
/// post costs a lookup instead of a grammar run. 128 bits, so two different
/// blocks never share an entry in practice (a 64-bit key would still be
/// unlikely to collide, but a collision would show another post's code).
type BlockCache = quick_cache::sync::Cache<u128, Option<Arc<str>>, BlockWeight>;

#[derive(Clone)]
struct BlockWeight;

impl quick_cache::Weighter<u128, Option<Arc<str>>> for BlockWeight {
    fn weight(&self, _key: &u128, html: &Option<Arc<str>>) -> u64 {
        64 + html.as_ref().map_or(0, |h| h.len() as u64)
    }
}

fn block_cache() -> &'static BlockCache {
    static CACHE: OnceLock<BlockCache> = OnceLock::new();
    CACHE.get_or_init(|| BlockCache::with_weighter(8192, BLOCK_CACHE_BYTES, BlockWeight))
}

/// [`highlight`], remembered per block (see [`BlockCache`]).
pub fn highlight_cached(lang: &str, code: &str) -> Option<Arc<str>> {
    let mut h = xxhash_rust::xxh3::Xxh3Default::new();
    h.update(&(lang.len() as u64).to_le_bytes());
    h.update(lang.as_bytes());
    h.update(code.as_bytes());
    let key = h.digest128();
    block_cache()
        .get_or_insert_with(&key, || {
            Ok::<_, std::convert::Infallible>(highlight(lang, code).map(Arc::from))
        })
        .unwrap_or_else(|never| match never {})
}

/// Highlighted HTML (spans with `hl-*` classes) for `code`, or `None` when the
/// language is unknown or the grammar fails: the caller then shows plain text.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = find_syntax(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// A code block: highlighted when the language is known, escaped text otherwise.
pub(super) fn code_block_html(lang: &str, code: &str) -> String {
    let lang = lang.trim();
    if lang.is_empty() {
        return format!("<pre><code>{}</code></pre>\n", escape_html(code));
    }
    let lang = escape_html(lang);
    match highlight_cached(&lang, code) {
        Some(html) => format!(
            "<pre class=\"hl\" data-lang=\"{lang}\"><code class=\"language-{lang}\">{html}</code></pre>\n"
        ),
        None => format!(
            "<pre data-lang=\"{lang}\"><code class=\"language-{lang}\">{}</code></pre>\n",
            escape_html(code)
        ),
    }
}

/// The stylesheet for the two shipped themes: light by default, dark when the
/// reader's system asks for it.
pub fn theme_css() -> Result<String, syntect::Error> {
    use two_face::theme::EmbeddedThemeName;
    let themes = two_face::theme::extra();
    let light = syntect::html::css_for_theme_with_class_style(
        themes.get(EmbeddedThemeName::InspiredGithub),
        CLASS_STYLE,
    )?;
    let dark = syntect::html::css_for_theme_with_class_style(
        themes.get(EmbeddedThemeName::OneHalfDark),
        CLASS_STYLE,
    )?;
    let light = with_contrast(&light, LIGHT_CODE_BG, [0, 0, 0]);
    let dark = with_contrast(&dark, DARK_CODE_BG, [255, 255, 255]);
    // Dark when the reader chose it, or when the system is dark and the reader
    // did not choose light (see the theme switch in the header).
    let chosen = scope_selectors(&dark, ":root[data-theme=\"dark\"]", "");
    let system = scope_selectors(&dark, ":root:not([data-theme=\"light\"])", "  ");
    Ok(format!(
        "// Generated by `UPDATE_SYNTAX_CSS=1 cargo test --features ssr syntax_css`: do not edit.\n\
         // Light: InspiredGitHub. Dark: OneHalfDark.\n\n{light}\n{chosen}\n@media (prefers-color-scheme: dark) {{\n{system}}}\n"
    ))
}

/// `--code-bg` of each palette in `style/_base.scss` (a test keeps them equal).
pub const LIGHT_CODE_BG: [u8; 3] = [0xf4, 0xf5, 0xf7];
pub const DARK_CODE_BG: [u8; 3] = [0x1d, 0x21, 0x26];

/// WCAG AA for normal text is 4.5:1; a little margin survives rounding.
pub const MIN_CONTRAST: f64 = 4.6;

/// Some theme colours are too faint on our code background (InspiredGitHub's
/// tag green is 2.9:1): move each text colour towards `toward` until it reads.
fn with_contrast(css: &str, bg: [u8; 3], toward: [u8; 3]) -> String {
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let fixed = line
            .trim_start()
            .strip_prefix("color: #")
            .and_then(|rest| parse_hex(rest.trim_end_matches(';')))
            .map(|c| format!(" color: {};", to_hex(readable(c, bg, toward))));
        out.push_str(fixed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

fn readable(mut c: [u8; 3], bg: [u8; 3], toward: [u8; 3]) -> [u8; 3] {
    for _ in 0..20 {
        if contrast(c, bg) >= MIN_CONTRAST {
            break;
        }
        for i in 0..3 {
            c[i] = (f64::from(c[i]) * 0.9 + f64::from(toward[i]) * 0.1).round() as u8;
        }
    }
    c
}

pub fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    let hex = hex.get(..6)?;
    let n = u32::from_str_radix(hex, 16).ok()?;
    Some([(n >> 16) as u8, (n >> 8) as u8, n as u8])
}

fn to_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// WCAG 2 contrast ratio of two sRGB colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let lum = |c: [u8; 3]| {
        let ch = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Prefixes every selector of a generated stylesheet with `scope`.
fn scope_selectors(css: &str, scope: &str, indent: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        let trimmed = line.trim_end();
        if trimmed.ends_with('{') && !trimmed.trim_start().starts_with('@') {
            let selectors = trimmed.trim_end_matches('{');
            let scoped: Vec<String> = selectors
                .split(',')
                .map(|sel| format!("{scope} {}", sel.trim()))
                .collect();
            out.push_str(&format!("{indent}{} {{\n", scoped.join(", ")));
        } else {
            out.push_str(&format!("{indent}{line}\n"));
        }
    }
    out
}
