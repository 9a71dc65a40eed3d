//! Bad content, one case per test: each copies `tests/fixtures/site`, adds one
//! broken (or unusual) file, and checks the exact diagnostics (file, line,
//! column, message) and that the fixture's other posts are still served.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;
use common::{fixture, get};
use microblog::content::{LoadOptions, Site};

/// The fixture site plus extra files, in a temporary folder.
struct Case {
    dir: tempfile::TempDir,
    /// Static root for the router (empty).
    root: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        common::export::copy_dir(&fixture("site"), dir.path());
        Case {
            dir,
            root: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Adds `tests/fixtures/bad/<name>` as `rel`.
    fn with_fixture(self, name: &str, rel: &str) -> Case {
        let bytes = fs::read(fixture("bad").join(name)).expect("bad fixture");
        self.with_bytes(rel, &bytes)
    }

    fn with_bytes(self, rel: &str, bytes: &[u8]) -> Case {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create dir");
        }
        fs::write(path, bytes).expect("write case file");
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn load(&self) -> Site {
        Site::load(self.dir.path(), &LoadOptions::default()).expect("folder loads")
    }

    /// Every diagnostic, as `microblog check` prints it (without the folder).
    fn diagnostics(&self) -> Vec<String> {
        self.load()
            .diagnostics()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn app(&self) -> axum::Router {
        common::app(self.dir.path(), self.root.path())
    }

    /// The router over the case, once the load reported exactly `expected`
    /// and the fixture's good posts are still served.
    async fn serving_with(&self, expected: &[&str]) -> axum::Router {
        assert_eq!(self.diagnostics(), expected);
        let app = self.app();
        assert_fixture_posts_served(&app).await;
        app
    }
}

/// The fixture's two published posts answer with their text, and the home
/// page lists them.
async fn assert_fixture_posts_served(app: &axum::Router) {
    let hello = get(app, "/posts/hello").await;
    assert_eq!(hello.status, StatusCode::OK);
    assert!(hello.body.contains("The hello fixture body text"));
    let older = get(app, "/posts/older").await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(older.body.contains("First paragraph of the older post."));
    let home = get(app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("/posts/hello") && home.body.contains("/posts/older"));
}

/// A broken post, the fixture `{name}.md` copied to `posts/{name}.md`:
/// exactly `expected` is reported, `/posts/{name}` is a 404, everything else
/// is served.
async fn broken_post(name: &str, expected: &[&str]) {
    let case = Case::new().with_fixture(&format!("{name}.md"), &format!("posts/{name}.md"));
    let app = case.serving_with(expected).await;
    assert_eq!(
        get(&app, &format!("/posts/{name}")).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn malformed_yaml_body() {
    broken_post(
        "malformed_yaml",
        &["posts/malformed_yaml.md:2:8: error: unclosed quote"],
    )
    .await;
}

async fn missing_title_body() {
    broken_post(
        "missing_title",
        &["posts/missing_title.md:1:1: error: missing required field `title`"],
    )
    .await;
}

async fn invalid_date_body() {
    broken_post(
        "invalid_date",
        &["posts/invalid_date.md:3:1: error: invalid date `2024-13-45`: expected YYYY-MM-DD or RFC 3339"],
    )
    .await;
}

async fn unknown_key_body() {
    broken_post(
        "unknown_key",
        &["posts/unknown_key.md:5:1: error: unknown field `authors`, expected one of title, date, updated, draft, tags, summary, description, slug, aliases, lang, series, author, image"],
    )
    .await;
}

async fn duplicate_slug_body() {
    // `posts/twin.md` sorts after `posts/hello.md`: the first keeps the slug.
    let case = Case::new().with_fixture("duplicate_slug.md", "posts/twin.md");
    let app = case
        .serving_with(&[
            "posts/twin.md:4:1: error: duplicate slug `hello`: also used by posts/hello.md",
        ])
        .await;
    let hello = get(&app, "/posts/hello").await;
    assert!(!hello.body.contains("Twin of hello"), "the first file wins");
    assert_eq!(get(&app, "/posts/twin").await.status, StatusCode::NOT_FOUND);
}

async fn slug_with_slash_body() {
    broken_post(
        "slug_with_slash",
        &["posts/slug_with_slash.md:4:1: error: invalid slug `nested/path`: use lower-case letters, digits, `-` and `_` only"],
    )
    .await;
    let case = Case::new().with_fixture("slug_with_slash.md", "posts/slug_with_slash.md");
    let app = case.app();
    assert_eq!(
        get(&app, "/posts/nested/path").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn slug_with_dots_body() {
    broken_post(
        "slug_with_dots",
        &["posts/slug_with_dots.md:4:1: error: invalid slug `../../etc/passwd`: use lower-case letters, digits, `-` and `_` only"],
    )
    .await;
}

async fn broken_ref_body() {
    let case = Case::new().with_fixture("broken_ref.md", "posts/broken_ref.md");
    // A broken reference does not hide the post: it renders a struck-out link.
    let app = case.serving_with(&["posts/broken_ref.md:8:12: error: broken reference: no page `nowhere.md` in the content folder"]).await;
    let page = common::get_ok(&app, "/posts/broken_ref").await;
    assert!(page.body.contains("class=\"broken-ref\""), "{}", page.body);
}

async fn broken_math_body() {
    let case = Case::new().with_fixture("broken_math.md", "posts/broken_math.md");
    let diags = case.diagnostics();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].starts_with("posts/broken_math.md:8:16: error: formula does not parse: "),
        "{diags:?}"
    );
    // The post is served: the good formula as MathML, the bad one as typed.
    let app = case.app();
    assert_fixture_posts_served(&app).await;
    let page = common::get_ok(&app, "/posts/broken_math").await;
    assert!(page.body.contains("<math"), "{}", page.body);
    assert!(
        page.body.contains("$1 - \\fracc{good}{total}$</code>"),
        "{}",
        page.body
    );
}

async fn ref_escaping_the_root_body() {
    let case = Case::new().with_fixture("ref_escapes_root.md", "posts/ref_escapes_root.md");
    let app = case.serving_with(&["posts/ref_escapes_root.md:6:24: error: broken reference: `../../../etc/passwd` points outside the content folder, and no page has that file name"]).await;
    let page = common::get_ok(&app, "/posts/ref_escapes_root").await;
    // Climbing out never reads a file: only a page's *name* can match.
    assert!(!page.body.contains("root:x:0:0"));
    assert!(page.body.contains("href=\"/posts/hello\""), "{}", page.body);
}

async fn non_utf8_bytes_body() {
    let mut bytes =
        b"---\ntitle: \"Latin-1\"\ndate: 2024-01-01\n---\n\nCaf\xc3\xa9 is fine, caf".to_vec();
    bytes.extend_from_slice(b"\xe9 is not.\n");
    let case = Case::new().with_bytes("posts/latin1.md", &bytes);
    let app = case
        .serving_with(&["posts/latin1.md:6:18: error: file is not valid UTF-8"])
        .await;
    assert_eq!(
        get(&app, "/posts/latin1").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn utf8_bom_is_accepted_body() {
    let case = Case::new().with_fixture("bom.md", "posts/bom.md");
    let app = case.serving_with(&[]).await;
    let page = common::get_ok(&app, "/posts/bom").await;
    assert!(page
        .body
        .contains("<title>With a byte-order mark — microblog</title>"));
    assert!(page.body.contains("The BOM body text."));
    assert!(!page.body.contains('\u{feff}'));
}

async fn crlf_line_endings_are_accepted_body() {
    let case = Case::new().with_fixture("crlf.md", "posts/crlf.md");
    // Lines are counted as the author's editor shows them.
    let app = case
        .serving_with(&[
            "posts/crlf.md:11:12: error: broken reference: no page `gone.md` in the content folder",
        ])
        .await;
    let page = common::get_ok(&app, "/posts/crlf").await;
    assert!(page
        .body
        .contains("<title>Windows line endings — microblog</title>"));
    assert!(page.body.contains("<h2 id=\"a-heading\">"), "{}", page.body);
    assert!(!page.body.contains('\r'));
    assert!(get(&app, "/tags/sre").await.body.contains("/posts/crlf"));
}

async fn empty_file_body() {
    broken_post(
        "empty",
        &["posts/empty.md:1:1: error: empty file: expected front matter with a title"],
    )
    .await;
}

/// A post of about 10 MB: loads, renders and is served whole.
async fn ten_megabyte_post_body() {
    let mut text = String::from("---\ntitle: \"Huge\"\ndate: 2024-01-01\n---\n\n");
    let mut n: usize = 0;
    while text.len() < 10 * 1024 * 1024 {
        if n.is_multiple_of(1000) {
            text.push_str(&format!("## Part {n}\n\n"));
        }
        text.push_str(&format!(
            "Paragraph {n} with :rocket:, `inline code`, **bold** and a [link](https://example.com/{n}).\n\n"
        ));
        n += 1;
    }
    text.push_str("The very last paragraph.\n");
    let case = Case::new().with_bytes("posts/huge.md", text.as_bytes());
    assert_eq!(case.diagnostics(), Vec::<String>::new());
    let site = case.load();
    let huge = site.post_page("huge").expect("the huge post loads");
    assert!(huge.html.len() > text.len(), "{}", huge.html.len());
    assert_eq!(huge.toc.len(), n.div_ceil(1000));
    let app = case.app();
    assert_fixture_posts_served(&app).await;
    let page = common::get_ok(&app, "/posts/huge").await;
    assert!(page.body.contains("The very last paragraph."));
    assert!(page.body.starts_with("<!DOCTYPE html>"));
    assert!(page.body.contains("</html>"));
    // Too big for the page cache: rendered again, never stored.
    let again = common::get_ok(&app, "/posts/huge").await;
    assert_ne!(
        again.header(axum::http::HeaderName::from_static("x-cache")),
        "hit"
    );
    // Uncached, it still honours HEAD and revalidation.
    let head = common::send(&app, axum::http::Method::HEAD, "/posts/huge", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let etag = page.header(axum::http::header::ETAG);
    assert!(!etag.is_empty());
    assert_eq!(
        again.header(axum::http::header::ETAG),
        etag,
        "same page, same validator"
    );
    let same = common::send(
        &app,
        axum::http::Method::GET,
        "/posts/huge",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert!(same.body.is_empty());
}

/// A file over the size limit is skipped with a diagnostic, never read.
async fn oversized_file_body() {
    let case = Case::new();
    let file = fs::File::create(case.path("posts/giant.md")).expect("create");
    // Sparse: the limit is checked before reading.
    file.set_len(microblog::content::MAX_FILE_BYTES + 1)
        .expect("set length");
    assert_eq!(
        case.diagnostics(),
        [format!(
            "posts/giant.md:1:1: error: file is {} bytes, over the limit of {}: skipped",
            microblog::content::MAX_FILE_BYTES + 1,
            microblog::content::MAX_FILE_BYTES
        )]
    );
    assert_fixture_posts_served(&case.app()).await;
}

/// 10,000 levels of nested lists and block quotes (and inline nesting):
/// no stack overflow anywhere from parsing to the served page.
async fn deeply_nested_body() {
    const DEPTH: usize = 10_000;
    let mut text = String::from("---\ntitle: \"Deep\"\ndate: 2024-01-01\n---\n\n");
    text.push_str(&"- ".repeat(DEPTH));
    text.push_str("deepest list item :rocket:\n\n");
    text.push_str(&"> ".repeat(DEPTH));
    text.push_str("deepest quote\n\n");
    text.push_str(&"*".repeat(DEPTH));
    text.push_str("emphasis");
    text.push_str(&"*".repeat(DEPTH));
    text.push_str("\n\n");
    text.push_str(&"[".repeat(DEPTH));
    text.push_str("brackets");
    text.push_str(&"](x)".repeat(DEPTH));
    text.push_str("\n\nThe end of the deep post.\n");
    let case = Case::new().with_bytes("posts/deep.md", text.as_bytes());
    assert_eq!(case.diagnostics(), Vec::<String>::new());
    let site = case.load();
    let deep = site.post_page("deep").expect("the deep post loads");
    assert!(deep.html.matches("<ul>").count() >= 1000);
    assert!(deep.html.matches("<blockquote>").count() >= 1000);
    let app = case.app();
    assert_fixture_posts_served(&app).await;
    let page = common::get_ok(&app, "/posts/deep").await;
    assert!(page.body.contains("deepest list item"));
    assert!(page.body.contains("The end of the deep post."));
}

/// A symlink to a file outside the folder, and one to an outside folder: not
/// followed, reported, and nothing of the outside is served.
async fn symlink_outside_is_not_followed_body() {
    let outside = tempfile::tempdir().expect("tempdir");
    fs::write(
        outside.path().join("secret.md"),
        "---\ntitle: \"Outside\"\ndate: 2024-01-01\n---\n\nSECRET OUTSIDE TEXT\n",
    )
    .expect("write");
    let case = Case::new();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        case.path("posts/outside.md"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path(), case.path("posts/linked")).expect("symlink");
    let app = case
        .serving_with(&[
            "posts/linked:1:1: warning: symbolic link to a folder not followed",
            "posts/outside.md:1:1: error: symbolic link not followed",
        ])
        .await;
    for path in ["/posts/outside", "/posts/secret", "/search?q=secret"] {
        let page = get(&app, path).await;
        assert!(!page.body.contains("SECRET OUTSIDE TEXT"), "{path}");
    }
    assert_eq!(
        get(&app, "/posts/outside").await.status,
        StatusCode::NOT_FOUND
    );
}

/// A FIFO named like a post would block a plain `read`; a folder named like a
/// page cannot be read: both are skipped with a diagnostic.
async fn special_files_are_skipped_body() {
    let case = Case::new();
    let fifo = case.path("posts/pipe.md");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    fs::remove_file(case.path("about.md")).expect("remove about");
    fs::create_dir(case.path("about.md")).expect("folder named about.md");
    let app = case
        .serving_with(&[
            "about.md:1:1: error: not a regular file: skipped",
            "posts/pipe.md:1:1: error: not a regular file: skipped",
        ])
        .await;
    assert_eq!(get(&app, "/about").await.status, StatusCode::NOT_FOUND);
}

/// A file the server may not read (mode 000). Root reads anything, so as
/// root `microblog check` runs as `nobody` (via `setpriv`).
#[test]
fn unreadable_file_is_reported_and_the_rest_served() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new().with_fixture("invalid_date.md", "posts/locked.md");
    fs::set_permissions(
        case.path("posts/locked.md"),
        fs::Permissions::from_mode(0o000),
    )
    .expect("chmod 000");
    // Let `nobody` into the rest of the folder.
    for dir in [case.dir.path().to_path_buf(), case.path("posts")] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod dir");
    }
    let uid = Command::new("id").arg("-u").output().expect("id runs");
    let is_root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            common::process::BIN,
        ]);
        c
    } else {
        Command::new(common::process::BIN)
    };
    let out = cmd
        .args(["check", "--content-dir"])
        .arg(case.dir.path())
        .output()
        .expect("check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let root = case.dir.path().display();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!(
                "{root}/posts/locked.md:1:1: error: cannot read: Permission denied (os error 13)"
            ),
            "2 posts, 1 drafts, 2 glossary terms: 1 errors, 0 warnings".to_string(),
        ],
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
}

macro_rules! case_tests {
    ($($name:ident => $body:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                common::run($body());
            }
        )*
    };
}

case_tests! {
    malformed_yaml => malformed_yaml_body,
    missing_title => missing_title_body,
    invalid_date => invalid_date_body,
    unknown_key => unknown_key_body,
    duplicate_slug => duplicate_slug_body,
    slug_with_slash => slug_with_slash_body,
    slug_with_dots => slug_with_dots_body,
    broken_ref => broken_ref_body,
    broken_math => broken_math_body,
    ref_escaping_the_root => ref_escaping_the_root_body,
    non_utf8_bytes => non_utf8_bytes_body,
    utf8_bom_is_accepted => utf8_bom_is_accepted_body,
    crlf_line_endings_are_accepted => crlf_line_endings_are_accepted_body,
    empty_file => empty_file_body,
    ten_megabyte_post => ten_megabyte_post_body,
    oversized_file => oversized_file_body,
    deeply_nested => deeply_nested_body,
    symlink_outside_is_not_followed => symlink_outside_is_not_followed_body,
    special_files_are_skipped => special_files_are_skipped_body,
}
