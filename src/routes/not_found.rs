//! The router's fallback page: any path no route matches gets the site's
//! "not found" page with a 404 status.

use leptos::prelude::*;

use crate::components::NotFoundBody;
use crate::error::AppError;

/// The router's fallback: any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    AppError::NotFound("no route".into()).set_response_status();
    view! { <NotFoundBody /> }
}
