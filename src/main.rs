//! The `iacgen` binary: parse the command line and hand over to `cli`.

mod cli;

// A build allocates and frees hundreds of thousands of small strings across threads; mimalloc does
// that in about half the time of glibc's allocator (README "Performance").
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    #[cfg(feature = "mimalloc")]
    return_freed_memory_at_once();
    cli::main()
}

/// mimalloc keeps freed pages for 10 ms before giving them back to the system; a build frees each
/// target's intermediate trees while the next ones are built, so that delay added ~40 MiB to the
/// peak at 1,000 services for no measurable speed. `mi_option_purge_delay` is entry 15 of
/// `mi_option_e` in the mimalloc v3 header that libmimalloc-sys (pinned by Cargo.lock) compiles.
#[cfg(feature = "mimalloc")]
fn return_freed_memory_at_once() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets a process-wide integer option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}
