//! The `jixiao` binary: parse arguments, set up logging, run. Everything else is in the library.

use clap::Parser;

/// mimalloc instead of the C library's allocator: an import allocates a case's strings on one
/// thread and frees them on another, which glibc's arenas serve slowly (malloc and free were a
/// fifth of an import's CPU time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    quiet_on_closed_pipe();
    let cli = jixiao::cli::Cli::parse();
    jixiao::logging::init(cli.verbose);
    jixiao::run(cli)
}

/// Output piped into `head` and cut short ends the program quietly, as command-line tools do,
/// instead of a panic on the broken pipe (Rust ignores SIGPIPE unless told otherwise).
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
