//! Injection payloads in every content string and in the URL never become
//! markup (issue #22).
//!
//! For each field an author can write (front matter, glossary term names and
//! aliases) and each payload, a small site is loaded with the payload in that
//! field and every page that can show it is rendered, with the feeds and the
//! sitemap. Each document is parsed (HTML5 parser, XML parser) into its element
//! structure: the name and attribute names of every element, in order. That
//! structure must equal the one rendered from a benign value in the same field.
//! A payload that escaped its context would add an element or an attribute
//! (`<meta http-equiv>`, `onerror`, a `<script>`, or end `<title>` early and
//! move the rest of `<head>` into text), and the structures would differ.
//!
//! Where the loader rejects the value (slugs and tags allow `[a-z0-9_-]` only;
//! `series`, `author` and `image` are not front-matter keys yet, so they are
//! rejected as unknown), the file must be reported with its path and line, and
//! the site must render exactly as if the file were absent.

mod common;

use std::path::Path;

use common::{get, run, settings};

const PAYLOADS: &[&str] = &[
    "Ends </title> early & <script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "\"><img src=x onerror=alert(3)>",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example/\">",
    "]]><evil>cdata</evil>",
    "&#x3C;b&#x3E;entity&lt;",
    "two\nlines\r\n<x-injected>",
    "<!-- comment --><svg onload=alert(4)>",
];

/// Where the payload goes.
#[derive(Debug, Clone, Copy)]
enum Field {
    Title,
    Summary,
    Description,
    Tags,
    Slug,
    Aliases,
    Series,
    Author,
    Image,
    AboutTitle,
    GlossaryTerm,
    GlossaryAlias,
}

const FIELDS: &[Field] = &[
    Field::Title,
    Field::Summary,
    Field::Description,
    Field::Tags,
    Field::Slug,
    Field::Aliases,
    Field::Series,
    Field::Author,
    Field::Image,
    Field::AboutTitle,
    Field::GlossaryTerm,
    Field::GlossaryAlias,
];

/// A YAML scalar holding `s` exactly (JSON strings are YAML double-quoted scalars).
fn yaml(s: &str) -> String {
    serde_json::to_string(s).expect("string to JSON")
}

/// Writes the site with `value` in `field`; `None` leaves the target post out.
fn write_site(dir: &Path, field: Field, value: Option<&str>) {
    let posts = dir.join("posts");
    std::fs::create_dir_all(&posts).expect("mkdir");
    std::fs::write(
        posts.join("other.md"),
        "---\ntitle: \"Other post\"\ndate: 2024-01-01\ntags: [sre]\n---\n\nAnother post about SRE, for lists and feeds.\n",
    )
    .expect("write other");

    let about_title = match (field, value) {
        (Field::AboutTitle, Some(v)) => yaml(v),
        _ => yaml("About"),
    };
    std::fs::write(
        dir.join("about.md"),
        format!("---\ntitle: {about_title}\n---\n\nThe about page text.\n"),
    )
    .expect("write about");

    // A heading holds one line, and an alias list is split at commas.
    let one_line = |v: &str| v.replace(['\n', '\r'], " ").replace(',', ";");
    let (term, alias) = match (field, value) {
        (Field::GlossaryTerm, Some(v)) => (one_line(v), "Service Level Objective".to_string()),
        (Field::GlossaryAlias, Some(v)) => ("SLO".to_string(), one_line(v)),
        _ => ("SLO".to_string(), "Service Level Objective".to_string()),
    };
    std::fs::write(
        dir.join("glossary.md"),
        format!(
            "---\ntitle: \"Glossary\"\n---\n\nTerms.\n\n## {term} {{#slo}}\n\nAlias: {alias}\n\nAn internal reliability target.\n"
        ),
    )
    .expect("write glossary");

    let Some(v) = value else {
        return;
    };
    let post_value = match field {
        Field::AboutTitle | Field::GlossaryTerm | Field::GlossaryAlias => None,
        _ => Some(v),
    };
    let mut front = String::from("---\ndate: 2024-06-01\n");
    let mut set = |key: &str, default: &str, list: bool| {
        let raw = match (field_key(field), post_value) {
            (Some(k), Some(v)) if k == key => v,
            _ => default,
        };
        if raw.is_empty() {
            return;
        }
        if list {
            front.push_str(&format!("{key}: [{}]\n", yaml(raw)));
        } else {
            front.push_str(&format!("{key}: {}\n", yaml(raw)));
        }
    };
    set("title", "Target post", false);
    set("summary", "", false);
    set("description", "", false);
    set("tags", "sre", true);
    set("slug", "", false);
    set("aliases", "/old-target.html", true);
    set("series", "", false);
    set("author", "", false);
    set("image", "", false);
    front.push_str("---\n\nThe target body mentions the SLO, and the word zebrafish.\n");
    std::fs::write(posts.join("target.md"), front).expect("write target");
}

