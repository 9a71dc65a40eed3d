//! Social cards: a 1200×630 PNG per post without an `image:` (title, date,
//! site name), for `og:image`/`twitter:image`. An SVG template is rendered by
//! `resvg` with DejaVu Sans shipped in `assets/fonts/` (no system fonts, so
//! every machine draws the same card). A card is made the first time it is
//! asked for and kept in a process-wide cache keyed by what it shows, so it
//! is made once per post and text, never again per request or per reload.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;

mod palette;
use palette::{encode, encode_indexed, Palette};

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

/// What every card shares: the background, the accent bar and the site name.
fn base_svg(site: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"{BACKGROUND}\"/>\
<rect x=\"0\" y=\"0\" width=\"16\" height=\"{HEIGHT}\" fill=\"#14b8a6\"/>\
<text x=\"1120\" y=\"560\" text-anchor=\"end\" font-family=\"DejaVu Sans\" font-weight=\"bold\" font-size=\"34\" fill=\"#e2e8f0\">{}</text>\
</svg>",
        xml(site)
    )
}

/// The card's own text, drawn over the base: the title in large type and
/// the date below it (a transparent SVG).
fn text_svg(title: &str, date: &str) -> String {
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
{text}\
<text x=\"80\" y=\"560\" font-family=\"DejaVu Sans\" font-size=\"34\" fill=\"#5eead4\">{}</text>\
</svg>",
        xml(date)
    )
}

/// The card's background colour; opaque, so every pixel of a card is.
const BACKGROUND: &str = "#0f172a";

fn parse(svg: &str) -> Result<usvg::Tree, CardError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    Ok(usvg::Tree::from_str(svg, &options)?)
}

fn draw(svg: &str, pixmap: &mut Pixmap) -> Result<(), CardError> {
    let tree = parse(svg)?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    Ok(())
}

/// The base of every card with one site name, drawn once per process, with
/// its palette indices when it fits a palette.
struct Base {
    pixmap: Pixmap,
    indexed: Option<(Palette, Vec<u8>)>,
}

/// The base of every card with this site name, drawn once per process.
fn base(site: &str) -> Result<Arc<Base>, CardError> {
    static BASES: OnceLock<Mutex<HashMap<String, Arc<Base>>>> = OnceLock::new();
    let bases = BASES.get_or_init(Default::default);
    if let Some(b) = bases.lock().ok().and_then(|b| b.get(site).cloned()) {
        return Ok(b);
    }
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?;
    draw(&base_svg(site), &mut pixmap)?;
    let mut indices = Vec::new();
    let indexed = palette::indexed(&pixmap, &mut indices).map(|p| (p, indices));
    let base = Arc::new(Base { pixmap, indexed });
    if let Ok(mut b) = bases.lock() {
        b.insert(site.to_string(), base.clone());
    }
    Ok(base)
}

