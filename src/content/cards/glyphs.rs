//! Text on a card: shaped with `swash` (the font's kerning and ligatures)
//! and drawn from a glyph cache, so each glyph is rasterised once per face,
//! size and quarter-pixel offset instead of once per card. The faces are the
//! two DejaVu Sans files in `assets/fonts/`, compiled in: no system fonts,
//! so every machine draws the same card.

use std::cell::RefCell;
use std::collections::HashMap;

use swash::scale::{Render, ScaleContext, Source};
use swash::shape::ShapeContext;
use swash::zeno::{Format, Vector};
use swash::{FontRef, GlyphId};

use super::CardError;

/// The two faces a card uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    fn font(self) -> Result<FontRef<'static>, CardError> {
        static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
        let data = match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
        };
        FontRef::from_index(data, 0).ok_or(CardError::Font)
    }
}

/// Horizontal positions a glyph is rasterised at within a pixel: quarters
/// (a glyph is placed within an eighth of a pixel of where the font puts it,
/// finer than a reader can see at card sizes).
const SUBPIXELS: f32 = 4.0;

/// Most glyph images a thread keeps: titles in many scripts could otherwise
/// grow the cache without bound. Past it the cache starts over (Latin text
/// at the card's three sizes stays at a few hundred).
const MAX_GLYPHS: usize = 4096;

/// A glyph's coverage (0–255 a pixel), placed relative to the pen on the
/// baseline: `left` pixels right of it, `top` pixels above it.
#[derive(Debug, Default)]
pub struct Mask {
    pub left: i32,
    pub top: i32,
    pub width: usize,
    pub height: usize,
    pub coverage: Vec<u8>,
}

/// A glyph of a shaped line: its pen position from the line's start, in
/// pixels (fractional).
#[derive(Debug, Clone, Copy)]
struct Shaped {
    glyph: GlyphId,
    at: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    face: Face,
    size: u16,
    glyph: GlyphId,
    subpixel: u8,
}

/// A thread's shaping and scaling state and its glyph images.
#[derive(Default)]
struct Glyphs {
    shape: ShapeContext,
    scale: ScaleContext,
    masks: HashMap<Key, Mask>,
}

thread_local! {
    static GLYPHS: RefCell<Glyphs> = RefCell::default();
}

/// A line of text shaped for drawing: its glyphs and its advance width in
/// pixels.
#[derive(Debug)]
pub struct Line {
    face: Face,
    size: u16,
    glyphs: Vec<Shaped>,
    pub width: f32,
}

/// Shapes `text` in `face` at `size` pixels per em.
pub fn shape(face: Face, size: u16, text: &str) -> Result<Line, CardError> {
    let font = face.font()?;
    GLYPHS.with(|g| {
        let mut g = g.borrow_mut();
        let mut shaper = g.shape.builder(font).size(f32::from(size)).build();
        shaper.add_str(text);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0;
        shaper.shape_with(|cluster| {
            for glyph in cluster.glyphs {
                glyphs.push(Shaped {
                    glyph: glyph.id,
                    at: pen + glyph.x,
                });
                pen += glyph.advance;
            }
        });
        Ok(Line {
            face,
            size,
            glyphs,
            width: pen,
        })
    })
}

/// Calls `f` once with every glyph of `line` started at `x`: the pixel
/// column of its pen and its mask. Glyphs this thread has not drawn at that
/// quarter-pixel offset are rasterised first.
pub fn with_masks<R>(
    line: &Line,
    x: f32,
    f: impl FnOnce(&[(i32, &Mask)]) -> R,
) -> Result<R, CardError> {
    let placed: Vec<(i32, Key)> = line
        .glyphs
        .iter()
        .map(|g| {
            let at = x + g.at;
            let whole = at.floor();
            // Rounded to a quarter; a glyph rounding up to the next pixel
            // is that pixel's first quarter.
            let quarter = ((at - whole) * SUBPIXELS).round();
            let (column, subpixel) = if quarter >= SUBPIXELS {
                (whole + 1.0, 0)
            } else {
                (whole, quarter as u8)
            };
            let key = Key {
                face: line.face,
                size: line.size,
                glyph: g.glyph,
                subpixel,
            };
            (column as i32, key)
        })
        .collect();
    GLYPHS.with(|g| {
        let mut g = g.borrow_mut();
        let Glyphs { scale, masks, .. } = &mut *g;
        if masks.len() + placed.len() > MAX_GLYPHS {
            masks.clear();
        }
        for (_, key) in &placed {
            if !masks.contains_key(key) {
                let mask = rasterise(scale, *key)?;
                masks.insert(*key, mask);
            }
        }
        let empty = Mask::default();
        let glyphs: Vec<(i32, &Mask)> = placed
            .iter()
            .map(|(column, key)| (*column, masks.get(key).unwrap_or(&empty)))
            .collect();
        Ok(f(&glyphs))
    })
}

fn rasterise(scale: &mut ScaleContext, key: Key) -> Result<Mask, CardError> {
    let font = key.face.font()?;
    // Unhinted, like a vector renderer: the shapes the font draws.
    let mut scaler = scale
        .builder(font)
        .size(f32::from(key.size))
        .hint(false)
        .build();
    let offset = Vector::new(f32::from(key.subpixel) / SUBPIXELS, 0.0);
    // A glyph without an outline (a space) draws nothing.
    let Some(image) = Render::new(&[Source::Outline])
        .format(Format::Alpha)
        .offset(offset)
        .render(&mut scaler, key.glyph)
    else {
        return Ok(Mask::default());
    };
    let p = image.placement;
    Ok(Mask {
        left: p.left,
        top: p.top,
        width: p.width as usize,
        height: p.height as usize,
        coverage: image.data,
    })
}
