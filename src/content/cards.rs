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

fn draw(svg: &str, pixmap: &mut Pixmap) -> Result<(), CardError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
    Ok(())
}

/// The base of every card with this site name, drawn once per process.
fn base(site: &str) -> Result<Arc<Pixmap>, CardError> {
    static BASES: OnceLock<Mutex<HashMap<String, Arc<Pixmap>>>> = OnceLock::new();
    let bases = BASES.get_or_init(Default::default);
    if let Some(b) = bases.lock().ok().and_then(|b| b.get(site).cloned()) {
        return Ok(b);
    }
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?;
    draw(&base_svg(site), &mut pixmap)?;
    let pixmap = Arc::new(pixmap);
    if let Ok(mut b) = bases.lock() {
        b.insert(site.to_string(), pixmap.clone());
    }
    Ok(pixmap)
}

/// A thread's canvas and pixel indices, reused from card to card: a fresh
/// 3 MB canvas per card cost more in page faults than the drawing did.
#[derive(Default)]
struct Scratch {
    canvas: Option<Pixmap>,
    indices: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Draws a card as PNG bytes.
pub fn render(title: &str, date: &str, site: &str) -> Result<Vec<u8>, CardError> {
    let base = base(site)?;
    let text = text_svg(title, date);
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch { canvas, indices } = &mut *scratch;
        let canvas = match canvas {
            Some(c) => c,
            None => canvas.insert(Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Pixmap)?),
        };
        canvas.data_mut().copy_from_slice(base.data());
        draw(&text, canvas)?;
        encode(canvas, indices)
    })
}

/// PNG bytes of a drawn card. A card has few colours (flat fills plus the
/// anti-aliased edges of its text: under a hundred), so it is written as a
/// palette image, one byte a pixel instead of four: lossless, a third of the
/// size of the RGBA file it replaced, and quick to compress. A pixmap with
/// more than 256 colours or any transparency is written as RGBA instead.
/// `indices` is a buffer to reuse.
fn encode(pixmap: &Pixmap, indices: &mut Vec<u8>) -> Result<Vec<u8>, CardError> {
    let Some(palette) = indexed(pixmap, indices) else {
        return pixmap
            .encode_png()
            .map_err(|e| CardError::Png(e.to_string()));
    };
    let mut data = Vec::new();
    let mut encoder = png::Encoder::new(&mut data, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette);
    // Palette images compress best unfiltered (the PNG spec's advice).
    encoder.set_filter(png::Filter::NoFilter);
    encoder.set_deflate_compression(png::DeflateCompression::Level(PNG_LEVEL));
    let png_error = |e: png::EncodingError| CardError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(indices).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(data)
}

/// zlib level of the palette PNG. Measured on 2,000 generated cards:
/// level 1 gives 27 KB a card, level 3 18 KB for about 30 % more CPU per
/// card; fdeflate (the PNG crate's fastest) 290 KB, as it is tuned for
/// filtered RGB rows, not palette indices.
const PNG_LEVEL: u8 = 1;

/// Fills `indices` with one palette index per pixel and returns the palette
/// (RGB triples, in order of first use); `None` if a pixel is not opaque or
/// there are over 256 colours.
fn indexed(pixmap: &Pixmap, indices: &mut Vec<u8>) -> Option<Vec<u8>> {
    // Colours as `u32` (RGBA bytes, alpha 255 so never 0) in a small
    // open-addressed table: 512 slots for at most 256 colours.
    const SLOTS: usize = 512;
    let mut keys = [0u32; SLOTS];
    let mut values = [0u8; SLOTS];
    let mut palette: Vec<u8> = Vec::new();
    indices.clear();
    indices.reserve(pixmap.pixels().len());
    // Runs of one colour are the rule: they skip the table.
    let mut last = (0u32, 0u8);
    for px in pixmap.data().chunks_exact(4) {
        if px[3] != u8::MAX {
            return None;
        }
        // Opaque: the premultiplied channels are the colour itself.
        let key = u32::from_le_bytes([px[0], px[1], px[2], px[3]]);
        if key != last.0 {
            let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 23) as usize;
            let index = loop {
                if keys[slot] == key {
                    break values[slot];
                }
                if keys[slot] == 0 {
                    let index = u8::try_from(palette.len() / 3).ok()?;
                    keys[slot] = key;
                    values[slot] = index;
                    palette.extend_from_slice(&px[..3]);
                    break index;
                }
                slot = (slot + 1) % SLOTS;
            };
            last = (key, index);
        }
        indices.push(last.1);
    }
    Some(palette)
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
        let mut pixmap = Pixmap::clone(&*base("microblog").expect("base"));
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
        assert!(indexed(&pixmap, &mut Vec::new()).is_none());
        let png = encode(&pixmap, &mut Vec::new()).expect("encodes");
        assert!(decoded(&png) == straight(&pixmap), "lossless");
    }
}
