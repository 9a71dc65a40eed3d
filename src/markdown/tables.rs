//! Tables with an empty top-left cell (`| | Before | Now |`) are matrices:
//! the first column names the rows. Rendered as-is, that corner is an empty
//! `<th>` and the first-column cells are data cells without a header, which
//! screen readers announce badly (axe `td-has-header`, `empty-table-header`).
//! For such tables the corner becomes an empty `<td>` and each row's first
//! cell a `<th scope="row">`. Other tables are left to pulldown-cmark.

use std::collections::HashSet;

use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

/// Rewrites the cells of every table whose first header cell is empty.
pub fn row_headers(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let corners: HashSet<usize> = events
        .windows(4)
        .enumerate()
        .filter(|(_, w)| {
            matches!(
                w,
                [
                    Event::Start(Tag::Table(_)),
                    Event::Start(Tag::TableHead),
                    Event::Start(Tag::TableCell),
                    Event::End(TagEnd::TableCell),
                ]
            )
        })
        .map(|(i, _)| i)
        .collect();
    if corners.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut matrix = false;
    let mut head = false;
    let mut cell = 0;
    let mut aligns: Vec<Alignment> = Vec::new();
    for (i, event) in events.into_iter().enumerate() {
        match event {
            Event::Start(Tag::Table(a)) => {
                matrix = corners.contains(&i);
                aligns.clone_from(&a);
                out.push(Event::Start(Tag::Table(a)));
            }
            Event::End(TagEnd::Table) => {
                matrix = false;
                out.push(Event::End(TagEnd::Table));
            }
            Event::Start(Tag::TableHead) => {
                head = true;
                cell = 0;
                out.push(Event::Start(Tag::TableHead));
            }
            Event::End(TagEnd::TableHead) => {
                head = false;
                out.push(Event::End(TagEnd::TableHead));
            }
            Event::Start(Tag::TableRow) => {
                cell = 0;
                out.push(Event::Start(Tag::TableRow));
            }
            Event::Start(Tag::TableCell) if matrix => {
                let style = match aligns.get(cell) {
                    Some(Alignment::Left) => " style=\"text-align: left\"",
                    Some(Alignment::Center) => " style=\"text-align: center\"",
                    Some(Alignment::Right) => " style=\"text-align: right\"",
                    _ => "",
                };
                let open = match (head, cell) {
                    (true, 0) => "<td",
                    (true, _) => "<th scope=\"col\"",
                    (false, 0) => "<th scope=\"row\"",
                    (false, _) => "<td",
                };
                out.push(Event::Html(format!("{open}{style}>").into()));
            }
            Event::End(TagEnd::TableCell) if matrix => {
                let close = if head != (cell == 0) {
                    "</th>"
                } else {
                    "</td>"
                };
                out.push(Event::Html(close.into()));
                cell += 1;
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{html::push_html, Options, Parser};

    use super::row_headers;

    fn render(md: &str) -> String {
        let events: Vec<_> = Parser::new_ext(md, Options::ENABLE_TABLES).collect();
        let mut html = String::new();
        push_html(&mut html, row_headers(events).into_iter());
        html
    }

    #[test]
    fn an_empty_corner_makes_the_first_column_row_headers() {
        let html = render("| | Before | Now |\n|---|:-:|---|\n| Speed | *slow* | fast |\n");
        assert!(html.contains("<thead><tr><td></td><th scope=\"col\" style=\"text-align: center\">Before</th><th scope=\"col\">Now</th></tr></thead>"), "{html}");
        assert!(html.contains("<tr><th scope=\"row\">Speed</th><td style=\"text-align: center\"><em>slow</em></td><td>fast</td></tr>"), "{html}");
        assert!(!html.contains("<th></th>"));
    }

    #[test]
    fn tables_with_a_named_corner_are_untouched() {
        let md = "| Tool | Use |\n|---|---|\n| a | b |\n";
        let mut plain = String::new();
        push_html(&mut plain, Parser::new_ext(md, Options::ENABLE_TABLES));
        assert_eq!(render(md), plain);
        assert!(plain.contains("<th>Tool</th>"));
    }

    #[test]
    fn only_the_matrix_table_changes_when_a_document_has_both() {
        let html = render("| A | B |\n|---|---|\n| 1 | 2 |\n\n| | X |\n|---|---|\n| r | 3 |\n");
        assert!(html.contains("<th>A</th>"));
        assert!(html.contains("<td>1</td>"));
        assert!(html.contains("<th scope=\"row\">r</th><td>3</td>"));
    }
}
