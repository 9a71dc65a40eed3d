//! Social cards: a 1200×630 PNG per post without an `image:` (title, date,
//! site name), for `og:image`/`twitter:image`. The text is shaped and drawn
//! from a glyph cache ([`glyphs`]) with DejaVu Sans shipped in
//! `assets/fonts/`, straight into palette indices ([`palette`]). A card is
//! made the first time it is asked for; the server keeps the ones asked
//! for most within a budget (`server::images::CardCache`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

mod glyphs;
mod palette;
use glyphs::Face;
use palette::{Palette, Ramp, Rgb};

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
const W: usize = WIDTH as usize;
const H: usize = HEIGHT as usize;

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
    #[error("the card font cannot be read")]
    Font,
    #[error("cannot encode the card: {0}")]
    Png(String),
}

/// The card's colours. The background is opaque, so every pixel is.
const BACKGROUND: Rgb = [0x0f, 0x17, 0x2a];
const ACCENT: Rgb = [0x14, 0xb8, 0xa6];
const TITLE: Rgb = [0xf8, 0xfa, 0xfc];
const DATE: Rgb = [0x5e, 0xea, 0xd4];
const SITE: Rgb = [0xe2, 0xe8, 0xf0];
/// The accent bar down the left edge, in pixels.
const ACCENT_WIDTH: usize = 16;
/// The background's palette index (the first colour added).
const BG: u8 = 0;

/// Where a line of text is anchored: its start or its end at `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    End,
}

/// One line of text on a card.
#[derive(Debug)]
struct Text<'a> {
    text: &'a str,
    face: Face,
    size: u16,
    x: f32,
    baseline: usize,
    anchor: Anchor,
    colour: Rgb,
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

/// Title lines: up to four of about 26 characters, in large bold type (a
/// little smaller for four), from 150 px down.
const TITLE_CHARS: usize = 26;
const TITLE_LINES: usize = 4;
/// Baseline of the date and the site name.
const FOOTER_BASELINE: usize = 560;
const FOOTER_SIZE: u16 = 34;
/// Left margin of the title and date; right edge of the site name.
const LEFT: f32 = 80.0;
const RIGHT: f32 = 1120.0;

/// What every card shares besides the fills: the site name, bottom right.
fn site_text(site: &str) -> Text<'_> {
    Text {
        text: site,
        face: Face::Bold,
        size: FOOTER_SIZE,
        x: RIGHT,
        baseline: FOOTER_BASELINE,
        anchor: Anchor::End,
        colour: SITE,
    }
}

/// The lines of a card's title, and the size they are drawn at.
fn title_lines(title: &str) -> (Vec<String>, u16) {
    let lines = wrap(title, TITLE_CHARS, TITLE_LINES);
    let size = if lines.len() > 3 { 56 } else { 64 };
    (lines, size)
}

/// The card's own text: the title lines and the date.
fn card_texts<'a>(lines: &'a [String], size: u16, date: &'a str) -> Vec<Text<'a>> {
    let mut texts: Vec<Text<'a>> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| Text {
            text: line,
            face: Face::Bold,
            size,
            x: LEFT,
            baseline: 150 + i * (usize::from(size) + 16),
            anchor: Anchor::Start,
            colour: TITLE,
        })
        .collect();
    texts.push(Text {
        text: date,
        face: Face::Regular,
        size: FOOTER_SIZE,
        x: LEFT,
        baseline: FOOTER_BASELINE,
        anchor: Anchor::Start,
        colour: DATE,
    });
    texts
}

/// A canvas of palette indices, its palette, and the ramp of each text
/// colour over the background (built once, so a text pixel over the
/// background is one table look-up).
#[derive(Clone)]
struct Canvas {
    indices: Vec<u8>,
    palette: Palette,
    ramps: [(Rgb, Ramp); 3],
}

impl Canvas {
    /// The fills every card has: background and accent bar.
    fn blank() -> Canvas {
        let mut palette = Palette::default();
        let bg = palette.index(BACKGROUND);
        debug_assert_eq!(bg, BG);
        let accent = palette.index(ACCENT);
        let ramps = [TITLE, DATE, SITE].map(|c| (c, palette.ramp(BG, c)));
        let mut indices = vec![BG; W * H];
        for row in indices.chunks_exact_mut(W) {
            row[..ACCENT_WIDTH].fill(accent);
        }
        Canvas {
            indices,
            palette,
            ramps,
        }
    }