fn field_key(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::Title => "title",
        Field::Summary => "summary",
        Field::Description => "description",
        Field::Tags => "tags",
        Field::Slug => "slug",
        Field::Aliases => "aliases",
        Field::Series => "series",
        Field::Author => "author",
        Field::Image => "image",
        Field::AboutTitle | Field::GlossaryTerm | Field::GlossaryAlias => return None,
    })
}

/// The value that stands for "no payload" in a field.
fn benign(field: Field) -> &'static str {
    match field {
        Field::Aliases => "/benign.html",
        _ => "benign",
    }
}

/// Element structure of an HTML document: `name[attr,attr]` per element, in
/// document order, from a real HTML5 parser.
fn html_structure(body: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(body);
    doc.root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .map(|el| {
            let mut attrs: Vec<&str> = el.value().attrs().map(|(name, _)| name).collect();
            attrs.sort_unstable();
            format!("{}[{}]", el.value().name(), attrs.join(","))
        })
        .collect()
}

/// Element structure of an XML document (feeds, sitemap).
fn xml_structure(body: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(body)
        .unwrap_or_else(|e| panic!("{what} is not well-formed XML: {e}\n{body}"));
    doc.descendants()
        .filter(|n| n.is_element())
        .map(|n| {
            let mut attrs: Vec<&str> = n.attributes().map(|a| a.name()).collect();
            attrs.sort_unstable();
            format!("{}[{}]", n.tag_name().name(), attrs.join(","))
        })
        .collect()
}

/// Renders every page a field can appear on, plus feeds and sitemap, as
/// `(uri, status, structure)`.
fn render_all(dir: &Path, slug: &str) -> Vec<(String, u16, Vec<String>)> {
    let app = common::app_with(dir, &common::manifest_dir().join("public"), settings(10));
    let uris = [
        "/".to_string(),
        format!("/posts/{slug}"),
        "/posts/other".to_string(),
        "/about".to_string(),
        "/glossary".to_string(),
        "/tags".to_string(),
        "/tags/sre".to_string(),
        "/search?q=zebrafish".to_string(),
        "/search?q=slo".to_string(),
        "/feed.xml".to_string(),
        "/rss.xml".to_string(),
        "/tags/sre/feed.xml".to_string(),
        "/sitemap.xml".to_string(),
    ];
    run(async {
        let mut out = Vec::new();
        for uri in uris {
            let r = get(&app, &uri).await;
            let structure = if uri.ends_with(".xml") && r.status.is_success() {
                xml_structure(&r.body, &uri)
            } else {
                html_structure(&r.body)
            };
            out.push((uri, r.status.as_u16(), structure));
        }
        out
    })
}

fn assert_same(
    field: Field,
    payload: &str,
    got: &[(String, u16, Vec<String>)],
    want: &[(String, u16, Vec<String>)],
) {
    for ((uri, status, structure), (_, want_status, want_structure)) in got.iter().zip(want) {
        assert_eq!(status, want_status, "{field:?} = {payload:?}: {uri} status");
        if structure != want_structure {
            let first = structure
                .iter()
                .zip(want_structure)
                .position(|(a, b)| a != b)
                .unwrap_or(structure.len().min(want_structure.len()));
            panic!(
                "{field:?} = {payload:?}: {uri} has markup the template did not write, \
                 first difference at element {first}: got {:?}, expected {:?}",
                structure.get(first),
                want_structure.get(first)
            );
        }
    }
}

fn load_errors(dir: &Path) -> Vec<microblog::content::Diagnostic> {
    let site = microblog::content::Site::load(dir, &Default::default()).expect("loads");
    site.diagnostics()
        .iter()
        .filter(|d| d.severity == microblog::markdown::Severity::Error)
        .cloned()
        .collect()
}

