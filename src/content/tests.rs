//! Unit tests of a content load: what is read, parsed, rejected with a
//! diagnostic, reused on reload and served. Kept out of `content.rs` so the
//! hub stays a map of the layer.

use std::fs;
use std::path::Path;

use super::*;

mod reuse;
mod writing;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create dir");
    }
    fs::write(path, text).expect("write file");
}

fn post(title: &str, date: &str, extra: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\n{extra}---\n\nBody of {title}.\n")
}

/// Writes `post(title, date, extra)` at `rel`.
fn write_post(dir: &Path, rel: &str, title: &str, date: &str, extra: &str) {
    write(dir, rel, &post(title, date, extra));
}

fn load(dir: &Path) -> Site {
    Site::load(dir, &LoadOptions::default()).expect("folder loads")
}

/// Every diagnostic, errors and warnings, as printed.
fn diagnostics(site: &Site) -> Vec<String> {
    site.diagnostics().iter().map(ToString::to_string).collect()
}

fn errors(site: &Site) -> Vec<String> {
    site.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn yaml_and_toml_front_matter() {
    let yaml = "---\ntitle: \"Hello: world\"\ndate: 2024-05-01\ntags: [sre, rust]\ndraft: false\n---\nbody\n";
    let split = front_matter::split(yaml).expect("splits");
    assert_eq!(split.body, "body\n");
    assert_eq!(split.body_line_offset, 6);
    let fm = front_matter::parse(&split).expect("parses");
    assert_eq!(fm.title.as_deref(), Some("Hello: world"));
    assert_eq!(fm.tags, ["sre", "rust"]);
    assert_eq!(
        fm.date.as_ref().map(|d| d.parse()),
        Some(Ok(NaiveDate::from_ymd_opt(2024, 5, 1).expect("date")))
    );

    let toml =
        "+++\ntitle = \"T\"\ndate = 2023-02-03\nupdated = \"2023-03-04T10:00:00Z\"\n+++\nbody\n";
    let split = front_matter::split(toml).expect("splits");
    let fm = front_matter::parse(&split).expect("parses");
    assert_eq!(
        fm.date.as_ref().map(|d| d.parse()),
        Some(Ok(NaiveDate::from_ymd_opt(2023, 2, 3).expect("date")))
    );
    assert_eq!(
        fm.updated.as_ref().map(|d| d.parse()),
        Some(Ok(NaiveDate::from_ymd_opt(2023, 3, 4).expect("date")))
    );
}

#[test]
fn unknown_key_names_key_and_line() {
    let text = "---\ntitle: x\ndate: 2024-01-01\nauthors: me\n---\n";
    let split = front_matter::split(text).expect("splits");
    let err = front_matter::parse(&split).expect_err("unknown key rejected");
    assert_eq!(err.line, 4, "{err:?}");
    assert!(err.message.contains("authors"), "{err:?}");

    let toml = "+++\ntitle = \"x\"\n\nauthors = \"me\"\n+++\n";
    let split = front_matter::split(toml).expect("splits");
    let err = front_matter::parse(&split).expect_err("unknown key rejected");
    assert_eq!(err.line, 4, "{err:?}");
    assert!(err.message.contains("authors"), "{err:?}");
}

#[test]
fn unclosed_and_missing_front_matter() {
    assert!(front_matter::split("---\ntitle: x\n")
        .expect_err("unclosed")
        .message
        .contains("never closed"));
    assert!(front_matter::split("# Just markdown\n")
        .expect_err("missing")
        .message
        .contains("missing front matter"));
    assert!(front_matter::split("")
        .expect_err("empty")
        .message
        .contains("empty file"));
}

#[test]
fn drafts_are_hidden_and_posts_sorted_newest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(dir.path(), "posts/old.md", "Old", "2023-01-05", "");
    write_post(dir.path(), "posts/new.md", "New", "2025-07-01", "");
    write_post(
        dir.path(),
        "posts/mid.md",
        "Mid",
        "2024-03-10T08:00:00+02:00",
        "",
    );
    write_post(
        dir.path(),
        "posts/wip.md",
        "Wip",
        "2026-01-01",
        "draft: true\n",
    );
    let site = load(dir.path());
    assert_eq!(errors(&site), Vec::<String>::new());
    let slugs: Vec<&str> = site.posts().map(|p| p.post.meta.slug.as_str()).collect();
    assert_eq!(slugs, ["new", "mid", "old"]);
    assert!(site.post("wip").is_none(), "drafts are not served");
    assert_eq!(site.drafts(), 1);
}

