//! Images that belong to the content: files in `content/images/` (served at
//! `/images/…`) and files beside a page bundle's `posts/<slug>/index.md`
//! (served at `/posts/<slug>/…`). Sizes come from the file header
//! (`imagesize`, no decoding), so every `<img>` gets `width`/`height` and the
//! page never shifts. Raster images wider than [`VARIANT_WIDTHS`]' smallest
//! get resized copies for `srcset`, made once per file version and kept in a
//! process-wide cache, so reloads reuse them and no request ever resizes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use rayon::prelude::*;

/// Widths of the resized copies; only those narrower than the original.
pub const VARIANT_WIDTHS: [u32; 3] = [480, 960, 1600];

/// One image file the site serves.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Where it is on disk (looked up by URL, never built from a request).
    pub file: PathBuf,
    pub mime: &'static str,
    /// From the header; `None` if the header could not be read.
    pub size: Option<(u32, u32)>,
    /// Smaller copies, narrowest first.
    pub variants: Vec<Variant>,
    /// The file's version (modification time and length, hashed): a page
    /// rendered with this image is rendered again when it changes.
    pub version: u64,
}

/// A resized copy, held in memory.
#[derive(Debug, Clone)]
pub struct Variant {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Arc<Vec<u8>>,
}

pub use crate::markdown::images::ImageInfo;

/// Every served image of one snapshot, by URL and by content path.
#[derive(Debug, Default)]
pub struct Assets {
    by_url: HashMap<String, Asset>,
    /// Content-relative path (`images/a.png`) → URL.
    by_path: HashMap<String, String>,
    /// Variant URL → (original URL, index).
    variants: HashMap<String, (String, usize)>,
}

fn mime_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "avif" => "image/avif",
        _ => return None,
    })
}

/// Files under `dir` (recursively, links not followed) with an image type.
fn image_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            image_files(&path, out);
        } else if kind.is_file() && mime_of(&path).is_some() {
            out.push(path);
        }
    }
}

impl Assets {
    /// `bundles`: `(content-relative folder, URL base)` of each page bundle,
    /// e.g. `("posts/k8s-upgrade", "/posts/k8s-upgrade")`.
    pub fn collect(root: &Path, bundles: &[(String, String)]) -> Assets {
        let mut found: Vec<(String, String, PathBuf)> = Vec::new();
        let mut add = |base_dir: &Path, rel_dir: &str, url_base: &str| {
            let mut files = Vec::new();
            image_files(base_dir, &mut files);
            for file in files {
                let Ok(inner) = file.strip_prefix(base_dir) else {
                    continue;
                };
                let inner = inner.to_string_lossy().replace('\\', "/");
                found.push((
                    format!("{rel_dir}/{inner}"),
                    format!("{url_base}/{inner}"),
                    file,
                ));
            }
        };
        add(&root.join("images"), "images", "/images");
        for (dir, url) in bundles {
            add(&root.join(dir), dir, url);
        }
        let built: Vec<(String, String, Asset)> = found
            .into_par_iter()
            .map(|(path, url, file)| {
                let mime = mime_of(&file).unwrap_or("application/octet-stream");
                let version = file_version(&file);
                let size = imagesize::size(&file).ok().and_then(|s| {
                    Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?))
                });
                let variants = match size {
                    Some((w, h)) if matches!(mime, "image/png" | "image/jpeg") => {
                        variants_of(&file, &url, w, h)
                    }
                    _ => Vec::new(),
                };
                (
                    path,
                    url,
                    Asset {
                        file,
                        mime,
                        size,
                        variants,
                        version,
                    },
                )
            })
            .collect();
        let mut assets = Assets::default();
        for (path, url, asset) in built {
            for (i, v) in asset.variants.iter().enumerate() {
                assets.variants.insert(v.url.clone(), (url.clone(), i));
            }
            assets.by_path.insert(path, url.clone());
            assets.by_url.insert(url, asset);
        }
        assets
    }

    /// The image a document at `from` means by `src`: `Ok(None)` for one the
    /// site does not own (another host, `/favicon.svg`), `Err` for a content
    /// image that is not there or cannot be measured.
    pub fn resolve(&self, from: &str, src: &str) -> Result<Option<ImageInfo>, String> {
        if src.contains("://") || src.starts_with("//") || src.starts_with("data:") {
            return Ok(None);
        }
        let src = src.split(['?', '#']).next().unwrap_or(src);
        let url = if src.starts_with('/') {
            match self.by_url.contains_key(src) {
                true => src.to_string(),
                false if src.starts_with("/images/") => {
                    return Err(format!("image not found: `{src}`"))
                }
                false => return Ok(None),
            }
        } else {
            let joined = crate::markdown::refs::join_relative(from, src)
                .ok_or_else(|| format!("image `{src}` points outside the content folder"))?;
            self.by_path
                .get(&joined)
                .cloned()
                .ok_or_else(|| format!("image not found: `{src}` (looked for {joined})"))?
        };
        let asset = &self.by_url[&url];
        let (width, height) = asset
            .size
            .ok_or_else(|| format!("cannot read the size of image `{src}`"))?;
        Ok(Some(ImageInfo {
            srcset: asset
                .variants
                .iter()
                .map(|v| (v.url.clone(), v.width))
                .collect(),
            url,
            width,
            height,
        }))
    }

    /// The [`Asset::version`] of the file `resolve(from, src)` names, if it
    /// names one: with the answer itself, what a render's memo checks.
    pub fn version_of(&self, from: &str, src: &str) -> Option<u64> {
        let info = self.resolve(from, src).ok()??;
        self.by_url.get(&info.url).map(|a| a.version)
    }

    /// What to send for `url`: a file on disk, or a variant from memory.
    pub fn lookup(&self, url: &str) -> Option<Served<'_>> {
        if let Some(asset) = self.by_url.get(url) {
            return Some(Served::File(&asset.file, asset.mime));
        }
        let (original, i) = self.variants.get(url)?;
        let asset = self.by_url.get(original)?;
        Some(Served::Bytes(
            asset.variants.get(*i)?.bytes.clone(),
            asset.mime,
        ))
    }

    /// Every image URL the site serves, variants included, sorted: what a
    /// static export must write beside the pages.
    pub fn urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self
            .by_url
            .keys()
            .chain(self.variants.keys())
            .cloned()
            .collect();
        urls.sort();
        urls
    }
}

