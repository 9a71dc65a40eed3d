//! `<img>` as the site writes it: `width`/`height` from the file (no layout
//! shift), `loading="lazy" decoding="async"` on every image but the first of
//! the document (the first is likely above the fold), and a `srcset` of the
//! resized copies when there are any.

use super::escape_html;

/// An image the site serves, as the renderer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInfo {
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// `(url, width)` of each smaller copy, narrowest first.
    pub srcset: Vec<(String, u32)>,
}

/// Finds the images a document refers to (implemented by the content assets).
pub trait ImageResolver: Sync {
    /// `Ok(None)`: not a content image (another host, a site file such as
    /// `/favicon.svg`); `Err`: a content image that is missing or unreadable.
    fn image(&self, from: &str, src: &str) -> Result<Option<ImageInfo>, String>;
}

/// The column the text is set in; wider images are shown at this width.
const SIZES: &str = "(max-width: 46rem) 100vw, 46rem";

pub fn img_html(
    src: &str,
    alt: &str,
    title: &str,
    info: Option<&ImageInfo>,
    first: bool,
) -> String {
    let mut html = format!(
        "<img src=\"{}\" alt=\"{}\"",
        escape_html(info.map_or(src, |i| i.url.as_str())),
        escape_html(alt)
    );
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    if let Some(i) = info {
        html.push_str(&format!(" width=\"{}\" height=\"{}\"", i.width, i.height));
        if !i.srcset.is_empty() {
            let mut set: Vec<String> = i
                .srcset
                .iter()
                .map(|(u, w)| format!("{} {w}w", escape_html(u)))
                .collect();
            set.push(format!("{} {}w", escape_html(&i.url), i.width));
            html.push_str(&format!(" srcset=\"{}\" sizes=\"{SIZES}\"", set.join(", ")));
        }
    }
    if !first {
        html.push_str(" loading=\"lazy\" decoding=\"async\"");
    }
    html.push('>');
    html
}
