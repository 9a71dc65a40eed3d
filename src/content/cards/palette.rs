//! A card's colours and its PNG. A card is drawn straight into palette
//! indices (one byte a pixel): flat fills plus text, where each text colour
//! over the background is a ramp of [`LEVELS`] anti-aliasing steps. The
//! whole card has under 256 colours, so the PNG is exact with a palette, a
//! quarter of the bytes of RGBA and quick to compress.

use super::CardError;

/// Anti-aliasing steps of a text colour over another, counting both ends:
/// 64 is finer than the eye tells apart at card sizes (the vector renderer
/// cards used before gave about 30), and three text colours over the
/// background leave room in a 256-colour palette for the rare pixel where
/// two texts meet.
pub const LEVELS: u16 = 64;

/// An opaque colour.
pub type Rgb = [u8; 3];

/// Slots of the colour table: twice the most colours a palette holds.
const SLOTS: usize = 512;

/// Colours in order of first use, with a small open-addressed table from
/// colour to index.
#[derive(Clone)]
pub struct Palette {
    /// `u32` of `[r, g, b, 1]`, so never 0 (an empty slot).
    keys: [u32; SLOTS],
    values: [u8; SLOTS],
    rgb: Vec<u8>,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            keys: [0; SLOTS],
            values: [0; SLOTS],
            rgb: Vec::with_capacity(256 * 3),
        }
    }
}

/// The coverage (0–255) → palette index table of one text colour over one
/// colour already on the card.
pub type Ramp = [u8; 256];

impl Palette {
    /// The colour at `index`.
    pub fn colour(&self, index: u8) -> Rgb {
        let i = usize::from(index) * 3;
        match self.rgb.get(i..i + 3) {
            Some(&[r, g, b]) => [r, g, b],
            _ => [0; 3],
        }
    }

    /// The index of `colour`, added if new. With 256 colours already, the
    /// nearest one (only where two texts overlap on a crowded card).
    pub fn index(&mut self, colour: Rgb) -> u8 {
        let key = u32::from_le_bytes([colour[0], colour[1], colour[2], 1]);
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 23) as usize;
        loop {
            if self.keys[slot] == key {
                return self.values[slot];
            }
            if self.keys[slot] == 0 {
                let Ok(index) = u8::try_from(self.rgb.len() / 3) else {
                    return self.nearest(colour);
                };
                self.keys[slot] = key;
                self.values[slot] = index;
                self.rgb.extend_from_slice(&colour);
                return index;
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    fn nearest(&self, colour: Rgb) -> u8 {
        let distance = |c: &[u8]| -> u32 {
            c.iter()
                .zip(colour)
                .map(|(&a, b)| u32::from(a.abs_diff(b)).pow(2))
                .sum()
        };
        let best = self
            .rgb
            .chunks_exact(3)
            .enumerate()
            .min_by_key(|(_, c)| distance(c))
            .map_or(0, |(i, _)| i);
        u8::try_from(best).unwrap_or(u8::MAX)
    }

    /// The indices of `text` drawn over the colour at `under` with each
    /// coverage, adding the ramp's colours to the palette.
    pub fn ramp(&mut self, under: u8, text: Rgb) -> Ramp {
        let under = self.colour(under);
        let mut colours = [0u8; LEVELS as usize];
        for (level, slot) in colours.iter_mut().enumerate() {
            *slot = self.index(mix(under, text, level as u16));
        }
        let mut ramp = [0u8; 256];
        for (coverage, slot) in ramp.iter_mut().enumerate() {
            *slot = colours[usize::from(level(coverage as u8))];
        }
        ramp
    }

    /// The index of `text` drawn with `coverage` over the colour at `under`.
    pub fn blend(&mut self, under: u8, text: Rgb, coverage: u8) -> u8 {
        let colour = mix(self.colour(under), text, level(coverage));
        self.index(colour)
    }
}

/// The anti-aliasing step of a coverage: 0 (none) to `LEVELS - 1` (full).
fn level(coverage: u8) -> u16 {
    (u16::from(coverage) * (LEVELS - 1) + 127) / 255
}

/// `text` over `under` at step `level` of `LEVELS - 1`, rounded.
fn mix(under: Rgb, text: Rgb, level: u16) -> Rgb {
    let full = u32::from(LEVELS - 1);
    let level = u32::from(level);
    let mut out = [0u8; 3];
    for ((o, u), t) in out.iter_mut().zip(under).zip(text) {
        let v = (u32::from(u) * (full - level) + u32::from(t) * level + full / 2) / full;
        *o = u8::try_from(v).unwrap_or(u8::MAX);
    }
    out
}

/// A palette PNG of `indices` (`width` × `height`).
pub fn encode(
    width: u32,
    height: u32,
    palette: &Palette,
    indices: &[u8],
) -> Result<Vec<u8>, CardError> {
    let mut data = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut data, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.rgb.as_slice());
    // Each row as its difference from the row above: the rows a card's
    // text does not reach, and the insides of its letters, become zeros,
    // which fdeflate (the PNG crate's fastest mode, made for filtered rows)
    // writes as runs. Measured on 200 cards: as small as zlib level 1
    // unfiltered (28 KB) for about a quarter of its CPU; fdeflate on
    // unfiltered indices gives 83 KB.
    encoder.set_filter(png::Filter::Up);
    encoder.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
    let png_error = |e: png::EncodingError| CardError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(indices).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_goes_from_the_colour_under_to_the_text_colour() {
        let mut p = Palette::default();
        let bg = p.index([15, 23, 42]);
        let ramp = p.ramp(bg, [248, 250, 252]);
        assert_eq!(ramp[0], bg, "no coverage keeps the background");
        assert_eq!(p.colour(ramp[255]), [248, 250, 252]);
        let mid = p.colour(ramp[128]);
        assert!(mid[0] > 100 && mid[0] < 160, "{mid:?}");
        // Steps grow with coverage.
        let reds: Vec<u8> = ramp.iter().map(|&i| p.colour(i)[0]).collect();
        assert!(reds.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(p.blend(bg, [248, 250, 252], 128), ramp[128]);
    }

    #[test]
    fn a_full_palette_answers_with_the_nearest_colour() {
        let mut p = Palette::default();
        for i in 0..=255u8 {
            assert_eq!(p.index([i, 0, 0]), i);
        }
        assert_eq!(p.index([200, 3, 1]), 200);
        assert_eq!(p.index([7, 0, 0]), 7, "known colours keep their index");
    }
}
