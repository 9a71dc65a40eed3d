//! Writing a drawn card as a palette PNG. A card has few colours (flat fills
//! plus the anti-aliased edges of its text: under a hundred), so it is
//! written as a palette image, one byte a pixel instead of four: lossless, a
//! third of the size of the RGBA file it replaced, and quick to compress. A
//! pixmap with more than 256 colours or any transparency is written as RGBA.
//!
//! Most of a card is its base (background, accent bar, site name), the same
//! on every card: the base's indices are computed once and only the rows the
//! card's own text touched are indexed again ([`Palette::index_rows`]).

use std::ops::Range;

use resvg::tiny_skia::Pixmap;

use super::CardError;

/// zlib level of the palette PNG. Measured on 2,000 generated cards:
/// level 1 gives 27 KB a card, level 3 18 KB for about 30 % more CPU per
/// card; fdeflate (the PNG crate's fastest) 290 KB, as it is tuned for
/// filtered RGB rows, not palette indices.
const PNG_LEVEL: u8 = 1;

/// Slots of the colour table: twice the most colours a palette holds.
const SLOTS: usize = 512;

/// Colours in order of first use, with a small open-addressed table from
/// colour (`u32` of the RGBA bytes, alpha 255 so never 0) to index.
#[derive(Clone)]
pub struct Palette {
    keys: [u32; SLOTS],
    values: [u8; SLOTS],
    rgb: Vec<u8>,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            keys: [0; SLOTS],
            values: [0; SLOTS],
            rgb: Vec::new(),
        }
    }
}

impl Palette {
    /// The index of opaque colour `key` (`px`: its RGB), added if new;
    /// `None` past 256 colours.
    fn index(&mut self, key: u32, px: &[u8]) -> Option<u8> {
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 23) as usize;
        loop {
            if self.keys[slot] == key {
                return Some(self.values[slot]);
            }
            if self.keys[slot] == 0 {
                let index = u8::try_from(self.rgb.len() / 3).ok()?;
                self.keys[slot] = key;
                self.values[slot] = index;
                self.rgb.extend_from_slice(&px[..3]);
                return Some(index);
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    /// Sets the indices of `rows` of `pixmap` in `indices` (one byte a
    /// pixel, the whole image), adding colours as they first appear;
    /// `None` if a pixel is not opaque or there are over 256 colours.
    pub fn index_rows(
        &mut self,
        pixmap: &Pixmap,
        rows: Range<usize>,
        indices: &mut [u8],
    ) -> Option<()> {
        let width = pixmap.width() as usize;
        let data = &pixmap.data()[rows.start * width * 4..rows.end * width * 4];
        let out = &mut indices[rows.start * width..rows.end * width];
        // Runs of one colour are the rule: they skip the table.
        let mut last = (0u32, 0u8);
        for (px, index) in data.chunks_exact(4).zip(out.iter_mut()) {
            if px[3] != u8::MAX {
                return None;
            }
            // Opaque: the premultiplied channels are the colour itself.
            let key = u32::from_le_bytes([px[0], px[1], px[2], px[3]]);
            if key != last.0 {
                last = (key, self.index(key, px)?);
            }
            *index = last.1;
        }
        Some(())
    }
}

/// The palette and indices of a whole pixmap, if it fits a palette.
pub fn indexed(pixmap: &Pixmap, indices: &mut Vec<u8>) -> Option<Palette> {
    indices.clear();
    indices.resize(pixmap.pixels().len(), 0);
    let mut palette = Palette::default();
    palette.index_rows(pixmap, 0..pixmap.height() as usize, indices)?;
    Some(palette)
}

/// A palette PNG of `indices` (`width` × `height`).
pub fn encode_indexed(
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
    // Palette images compress best unfiltered (the PNG spec's advice).
    encoder.set_filter(png::Filter::NoFilter);
    encoder.set_deflate_compression(png::DeflateCompression::Level(PNG_LEVEL));
    let png_error = |e: png::EncodingError| CardError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(indices).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(data)
}

/// PNG bytes of a whole pixmap: a palette image if it fits one, else RGBA.
/// `indices` is a buffer to reuse.
pub fn encode(pixmap: &Pixmap, indices: &mut Vec<u8>) -> Result<Vec<u8>, CardError> {
    match indexed(pixmap, indices) {
        Some(palette) => encode_indexed(pixmap.width(), pixmap.height(), &palette, indices),
        None => pixmap
            .encode_png()
            .map_err(|e| CardError::Png(e.to_string())),
    }
}