/// Rows of the canvas a node's drawing may touch: its bounding box, widened
/// for anti-aliasing, clamped to the card.
fn touched_rows(tree: &usvg::Tree) -> Vec<std::ops::Range<usize>> {
    const MARGIN: f32 = 3.0;
    let mut rows: Vec<std::ops::Range<usize>> = tree
        .root()
        .children()
        .iter()
        .map(|node| {
            let b = node.abs_stroke_bounding_box();
            let top = (b.top() - MARGIN).floor().clamp(0.0, HEIGHT as f32) as usize;
            let bottom = (b.bottom() + MARGIN).ceil().clamp(0.0, HEIGHT as f32) as usize;
            top..bottom
        })
        .filter(|r| !r.is_empty())
        .collect();
    rows.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in rows {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Every row of a card.
const ALL_ROWS: std::ops::Range<usize> = 0..HEIGHT as usize;

/// A thread's canvas and pixel indices, reused from card to card: a fresh
/// 3 MB canvas per card cost more in page faults than the drawing did. Both
/// hold the base of `site` except in `dirty` rows (the last card's text).
#[derive(Default)]
struct Scratch {
    canvas: Option<Pixmap>,
    indices: Vec<u8>,
    site: Option<Arc<Base>>,
    dirty: Vec<std::ops::Range<usize>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Draws a card as PNG bytes. Only the rows its text touches are reset,
/// drawn and indexed again; the rest is the base's, computed once.
pub fn render(title: &str, date: &str, site: &str) -> Result<Vec<u8>, CardError> {
    let base = base(site)?;
    let text = parse(&text_svg(title, date))?;
    let rows = touched_rows(&text);
    let row_bytes = WIDTH as usize * 4;
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch {
            canvas,
            indices,
            site,
            dirty,
        } = &mut *scratch;
        let canvas = match canvas {
            Some(c) => c,
            None => canvas.insert(Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?),
        };
        let same_base = site.as_ref().is_some_and(|s| Arc::ptr_eq(s, &base));
        let reset: Vec<std::ops::Range<usize>> = if same_base {
            std::mem::take(dirty)
        } else {
            if let Some((_, base_indices)) = &base.indexed {
                indices.clone_from(base_indices);
            }
            vec![ALL_ROWS]
        };
        // Undo the last card's text (and, for a new base, everything).
        let (to, from) = (canvas.data_mut(), base.pixmap.data());
        for r in &reset {
            let bytes = r.start * row_bytes..r.end * row_bytes;
            to[bytes.clone()].copy_from_slice(&from[bytes]);
        }
        *site = Some(base.clone());
        *dirty = rows.clone();
        resvg::render(&text, Transform::default(), &mut canvas.as_mut());
        let Some((base_palette, base_indices)) = &base.indexed else {
            return encode(canvas, indices);
        };
        let width = WIDTH as usize;
        for r in &reset {
            let px = r.start * width..r.end * width;
            indices[px.clone()].copy_from_slice(&base_indices[px]);
        }
        let mut palette = base_palette.clone();
        for r in &rows {
            if palette.index_rows(canvas, r.clone(), indices).is_none() {
                // Indices of these rows are stale now: reset them next time.
                *dirty = vec![ALL_ROWS];
                return encode(canvas, &mut Vec::new());
            }
        }
        encode_indexed(WIDTH, HEIGHT, &palette, indices)
    })
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
        // The date and the site name (drawn once, in the shared base) too.
        let site_name = |png: &[u8]| {
            let img = image::load_from_memory(png).expect("a PNG").to_rgb8();
            (900..1120)
                .flat_map(|x| (520..570).map(move |y| (x, y)))
                .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|c| *c > 200))
                .count()
        };
        assert!(site_name(&png) > 300, "site name drawn");
        let other = render("Error budgets & <burn> rates", "2 March 2025", "x").expect("renders");
        assert!(
            site_name(&other) < site_name(&png),
            "the site name is the card's own"
        );
    }

    #[test]
    fn a_card_drawn_after_another_shows_nothing_of_it() {
        let first = render("Error budgets", "2 March 2025", "microblog").expect("renders");
        let other =
            render("Kubernetes upgrades, slowly", "3 May 2024", "microblog").expect("renders");
        let again = render("Error budgets", "2 March 2025", "microblog").expect("renders");
        assert_ne!(first, other);
        assert!(
            first == again,
            "the reused canvas starts from the base each time"
        );
    }

    /// Decoded straight (not premultiplied) RGBA of `png`.
    fn decoded(png: &[u8]) -> Vec<u8> {
        image::load_from_memory(png)
            .expect("a PNG")
            .to_rgba8()
            .into_raw()
    }

    fn straight(pixmap: &Pixmap) -> Vec<u8> {
        pixmap
            .pixels()
            .iter()
            .flat_map(|p| {
                let c = p.demultiply();
                [c.red(), c.green(), c.blue(), c.alpha()]
            })
            .collect()
    }

    #[test]
    fn the_palette_png_holds_exactly_the_drawn_pixels() {
        let mut pixmap = base("microblog").expect("base").pixmap.clone();
        draw(
            &text_svg("Error budgets & <burn> rates", "2 March 2025"),
            &mut pixmap,
        )
        .expect("draws");
        let png = encode(&pixmap, &mut Vec::new()).expect("encodes");
        let info = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .expect("a PNG")
            .info()
            .color_type;
        assert_eq!(info, png::ColorType::Indexed);
        assert!(decoded(&png) == straight(&pixmap), "lossless");
    }

    #[test]
    fn pixmaps_a_palette_cannot_hold_are_written_as_rgba() {
        // 300 colours, and a transparent corner.
        let mut pixmap = Pixmap::new(300, 2).expect("pixmap");
        for (i, p) in pixmap.pixels_mut().iter_mut().enumerate() {
            let v = u8::try_from(i % 256).expect("byte");
            let alpha = if i == 0 { 0 } else { 255 };
            *p = resvg::tiny_skia::PremultipliedColorU8::from_rgba(
                if alpha == 0 { 0 } else { v },
                if i >= 256 { 1 } else { 0 },
                0,
                alpha,
            )
            .expect("premultiplied");
        }
        assert!(palette::indexed(&pixmap, &mut Vec::new()).is_none());
        let png = encode(&pixmap, &mut Vec::new()).expect("encodes");
        assert!(decoded(&png) == straight(&pixmap), "lossless");
    }

    #[test]
    fn only_the_rows_of_the_text_are_redrawn_and_the_card_is_the_whole_drawing() {
        // Titles of 1 to 4 lines with descenders, in an order where a card
        // follows a taller one: every pixel the last card drew is undone.
        let titles = [
            "Short",
            "Quietly jumping geese: a very long title that wraps onto four lines, yes, quite long, gjpqy",
            "Mid-length title, with gjpqy descenders",
            "Short",
            "Ünïcödé ÀÉÎ and numbers 0123456789",
        ];
        for (i, title) in titles.iter().enumerate() {
            let date = format!("{} March 2025", i + 1);
            let fast = render(title, &date, "microblog").expect("renders");
            let mut whole = base("microblog").expect("base").pixmap.clone();
            draw(&text_svg(title, &date), &mut whole).expect("draws");
            assert!(decoded(&fast) == straight(&whole), "card {i}: {title}");
        }
        // Another site's base on the same thread's canvas, and back.
        let other = render("Short", "1 March 2025", "elsewhere").expect("renders");
        let mut whole = base("elsewhere").expect("base").pixmap.clone();
        draw(&text_svg("Short", "1 March 2025"), &mut whole).expect("draws");
        assert!(decoded(&other) == straight(&whole));
        let again = render(titles[1], "2 March 2025", "microblog").expect("renders");
        let mut whole = base("microblog").expect("base").pixmap.clone();
        draw(&text_svg(titles[1], "2 March 2025"), &mut whole).expect("draws");
        assert!(decoded(&again) == straight(&whole));
    }
}
