//! Formulas to MathML, and a broken one kept visible with its position (`math`).

use super::*;

#[test]
fn math_renders_to_mathml_and_a_broken_formula_keeps_its_source_with_a_position() {
    let md = "Burn rate $b = \\frac{e}{1 - s}$ here.\n\n$$\nB = 1 - \\frac{bad}{total}\n$$\n\nCost is $5 and $10 today.\n\nThen $\\notacommand{x}$ fails and `$not math$` stays code.\n";
    let r = render_plain(md);
    assert_has(&r.html, "<math");
    assert_has(&r.html, "<mfrac>");
    // Display math.
    assert_has(&r.html, "display=\"block\"");
    assert!(!r.html.contains("<script"), "no JavaScript");
    // The broken one: shown as typed, one error at its opening `$`.
    // Fallback.
    assert_has(&r.html, "<code class=\"math-error\"");
    assert_has(&r.html, "<code>$not math$</code>");
    let errors: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", r.diagnostics);
    assert_eq!((errors[0].line, errors[0].col), (9, 6), "{:?}", errors[0]);
    assert!(errors[0].message.starts_with("formula does not parse"));
    assert!(
        r.html.contains("<p>Cost is $5 and $10 today.</p>"),
        "prices stay text"
    );
    // Formulas are not prose words.
    assert!(r.words < 20, "{}", r.words);
}
