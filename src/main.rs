//! The `iacgen` binary: parse the command line and hand over to `cli`.

mod cli;

// A build allocates and frees hundreds of thousands of small strings across threads; mimalloc does
// that with less CPU than glibc's allocator and keeps the peak under the budget (the README's
// "Choices made where the spec is silent" has the figures).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
