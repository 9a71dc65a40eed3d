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
