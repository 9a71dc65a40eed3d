//! The writing features of issue #19 on the shipped `content/`: each one is
//! used by a real post, and the pages show it.

mod common;

use common::{get, run, shipped_app};

#[test]
fn the_slo_post_renders_every_formula_as_mathml() {
    run(async {
        let app = shipped_app();
        let r = common::get_ok(&app, "/posts/slo_error_budget_math").await;
        assert!(
            r.body.matches("<math display=\"block\"").count() >= 8,
            "display formulas"
        );
        assert!(
            r.body.matches("<math display=\"inline\"").count() >= 10,
            "inline formulas"
        );
        assert!(!r.body.contains("math-error"), "every formula parses");
        // The source stays available to copy and to assistive technology.
        assert!(r
            .body
            .contains("<annotation encoding=\"application/x-tex\">"));
        // MathML needs no script or font of its own.
        assert!(!r.body.contains("katex") && !r.body.contains("mathjax"));
    });
}

#[test]
fn a_series_part_shows_its_parts_and_position_and_every_post_has_related_posts() {
    run(async {
        let app = shipped_app();
        let first = common::get_ok(&app, "/posts/observability_lmao").await;
        assert!(
            first
                .body
                .contains("Part 1 of 2 in the series <strong>SLOs in practice</strong>"),
            "position shown: {}",
            first
                .body
                .split("class=\"series\"")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect::<String>()
        );
        let series = first
            .body
            .split("class=\"series\"")
            .nth(1)
            .expect("series box");
        let series = series.split("</nav>").next().unwrap_or_default();
        assert!(series.contains("<li aria-current=\"page\">"), "{series}");
        assert!(
            series.contains("href=\"/posts/slo_error_budget_math\""),
            "{series}"
        );
        let second = get(&app, "/posts/slo_error_budget_math").await;
        assert!(second.body.contains("href=\"/posts/observability_lmao\""));

        // Every published post shows at least one related post, never itself.
        let list = get(&app, "/sitemap.xml").await;
        let posts: Vec<&str> = list
            .body
            .split("<loc>")
            .skip(1)
            .filter_map(|l| l.split("</loc>").next())
            .filter_map(|u| u.split_once("/posts/").map(|(_, s)| s))
            .collect();
        assert!(posts.len() >= 8, "{posts:?}");
        for slug in posts {
            let page = get(&app, &format!("/posts/{slug}")).await;
            let related = page
                .body
                .split("class=\"related\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{slug}: no related posts"));
            let related = related.split("</aside>").next().unwrap_or_default();
            let links = related.matches("href=\"/posts/").count();
            assert!((1..=3).contains(&links), "{slug}: {links} related");
            assert!(
                !related.contains(&format!("href=\"/posts/{slug}\"")),
                "{slug} related to itself"
            );
        }
    });
}

