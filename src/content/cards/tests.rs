use super::*;

#[test]
fn a_card_path_names_its_slug_and_nothing_else_does() {
    assert_eq!(url("k8s-upgrade"), "/cards/k8s-upgrade.png");
    assert_eq!(slug_of(&url("k8s-upgrade")), Some("k8s-upgrade"));
    assert_eq!(slug_of("/cards/k8s-upgrade.jpg"), None);
    assert_eq!(slug_of("/posts/k8s-upgrade.png"), None);
    assert_eq!(slug_of("/cards/k8s-upgrade.png/x"), None);
}

#[test]
fn titles_wrap_on_words_and_long_ones_are_cut() {
    assert_eq!(
        wrap("Error budgets and burn rates", 26, 4),
        ["Error budgets and burn", "rates"]
    );
    let long = "word ".repeat(60);
    let lines = wrap(&long, 26, 4);
    assert_eq!(lines.len(), 4);
    assert!(lines[3].ends_with('…'));
}

/// A decoded card: RGB pixels.
struct Card(image::RgbImage);

impl Card {
    fn of(png: &[u8]) -> Card {
        Card(image::load_from_memory(png).expect("a PNG").to_rgb8())
    }

    /// Pixels of exactly `colour` (a glyph's inside) in the box.
    fn count(&self, colour: Rgb, xs: Range<u32>, ys: Range<u32>) -> usize {
        ys.flat_map(|y| xs.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| self.0.get_pixel(x, y).0 == colour)
            .count()
    }

    /// Rows holding a pixel of exactly `colour`.
    fn rows_with(&self, colour: Rgb) -> Vec<u32> {
        (0..HEIGHT)
            .filter(|&y| (0..WIDTH).any(|x| self.0.get_pixel(x, y).0 == colour))
            .collect()
    }

    /// The leftmost and rightmost columns holding `colour` in rows `ys`.
    fn columns(&self, colour: Rgb, ys: Range<u32>) -> Option<(u32, u32)> {
        let xs: Vec<u32> = (0..WIDTH)
            .filter(|&x| ys.clone().any(|y| self.0.get_pixel(x, y).0 == colour))
            .collect();
        Some((*xs.first()?, *xs.last()?))
    }
}

/// Runs of consecutive rows: the lines of a text.
fn bands(rows: &[u32]) -> usize {
    rows.windows(2).filter(|w| w[1] > w[0] + 1).count() + usize::from(!rows.is_empty())
}

#[test]
fn a_card_is_a_1200_by_630_palette_png_with_title_date_and_site_name_in_place() {
    // No descenders: the title's lowest row is its baseline.
    let png = render("Heat & <Tide> rolls in", "2 March 2025", "microblog").expect("renders");
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Indexed);
    let card = Card::of(&png);
    // Background, and the accent bar down the left edge.
    assert_eq!(card.0.get_pixel(600, 10).0, BACKGROUND);
    assert_eq!(card.0.get_pixel(8, 300).0, ACCENT);
    // The title: one line, its letters' insides in the title colour, from
    // the left margin, with capitals about 47 px tall above its baseline.
    let title = card.rows_with(TITLE);
    assert_eq!(bands(&title), 1, "{title:?}");
    assert!(title[0] >= 95 && title[0] <= 110, "cap top {}", title[0]);
    let last = *title.last().expect("rows");
    assert!((149..=152).contains(&last), "baseline {last}");
    let (left, right) = card.columns(TITLE, 90..160).expect("title");
    assert!((80..=88).contains(&left), "title starts at {left}");
    assert!(right > 500 && right < 1120, "title ends at {right}");
    // The date, bottom left, and the site name, bottom right, ending at the
    // right margin.
    let (left, right) = card.columns(DATE, 520..570).expect("date");
    assert!(
        (80..=88).contains(&left) && right < 400,
        "date {left}..{right}"
    );
    let (left, right) = card.columns(SITE, 520..570).expect("site name");
    assert!(
        (1100..=1120).contains(&right) && left > 850,
        "site {left}..{right}"
    );
    assert_eq!(card.count(TITLE, 0..WIDTH, 400..HEIGHT), 0);
}