#[test]
fn duplicate_slug_names_both_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(dir.path(), "posts/a.md", "A", "2024-01-01", "slug: same\n");
    write_post(dir.path(), "posts/b.md", "B", "2024-01-02", "slug: same\n");
    let site = load(dir.path());
    assert_eq!(
        errors(&site),
        ["posts/b.md:4:1: error: duplicate slug `same`: also used by posts/a.md"]
    );
    assert_eq!(site.post("same").map(|p| p.meta.title.as_str()), Some("A"));
}

#[test]
fn missing_title_names_the_file_and_others_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/untitled.md",
        "---\ndate: 2024-01-01\n---\nbody\n",
    );
    write_post(dir.path(), "posts/fine.md", "Fine", "2024-01-01", "");
    let site = load(dir.path());
    assert_eq!(
        errors(&site),
        ["posts/untitled.md:1:1: error: missing required field `title`"]
    );
    assert!(site.post("fine").is_some());
}

#[test]
fn invalid_date_and_slug_point_at_their_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/d.md",
        "---\ntitle: D\ntags: [x]\ndate: 2024-13-45\n---\n",
    );
    write(
        dir.path(),
        "posts/s.md",
        "---\ntitle: S\ndate: 2024-01-01\nslug: ../etc\n---\n",
    );
    let site = load(dir.path());
    let errs = errors(&site);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("posts/d.md:4:1: error: invalid date `2024-13-45`"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("posts/s.md:4:1: error: invalid slug `../etc`"),
        "{errs:?}"
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/win.md",
        "\u{feff}---\r\ntitle: Windows\r\ndate: 2024-02-02\r\n---\r\n\r\nHello :rocket:\r\n",
    );
    let site = load(dir.path());
    assert_eq!(errors(&site), Vec::<String>::new());
    let p = site.post_page("win").expect("loaded");
    assert!(p.html.contains("🚀"));
}

#[test]
fn refs_resolve_across_the_site_like_hugo() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "about.md",
        "---\ntitle: About\n---\n[n]({{< ref \"../netlify.md\" >}}) [g]({{< ref \"../sre_devops_glossary.md\" >}}) [x]({{< ref \"../missing.md\" >}})\n",
    );
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: G\naliases: [\"/sre_devops_glossary.html\"]\n---\n## Term {#term}\n\nA term.\n",
    );
    write(
        dir.path(),
        "posts/netlify.md",
        &post("Netlify", "2023-01-01", "")
            .replace("Body", "[t]({{< ref \"../glossary.md#term\" >}}) Body"),
    );
    let site = load(dir.path());
    let about = site.about().expect("about");
    assert!(
        about.html.contains("href=\"/posts/netlify\""),
        "{}",
        about.html
    );
    assert!(about.html.contains("href=\"/glossary\""), "{}", about.html);
    assert!(site
        .post_page("netlify")
        .expect("post")
        .html
        .contains("href=\"/glossary#term\""));
    assert_eq!(
        errors(&site),
        ["about.md:4:83: error: broken reference: `../missing.md` points outside the content folder, and no page has that file name"]
    );
}

#[test]
fn glossary_terms_sorted_for_spanish_with_see_also() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: Glosario\nlang: es\n---\nIntro.\n\n## Zeta {#zeta}\n\nÚltima.\n\n## Ñandú {#nandu}\n\nAve.\n\nVer también: [Zeta](#zeta), [Nada](#nada)\n\n## Árbol {#arbol}\n\nAlias: Tree, Baum\n\nPlanta :deciduous_tree:.\n\n## Nube {#nube}\n\nCloud.\n\n## Nube {#nube}\n\nOtra vez.\n",
    );
    let site = load(dir.path());
    let g = site.glossary().expect("glossary");
    assert_eq!(g.lang, "es");
    let order: Vec<&str> = g.terms.iter().map(|t| t.term.as_str()).collect();
    assert_eq!(order, ["Árbol", "Nube", "Ñandú", "Zeta"]);
    let arbol = &g.terms[0];
    assert_eq!(arbol.aliases, ["Tree", "Baum"]);
    assert!(arbol.definition_html.contains("🌳"));
    assert!(!arbol.definition_html.contains("Alias"));
    assert_eq!(
        g.terms[2].see_also,
        [("zeta".to_string(), "Zeta".to_string())]
    );
    assert_eq!(
        errors(&site),
        [
            "glossary.md:11:1: error: `Ñandú` links to unknown glossary term `#nada`",
            "glossary.md:27:1: error: duplicate glossary term `Nube` (id `nube`, first defined on line 23)",
        ]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    write_post(outside.path(), "secret.md", "Secret", "2024-01-01", "");
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(dir.path(), "posts/ok.md", "Ok", "2024-01-01", "");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        dir.path().join("posts/secret.md"),
    )
    .expect("symlink");
    let site = load(dir.path());
    assert!(site.post("secret").is_none());
    assert_eq!(
        errors(&site),
        ["posts/secret.md:1:1: error: symbolic link not followed"]
    );
}

