use std::fs;
use std::path::Path;

use super::*;

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

fn load(dir: &Path) -> Site {
    Site::load(dir, &LoadOptions::default()).expect("folder loads")
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
    write(dir.path(), "posts/old.md", &post("Old", "2023-01-05", ""));
    write(dir.path(), "posts/new.md", &post("New", "2025-07-01", ""));
    write(
        dir.path(),
        "posts/mid.md",
        &post("Mid", "2024-03-10T08:00:00+02:00", ""),
    );
    write(
        dir.path(),
        "posts/wip.md",
        &post("Wip", "2026-01-01", "draft: true\n"),
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
    write(
        dir.path(),
        "posts/a.md",
        &post("A", "2024-01-01", "slug: same\n"),
    );
    write(
        dir.path(),
        "posts/b.md",
        &post("B", "2024-01-02", "slug: same\n"),
    );
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
    write(dir.path(), "posts/fine.md", &post("Fine", "2024-01-01", ""));
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
    let p = site.post("win").expect("loaded");
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
        .post("netlify")
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
    write(
        outside.path(),
        "secret.md",
        &post("Secret", "2024-01-01", ""),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "posts/ok.md", &post("Ok", "2024-01-01", ""));
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
    write(dir.path(), "posts/a.md", &post("A", "2024-01-01", ""));
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

fn load_at(dir: &Path, now: &str) -> Site {
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .expect("test instant")
        .with_timezone(&chrono::Utc);
    let options = LoadOptions {
        now: Some(now),
        ..LoadOptions::default()
    };
    Site::load(dir, &options).expect("folder loads")
}

#[test]
fn a_post_dated_in_the_future_appears_nowhere_until_its_minute() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/live.md",
        &post("Live post", "2030-01-01", "tags: [sre]\n"),
    );
    write(
        dir.path(),
        "posts/later.md",
        &post(
            "Later post",
            "2030-06-01T09:30:00+02:00",
            "tags: [sre, capacity]\n",
        ),
    );

    let before = load_at(dir.path(), "2030-06-01T07:29:59Z");
    assert!(errors(&before).is_empty(), "{:?}", errors(&before));
    assert!(before.post("later").is_none(), "no page");
    assert_eq!(before.posts().len(), 1, "not listed");
    assert!(
        before.tag("capacity", 1, 10).is_none(),
        "its only tag does not exist yet"
    );
    let sre = before.tag("sre", 1, 10).expect("sre tag");
    assert!(sre.posts.iter().all(|p| p.slug != "later"), "not in a tag");
    assert_eq!(before.search("Later").total, 0, "not searchable");
    assert!(
        before.redirect("/later.html").is_none(),
        "no old-URL redirect"
    );
    let scheduled = before.scheduled();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].path, "posts/later.md");
    assert_eq!(scheduled[0].at_rfc3339(), "2030-06-01T07:30:00Z");
    assert_eq!(before.next_publish(), Some(scheduled[0].at));
    // The published neighbour does not point at it.
    assert_eq!(before.post("live").and_then(|p| p.newer.clone()), None);

    let after = load_at(dir.path(), "2030-06-01T07:30:00Z");
    assert!(
        after.post("later").is_some(),
        "live from the second it names"
    );
    assert_eq!(after.posts().len(), 2);
    assert!(after.tag("capacity", 1, 10).is_some());
    assert_eq!(after.search("Later").total, 1);
    assert!(after.scheduled().is_empty());
    assert_eq!(after.next_publish(), None);
    assert_eq!(
        after.post("live").and_then(|p| p.newer.clone()),
        Some(("later".to_string(), "Later post".to_string()))
    );
    // Going live moves Last-Modified past the files' own times.
    let live_at = std::time::SystemTime::from(scheduled[0].at);
    assert!(after.modified().is_some_and(|m| m >= live_at));
}

