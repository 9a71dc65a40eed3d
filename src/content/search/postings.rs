//! The index's postings, compressed: for each term, the documents it occurs
//! in (ascending) and one [`Meta`] byte each.
//!
//! Why compressed: held plain (a `u32` and a byte per posting) they were
//! 33 MB at 10,000 generated posts, the index's largest part after the
//! snippet text, and the build held them twice (per document, then per
//! term). Here a term's list is cut into blocks of 128 postings, each the
//! gaps between document numbers and the metas bit-packed at the width the
//! block needs (`bitpacking`, SIMD: a block unpacks in tens of
//! nanoseconds, so walking a common term costs no more than the plain
//! arrays did); the last, partial block is varints (`integer-encoding`), so
//! the many rare terms cost a few bytes each. The layout of one term:
//!
//! ```text
//! full blocks:  [doc bits u8][meta bits u8][gaps: doc bits × 16 B][metas: meta bits × 16 B] …
//! the rest:     [varint gap][meta u8] …          gap = doc − (previous doc + 1), or doc first
//! ```
//!
//! The list is built while documents are numbered in order ([`TermWriter`]
//! takes one posting at a time), so the build never holds a plain copy.

use bitpacking::{BitPacker, BitPacker4x};
use integer_encoding::VarInt;

use super::Meta;

/// Postings per bit-packed block.
const BLOCK: usize = BitPacker4x::BLOCK_LEN;

/// Every term's postings, concatenated in term order.
#[derive(Debug, Default)]
pub(super) struct Postings {
    bytes: Vec<u8>,
    /// Term `t`'s bytes are `bytes[offsets[t]..offsets[t + 1]]`.
    offsets: Vec<usize>,
    /// Postings per term (its document count).
    lens: Vec<u32>,
}

/// One term's postings while the index is built: full blocks already
/// packed, the rest (fewer than [`BLOCK`]) waiting.
#[derive(Debug, Default)]
pub(super) struct TermWriter {
    packed: Vec<u8>,
    pending: Vec<(u32, Meta)>,
    /// The last document of the packed blocks.
    last_packed: Option<u32>,
    len: u32,
}

impl TermWriter {
    /// Adds a posting; documents must come in ascending order.
    pub(super) fn push(&mut self, doc: u32, meta: Meta) {
        debug_assert!(self.pending.last().is_none_or(|&(d, _)| d < doc));
        self.pending.push((doc, meta));
        self.len += 1;
        if self.pending.len() == BLOCK {
            let packer = BitPacker4x::new();
            let mut docs = [0u32; BLOCK];
            let mut metas = [0u32; BLOCK];
            for (i, &(d, m)) in self.pending.iter().enumerate() {
                docs[i] = d;
                metas[i] = u32::from(m);
            }
            let doc_bits = packer.num_bits_strictly_sorted(self.last_packed, &docs);
            let meta_bits = packer.num_bits(&metas);
            let at = self.packed.len();
            let size = 2 + (usize::from(doc_bits) + usize::from(meta_bits)) * BLOCK / 8;
            self.packed.resize(at + size, 0);
            let out = &mut self.packed[at..];
            out[0] = doc_bits;
            out[1] = meta_bits;
            let n =
                packer.compress_strictly_sorted(self.last_packed, &docs, &mut out[2..], doc_bits);
            packer.compress(&metas, &mut out[2 + n..], meta_bits);
            self.last_packed = Some(docs[BLOCK - 1]);
            self.pending.clear();
        }
    }

    /// Bytes the finished list takes.
    fn encoded_len(&self) -> usize {
        let mut prev = self.last_packed;
        let tail: usize = self
            .pending
            .iter()
            .map(|&(d, _)| {
                let gap = gap(prev, d);
                prev = Some(d);
                gap.required_space() + 1
            })
            .sum();
        self.packed.len() + tail
    }

    /// Appends the finished list to `out`.
    fn finish_into(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.packed);
        let mut prev = self.last_packed;
        let mut buf = [0u8; 5];
        for (d, m) in self.pending {
            let n = gap(prev, d).encode_var(&mut buf);
            out.extend_from_slice(&buf[..n]);
            out.push(m);
            prev = Some(d);
        }
    }
}

/// What the varint tail stores for `doc` after `prev`.
fn gap(prev: Option<u32>, doc: u32) -> u32 {
    prev.map_or(doc, |p| doc - p - 1)
}

impl Postings {
    /// The lists of `writers` (indexed by provisional number), term `t`'s
    /// being `writers[order[t]]`. Each writer is emptied as it is copied,
    /// so the build holds the lists twice only one at a time.
    pub(super) fn from_writers(writers: &mut [TermWriter], order: &[u32]) -> Self {
        let total: usize = order
            .iter()
            .filter_map(|&p| writers.get(p as usize))
            .map(TermWriter::encoded_len)
            .sum();
        let mut bytes = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(order.len() + 1);
        let mut lens = Vec::with_capacity(order.len());
        offsets.push(0);
        for &p in order {
            let w = writers
                .get_mut(p as usize)
                .map(std::mem::take)
                .unwrap_or_default();
            lens.push(w.len);
            w.finish_into(&mut bytes);
            offsets.push(bytes.len());
        }
        Postings {
            bytes,
            offsets,
            lens,
        }
    }