#[test]
fn missing_folder_is_an_error() {
    let err = Site::load(Path::new("/nonexistent/microblog"), &LoadOptions::default())
        .expect_err("must fail");
    assert!(err.to_string().contains("/nonexistent/microblog"), "{err}");
}

#[test]
fn store_swaps_snapshots_without_disturbing_readers() {
    let store = ContentStore::new(Site::default());
    let before = store.snapshot();
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(dir.path(), "posts/a.md", "A", "2024-01-01", "");
    store.replace(load(dir.path()));
    assert_eq!(before.posts().len(), 0, "old snapshot unchanged");
    assert_eq!(store.snapshot().posts().len(), 1);
}

#[test]
fn glossary_heading_inside_code_is_not_a_term() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: G\n---\n## Markdown {#markdown}\n\nA heading looks like:\n\n```markdown\n## Not a term\n```\n\n~~~\n## Nor this\n~~~\n",
    );
    let site = load(dir.path());
    let g = site.glossary().expect("glossary");
    assert_eq!(g.terms.len(), 1);
    assert!(g.terms[0].definition_html.contains("Not a term"));
    assert!(g.terms[0].definition_html.contains("## Nor this"));
}

#[test]
fn glossary_ids_never_take_one_the_page_uses() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: Glosario\n---\nIntro.\n\n## Content\n\nMain.\n\n## Leptos\n\nFramework.\n\n## Letra A {#letra-a}\n\nOops.\n",
    );
    let site = load(dir.path());
    let g = site.glossary().expect("glossary");
    let ids: Vec<&str> = g.terms.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["term-content", "leptos", "term-letra-a"]);
    let warnings: Vec<String> = site
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        [
            "glossary.md:6:1: warning: glossary term `Content`: id `content` is one the page itself uses; the term gets `term-content` (choose one with `{#id}`)",
            "glossary.md:14:1: warning: glossary term `Letra A`: id `letra-a` is one the page itself uses; the term gets `term-letra-a` (choose one with `{#id}`)",
        ]
    );
}

#[test]
fn an_alias_with_the_page_own_name_is_not_ambiguous() {
    // `/netlify.html` (its own file name) is not next to `netlify` in the
    // list of names, so `dedup` alone left two entries of the same page.
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(
        dir.path(),
        "posts/netlify.md",
        "Netlify",
        "2023-01-01",
        "aliases: [\"/blog/deploy-notes.html\", \"/netlify.html\"]\n",
    );
    write(
        dir.path(),
        "about.md",
        "---\ntitle: About\n---\n[n]({{< ref \"netlify.md\" >}})\n",
    );
    let site = load(dir.path());
    assert_eq!(errors(&site), Vec::<String>::new());
    let about = site.about().expect("about");
    assert!(
        about.html.contains("href=\"/posts/netlify\""),
        "{}",
        about.html
    );
}

#[test]
fn a_post_with_broken_front_matter_is_one_error_not_one_per_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/broken.md",
        "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nBody.\n",
    );
    for n in ["a", "b"] {
        write(
            dir.path(),
            &format!("posts/{n}.md"),
            &post(n, "2024-02-01", "").replace("Body", "See [it]({{< ref \"broken.md\" >}}). Body"),
        );
    }
    write(
        dir.path(),
        "about.md",
        "---\ntitle: About\n---\n[x]({{< ref \"posts/broken.md\" >}})\n",
    );
    let site = load(dir.path());
    let errs = errors(&site);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("posts/broken.md:2:"), "{errs:#?}");
    // The references still point at the page's address (by file name).
    let a = site.post_page("a").expect("post a");
    assert!(a.html.contains("href=\"/posts/broken\""), "{}", a.html);
    // A reference to a page that does not exist at all is still an error.
    write(
        dir.path(),
        "posts/c.md",
        &post("c", "2024-03-01", "").replace("Body", "[x]({{< ref \"nope.md\" >}}) Body"),
    );
    let site = load(dir.path());
    assert_eq!(errors(&site).len(), 2, "{:#?}", errors(&site));
}