#[test]
fn a_bare_future_date_goes_live_at_midnight_utc() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "posts/day.md", &post("Day", "2031-03-04", ""));
    let before = load_at(dir.path(), "2031-03-03T23:59:59Z");
    assert_eq!(before.scheduled()[0].at_rfc3339(), "2031-03-04T00:00:00Z");
    assert!(load_at(dir.path(), "2031-03-04T00:00:00Z")
        .post("day")
        .is_some());
}

#[test]
fn series_parts_are_in_date_order_with_each_post_s_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = "series: \"Nomad in production\"\n";
    write(
        dir.path(),
        "posts/c.md",
        &post("Part three", "2024-03-01", series),
    );
    write(
        dir.path(),
        "posts/a.md",
        &post("Part one", "2024-01-01", series),
    );
    write(
        dir.path(),
        "posts/b.md",
        &post("Part two", "2024-02-01", series),
    );
    write(dir.path(), "posts/lone.md", &post("Lone", "2024-02-15", ""));
    let site = load(dir.path());
    assert!(site.diagnostics().is_empty(), "{:?}", site.diagnostics());
    let two = site
        .post("b")
        .and_then(|p| p.series.clone())
        .expect("series");
    assert_eq!(two.name, "Nomad in production");
    assert_eq!(two.position, 2);
    let slugs: Vec<&str> = two.parts.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(slugs, ["a", "b", "c"]);
    assert_eq!(
        site.post("c")
            .and_then(|p| p.series.clone())
            .map(|s| s.position),
        Some(3)
    );
    assert!(site.post("lone").is_some_and(|p| p.series.is_none()));
}

#[test]
fn series_mistakes_are_diagnostics_at_the_key_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/a.md",
        &post(
            "A",
            "2024-01-01",
            "tags: [x]\nseries: \"Kubernetes upgrades\"\n",
        ),
    );
    write(
        dir.path(),
        "posts/b.md",
        &post("B", "2024-01-02", "series: \"kubernetes upgrades\"\n"),
    );
    write(
        dir.path(),
        "posts/c.md",
        &post("C", "2024-01-03", "series: \"  \"\n"),
    );
    let site = load(dir.path());
    let all: Vec<String> = site.diagnostics().iter().map(ToString::to_string).collect();
    assert_eq!(
        all,
        [
            "posts/a.md:5:1: warning: series `Kubernetes upgrades` has only this part",
            "posts/b.md:4:1: warning: series `kubernetes upgrades` differs from series `Kubernetes upgrades` only in case: they are two series",
            "posts/b.md:4:1: warning: series `kubernetes upgrades` has only this part",
            "posts/c.md:4:1: error: empty `series`: name the series or remove the key",
        ]
    );
    assert!(
        site.post("c").is_none(),
        "a post with an empty series is skipped"
    );
}

