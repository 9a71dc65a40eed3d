//! The pieces pages are made of: presentational components (props in, view
//! out), the post page's islands, and `data_page`, the one place a page's data
//! is fetched (so route files hold only their view).

mod filter;
mod layout;
mod meta;
mod page;
mod post_islands;
mod posts;
mod search_box;
mod status;
mod term_cards;

pub use filter::{query_filter, visibility, FilterKind, ListFilter};
pub use layout::{Footer, Header};
pub use meta::{glossary_ld, post_image, post_ld, site_info, website_ld, PageKind, PageMeta};
pub use page::{data_page, no_such_page};
pub use post_islands::{CopyButtons, TocHighlight};
pub use posts::{Pager, PostCard, PostList, TagList};
pub use search_box::{SearchBox, Snippet};
pub use status::{ErrorView, Loading, NotFoundBody};
pub use term_cards::{TermCardList, TermCards};
