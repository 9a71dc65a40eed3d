//! axum glue: configuration, the router (buildable in tests without a socket),
//! feeds, and the HTTP semantics around pages.
//!
//! Why it is cut this way: [`state`] is a leaf (settings, the shared state,
//! the snapshot a request reads) that everything else here may import;
//! [`router`] is the one place that knows every handler and the order of the
//! layers around them; the handlers live with what they serve ([`feeds`],
//! [`images`], [`ops`], [`watch`]) and the middlewares with the HTTP
//! semantics they add ([`http`], [`cache`], [`guard`]). Nothing below imports
//! the router, so a handler or a layer can be tested on its own.

pub mod access;
pub mod cache;
pub mod config;
pub mod documents;
pub mod feeds;
pub mod guard;
pub mod http;
pub mod images;
pub mod listen;
pub mod logging;
pub mod markup;
pub mod ops;
pub mod persist;
pub mod router;
pub mod schedule;
pub mod search_api;
pub mod search_page;
pub mod state;
pub mod watch;

pub use router::{
    assemble, harden, metrics_router, router, Assembled, BODY_LIMIT, METRICS_PATH, REQUEST_TIMEOUT,
};
pub use state::{site_for, AppState, Shared, SiteSettings, DEFAULT_DESCRIPTION};
