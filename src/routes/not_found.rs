use leptos::prelude::*;

use crate::components::NotFoundBody;
use crate::error::AppError;

/// The router's fallback: any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    AppError::NotFound("no route".into()).set_response_status();
    view! { <NotFoundBody /> }
}