#[test]
fn content_payloads_never_become_markup() {
    let mut accepted = 0;
    let mut rejected = 0;
    for &field in FIELDS {
        let base_dir = tempfile::tempdir().expect("tempdir");
        write_site(base_dir.path(), field, Some(benign(field)));
        let base_errors = load_errors(base_dir.path());
        let absent_dir = tempfile::tempdir().expect("tempdir");
        write_site(absent_dir.path(), field, None);
        // Each baseline is rendered once per field, when first needed.
        let mut with_benign = None;
        let mut without_file = None;

        for payload in PAYLOADS {
            let dir = tempfile::tempdir().expect("tempdir");
            write_site(dir.path(), field, Some(payload));
            let errors = load_errors(dir.path());
            if errors.is_empty() {
                assert!(
                    base_errors.is_empty(),
                    "{field:?}: benign value rejected: {base_errors:?}"
                );
                let slug = match field {
                    Field::Slug => *payload,
                    _ => "target",
                };
                let want_slug = match field {
                    Field::Slug => benign(field),
                    _ => "target",
                };
                let got = render_all(dir.path(), slug);
                let want =
                    with_benign.get_or_insert_with(|| render_all(base_dir.path(), want_slug));
                assert_same(field, payload, &got, want);
                accepted += 1;
            } else {
                // Rejected: reported at its file and line, and the site is as if
                // the file were not there.
                let file = match field {
                    Field::AboutTitle => "about.md",
                    Field::GlossaryTerm | Field::GlossaryAlias => "glossary.md",
                    _ => "posts/target.md",
                };
                assert!(
                    errors.iter().all(|d| d.path == file && d.line >= 1),
                    "{field:?} = {payload:?}: errors elsewhere: {errors:?}"
                );
                let shown = errors[0].to_string();
                assert!(
                    !shown.contains('\n') && !shown.contains('\r'),
                    "diagnostic spans lines: {shown:?}"
                );
                let got = render_all(dir.path(), "target");
                let want =
                    without_file.get_or_insert_with(|| render_all(absent_dir.path(), "target"));
                assert_same(field, payload, &got, want);
                rejected += 1;
            }
        }
    }
    // Both paths ran: the title and summary are accepted; slugs are rejected.
    assert!(accepted >= 2 * PAYLOADS.len(), "accepted {accepted}");
    assert!(rejected >= PAYLOADS.len(), "rejected {rejected}");
}

#[test]
fn title_payload_is_text_in_title_and_headings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let payload = PAYLOADS[0];
    write_site(dir.path(), Field::Title, Some(payload));
    let app = common::app_with(
        dir.path(),
        &common::manifest_dir().join("public"),
        settings(10),
    );
    let body = run(async { get(&app, "/posts/target").await.body });
    let doc = scraper::Html::parse_document(&body);
    let title = doc
        .select(&scraper::Selector::parse("head > title").expect("selector"))
        .next()
        .expect("a <title> in <head>")
        .text()
        .collect::<String>();
    assert!(title.starts_with(payload), "title text is {title:?}");
    let h1 = doc
        .select(&scraper::Selector::parse("h1").expect("selector"))
        .next()
        .expect("an <h1>")
        .text()
        .collect::<String>();
    assert!(h1.contains(payload), "h1 text is {h1:?}");
    // JSON-LD still parses back to the same headline.
    let ld = doc
        .select(
            &scraper::Selector::parse("script[type=\"application/ld+json\"]").expect("selector"),
        )
        .next()
        .expect("JSON-LD")
        .text()
        .collect::<String>();
    let value: serde_json::Value = serde_json::from_str(&ld).expect("JSON-LD parses");
    assert_eq!(value["headline"], payload);
}

#[test]
fn url_payloads_never_become_markup() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_site(dir.path(), Field::Title, Some("benign"));
    let app = common::app_with(
        dir.path(),
        &common::manifest_dir().join("public"),
        settings(10),
    );
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    run(async {
        let search_base = html_structure(&get(&app, "/search?q=benignword").await.body);
        let missing_base = get(&app, "/no/such/page-benign").await;
        let post_base = get(&app, "/posts/benign-missing").await;
        for payload in PAYLOADS {
            let search = get(&app, &format!("/search?q={}", enc(payload))).await;
            assert_eq!(search.status.as_u16(), 200);
            assert_eq!(
                html_structure(&search.body),
                search_base,
                "/search?q={payload:?} added markup"
            );
            // The query is shown as typed, escaped (no more stripped characters).
            let doc = scraper::Html::parse_document(&search.body);
            let title: String = doc
                .select(&scraper::Selector::parse("title").expect("selector"))
                .next()
                .expect("title")
                .text()
                .collect();
            // (The HTML parser reads CR LF as LF, as browsers do.)
            let typed = payload.trim().replace("\r\n", "\n");
            assert!(title.contains(&typed), "search title {title:?}");

            let missing = get(&app, &format!("/no/such/{}", enc(payload))).await;
            assert_eq!(missing.status, missing_base.status);
            assert_eq!(
                html_structure(&missing.body),
                html_structure(&missing_base.body)
            );
            let post = get(&app, &format!("/posts/{}", enc(payload))).await;
            assert_eq!(post.status, post_base.status);
            assert_eq!(html_structure(&post.body), html_structure(&post_base.body));
        }
    });
}
