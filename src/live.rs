//! Browser side of the author loop: listen to the server's content events,
//! reload the page when the content changed (the browser keeps the scroll
//! position on a reload) and show content errors in a dismissible overlay.

use leptos::prelude::*;

/// The live-reload listener and its error overlay: an island, rendered only
/// when the server watches the content (author mode). Pages themselves are
/// plain server HTML, so a new version of the content is a new page: the
/// listener reloads it, and the browser restores the scroll position.
/// Lazy: its code is a WASM chunk fetched only by pages that show it, so
/// readers (who never get author mode) do not download it.
#[island(lazy)]
pub fn LiveReload() -> impl IntoView {
    let errors = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        connect(errors);
    });
    move || {
        let list = errors.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="dev-overlay" role="alert">
                    <div class="dev-overlay-box">
                        <h2>"Content error — the last good version is still served"</h2>
                        <ul>
                            {list.into_iter().map(|d| view! { <li><code>{d}</code></li> }).collect_view()}
                        </ul>
                        <button type="button" on:click=move |_| errors.set(Vec::new())>
                            "Dismiss"
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// Opens the event stream; it lives as long as the page.
#[cfg(feature = "hydrate")]
fn connect(errors: RwSignal<Vec<String>>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use crate::model::ContentEvent;

    let Ok(source) = web_sys::EventSource::new(crate::model::EVENTS_PATH) else {
        return;
    };
    let on_event =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(data) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ContentEvent>(&data) {
                // A reload that keeps the last good version of a broken file
                // shows the overlay instead of reloading (a reload would lose
                // it); a clean reload shows the new text.
                Ok(ContentEvent::Reloaded { diagnostics, .. }) if !diagnostics.is_empty() => {
                    errors.set(diagnostics);
                }
                Ok(ContentEvent::Reloaded { .. }) => {
                    let _ = window().location().reload();
                }
                Ok(ContentEvent::Failed { diagnostics, .. }) => errors.set(diagnostics),
                Err(_) => {}
            }
        });
    for name in ["reloaded", "failed"] {
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
    }
    on_event.forget();
    std::mem::forget(source);
}