    /// Draws `text`, adding its coverage up glyph by glyph in `band` (a
    /// buffer to reuse) and then turning it into colours; the rows it
    /// touched, if any.
    fn draw(&mut self, text: &Text<'_>, band: &mut Vec<u8>) -> Result<Range<usize>, CardError> {
        let line = glyphs::shape(text.face, text.size, text.text)?;
        let x = match text.anchor {
            Anchor::Start => text.x,
            Anchor::End => text.x - line.width,
        };
        let baseline = text.baseline as i32;
        let ramp = self
            .ramps
            .iter()
            .find(|(c, _)| *c == text.colour)
            .map(|(_, r)| *r);
        glyphs::with_masks(&line, x, |masks| {
            // The glyphs' box, clipped to the card.
            let (mut left, mut top, mut right, mut bottom) = (i32::MAX, i32::MAX, 0, 0);
            for (pen, m) in masks.iter().filter(|(_, m)| m.width > 0) {
                left = left.min(pen + m.left);
                top = top.min(baseline - m.top);
                right = right.max(pen + m.left + m.width as i32);
                bottom = bottom.max(baseline - m.top + m.height as i32);
            }
            let clip = |v: i32, max: usize| v.clamp(0, max as i32) as usize;
            let (left, right) = (clip(left, W), clip(right, W));
            let (top, bottom) = (clip(top, H), clip(bottom, H));
            if left >= right || top >= bottom {
                return 0..0;
            }
            let width = right - left;
            band.clear();
            band.resize(width * (bottom - top), 0);
            let height = bottom - top;
            for (pen, m) in masks {
                let at = (pen + m.left - left as i32, baseline - m.top - top as i32);
                add_coverage(band, (width, height), at, m);
            }
            for (y, covs) in band.chunks_exact(width).enumerate() {
                let start = (top + y) * W + left;
                let out = &mut self.indices[start..start + width];
                resolve(&mut self.palette, out, covs, ramp.as_ref(), text.colour);
            }
            top..bottom
        })
    }
}

/// Adds glyph `mask`'s coverage to `band` (`size`: width, height) with its
/// top-left corner at `at`, clipped to the band; where glyphs overlap, their
/// coverage adds up (to full).
fn add_coverage(band: &mut [u8], size: (usize, usize), at: (i32, i32), mask: &glyphs::Mask) {
    let (width, height) = (size.0 as i32, size.1 as i32);
    let (x, y) = at;
    let (w, h) = (mask.width as i32, mask.height as i32);
    // The part of the mask inside the band, in mask columns and rows.
    let (c0, c1) = ((-x).max(0), w.min(width - x));
    let (r0, r1) = ((-y).max(0), h.min(height - y));
    if c0 >= c1 || r0 >= r1 {
        return;
    }
    for r in r0..r1 {
        let src = (r * w) as usize;
        let dst = ((y + r) * width + x) as usize;
        let (src, dst) = (
            &mask.coverage[src + c0 as usize..src + c1 as usize],
            &mut band[dst + c0 as usize..dst + c1 as usize],
        );
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = d.saturating_add(s);
        }
    }
}

/// Turns one row of `covs` (a text's coverage) into the colours of `out`:
/// over the background through `ramp`, a look-up; over anything else
/// (another text), a blend.
fn resolve(palette: &mut Palette, out: &mut [u8], covs: &[u8], ramp: Option<&Ramp>, colour: Rgb) {
    // Eight pixels at a time: most of a line's box is empty, and the rest
    // is mostly over the background, where the ramp maps coverage 0 to the
    // background itself (a look-up without a branch).
    let word = |b: &[u8]| <[u8; 8]>::try_from(b).map(u64::from_ne_bytes).ok();
    for (out, covs) in out.chunks_mut(8).zip(covs.chunks(8)) {
        if word(covs) == Some(0) {
            continue;
        }
        if let Some(ramp) = ramp {
            if word(out) == Some(u64::from_ne_bytes([BG; 8])) {
                for (px, &cov) in out.iter_mut().zip(covs) {
                    *px = ramp[usize::from(cov)];
                }
                continue;
            }
        }
        for (px, &cov) in out.iter_mut().zip(covs) {
            if cov == 0 {
                continue;
            }
            *px = match ramp {
                Some(ramp) if *px == BG => ramp[usize::from(cov)],
                _ => palette.blend(*px, colour, cov),
            };
        }
    }
}

