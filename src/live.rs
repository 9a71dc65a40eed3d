//! Browser side of the author loop: listen to the server's content events,
//! bump the content version (pages refetch their data in place) and show
//! content errors in a dismissible overlay.

use leptos::prelude::*;

/// Bumped on every reload; page resources depend on it.
#[derive(Clone, Copy)]
pub struct ContentVersion(pub RwSignal<u64>);

/// Problems of the last failed reload, shown by [`DevOverlay`].
#[derive(Clone, Copy)]
pub struct ContentErrors(pub RwSignal<Vec<String>>);

pub fn provide_live_state() {
    provide_context(ContentVersion(RwSignal::new(0)));
    provide_context(ContentErrors(RwSignal::new(Vec::new())));
}

/// The content version to include in a resource's source, so it refetches
/// after a reload. Always 0 on the server and until the first reload.
pub fn content_version() -> u64 {
    use_context::<ContentVersion>().map_or(0, |v| v.0.get())
}

/// Opens the event stream (browser only, when the server watches content).
#[cfg(feature = "hydrate")]
pub fn connect() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use crate::model::ContentEvent;

    let (Some(ContentVersion(version)), Some(ContentErrors(errors))) = (
        use_context::<ContentVersion>(),
        use_context::<ContentErrors>(),
    ) else {
        return;
    };
    let Ok(source) = web_sys::EventSource::new(crate::model::EVENTS_PATH) else {
        return;
    };
    let on_event =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(data) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ContentEvent>(&data) {
                Ok(ContentEvent::Reloaded { diagnostics, .. }) => {
                    errors.set(diagnostics);
                    version.update(|v| *v += 1);
                }
                Ok(ContentEvent::Failed { diagnostics, .. }) => errors.set(diagnostics),
                Err(_) => {}
            }
        });
    for name in ["reloaded", "failed"] {
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
    }
    // Both live as long as the page.
    on_event.forget();
    std::mem::forget(source);
}

/// Content errors from the last reload, over the page, until dismissed or fixed.
#[component]
pub fn DevOverlay() -> impl IntoView {
    let errors = use_context::<ContentErrors>().map(|e| e.0);
    move || {
        let list = errors.map(|e| e.get()).unwrap_or_default();
        (!list.is_empty()).then(|| {
            view! {
                <div class="dev-overlay" role="alert">
                    <div class="dev-overlay-box">
                        <h2>"Content error — the last good version is still served"</h2>
                        <ul>
                            {list.into_iter().map(|d| view! { <li><code>{d}</code></li> }).collect_view()}
                        </ul>
                        <button
                            type="button"
                            on:click=move |_| {
                                if let Some(e) = errors {
                                    e.set(Vec::new());
                                }
                            }
                        >
                            "Dismiss"
                        </button>
                    </div>
                </div>
            }
        })
    }
}
