//! What every command shares: opening the database, reading a task book, progress bars,
//! writing output files, language options.

use crate::cli::LangArg;
use crate::Diagnosed;
use anyhow::{anyhow, Context, Result};
use jixiao_app::Store;
use jixiao_core::{Framework, Lang};
use std::path::Path;

/// The database URL when none is given.
pub const DEFAULT_DATABASE: &str = "sqlite://jixiao.sqlite";

pub fn open(url: &str) -> Result<Store> {
    jixiao_app::open(url).with_context(|| format!("opening database {url}"))
}

pub fn file_name(p: &Path) -> String {
    p.display().to_string()
}

pub fn read(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    println!("已写入 written: {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

pub fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join("、")
}

pub fn progress(len: u64, message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

pub fn lang_of(l: &LangArg) -> Result<Lang> {
    Lang::parse(&l.lang).ok_or_else(|| anyhow!("unknown language `{}`; use zh or en", l.lang))
}

/// Reads a task book by extension, failing with every diagnostic.
pub fn read_taskbook(file: &Path) -> Result<Framework> {
    let bytes = read(file)?;
    let name = file_name(file);
    let parsed = if name.to_lowercase().ends_with(".xlsx") {
        jixiao_taskbook::xlsx::parse_xlsx(&bytes, &name)
    } else {
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "{name}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )
        })?;
        jixiao_taskbook::parse_toml(&text, &name)
    };
    parsed.map_err(|d| Diagnosed(d).into())
}

/// The text of a report file: UTF-8 text or Markdown, or the paragraphs of a Word file.
pub fn report_text(file: &Path) -> Result<String> {
    let bytes = read(file)?;
    jixiao_report::docx::document_text(&file.display().to_string(), &bytes).map_err(|e| anyhow!(e))
}

/// A unit of `fw` by id or name, as the command line accepts both.
pub fn unit_id(fw: &Framework, key: &str) -> Result<String> {
    fw.unit_index(key)
        .map(|u| fw.units[u].id.clone())
        .ok_or_else(|| {
            anyhow!(
                "unknown unit `{key}`; units: {}",
                names(fw.units.iter().map(|u| u.name.as_str()))
            )
        })
}
