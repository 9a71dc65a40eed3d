//! HTTP tests against the real router, driven in-process with `oneshot`.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, get};

fn site_app() -> (axum::Router, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("tempdir");
    (app(&fixture("site"), root.path()), root)
}

async fn home_lists_posts_newest_first_in_the_first_response_body() {
    let (app, _root) = site_app();
    let r = common::get_ok(&app, "/").await;
    assert!(
        r.content_type().starts_with("text/html"),
        "{}",
        r.content_type()
    );
    let hello = r
        .body
        .find("Hello, fixture world")
        .expect("newest post listed");
    let older = r.body.find("An older post").expect("older post listed");
    assert!(hello < older, "newest first");
    assert!(
        !r.body.contains("Unfinished draft"),
        "drafts are never listed"
    );
    assert!(r.body.contains("<title>microblog</title>"), "home title");
}

async fn post_page_has_full_text_title_and_description_body() {
    let (app, _root) = site_app();
    let r = common::get_ok(&app, "/posts/hello").await;
    assert!(
        r.body.contains("The hello fixture body text"),
        "body in HTML"
    );
    assert!(r.body.contains("🚀"), "emoji rendered");
    assert!(r.body.contains("<code>:rocket:</code>"), "code left alone");
    assert!(r
        .body
        .contains("<title>Hello, fixture world — microblog</title>"));
    assert!(
        r.body
            .contains(r#"<meta name="description" content="The newest fixture post.">"#),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"href="/posts/older#details""#),
        "ref resolved"
    );
}

async fn unknown_slug_tag_and_path_are_404_pages_body() {
    let (app, _root) = site_app();
    for uri in [
        "/posts/nope",
        "/tags/nope",
        "/no/such/page",
        "/posts/secret",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.body.contains("page not found"), "{uri}: not-found page");
        assert!(!r.body.contains("Draft text"), "{uri}");
    }
}