#[test]
fn related_posts_rank_shared_tags_over_shared_terms_and_skip_the_series() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: Glossary\n---\n\n## Terraform {#terraform}\n\nIaC tool.\n\n## Helm {#helm}\n\nCharts.\n",
    );
    let body = |title: &str, date: &str, extra: &str, text: &str| {
        format!("---\ntitle: \"{title}\"\ndate: {date}\n{extra}---\n\n{text}\n")
    };
    let w = |rel: &str, text: String| write(dir.path(), rel, &text);
    w(
        "posts/main.md",
        body(
            "Main",
            "2024-05-01",
            "tags: [iac, gcp]\n",
            "Uses Terraform and Helm.",
        ),
    );
    w(
        "posts/two_tags.md",
        body(
            "Two tags",
            "2024-01-01",
            "tags: [iac, gcp]\n",
            "Nothing else.",
        ),
    );
    w(
        "posts/one_tag_terms.md",
        body(
            "One tag two terms",
            "2024-02-01",
            "tags: [iac]\n",
            "Terraform and Helm again.",
        ),
    );
    w(
        "posts/terms_only.md",
        body(
            "Terms only",
            "2024-03-01",
            "tags: [python]\n",
            "Terraform here.",
        ),
    );
    w(
        "posts/tie_newer.md",
        body("Tie newer", "2024-04-01", "tags: [gcp]\n", "Plain."),
    );
    w(
        "posts/tie_older.md",
        body("Tie older", "2023-04-01", "tags: [gcp]\n", "Plain."),
    );
    w(
        "posts/unrelated.md",
        body(
            "Unrelated",
            "2024-04-02",
            "tags: [rust]\n",
            "Nothing shared.",
        ),
    );
    let site = load(dir.path());
    assert!(errors(&site).is_empty(), "{:?}", errors(&site));
    let related: Vec<String> = site
        .post("main")
        .expect("main")
        .related
        .iter()
        .map(|r| r.slug.clone())
        .collect();
    // two_tags: 2+2 = 4; one_tag_terms: 2+1+1 = 4 (newer wins the tie);
    // tie_newer: 2 beats tie_older: 2 (newer) and terms_only: 1.
    assert_eq!(related, ["one_tag_terms", "two_tags", "tie_newer"]);
    let unrelated = &site.post("unrelated").expect("post").related;
    assert!(unrelated.is_empty(), "nothing shared, nothing shown");

    // Parts of the same series are not "related": the series box lists them.
    w(
        "posts/two_tags.md",
        body(
            "Two tags",
            "2024-01-01",
            "tags: [iac, gcp]\nseries: \"S\"\n",
            "x",
        ),
    );
    w(
        "posts/main.md",
        body(
            "Main",
            "2024-05-01",
            "tags: [iac, gcp]\nseries: \"S\"\n",
            "Uses Terraform and Helm.",
        ),
    );
    let site = load(dir.path());
    let related: Vec<String> = site
        .post("main")
        .expect("main")
        .related
        .iter()
        .map(|r| r.slug.clone())
        .collect();
    assert_eq!(related, ["one_tag_terms", "tie_newer", "tie_older"]);
}

#[test]
fn author_and_image_are_kept_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/a.md",
        &post(
            "A",
            "2024-01-01",
            "author: \"Ana Ops\"\nimage: https://cdn.example.com/a.png\n",
        ),
    );
    write(
        dir.path(),
        "posts/b.md",
        &post("B", "2024-01-02", "image: ./cover.png\n"),
    );
    write(
        dir.path(),
        "posts/c.md",
        &post("C", "2024-01-03", "image: /images/c.png\n"),
    );
    write(
        dir.path(),
        "posts/d.md",
        &post("D", "2024-01-04", "author: \"\"\n"),
    );
    write(
        dir.path(),
        "posts/e.md",
        &post("E", "2024-01-05", "tags: [x]\nimage: ../../etc/passwd\n"),
    );
    let site = load(dir.path());
    let a = site.post("a").expect("a");
    assert_eq!(a.author.as_deref(), Some("Ana Ops"));
    assert_eq!(a.image.as_deref(), Some("https://cdn.example.com/a.png"));
    let b = site.post("b").expect("b");
    assert_eq!(b.author, None, "the site's author applies");
    assert_eq!(
        b.image.as_deref(),
        Some("/posts/b/cover.png"),
        "beside the post"
    );
    assert_eq!(
        site.post("c").and_then(|p| p.image.clone()).as_deref(),
        Some("/images/c.png")
    );
    assert_eq!(
        errors(&site),
        [
            "posts/d.md:4:1: error: empty `author`: name the author or remove the key for the site's default",
            "posts/e.md:5:1: error: invalid `image` `../../etc/passwd`: use a file beside the post, a /site/path or an https:// URL",
        ]
    );
}

fn png(dir: &Path, rel: &str, width: u32, height: u32) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    img.save(&path).expect("write png");
}

