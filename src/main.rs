//! The `iacgen` binary: parse the command line and hand over to `cli`.

mod cli;

// A build allocates and frees hundreds of thousands of small strings across threads; mimalloc does
// that with less CPU than glibc's allocator and keeps the peak under the budget (the README's
// "Choices made where the spec is silent" has the figures).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    restore_default_sigpipe();
    cli::main()
}

/// `iacgen diff | head -1`: when the reader of stdout goes away, end quietly as cat, grep and git do
/// (killed by SIGPIPE: no message, and a shell reports 141) instead of panicking on the next print.
/// Rust ignores SIGPIPE by default, which turns every later `print!` into a panic.
fn restore_default_sigpipe() {
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