/// The base of every card with this site name (fills and site name), drawn
/// once per process.
fn base(site: &str) -> Result<Arc<Canvas>, CardError> {
    static BASES: OnceLock<Mutex<HashMap<String, Arc<Canvas>>>> = OnceLock::new();
    let bases = BASES.get_or_init(Default::default);
    if let Some(b) = bases.lock().ok().and_then(|b| b.get(site).cloned()) {
        return Ok(b);
    }
    let mut canvas = Canvas::blank();
    canvas.draw(&site_text(site), &mut Vec::new())?;
    let base = Arc::new(canvas);
    if let Ok(mut b) = bases.lock() {
        b.insert(site.to_string(), base.clone());
    }
    Ok(base)
}

/// Every row of a card.
const ALL_ROWS: Range<usize> = 0..H;

/// A thread's canvas, reused from card to card: it holds the base of
/// `site` except in `dirty` rows (the last card's text), so a card copies
/// back only those rows instead of the whole 756 KB base.
#[derive(Default)]
struct Scratch {
    canvas: Option<Canvas>,
    band: Vec<u8>,
    site: Option<Arc<Canvas>>,
    dirty: Vec<Range<usize>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Draws a card as PNG bytes: the base, with the title and date drawn over
/// it.
pub fn render(title: &str, date: &str, site: &str) -> Result<Vec<u8>, CardError> {
    let base = base(site)?;
    let (lines, size) = title_lines(title);
    let texts = card_texts(&lines, size, date);
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch {
            canvas,
            band,
            site,
            dirty,
        } = &mut *scratch;
        let same_base = site.as_ref().is_some_and(|s| Arc::ptr_eq(s, &base));
        let canvas = match canvas {
            Some(c) if same_base => {
                for r in dirty.iter() {
                    let px = r.start * W..r.end * W;
                    c.indices[px.clone()].copy_from_slice(&base.indices[px]);
                }
                c.palette.clone_from(&base.palette);
                c
            }
            Some(c) => {
                c.clone_from(&base);
                c
            }
            None => canvas.insert(Canvas::clone(&base)),
        };
        *site = Some(base.clone());
        // Until the drawing is done, any row may be stale.
        *dirty = vec![ALL_ROWS];
        let mut rows = Vec::with_capacity(texts.len());
        for text in &texts {
            rows.push(canvas.draw(text, band)?);
        }
        *dirty = rows;
        palette::encode(WIDTH, HEIGHT, &canvas.palette, &canvas.indices)
    })
}

/// A card drawn on a fresh copy of its base, without the reused canvas
/// (what [`render`] must equal).
#[cfg(test)]
fn render_whole(title: &str, date: &str, site: &str) -> Result<Vec<u8>, CardError> {
    let mut canvas = Canvas::clone(&*base(site)?);
    let (lines, size) = title_lines(title);
    let mut band = Vec::new();
    for text in &card_texts(&lines, size, date) {
        canvas.draw(text, &mut band)?;
    }
    palette::encode(WIDTH, HEIGHT, &canvas.palette, &canvas.indices)
}

/// What a card shows: it is drawn from these alone, so they are the key
/// of a cache of drawn cards.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CardText {
    pub title: String,
    pub date: String,
    pub site: String,
}

impl CardText {
    /// The card as PNG bytes (see [`render`]).
    pub fn render(&self) -> Result<Vec<u8>, CardError> {
        render(&self.title, &self.date, &self.site)
    }

    /// Bytes the texts take, for a cache's budget.
    pub fn len(&self) -> usize {
        self.title.len() + self.date.len() + self.site.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