#[test]
fn text_is_anti_aliased() {
    let card = Card::of(&render("Error budgets", "2 March 2025", "microblog").expect("renders"));
    // Edge pixels: between the background and the title colour.
    let mut between: Vec<[u8; 3]> = card
        .0
        .pixels()
        .map(|p| p.0)
        .filter(|c| c[0] > BACKGROUND[0] && c[0] < TITLE[0] && c[2] > BACKGROUND[2])
        .collect();
    between.sort_unstable();
    between.dedup();
    assert!(between.len() > 40, "{} edge colours", between.len());
}

#[test]
fn long_titles_take_four_smaller_lines_and_short_ones_one() {
    let lines = |title: &str| {
        let card = Card::of(&render(title, "2 March 2025", "microblog").expect("renders"));
        bands(&card.rows_with(TITLE))
    };
    assert_eq!(lines("Short"), 1);
    assert_eq!(lines("Error budgets and burn rates, explained slowly"), 2);
    let long = "A title that goes on and on about observability ".repeat(5);
    assert_eq!(lines(&long), 4);
    assert_eq!(title_lines(&long).1, 56, "four lines are drawn smaller");
    assert!(title_lines(&long).0[3].ends_with('…'));
}

#[test]
fn the_text_is_kerned_by_the_font() {
    let width = |s: &str| glyphs::shape(Face::Bold, 64, s).expect("shapes").width;
    let apart = width("A") + width("V");
    assert!(width("AV") < apart - 1.0, "{} vs {apart}", width("AV"));
    // And the site name's end sits on the right margin whatever its length.
    for site in ["x", "microblog", "a much longer site name"] {
        let card = Card::of(&render("T", "1 May 2024", site).expect("renders"));
        let (_, right) = card.columns(SITE, 520..570).expect("site name");
        assert!((1105..=1120).contains(&right), "{site}: {right}");
    }
}

#[test]
fn each_card_shows_its_own_texts() {
    let a = render("Error budgets", "2 March 2025", "microblog").expect("renders");
    let b = render("Kubernetes upgrades", "2 March 2025", "microblog").expect("renders");
    let c = render("Error budgets", "3 March 2025", "microblog").expect("renders");
    let d = render("Error budgets", "2 March 2025", "elsewhere").expect("renders");
    assert!(a != b && a != c && a != d && b != c);
    let blank = render("", "2 March 2025", "microblog").expect("renders");
    assert_eq!(Card::of(&blank).rows_with(TITLE), Vec::<u32>::new());
}

#[test]
fn a_card_is_the_same_bytes_on_any_thread_and_after_any_other_card() {
    // Titles of 1 to 4 lines with descenders and accents, in an order where
    // a card follows a taller one, and another site's base in between: the
    // reused canvas must give what a fresh copy of the base gives.
    let titles = [
        "Short",
        "Quietly jumping geese: a very long title that wraps onto four lines, yes, quite long, gjpqy",
        "Mid-length title, with gjpqy descenders",
        "Short",
        "Ünïcödé ÀÉÎ and numbers 0123456789",
    ];
    for (i, title) in titles.iter().enumerate() {
        let date = format!("{} March 2025", i + 1);
        let site = if i == 3 { "elsewhere" } else { "microblog" };
        let card = render(title, &date, site).expect("renders");
        assert!(
            card == render_whole(title, &date, site).expect("renders"),
            "card {i}: {title}"
        );
        let (t, d, s) = (title.to_string(), date.clone(), site.to_string());
        let elsewhere = std::thread::spawn(move || render(&t, &d, &s).expect("renders"));
        assert!(card == elsewhere.join().expect("thread"), "card {i}");
    }
}

#[test]
fn texts_that_meet_and_glyphs_the_font_lacks_still_make_a_card() {
    // A date long enough to run into the site name: blended colours there.
    let date = "1 de septiembre de 2025, revisado el 30 de noviembre de 2026 otra vez";
    let png = render("漢字 and emoji 🦀 → ∑", date, "microblog").expect("renders");
    let card = Card::of(&png);
    let (_, right) = card.columns(DATE, 520..570).expect("date");
    assert!(right > 950, "the date reaches under the site name: {right}");
    assert!(card.count(SITE, 850..1120, 520..570) > 0);
    assert!(png == render_whole("漢字 and emoji 🦀 → ∑", date, "microblog").expect("renders"));
}
