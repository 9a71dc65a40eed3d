use leptos::prelude::*;

use crate::live::content_version;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::get_post;
use crate::components::{post_ld, site_info, ErrorView, Loading, PageKind, PageMeta, TagList};
use crate::model::{Post, SiteInfo, TermCard, TocEntry};

#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                content_version(),
            )
        },
        |(slug, _)| get_post(slug),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match post.await {
                    Ok(post) => view! { <PostView post site /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PostView(post: Post, site: SiteInfo) -> impl IntoView {
    let ld = post_ld(&site, &post);
    let kind = PageKind::Article {
        published: post.meta.date.clone(),
        modified: post.updated.clone(),
        tags: post.meta.tags.clone(),
    };
    let path = format!("/posts/{}", post.meta.slug);
    let meta = post.meta;
    // After the body is in the page (hydration or client navigation): the
    // next frame, once a transition has swapped the new body in.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        request_animation_frame(crate::enhance::add_copy_buttons);
    });
    let toc = (post.toc.len() >= 2).then(|| view! { <Toc entries=post.toc /> });
    let cards = TermCards::new();
    view! {
        <PageMeta
            title=meta.title.clone()
            description=meta.summary.clone()
            path
            site
            lang=post.lang
            kind
            json_ld=Some(ld)
        />
        <article class="post">
            <header>
                <h1>{meta.title}</h1>
                <p class="post-meta">
                    <time datetime=meta.date>{meta.date_display}</time>
                    " · "
                    {meta.reading_minutes}
                    " min read"
                    {post.updated.map(|u| view! { " · updated " <time datetime=u.clone()>{u.clone()}</time> })}
                </p>
                <TagList tags=meta.tags />
            </header>
            {toc}
            <div
                class="prose"
                inner_html=post.html
                on:pointerover=move |ev| cards.pointer_over(&ev)
                on:pointerout=move |ev| cards.pointer_out(&ev)
                on:pointerdown=move |ev| cards.pointer_down(&ev)
                on:click=move |ev| cards.click(&ev)
                on:focusin=move |ev| cards.focus_in(&ev)
                on:focusout=move |_| cards.hide()
            ></div>
            <TermCardList cards=post.terms state=cards />
            <nav class="post-nav" aria-label="More posts">
                {post
                    .newer
                    .map(|(slug, title)| {
                        view! {
                            <A href=format!("/posts/{slug}") attr:rel="prev" attr:class="newer">
                                "← " {title}
                            </A>
                        }
                    })}
                {post
                    .older
                    .map(|(slug, title)| {
                        view! {
                            <A href=format!("/posts/{slug}") attr:rel="next" attr:class="older">
                                {title} " →"
                            </A>
                        }
                    })}
            </nav>
        </article>
    }
}

