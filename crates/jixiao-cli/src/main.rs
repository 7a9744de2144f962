//! The `jixiao` binary: parse arguments, set up logging, run. Everything else is in the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = jixiao::cli::Cli::parse();
    jixiao::logging::init(cli.verbose);
    jixiao::run(cli)
}
