//! The reactive parts of a post page, as islands around server HTML: the
//! table of contents' "you are here", glossary cards and copy buttons. Each
//! receives the server-rendered markup as children and only adds behaviour
//! to it, so the post's text is in the page once.

use leptos::prelude::*;

/// Id of the container of a post's term cards (cards are placed relative to it).
pub const TERM_CARDS_ID: &str = "term-cards";

/// Room kept for a card when placing it near the right edge.
#[cfg(feature = "hydrate")]
const CARD_WIDTH_PX: f64 = 320.0;

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

/// Glossary cards for the terms linked in the post body: shown on hover,
/// keyboard focus and a first tap; hidden on leaving, Escape and blur. The
/// body and the (hidden) cards are the children; handlers are delegated.
#[island]
pub fn TermCards(children: Children) -> impl IntoView {
    let state = CardState::default();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                if ev.key() == "Escape" {
                    state.hide();
                }
            });
            on_cleanup(move || handle.remove());
        }
    });
    view! {
        <div
            class="post-body"
            on:pointerover=move |ev| state.pointer_over(&ev)
            on:pointerout=move |ev| state.pointer_out(&ev)
            on:pointerdown=move |ev| state.pointer_down(&ev)
            on:click=move |ev| state.click(&ev)
            on:focusin=move |ev| state.focus_in(&ev)
            on:focusout=move |_| state.hide()
        >
            {children()}
        </div>
    }
}

/// Which card is open, and what the last press was.
#[derive(Clone, Copy)]
struct CardState {
    /// The id of the open card's term.
    open: StoredValue<Option<String>>,
    /// Whether the last press was a touch on a link whose card was closed: a
    /// touch shows the card on the first tap and follows the link on the
    /// second. Decided at press time, as the tap's focus opens the card too.
    first_tap: StoredValue<bool>,
    hide_timer: StoredValue<Option<TimeoutHandle>>,
}

impl Default for CardState {
    fn default() -> Self {
        CardState {
            open: StoredValue::new(None),
            first_tap: StoredValue::new(false),
            hide_timer: StoredValue::new(None),
        }
    }
}

impl CardState {
    fn is_open(&self, id: &str) -> bool {
        self.open.with_value(|o| o.as_deref() == Some(id))
    }

    fn show(&self, link: &web_sys::Element) {
        self.cancel_hide();
        let Some(id) = link.get_attribute("data-term") else {
            return;
        };
        if !self.is_open(&id) {
            self.hide();
        }
        #[cfg(feature = "hydrate")]
        {
            let doc = document();
            let (Some(container), Some(card)) = (
                doc.get_element_by_id(TERM_CARDS_ID),
                doc.get_element_by_id(&format!("term-card-{id}")),
            ) else {
                return;
            };
            let at = link.get_bounding_client_rect();
            let origin = container.get_bounding_client_rect();
            let max_left = (origin.width() - CARD_WIDTH_PX).max(0.0);
            // Whole pixels, formatted as integers: float formatting would
            // add its own code to the WASM.
            let top = (at.bottom() - origin.top() + 6.0).round() as i32;
            let left = (at.left() - origin.left()).clamp(0.0, max_left).round() as i32;
            let _ = card.set_attribute("style", &format!("top:{top}px;left:{left}px"));
            let _ = card.remove_attribute("hidden");
        }
        self.open.set_value(Some(id));
    }

    fn hide(&self) {
        self.cancel_hide();
        let Some(id) = self.open.try_update_value(Option::take).flatten() else {
            return;
        };
        #[cfg(feature = "hydrate")]
        if let Some(card) = document().get_element_by_id(&format!("term-card-{id}")) {
            let _ = card.set_attribute("hidden", "");
            let _ = card.remove_attribute("style");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    }

    /// Leaves time to move the pointer from the link onto the card.
    fn hide_soon(&self) {
        self.cancel_hide();
        let this = *self;
        let handle =
            set_timeout_with_handle(move || this.hide(), std::time::Duration::from_millis(300))
                .ok();
        self.hide_timer.set_value(handle);
    }

    fn cancel_hide(&self) {
        if let Some(h) = self.hide_timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    }

    fn pointer_over(&self, ev: &web_sys::PointerEvent) {
        if ev.pointer_type() == "touch" {
            return;
        }
        if let Some(link) = closest(ev, "a.term[data-term]") {
            self.show(&link);
        } else if closest(ev, ".term-card").is_some() {
            self.cancel_hide();
        }
    }

    fn pointer_out(&self, ev: &web_sys::PointerEvent) {
        if ev.pointer_type() != "touch"
            && (closest(ev, "a.term[data-term]").is_some() || closest(ev, ".term-card").is_some())
        {
            self.hide_soon();
        }
    }

    fn pointer_down(&self, ev: &web_sys::PointerEvent) {
        let first_tap = ev.pointer_type() == "touch"
            && closest(ev, "a.term[data-term]")
                .and_then(|l| l.get_attribute("data-term"))
                .is_some_and(|id| !self.is_open(&id));
        self.first_tap.set_value(first_tap);
    }

    fn click(&self, ev: &web_sys::MouseEvent) {
        if let Some(link) = closest(ev, "a.term[data-term]") {
            if self.first_tap.get_value() {
                ev.prevent_default();
                self.first_tap.set_value(false);
                self.show(&link);
            }
        }
    }

    fn focus_in(&self, ev: &web_sys::FocusEvent) {
        if let Some(link) = closest(ev, "a.term[data-term]") {
            self.show(&link);
        }
    }
}

/// The element matching `selector` that an event happened in, if any.
fn closest(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()?
}

/// Adds a "Copy" button to every code block of the body (its children).
/// Without JavaScript the blocks stay plain.
#[island]
pub fn CopyButtons(children: Children) -> impl IntoView {
    let root: NodeRef<leptos::html::Div> = NodeRef::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = root.get() {
            add_copy_buttons(&root);
        }
    });
    view! { <div class="code-copy" node_ref=root>{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn add_copy_buttons(root: &web_sys::HtmlDivElement) {
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
            let _ = window().navigator().clipboard().write_text(&text);
            label.set_text_content(Some("Copied"));
        });
        let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        // The listener lives as long as the button.
        on_click.forget();
        let _ = pre.append_child(&button);
    }
}