    /// Number of terms.
    pub(super) fn terms(&self) -> usize {
        self.lens.len()
    }

    /// Number of postings of `term` (0 past the last term).
    pub(super) fn len(&self, term: usize) -> usize {
        self.lens.get(term).map_or(0, |&n| n as usize)
    }

    /// Total postings.
    pub(super) fn total(&self) -> usize {
        self.lens.iter().map(|&n| n as usize).sum()
    }

    /// Bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.bytes.capacity()
            + self.offsets.capacity() * size_of::<usize>()
            + self.lens.capacity() * size_of::<u32>()
    }

    /// Calls `f(document, meta)` for each posting of `term`, in document
    /// order. A list that does not decode (only a bug could make one) ends
    /// early rather than panicking.
    pub(super) fn for_each(&self, term: usize, mut f: impl FnMut(u32, Meta)) {
        let (Some(&a), Some(&b)) = (self.offsets.get(term), self.offsets.get(term + 1)) else {
            return;
        };
        let mut bytes = &self.bytes[a..b];
        let len = self.len(term);
        let packer = BitPacker4x::new();
        let mut docs = [0u32; BLOCK];
        let mut metas = [0u32; BLOCK];
        let mut prev: Option<u32> = None;
        for _ in 0..len / BLOCK {
            let [doc_bits, meta_bits, ref rest @ ..] = *bytes else {
                return;
            };
            let doc_len = usize::from(doc_bits) * BLOCK / 8;
            let meta_len = usize::from(meta_bits) * BLOCK / 8;
            if doc_bits > 32 || meta_bits > 8 || rest.len() < doc_len + meta_len {
                return;
            }
            packer.decompress_strictly_sorted(prev, &rest[..doc_len], &mut docs, doc_bits);
            packer.decompress(&rest[doc_len..doc_len + meta_len], &mut metas, meta_bits);
            for (&d, &m) in docs.iter().zip(&metas) {
                // A meta is one byte: `meta_bits` ≤ 8 keeps it in range.
                f(d, m as Meta);
            }
            prev = Some(docs[BLOCK - 1]);
            bytes = &rest[doc_len + meta_len..];
        }
        for _ in 0..len % BLOCK {
            let Some((g, n)) = u32::decode_var(bytes) else {
                return;
            };
            let Some(&m) = bytes.get(n) else {
                return;
            };
            let doc = match prev {
                Some(p) => p.saturating_add(1).saturating_add(g),
                None => g,
            };
            f(doc, m);
            prev = Some(doc);
            bytes = &bytes[n + 1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic lists of every shape: empty, shorter than a block,
    /// exactly one, one and a bit, many; dense and sparse gaps (up to the
    /// largest document number), every meta value.
    fn lists() -> Vec<Vec<(u32, Meta)>> {
        let mut seed = 11u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed >> 8
        };
        let mut out = vec![Vec::new(), vec![(0, 1)], vec![(u32::MAX, 0x35)]];
        for (len, spread) in [
            (1, 1_000_000),
            (5, 3),
            (127, 50),
            (128, 1),
            (129, 70_000),
            (300, 2),
            (1000, 9),
            (2000, 1 << 20),
        ] {
            let mut doc = next() % 3;
            let list = (0..len)
                .map(|_| {
                    let p = (doc, (next() % 64) as Meta);
                    doc += 1 + next() % spread;
                    p
                })
                .collect();
            out.push(list);
        }
        // A block whose gaps are all zero (consecutive documents, 0 bits).
        out.push((7..7 + 256).map(|d| (d, 1)).collect());
        out
    }

    #[test]
    fn every_list_reads_back_as_written() {
        let lists = lists();
        let mut writers: Vec<TermWriter> = lists
            .iter()
            .map(|list| {
                let mut w = TermWriter::default();
                for &(d, m) in list {
                    w.push(d, m);
                }
                w
            })
            .collect();
        // Written in reverse: term t is writer len − 1 − t.
        let order: Vec<u32> = (0..lists.len() as u32).rev().collect();
        let postings = Postings::from_writers(&mut writers, &order);
        assert_eq!(postings.terms(), lists.len());
        for (t, list) in lists.iter().rev().enumerate() {
            let mut back = Vec::new();
            postings.for_each(t, |d, m| back.push((d, m)));
            assert_eq!(&back, list, "term {t}");
            assert_eq!(postings.len(t), list.len());
        }
        let mut none = 0;
        postings.for_each(lists.len(), |_, _| none += 1);
        assert_eq!(none, 0, "past the last term: nothing");
        assert_eq!(postings.total(), lists.iter().map(Vec::len).sum::<usize>());
    }

    /// The point of the format: a common term's postings take a fraction of
    /// the five bytes each they took plain.
    #[test]
    fn dense_lists_take_about_a_byte_a_posting() {
        let mut w = TermWriter::default();
        for d in 0..10_000u32 {
            if d % 3 != 0 {
                w.push(d, (1 + d % 5) as Meta);
            }
        }
        let postings = Postings::from_writers(&mut [w], &[0]);
        let n = postings.len(0);
        assert!(
            postings.bytes.len() < n,
            "{} bytes for {n}",
            postings.bytes.len()
        );
    }
}