fn fixture_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in extra {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn author_reaches_the_header_json_ld_and_both_feeds_and_image_the_social_tags() {
    let content = fixture_with(&[
        (
            "posts/guest.md",
            "---\ntitle: \"Guest post\"\ndate: 2024-02-01\nauthor: \"Ana Ops\"\nimage: https://cdn.example.com/guest.png\n---\n\nText.\n",
        ),
        ("posts/own.md", "---\ntitle: \"Own post\"\ndate: 2024-01-01\n---\n\nText.\n"),
    ]);
    let root = tempfile::tempdir().expect("tempdir");
    let mut settings = common::settings(10);
    settings.info.author = "Site Owner".into();
    let app = common::app_with(content.path(), root.path(), settings);
    run(async {
        let guest = get(&app, "/posts/guest").await;
        assert!(
            guest.body.contains("<span class=\"author\">Ana Ops</span>"),
            "header"
        );
        assert!(
            guest
                .body
                .contains("\"author\":{\"@type\":\"Person\",\"name\":\"Ana Ops\""),
            "JSON-LD"
        );
        assert!(guest.body.contains(
            "<meta property=\"og:image\" content=\"https://cdn.example.com/guest.png\">"
        ));
        assert!(guest.body.contains(
            "<meta name=\"twitter:image\" content=\"https://cdn.example.com/guest.png\">"
        ));
        assert!(
            guest
                .body
                .contains("\"image\":\"https://cdn.example.com/guest.png\""),
            "JSON-LD image"
        );

        let own = get(&app, "/posts/own").await;
        assert!(
            own.body
                .contains("<span class=\"author\">Site Owner</span>"),
            "site default"
        );
        assert!(own.body.contains("\"name\":\"Site Owner\""));
        assert!(own
            .body
            .contains(&format!("content=\"{}/cards/own.png\"", common::SITE_URL)));

        let atom = get(&app, "/feed.xml").await;
        let feed = feed_rs::parser::parse(atom.body.as_bytes()).expect("atom parses");
        let by_title = |t: &str| {
            feed.entries
                .iter()
                .find(|e| e.title.as_ref().is_some_and(|x| x.content == t))
                .map(|e| {
                    e.authors
                        .iter()
                        .filter_map(|a| a.name.clone())
                        .collect::<Vec<_>>()
                })
        };
        assert_eq!(by_title("Guest post"), Some(vec!["Ana Ops".to_string()]));
        assert_eq!(by_title("Own post"), Some(vec!["Site Owner".to_string()]));
        let rss = get(&app, "/rss.xml").await;
        let doc = roxmltree::Document::parse(&rss.body).expect("rss parses");
        let creators: Vec<&str> = doc
            .descendants()
            .filter(|n| {
                n.tag_name().name() == "creator"
                    && n.tag_name().namespace() == Some("http://purl.org/dc/elements/1.1/")
            })
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(creators, ["Ana Ops", "Site Owner"]);
    });
}

/// The English strings a Spanish page must not show: every interface string
/// whose Spanish form differs (names such as "Leptos" are the same in both).
fn english_only() -> Vec<String> {
    use microblog::i18n::{EN, ES};
    EN.all()
        .into_iter()
        .zip(ES.all())
        .filter(|(en, es)| en != es)
        .map(|(en, _)| en.split('{').next().unwrap_or(en).trim().to_string())
        .filter(|en| en.len() >= 3)
        // "◐ Auto" is the start of "◐ Automático": not English on the page.
        .filter(|en| ES.all().iter().all(|es| !es.contains(en.as_str())))
        .collect()
}

/// `html` without the values of `data-component` and `data-props`.
fn without_island_data(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["data-component=\"", "data-props=\""]
            .iter()
            .filter_map(|a| rest.find(a).map(|i| (i, a.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let value = &rest[i + len..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
}

#[test]
fn spanish_pages_contain_no_english_interface_string() {
    run(async {
        let app = shipped_app();
        let english = english_only();
        assert!(english.len() > 40, "{english:?}");
        for path in ["/glossary", "/posts/guardias_sostenibles"] {
            let r = common::get_ok(&app, path).await;
            assert!(
                r.body
                    .split("<head")
                    .next()
                    .unwrap_or_default()
                    .contains("lang=\"es\""),
                "{path}: html lang"
            );
            // Visible text and attributes alike (aria-labels are read aloud),
            // but not the islands' machine names (`SearchBox_…`, prop enums).
            let page = without_island_data(&r.body);
            let found: Vec<&String> = english
                .iter()
                .filter(|s| page.contains(s.as_str()))
                .collect();
            assert!(found.is_empty(), "{path} shows English: {found:?}");
            for es in ["Inicio", "Glosario", "Etiquetas", "Buscar"] {
                assert!(r.body.contains(es), "{path}: {es}");
            }
        }
        let post = get(&app, "/posts/guardias_sostenibles").await;
        assert!(post.body.contains(" de 2025</time>"), "Spanish date");
        assert!(post.body.contains("min de lectura"));
        assert!(post.body.contains("<h2>Contenido</h2>"), "TOC title");
        // An English page keeps the English interface.
        let en = get(&app, "/posts/observability_lmao").await;
        assert!(en.body.contains(">Home</a>") && en.body.contains(" min read"));
        assert!(!en.body.contains(">Inicio</a>"));
    });
}

#[test]
fn bundle_images_are_served_sized_with_copies_and_set_the_social_image() {
    run(async {
        let app = shipped_app();
        let page = common::get_ok(&app, "/posts/slo_error_budget_math").await;
        assert!(
            page.body.contains(
                "src=\"/posts/slo_error_budget_math/budget-burn.png\" alt=\"Remaining error budget"
            ),
            "bundle image"
        );
        assert!(page.body.contains("width=\"1600\" height=\"800\" srcset=\"/posts/slo_error_budget_math/budget-burn-480w.png 480w"));
        assert!(page.body.contains(&format!(
            "<meta property=\"og:image\" content=\"{}/posts/slo_error_budget_math/budget-burn.png\">",
            common::SITE_URL
        )));
        for (uri, width) in [
            ("/posts/slo_error_budget_math/budget-burn.png", 1600),
            ("/posts/slo_error_budget_math/budget-burn-960w.png", 960),
        ] {
            let r = common::get_ok(&app, uri).await;
            assert_eq!(r.content_type(), "image/png", "{uri}");
            let img = image::load_from_memory(&r.bytes).expect("a PNG");
            assert_eq!(img.width(), width, "{uri}");
        }
        common::assert_not_found(
            &app,
            &[
                "/posts/slo_error_budget_math/nope.png",
                "/posts/slo_error_budget_math/index.md",
                "/images/../Cargo.toml",
                "/posts/nope/budget-burn.png",
            ],
        )
        .await;
    });
}

#[test]
fn posts_without_an_image_get_a_generated_1200x630_card() {
    run(async {
        let app = shipped_app();
        let page = get(&app, "/posts/observability_lmao").await;
        let card = format!("{}/cards/observability_lmao.png", common::SITE_URL);
        assert!(page
            .body
            .contains(&format!("<meta property=\"og:image\" content=\"{card}\">")));
        assert!(page
            .body
            .contains(&format!("<meta name=\"twitter:image\" content=\"{card}\">")));
        let r = common::get_ok(&app, "/cards/observability_lmao.png").await;
        assert_eq!(r.content_type(), "image/png");
        let img = image::load_from_memory(&r.bytes).expect("a PNG");
        assert_eq!((img.width(), img.height()), (1200, 630));
        // Served again from memory: the same bytes.
        assert_eq!(
            get(&app, "/cards/observability_lmao.png").await.bytes,
            r.bytes
        );
        // A post with its own image has no card; unknown posts neither.
        common::assert_not_found(
            &app,
            &[
                "/cards/slo_error_budget_math.png",
                "/cards/nope.png",
                "/cards/x.jpg",
            ],
        )
        .await;
    });
    let site = microblog::content::Site::load(
        &common::manifest_dir().join("content"),
        &Default::default(),
    )
    .expect("loads");
    let urls = site.card_urls();
    assert!(urls.contains(&"/cards/observability_lmao.png".to_string()));
    assert!(!urls.contains(&"/cards/slo_error_budget_math.png".to_string()));
    assert_eq!(urls.len(), site.posts().len() - 1, "{urls:?}");
}
