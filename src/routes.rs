//! One module per page, holding only that page's view. Each page loads its data
//! through a server function with `components::data_page` (a `Resource`), so the
//! same code renders on the server and after client navigation.

pub mod about;
pub mod emoji;
pub mod glossary;
pub mod home;
pub mod not_found;
pub mod post;
mod post_extras;
pub mod search;
pub mod tags;
