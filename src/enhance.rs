//! Small browser-side additions to server-rendered content.

/// Adds a "Copy" button to every code block under `.prose` that lacks one.
/// Runs in the browser only; without JavaScript the blocks stay plain.
#[cfg(feature = "hydrate")]
pub fn add_copy_buttons() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(blocks) = doc.query_selector_all(".prose pre") else {
        return;
    };
    for i in 0..blocks.length() {
        let Some(pre) = blocks
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if pre
            .query_selector("button.copy-code")
            .ok()
            .flatten()
            .is_some()
        {
            continue;
        }
        let Ok(button) = doc.create_element("button") else {
            continue;
        };
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("class", "copy-code");
        let _ = button.set_attribute("aria-label", "Copy code to clipboard");
        button.set_text_content(Some("Copy"));
        let target = pre.clone();
        let label = button.clone();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            let text = target
                .query_selector("code")
                .ok()
                .flatten()
                .and_then(|c| c.text_content())
                .unwrap_or_default();
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
            }
            label.set_text_content(Some("Copied"));
        });
        let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // The listener lives as long as the button.
        on_click.forget();
        let _ = pre.append_child(&button);
    }
}
