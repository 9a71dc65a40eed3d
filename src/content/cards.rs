//! Social cards: a 1200×630 PNG per post without an `image:` (title, date,
//! site name), for `og:image`/`twitter:image`. An SVG template is rendered by
//! `resvg` with DejaVu Sans shipped in `assets/fonts/` (no system fonts, so
//! every machine draws the same card). A card is made the first time it is
//! asked for and kept in a process-wide cache keyed by what it shows, so it
//! is made once per post and text, never again per request or per reload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::usvg;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// The URL of the card of post `slug`.
pub fn url(slug: &str) -> String {
    crate::model::card_path(slug)
}

/// The slug a card URL names (`/cards/<slug>.png`).
pub fn slug_of(path: &str) -> Option<&str> {
    crate::model::card_slug(path)
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("card template: {0}")]
    Svg(#[from] usvg::Error),
    #[error("cannot allocate the card image")]
    Pixmap,
    #[error("cannot encode the card: {0}")]
    Png(String),
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf").to_vec());
        db.load_font_data(include_bytes!("../../assets/fonts/DejaVuSans.ttf").to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Breaks `title` into at most `max_lines` lines of about `width` characters;
/// the last line ends with `…` if the title is longer.
fn wrap(title: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in title.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

fn xml(s: &str) -> String {
    crate::markdown::escape_html(s)
}

/// The card's SVG: title in large type, date and site name below.
fn svg(title: &str, date: &str, site: &str) -> String {
    let lines = wrap(title, 26, 4);
    let size = if lines.len() > 3 { 56 } else { 64 };
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<text x=\"80\" y=\"{}\" font-family=\"DejaVu Sans\" font-weight=\"bold\" font-size=\"{size}\" fill=\"#f8fafc\">{}</text>",
                150 + i * (size as usize + 16),
                xml(l)
            )
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#0f172a\"/>\
<rect x=\"0\" y=\"0\" width=\"16\" height=\"{HEIGHT}\" fill=\"#14b8a6\"/>\
{text}\
<text x=\"80\" y=\"560\" font-family=\"DejaVu Sans\" font-size=\"34\" fill=\"#5eead4\">{}</text>\
<text x=\"1120\" y=\"560\" text-anchor=\"end\" font-family=\"DejaVu Sans\" font-weight=\"bold\" font-size=\"34\" fill=\"#e2e8f0\">{}</text>\
</svg>",
        xml(date),
        xml(site)
    )
}

/// Draws a card as PNG bytes.
pub fn render(title: &str, date: &str, site: &str) -> Result<Vec<u8>, CardError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg(title, date, site), &options)?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| CardError::Png(e.to_string()))
}

type Key = (String, String, String);

/// The card for these texts: drawn once, then shared.
pub fn cached(title: &str, date: &str, site: &str) -> Result<Arc<Vec<u8>>, CardError> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Vec<u8>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (title.to_string(), date.to_string(), site.to_string());
    if let Some(png) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(png);
    }
    let png = Arc::new(render(title, date, site)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, png.clone());
    }
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_path_names_its_slug_and_nothing_else_does() {
        assert_eq!(url("k8s-upgrade"), "/cards/k8s-upgrade.png");
        assert_eq!(slug_of(&url("k8s-upgrade")), Some("k8s-upgrade"));
        assert_eq!(slug_of("/cards/k8s-upgrade.jpg"), None);
        assert_eq!(slug_of("/posts/k8s-upgrade.png"), None);
        assert_eq!(slug_of("/cards/k8s-upgrade.png/x"), None);
    }

    #[test]
    fn titles_wrap_on_words_and_long_ones_are_cut() {
        assert_eq!(
            wrap("Error budgets and burn rates", 26, 4),
            ["Error budgets and burn", "rates"]
        );
        let long = "word ".repeat(60);
        let lines = wrap(&long, 26, 4);
        assert_eq!(lines.len(), 4);
        assert!(lines[3].ends_with('…'));
    }

    #[test]
    fn a_card_is_a_1200_by_630_png_with_the_text_drawn() {
        let png =
            render("Error budgets & <burn> rates", "2 March 2025", "microblog").expect("renders");
        let img = image::load_from_memory(&png).expect("a PNG").to_rgb8();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        // The title area has light text pixels on the dark background.
        let light = (80..900)
            .flat_map(|x| (100..200).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|c| *c > 200))
            .count();
        assert!(light > 1000, "title drawn: {light} light pixels");
        let blank = render("", "2 March 2025", "microblog").expect("renders");
        assert_ne!(png, blank, "the title changes the card");
    }
}
