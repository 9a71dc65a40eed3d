//! What the export tests share: a built site root, one export at a time, and
//! reading an exported folder back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use microblog::content::{LoadOptions, Site};
use microblog::export::{export, Options, Report};

/// A built site as cargo-leptos leaves it: assets with precompressed
/// siblings, and the public files.
pub fn site_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let pkg = root.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    for (name, body) in [
        ("microblog.js", "export default function init() {}\n"),
        ("microblog_bg.wasm", "\0asm fake"),
        ("microblog.css", "body { color: black }\n"),
    ] {
        std::fs::write(pkg.join(name), body).expect("asset");
        std::fs::write(pkg.join(format!("{name}.br")), format!("br:{body}")).expect("br");
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gz:{body}")).expect("gz");
    }
    std::fs::write(
        root.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("favicon");
    // The rest of `public/` as the build copies it (the default social image).
    for entry in std::fs::read_dir(super::manifest_dir().join("public")).expect("public/") {
        let path = entry.expect("entry").path();
        let target = root.path().join(path.file_name().expect("a file name"));
        if !target.exists() {
            std::fs::copy(&path, target).expect("copy a public file");
        }
    }
    root
}

/// One test at a time: each renders the whole site, and in a debug build
/// several at once on two cores come near the server's request timeout.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn shipped() -> PathBuf {
    super::manifest_dir().join("content")
}

pub fn run_export(content: &Path, root: &Path, out: &Path, meta_redirects: bool) -> Report {
    try_export(content, root, out, false, meta_redirects, 10).expect("export succeeds")
}

pub fn try_export(
    content: &Path,
    root: &Path,
    out: &Path,
    force: bool,
    meta_redirects: bool,
    posts_per_page: usize,
) -> Result<Report, microblog::export::ExportError> {
    let state = super::state(content, root, super::settings(posts_per_page), false);
    let options = Options {
        out: out.to_path_buf(),
        force,
        meta_redirects,
        content_dir: content.to_path_buf(),
    };
    let _exclusive = super::exclusive();
    super::run(export(state, &options))
}

/// Every file under `dir`: relative path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(&path).expect("read"),
                );
            }
        }
    }
    out
}

pub fn load(content: &Path) -> Site {
    Site::load(content, &LoadOptions::default()).expect("content loads")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let path = to.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}
