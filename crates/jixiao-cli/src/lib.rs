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

/// Diagnostics printed at most; the count says how many there were.
const DIAGNOSTICS_SHOWN: usize = 100;

impl std::fmt::Display for Diagnosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in self.0.iter().take(DIAGNOSTICS_SHOWN) {
            writeln!(f, "{d}")?;
        }
        if self.0.len() > DIAGNOSTICS_SHOWN {
            writeln!(f, "… and {} more", self.0.len() - DIAGNOSTICS_SHOWN)?;
        }
        write!(f, "{} error(s); nothing was written", self.0.len())
    }
}

impl std::error::Error for Diagnosed {}

/// Runs a command; errors go to stderr and give exit code 1.
pub fn run(cli: cli::Cli) -> ExitCode {
    // Office files read by this command (imports, checks) are held to the limits the
    // environment sets; `serve` reads its configuration file for them.
    match jixiao_files::Limits::from_env() {
        Ok(limits) => {
            if !matches!(cli.command, cli::Command::Serve(_) | cli::Command::Demo(_)) {
                jixiao_files::set_limits(limits);
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    // The audit key keys the log and the row seals; `serve` reads it from its configuration.
    if !matches!(cli.command, cli::Command::Serve(_)) {
        jixiao_app::set_audit_key(std::env::var("JIXIAO_AUDIT_KEY").ok().as_deref());
    }
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
