//! How the process hands memory back: glibc's allocator keeps what a
//! content load or an index build freed unless told otherwise.

/// Hands memory freed after a load (file texts, parse trees, per-thread
/// buffers: several times the size of the site) back to the OS. glibc keeps it
/// in its arenas otherwise, and the process would hold its peak for good.
// `unsafe_code` is denied crate-wide (Cargo.toml `[lints]`): allowed here
// for one C function that no crate we use wraps safely.
#[allow(unsafe_code)]
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; no pointer of
    // ours is involved and it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Caps glibc's malloc arenas at one per core, unless `MALLOC_ARENA_MAX` is
/// set (glibc has read it already). Call before any thread starts.
///
/// Why: glibc gives threads up to eight arenas per core, and the load and
/// the search index build run on many threads (rayon, the build thread);
/// each arena keeps its own partly used pages after they are freed, which
/// `malloc_trim` cannot return. At 10,000 posts on 2 cores, one arena per
/// core held the process at 248 MB with the index built, the default
/// 265 MB (BENCHMARKS.md, branch `searchmem`).
#[allow(unsafe_code)]
pub fn limit_malloc_arenas() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Some(n) = arena_limit(std::env::var_os("MALLOC_ARENA_MAX").is_some(), cores) {
        // SAFETY: mallopt only sets a glibc tunable; no pointer is involved.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, n);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arena_limit(false, cores);
}

/// The arena cap to set: none when the environment sets one (the
/// operator's choice stands), else one per core (at least one).
fn arena_limit(set_by_env: bool, cores: usize) -> Option<i32> {
    (!set_by_env).then(|| i32::try_from(cores.max(1)).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::arena_limit;

    #[test]
    fn one_arena_per_core_unless_the_environment_says() {
        assert_eq!(arena_limit(false, 2), Some(2));
        assert_eq!(arena_limit(false, 0), Some(1));
        assert_eq!(arena_limit(false, usize::MAX), Some(i32::MAX));
        assert_eq!(arena_limit(true, 2), None);
    }
}