async fn about_glossary_and_tags_render_body() {
    let (app, _root) = site_app();
    let about = common::get_ok(&app, "/about").await;
    assert!(about.body.contains("Fixture about page"));
    assert!(about.body.contains(r#"href="/posts/hello""#));

    let g = common::get_ok(&app, "/glossary").await;
    assert!(g.body.contains(r#"id="observabilidad""#));
    assert!(g.body.contains("Objetivo interno de fiabilidad"));
    assert!(g.body.contains(r#"lang="es""#));

    let tag = common::get_ok(&app, "/tags/rust").await;
    assert!(tag.body.contains("Hello, fixture world"));
    assert!(!tag.body.contains("An older post"));

    let tags = common::get_ok(&app, "/tags").await;
    assert!(tags.body.contains(r#"href="/tags/sre""#));
}

async fn posts_link_first_mentions_of_glossary_terms_to_cards_body() {
    let (app, _root) = site_app();
    let post = common::get_ok(&app, "/posts/hello").await;
    let body = &post.body;
    assert_eq!(
        body.matches(r#"<a class="term" href="/glossary#slo""#)
            .count(),
        1,
        "{body}"
    );
    assert!(body.contains(r#"data-term="observabilidad" aria-describedby="term-card-observabilidad">observabilidad</a>"#));
    assert!(body.contains("<code>SLO</code>"), "code is never linked");
    // The card each link describes is in the page, hidden until asked for.
    for id in ["slo", "observabilidad"] {
        assert!(
            body.contains(&format!(r#"role="tooltip" id="term-card-{id}" hidden"#)),
            "card for {id}"
        );
    }
    assert!(
        body.contains("Objetivo interno de fiabilidad."),
        "the card holds the definition"
    );
    // The JSON API carries the cards for client-side navigation.
    let api = get(&app, "/api/post?slug=hello").await;
    assert!(
        api.body.contains(
            r#""terms":[{"id":"slo","term":"SLO","summary":"Objetivo interno de fiabilidad."}"#
        ),
        "{}",
        api.body
    );
}

async fn glossary_has_an_a_to_z_index_and_filters_from_the_url_body() {
    let (app, _root) = site_app();
    let all = get(&app, "/glossary").await;
    assert!(
        all.body.contains(r##"<a href="#letra-o">O</a>"##),
        "{}",
        all.body
    );
    assert!(all.body.contains(
        r#"<section id="letra-s" aria-labelledby="letra-s-h" data-filter-group="" class="letter">"#
    ));
    assert!(
        !all.body
            .contains(r#"data-filter-item="" hidden class="entry""#),
        "nothing hidden without a filter"
    );
    assert!(!all.body.contains(r#"hidden class="letter""#));
    assert!(all.body.contains("2 términos"));

    // `?q=` is applied on the server: the page works without JavaScript.
    let some = common::get_ok(&app, "/glossary?q=service%20level").await;
    assert!(
        some.body.contains(r#"value="service level""#),
        "{}",
        some.body
    );
    assert!(some
        .body
        .contains(r#"<section id="letra-o" aria-labelledby="letra-o-h" data-filter-group="" hidden class="letter">"#));
    assert!(some
        .body
        .contains(r#"<div data-filter-item="" class="entry"><dt id="slo">"#));
    assert!(some
        .body
        .contains(r#"<div data-filter-item="" hidden class="entry"><dt id="observabilidad">"#));
    assert!(some.body.contains("1 de 2 términos"));
}

async fn uncached_pages_render_identically_and_revalidate_body() {
    let (app, _root) = site_app();
    // A query string keeps a page out of the page cache: each GET renders.
    let first = get(&app, "/glossary?q=slo").await;
    let second = get(&app, "/glossary?q=slo").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.body, second.body,
        "no per-render value left in the page"
    );
    assert!(!first.body.contains("nonce="));
    let etag = first.header(axum::http::header::ETAG);
    assert!(!etag.is_empty());
    let again = common::send(
        &app,
        axum::http::Method::GET,
        "/glossary?q=slo",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

async fn emoji_gallery_lists_every_shortcode_body() {
    let (app, _root) = site_app();
    let page = common::get_ok(&app, "/emoji").await;
    for code in [
        ":shipit:",
        ":godmode:",
        ":suspect:",
        ":neckbeard:",
        ":rocket:",
        ":+1:",
    ] {
        assert!(
            page.body.contains(&format!(r#"data-shortcode="{code}""#)),
            "{code}"
        );
    }
    let groups = page.body.matches(r#"class="emoji-group">"#).count();
    assert_eq!(
        groups, 10,
        "GitHub's custom emoji and the nine Unicode groups"
    );
    let filtered = get(&app, "/emoji?q=shipit").await;
    assert_eq!(
        filtered.body.matches(r#"<li data-filter-item="">"#).count(),
        1,
        "one visible item"
    );
    assert!(filtered.body.contains(r#"<li data-filter-item="" hidden>"#));
    let api = common::get_ok(&app, "/api/emoji").await;
    assert!(api.body.contains(r#""shortcodes":["shipit"]"#));
}

async fn server_functions_answer_json_with_status_codes_body() {
    let (app, _root) = site_app();
    let ok = common::get_ok(&app, "/api/post?slug=hello").await;
    assert!(ok.body.contains("\"slug\":\"hello\""), "{}", ok.body);

    let missing = get(&app, "/api/post?slug=nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert!(missing.body.contains("NotFound"), "{}", missing.body);

    let list = common::get_ok(&app, "/api/posts?page=1").await;
    assert!(!list.body.contains("secret"), "drafts not in the API");
}

async fn static_files_are_served_from_the_site_root_body() {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(root.path().join("pkg")).expect("pkg dir");
    std::fs::write(root.path().join("pkg/microblog.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    let app = app(&fixture("site"), root.path());
    let r = common::get_ok(&app, "/pkg/microblog.wasm").await;
    assert_eq!(r.content_type(), "application/wasm");
    let missing = get(&app, "/pkg/nope.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn another_content_dir_serves_its_own_content_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        "posts/only.md",
        "---\ntitle: \"Only post here\"\ndate: 2026-01-01\n---\n\nDifferent content.\n",
    );
    let root = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path(), root.path());
    let home = get(&app, "/").await;
    assert!(home.body.contains("Only post here"));
    assert!(!home.body.contains("Hello, fixture world"));
    assert_eq!(get(&app, "/about").await.status, StatusCode::NOT_FOUND);
}

async fn posts_link_to_their_neighbours_body() {
    let (app, _root) = site_app();
    let newest = get(&app, "/posts/hello").await;
    let nav = newest.body.split("post-nav").nth(1).unwrap_or_default();
    assert!(
        nav.contains(r#"href="/posts/older""#),
        "older neighbour: {nav}"
    );
    assert!(
        !nav.contains("Unfinished draft"),
        "drafts are no neighbours"
    );
    let oldest = get(&app, "/posts/older").await;
    let nav = oldest.body.split("post-nav").nth(1).unwrap_or_default();
    assert!(
        nav.contains(r#"href="/posts/hello""#),
        "newer neighbour: {nav}"
    );
}

// Each test runs on the shared runtime (see `common::run`).

#[test]
fn home_lists_posts_newest_first_in_the_first_response() {
    common::run(home_lists_posts_newest_first_in_the_first_response_body());
}

#[test]
fn post_page_has_full_text_title_and_description() {
    common::run(post_page_has_full_text_title_and_description_body());
}

#[test]
fn unknown_slug_tag_and_path_are_404_pages() {
    common::run(unknown_slug_tag_and_path_are_404_pages_body());
}

#[test]
fn about_glossary_and_tags_render() {
    common::run(about_glossary_and_tags_render_body());
}

#[test]
fn posts_link_first_mentions_of_glossary_terms_to_cards() {
    common::run(posts_link_first_mentions_of_glossary_terms_to_cards_body())
}

#[test]
fn glossary_has_an_a_to_z_index_and_filters_from_the_url() {
    common::run(glossary_has_an_a_to_z_index_and_filters_from_the_url_body())
}

#[test]
fn uncached_pages_render_identically_and_revalidate() {
    common::run(uncached_pages_render_identically_and_revalidate_body())
}

#[test]
fn emoji_gallery_lists_every_shortcode() {
    common::run(emoji_gallery_lists_every_shortcode_body())
}

#[test]
fn server_functions_answer_json_with_status_codes() {
    common::run(server_functions_answer_json_with_status_codes_body());
}

#[test]
fn static_files_are_served_from_the_site_root() {
    common::run(static_files_are_served_from_the_site_root_body());
}

#[test]
fn another_content_dir_serves_its_own_content() {
    common::run(another_content_dir_serves_its_own_content_body());
}

#[test]
fn posts_link_to_their_neighbours() {
    common::run(posts_link_to_their_neighbours_body());
}
