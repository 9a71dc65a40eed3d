//! Glossary cards on a post page: the hidden card markup the server renders
//! (`TermCardList`) and the island that shows a card beside its term link
//! (`TermCards`). Browser code, apart from the page that uses it, so routes/
//! holds pages only.

use leptos::prelude::*;

use crate::model::TermCard;

/// Id of the container of a post's term cards (cards are placed relative to it).
pub use crate::ids::TERM_CARDS as TERM_CARDS_ID;

/// Room kept for a card when placing it near the right edge.
#[cfg(feature = "hydrate")]
const CARD_WIDTH_PX: f64 = 320.0;

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
                doc.get_element_by_id(&crate::ids::term_card(&id)),
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
        if let Some(card) = document().get_element_by_id(&crate::ids::term_card(&id)) {
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

/// The definitions of the glossary terms the post links to. Without
/// JavaScript they stay hidden and the links lead to the glossary.
#[component]
pub fn TermCardList(cards: Vec<TermCard>) -> impl IntoView {
    view! {
        <div id=TERM_CARDS_ID class="term-cards">
            {cards
                .into_iter()
                .map(|card| {
                    view! {
                        <div class="term-card" role="tooltip" id=crate::ids::term_card(&card.id) hidden>
                            <strong>{card.term}</strong>
                            " "
                            {card.summary}
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
