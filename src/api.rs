//! Server functions: thin lookups in the current content snapshot. Read-only
//! ones are GET with stable URLs so caches and CDNs can keep them.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;
use crate::model::{EmojiGallery, Glossary, Page, Post, PostListPage, SearchResults, TagPosts};

/// Longest slug or tag accepted; anything longer cannot exist.
pub const MAX_KEY_LEN: usize = 200;

/// The snapshot this request is answered from: the one the page cache (or a
/// reload) pinned on the request, else the store's current one. Everything a
/// render reads from the content (server functions, the page's language)
/// comes from here, so a page rendered ahead of a swap, or for a key taken
/// before one, is wholly from the snapshot its key belongs to.
#[cfg(feature = "ssr")]
pub fn request_site() -> Option<std::sync::Arc<crate::content::Site>> {
    let pinned = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::content::Pinned>().cloned());
    if let Some(crate::content::Pinned(site)) = pinned {
        return Some(site);
    }
    use_context::<crate::content::ContentStore>().map(|s| s.snapshot())
}

#[cfg(feature = "ssr")]
fn site() -> Result<std::sync::Arc<crate::content::Site>, AppError> {
    request_site().ok_or_else(|| fail(AppError::Internal("content store missing".into())))
}

/// Records the error's status on the response, then hands the error back.
#[cfg(feature = "ssr")]
fn fail(e: AppError) -> AppError {
    e.set_response_status();
    e
}

#[cfg(feature = "ssr")]
fn check_key(kind: &str, key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(fail(AppError::BadRequest(format!(
            "{kind} must be 1 to {MAX_KEY_LEN} bytes"
        ))));
    }
    Ok(())
}

/// Posts per list page, as the server provides it (see
/// [`crate::model::Paging`]).
#[cfg(feature = "ssr")]
fn posts_per_page() -> Result<usize, AppError> {
    use_context::<crate::model::Paging>()
        .map(|p| p.posts_per_page.max(1))
        .ok_or_else(|| fail(AppError::Internal("paging settings missing".into())))
}

/// One page of the post list, newest first; page 1 is the home page.
#[server(input = GetUrl, endpoint = "posts")]
pub async fn list_posts(page: u32) -> Result<PostListPage, AppError> {
    let per_page = posts_per_page()?;
    let site = site()?;
    let total_pages = site.posts().len().div_ceil(per_page).max(1) as u32;
    if page == 0 || page > total_pages {
        return Err(fail(AppError::NotFound(format!("no page {page}"))));
    }
    let posts = site.post_summaries_page((page as usize - 1) * per_page, per_page);
    Ok(PostListPage {
        posts,
        page,
        total_pages,
    })
}

#[server(input = GetUrl, endpoint = "post")]
pub async fn get_post(slug: String) -> Result<Post, AppError> {
    check_key("slug", &slug)?;
    site()?
        .post_page(&slug)
        .ok_or_else(|| fail(AppError::NotFound(format!("no post `{slug}`"))))
}

#[server(input = GetUrl, endpoint = "about")]
pub async fn get_about() -> Result<Page, AppError> {
    site()?
        .about()
        .cloned()
        .ok_or_else(|| fail(AppError::NotFound("no about page".into())))
}

#[server(input = GetUrl, endpoint = "glossary")]
pub async fn get_glossary() -> Result<Glossary, AppError> {
    site()?
        .glossary()
        .cloned()
        .ok_or_else(|| fail(AppError::NotFound("no glossary".into())))
}

/// One page of a tag's posts (`page` 1 when absent), `POSTS_PER_PAGE` at a time.
#[server(input = GetUrl, endpoint = "tag")]
pub async fn get_tag(tag: String, page: Option<u32>) -> Result<TagPosts, AppError> {
    check_key("tag", &tag)?;
    let per_page = posts_per_page()?;
    let page = page.unwrap_or(1);
    site()?.tag(&tag, page, per_page).ok_or_else(|| {
        fail(AppError::NotFound(if page <= 1 {
            format!("no tag `{tag}`")
        } else {
            format!("no page {page} of tag `{tag}`")
        }))
    })
}

#[server(input = GetUrl, endpoint = "tags")]
pub async fn list_tags() -> Result<Vec<(String, usize)>, AppError> {
    Ok(site()?.tag_counts())
}

/// Ranked matches among posts, glossary terms and pages (accent-insensitive).
#[server(input = GetUrl, endpoint = "search")]
pub async fn search(q: String) -> Result<SearchResults, AppError> {
    let site = site()?;
    if site.search_index_id().is_some() {
        return Ok(site.search(&q));
    }
    // The server's first index is still being built (it serves before
    // that, see `content::search_slot`): wait for it on a blocking thread,
    // so pages keep being served by the request workers meanwhile.
    tokio::task::spawn_blocking(move || site.search(&q))
        .await
        .map_err(|e| fail(AppError::Internal(format!("search task failed: {e}"))))
}

/// Every supported emoji shortcode, grouped (the `/emoji` page).
#[server(input = GetUrl, endpoint = "emoji")]
pub async fn get_emoji() -> Result<EmojiGallery, AppError> {
    Ok(site()?.emoji_gallery().clone())
}
