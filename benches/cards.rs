//! Social cards: time to draw one card as PNG bytes (`cards::render`), the
//! work a static export does 10,000 times at the benchmark's scale. Run with
//! `make bench-cards`.
//!
//! Input: 200 titles taken in turn from the generated posts' front matter
//! shape (`tools/bench/gen_posts.py`: 3 to 7 words and a number), with
//! English and Spanish dates, on one thread's reused canvas, as the export
//! draws them.

use microblog::content::cards;

fn main() {
    divan::main();
}

const WORDS: &[&str] = &[
    "solemnizing",
    "harken",
    "trumpeting",
    "kubernetes",
    "observability",
    "budgets",
    "feminine",
    "spoilage",
    "stepladder",
    "namespace",
    "playbook",
    "cgroup",
    "failover",
    "neighborly",
    "runbook",
    "guardias",
    "alertas",
    "despliegue",
    "latencia",
    "quietly",
];

/// `n` titles of 3 to 7 words, numbered like the generated posts'.
fn titles(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let words = 3 + i % 5;
            let mut title: Vec<&str> = (0..words)
                .map(|w| WORDS[(i * 7 + w * 3) % WORDS.len()])
                .collect();
            let first = title[0].to_string();
            let mut c = first.chars();
            let capital: String = c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
            title[0] = &capital;
            let date = if i % 2 == 0 {
                format!("{} March 2025", 1 + i % 28)
            } else {
                format!("{} de mayo de 2025", 1 + i % 28)
            };
            (format!("{} #{i}", title.join(" ")), date)
        })
        .collect()
}

#[divan::bench(sample_count = 20, sample_size = 50)]
fn render_card(b: divan::Bencher<'_, '_>) {
    let titles = titles(200);
    let mut i = 0;
    b.bench_local(|| {
        let (title, date) = &titles[i % titles.len()];
        i += 1;
        cards::render(title, date, "microblog").expect("renders")
    });
}