#[test]
fn images_get_sizes_lazy_loading_srcset_and_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/k8s-upgrade/index.md",
        "---\ntitle: \"Bundle\"\ndate: 2024-01-01\n---\n\n![Node pool graph](pool.png \"Pools\")\n\n![Error budget](/images/budget.png)\n\n![](../../images/budget.png)\n\n![Gone](missing.png)\n",
    );
    png(dir.path(), "posts/k8s-upgrade/pool.png", 2000, 1000);
    png(dir.path(), "images/budget.png", 300, 120);
    let site = load(dir.path());
    let all: Vec<String> = site.diagnostics().iter().map(ToString::to_string).collect();
    assert_eq!(
        all,
        [
            "posts/k8s-upgrade/index.md:10:1: warning: image `../../images/budget.png` has no alt text: describe it for readers who cannot see it",
            "posts/k8s-upgrade/index.md:12:1: error: image not found: `missing.png` (looked for posts/k8s-upgrade/missing.png)",
        ]
    );
    let post = site
        .post("k8s-upgrade")
        .expect("bundle named by its folder");
    let imgs: Vec<&str> = post
        .html
        .split("<img ")
        .skip(1)
        .map(|s| s.split('>').next().unwrap_or_default())
        .collect();
    assert_eq!(imgs.len(), 4, "{}", post.html);
    assert!(imgs[0].starts_with("src=\"/posts/k8s-upgrade/pool.png\" alt=\"Node pool graph\" title=\"Pools\" width=\"2000\" height=\"1000\""), "{}", imgs[0]);
    assert!(imgs[0].contains("srcset=\"/posts/k8s-upgrade/pool-480w.png 480w, /posts/k8s-upgrade/pool-960w.png 960w, /posts/k8s-upgrade/pool-1600w.png 1600w, /posts/k8s-upgrade/pool.png 2000w\""), "{}", imgs[0]);
    assert!(
        !imgs[0].contains("loading="),
        "the first image loads at once"
    );
    assert!(
        imgs[1].contains("width=\"300\" height=\"120\" loading=\"lazy\" decoding=\"async\""),
        "{}",
        imgs[1]
    );
    assert!(!imgs[1].contains("srcset"), "small images have no copies");
    assert!(
        imgs[2].starts_with("src=\"/images/budget.png\" alt=\"\""),
        "{}",
        imgs[2]
    );
    assert!(
        imgs[3].starts_with("src=\"missing.png\"") && !imgs[3].contains("width"),
        "{}",
        imgs[3]
    );

    // The copies are real, made once, and listed for the export.
    let urls = site.assets().urls();
    assert_eq!(
        urls,
        [
            "/images/budget.png",
            "/posts/k8s-upgrade/pool-1600w.png",
            "/posts/k8s-upgrade/pool-480w.png",
            "/posts/k8s-upgrade/pool-960w.png",
            "/posts/k8s-upgrade/pool.png",
        ]
    );
    let Some(assets::Served::Bytes(bytes, mime)) =
        site.assets().lookup("/posts/k8s-upgrade/pool-480w.png")
    else {
        panic!("variant served from memory");
    };
    assert_eq!(mime, "image/png");
    let small = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((small.width(), small.height()), (480, 240));
    let again = load(dir.path());
    let Some(assets::Served::Bytes(same, _)) =
        again.assets().lookup("/posts/k8s-upgrade/pool-480w.png")
    else {
        panic!("variant");
    };
    assert!(
        std::sync::Arc::ptr_eq(&bytes, &same),
        "a reload reuses the copy"
    );
    assert!(
        site.assets()
            .lookup("/posts/k8s-upgrade/index.md")
            .is_none(),
        "only images"
    );
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
    write(
        dir.path(),
        "posts/netlify.md",
        &post(
            "Netlify",
            "2023-01-01",
            "aliases: [\"/blog/deploy-notes.html\", \"/netlify.html\"]\n",
        ),
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
    let a = site.post("a").expect("post a");
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
