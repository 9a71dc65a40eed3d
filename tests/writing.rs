//! The writing features of issue #19 on the shipped `content/`: each one is
//! used by a real post, and the pages show it.

mod common;

use axum::http::StatusCode;
use common::{get, run, shipped_app};

#[test]
fn the_slo_post_renders_every_formula_as_mathml() {
    run(async {
        let app = shipped_app();
        let r = get(&app, "/posts/slo_error_budget_math").await;
        assert_eq!(r.status, StatusCode::OK);
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
        let first = get(&app, "/posts/observability_lmao").await;
        assert_eq!(first.status, StatusCode::OK);
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
