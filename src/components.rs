//! Presentational pieces: props in, view out. No data fetching here.

mod filter;
mod layout;
mod meta;
mod posts;
mod search_box;
mod status;

pub use filter::{query_filter, visibility, FilterKind, ListFilter};
pub use layout::{Footer, Header};
pub use meta::{glossary_ld, post_ld, site_info, website_ld, PageKind, PageMeta};
pub use posts::{Pager, PostCard, PostList, TagList};
pub use search_box::{SearchBox, Snippet};
pub use status::{ErrorView, Loading, NotFoundBody};
