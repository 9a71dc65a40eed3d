//! The reactive parts of a post page, as islands around server HTML: the
//! table of contents' "you are here" and the code blocks' copy buttons (the
//! glossary cards are in `term_cards`). Each receives the server-rendered
//! markup as children and only adds behaviour to it, so the post's text is
//! in the page once.

use leptos::prelude::*;

/// Marks the table-of-contents link of the section being read while scrolling.
#[island]
pub fn TocHighlight(children: Children) -> impl IntoView {
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = root.get() {
            let update = move || mark_current(&root);
            update();
            let handle = window_event_listener(leptos::ev::scroll, move |_| update());
            on_cleanup(move || handle.remove());
        }
    });
    view! { <div class="toc-wrap" node_ref=root>{children()}</div> }
}

/// Sets `aria-current="location"` on the link of the current section.
#[cfg(feature = "hydrate")]
fn mark_current(root: &web_sys::HtmlDivElement) {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all("a[href^='#']") else {
        return;
    };
    let links: Vec<web_sys::Element> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect();
    let ids: Vec<String> = links
        .iter()
        .filter_map(|a| a.get_attribute("href"))
        .map(|h| h.trim_start_matches('#').to_string())
        .collect();
    let current = current_section(&ids);
    for (link, id) in links.iter().zip(&ids) {
        let _ = if current.as_deref() == Some(id.as_str()) {
            link.set_attribute("aria-current", "location")
        } else {
            link.remove_attribute("aria-current")
        };
    }
}

/// The last heading whose top has scrolled near the top of the window.
#[cfg(feature = "hydrate")]
fn current_section(ids: &[String]) -> Option<String> {
    let window = web_sys::window()?;
    let doc = window.document()?;
    let height = window.inner_height().ok()?.as_f64().unwrap_or(0.0);
    let root = doc.document_element()?;
    // At the very bottom the last sections cannot reach the top: the last
    // heading in view is the one being read. Otherwise, the last heading just
    // below the top (where an anchor or the reader scrolled it).
    let at_bottom = f64::from(root.scroll_top()) + height >= f64::from(root.scroll_height()) - 2.0;
    let line = if at_bottom { height } else { 64.0 };
    let mut current = None;
    for id in ids {
        let Some(el) = doc.get_element_by_id(id) else {
            continue;
        };
        if el.get_bounding_client_rect().top() <= line {
            current = Some(id.clone());
        } else {
            break;
        }
    }
    current
}

/// Adds a "Copy" button to every code block of the body (its children).
/// Without JavaScript the blocks stay plain.
#[island]
pub fn CopyButtons(children: Children) -> impl IntoView {
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    // The buttons exist only in the browser; their words follow the page.
    let _strings = crate::i18n::Locale::current().strings();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = root.get() {
            add_copy_buttons(&root, _strings);
        }
    });
    view! { <div class="code-copy" node_ref=root>{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn add_copy_buttons(root: &web_sys::HtmlDivElement, s: &'static crate::i18n::Strings) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let doc = document();
    let Ok(blocks) = root.query_selector_all("pre") else {
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
        let _ = button.set_attribute("aria-label", s.copy_label);
        button.set_text_content(Some(s.copy));
        let target = pre.clone();
        let label = button.clone();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            let text = target
                .query_selector("code")
                .ok()
                .flatten()
                .and_then(|c| c.text_content())
                .unwrap_or_default();
            let _ = window().navigator().clipboard().write_text(&text);
            label.set_text_content(Some(s.copied));
        });
        let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // The listener lives as long as the button.
        on_click.forget();
        let _ = pre.append_child(&button);
    }
}