/// Headings of the post; the one being read is marked while scrolling.
#[component]
fn Toc(entries: Vec<TocEntry>) -> impl IntoView {
    let active = RwSignal::new(None::<String>);
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let ids = ids.clone();
            let update = move || active.set(current_section(&ids));
            update();
            let handle = window_event_listener(leptos::ev::scroll, move |_| update());
            on_cleanup(move || handle.remove());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &ids;
    });
    view! {
        <nav class="toc" aria-label="Table of contents">
            <h2>"Contents"</h2>
            <ol>
                {entries
                    .into_iter()
                    .map(|e| {
                        let href = format!("#{}", e.id);
                        let class = format!("toc-h{}", e.level);
                        let id = e.id;
                        let current = move || {
                            active.with(|a| a.as_deref() == Some(id.as_str())).then_some("location")
                        };
                        view! {
                            <li class=class>
                                <a href=href aria-current=current>
                                    {e.text}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
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

/// Which glossary card is open and where, shared by the post body's event
/// handlers and the cards.
#[derive(Clone, Copy)]
struct TermCards {
    open: RwSignal<Option<OpenCard>>,
    /// Whether the last press was a touch on a link whose card was closed: a
    /// touch shows the card on the first tap and follows the link on the
    /// second. Decided at press time, as the tap's focus opens the card too.
    first_tap: StoredValue<bool>,
    hide_timer: StoredValue<Option<leptos::prelude::TimeoutHandle>>,
}

#[derive(Clone, PartialEq)]
struct OpenCard {
    id: String,
    top: f64,
    left: f64,
}

/// Room kept for a card when placing it near the right edge.
const CARD_WIDTH_PX: f64 = 320.0;

impl TermCards {
    fn new() -> Self {
        let cards = TermCards {
            open: RwSignal::new(None),
            first_tap: StoredValue::new(false),
            hide_timer: StoredValue::new(None),
        };
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            {
                let handle = window_event_listener(leptos::ev::keydown, move |ev| {
                    if ev.key() == "Escape" {
                        cards.hide();
                    }
                });
                on_cleanup(move || handle.remove());
            }
        });
        cards
    }

    fn is_open(&self, id: &str) -> bool {
        self.open
            .with_untracked(|o| o.as_ref().is_some_and(|o| o.id == id))
    }

    fn show(&self, link: &web_sys::Element) {
        self.cancel_hide();
        let Some(id) = link.get_attribute("data-term") else {
            return;
        };
        let Some(container) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("term-cards"))
        else {
            return;
        };
        let at = link.get_bounding_client_rect();
        let origin = container.get_bounding_client_rect();
        let max_left = (origin.width() - CARD_WIDTH_PX).max(0.0);
        self.open.set(Some(OpenCard {
            id,
            top: at.bottom() - origin.top() + 6.0,
            left: (at.left() - origin.left()).clamp(0.0, max_left),
        }));
    }

    fn hide(&self) {
        self.cancel_hide();
        if self.open.with_untracked(Option::is_some) {
            self.open.set(None);
        }
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
        if ev.pointer_type() != "touch" {
            if let Some(link) = term_link(ev) {
                self.show(&link);
            }
        }
    }

    fn pointer_out(&self, ev: &web_sys::PointerEvent) {
        if ev.pointer_type() != "touch" && term_link(ev).is_some() {
            self.hide_soon();
        }
    }

    fn pointer_down(&self, ev: &web_sys::PointerEvent) {
        let first_tap = ev.pointer_type() == "touch"
            && term_link(ev)
                .and_then(|l| l.get_attribute("data-term"))
                .is_some_and(|id| !self.is_open(&id));
        self.first_tap.set_value(first_tap);
    }

    fn click(&self, ev: &web_sys::MouseEvent) {
        if let Some(link) = term_link(ev) {
            if self.first_tap.with_value(|f| *f) {
                ev.prevent_default();
                self.first_tap.set_value(false);
                self.show(&link);
            }
        }
    }

    fn focus_in(&self, ev: &web_sys::FocusEvent) {
        if let Some(link) = term_link(ev) {
            self.show(&link);
        }
    }
}

/// The glossary link an event happened on, if any.
fn term_link(ev: &web_sys::Event) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a.term[data-term]")
        .ok()?
}

/// The definitions of the glossary terms the post links to. Without
/// JavaScript they stay hidden and the links lead to the glossary.
#[component]
fn TermCardList(cards: Vec<TermCard>, state: TermCards) -> impl IntoView {
    view! {
        <div id="term-cards" class="term-cards">
            {cards
                .into_iter()
                .map(|card| {
                    let id = card.id.clone();
                    let placed = Memo::new(move |_| {
                        state
                            .open
                            .with(|o| o.as_ref().filter(|o| o.id == id).map(|o| (o.top, o.left)))
                    });
                    let hidden = move || placed.with(Option::is_none);
                    let style = move || {
                        placed.get().map(|(top, left)| format!("top:{top:.0}px;left:{left:.0}px"))
                    };
                    view! {
                        <div
                            class="term-card"
                            role="tooltip"
                            id=format!("term-card-{}", card.id)
                            hidden=hidden
                            style=style
                            on:pointerenter=move |_| state.cancel_hide()
                            on:pointerleave=move |_| state.hide_soon()
                        >
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
