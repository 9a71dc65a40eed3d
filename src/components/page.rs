//! The data plumbing every page shares, in one place: load the page's data
//! through a server function in a `Resource` (so the same code renders on the
//! server and after client navigation), show `Loading` while it is pending,
//! hand the data and the site facts to the page's view, and show `ErrorView`
//! (a "not found" page or an error) when the call fails. Route files then hold
//! only their view.

use std::future::Future;

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use super::{site_info, ErrorView, Loading};
use crate::error::AppError;
use crate::model::SiteInfo;

/// A page whose content comes from one server-function call.
///
/// `source` is the reactive key (route params, query), `fetch` turns it into
/// the call, and `view` renders a successful answer with the site facts.
/// A `Transition` (not a `Suspense`) keeps the old page on screen while the
/// next one loads after a client-side navigation.
pub fn data_page<S, T, Fut, V, IV>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
    view: V,
) -> impl IntoView
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: Fn(T, SiteInfo) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let data = Resource::new(source, fetch);
    view! {
        <Transition fallback=Loading>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    let site = site_info();
                    match data.await {
                        Ok(data) => view(data, site).into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The answer for a page number that cannot exist (`/page/0`, `/page/x`):
/// "not found", with a 404 status on the server.
pub fn no_such_page<T>() -> Result<T, AppError> {
    let e = AppError::NotFound("no such page".into());
    e.set_response_status();
    Err(e)
}
