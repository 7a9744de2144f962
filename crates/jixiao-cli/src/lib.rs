//! The jixiao command line as a library: [`run`] executes a parsed [`cli::Cli`]. The binary is a
//! thin `main`; black-box tests run the binary itself.
//!
//! Commands call the application (`jixiao-app`) as the office; `jixiao serve` and `jixiao demo`
//! hand a configuration to the web crate, which is used for nothing else.

pub mod cli;
pub mod commands;
pub mod logging;
pub mod serve;
pub mod support;
pub mod table;

use std::process::ExitCode;

/// A failure carrying located diagnostics, printed one per line.
#[derive(Debug)]
pub struct Diagnosed(pub Vec<jixiao_taskbook::Diagnostic>);

impl std::fmt::Display for Diagnosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} error(s); nothing was written", self.0.len())
    }
}

impl std::error::Error for Diagnosed {}

/// Runs a command; errors go to stderr and give exit code 1.
pub fn run(cli: cli::Cli) -> ExitCode {
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(d) = e.downcast_ref::<Diagnosed>() {
                eprintln!("{d}");
            } else {
                tracing::debug!(error = ?e, "command failed");
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}