impl crate::markdown::images::ImageResolver for Assets {
    fn image(&self, from: &str, src: &str) -> Result<Option<ImageInfo>, String> {
        self.resolve(from, src)
    }
}

/// A served image.
pub enum Served<'a> {
    File(&'a Path, &'static str),
    Bytes(Arc<Vec<u8>>, &'static str),
}

/// Modification time and length of `file`, hashed (0 if it cannot be read).
fn file_version(file: &Path) -> u64 {
    let meta = std::fs::metadata(file).ok();
    xxhash_rust::xxh3::xxh3_64(
        format!(
            "{:?}/{}",
            meta.as_ref().and_then(|m| m.modified().ok()),
            meta.as_ref().map_or(0, std::fs::Metadata::len)
        )
        .as_bytes(),
    )
}

type VariantKey = (PathBuf, Option<SystemTime>, u64);

/// Variants made so far, by file version: a reload does not resize again.
fn cache() -> &'static Mutex<HashMap<VariantKey, Vec<Variant>>> {
    static CACHE: OnceLock<Mutex<HashMap<VariantKey, Vec<Variant>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn variants_of(file: &Path, url: &str, width: u32, height: u32) -> Vec<Variant> {
    if !VARIANT_WIDTHS.iter().any(|w| *w < width) {
        return Vec::new();
    }
    let meta = std::fs::metadata(file).ok();
    let key = (
        file.to_path_buf(),
        meta.as_ref().and_then(|m| m.modified().ok()),
        meta.as_ref().map_or(0, std::fs::Metadata::len),
    );
    if let Some(v) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        return v;
    }
    let made = resize(file, url, width, height).unwrap_or_else(|e| {
        tracing::warn!("{}: no resized copies: {e}", file.display());
        Vec::new()
    });
    if let Ok(mut c) = cache().lock() {
        c.insert(key, made.clone());
    }
    made
}

fn resize(
    file: &Path,
    url: &str,
    width: u32,
    height: u32,
) -> Result<Vec<Variant>, image::ImageError> {
    let img = image::ImageReader::open(file)?
        .with_guessed_format()?
        .decode()?;
    let format = image::ImageFormat::from_path(file)?;
    let (stem, ext) = url.rsplit_once('.').unwrap_or((url, ""));
    let mut out = Vec::new();
    for w in VARIANT_WIDTHS.into_iter().filter(|w| *w < width) {
        let h = (u64::from(height) * u64::from(w) / u64::from(width)).max(1) as u32;
        let small = img.resize_exact(w, h, image::imageops::FilterType::Lanczos3);
        let mut bytes = std::io::Cursor::new(Vec::new());
        small.write_to(&mut bytes, format)?;
        out.push(Variant {
            url: format!("{stem}-{w}w.{ext}"),
            width: w,
            height: h,
            bytes: Arc::new(bytes.into_inner()),
        });
    }
    Ok(out)
}
