//! The phrases of generated reports, read from a TOML file of templates so that an office
//! rewords its reports without a new build. The defaults (`wording/zh-CN.toml`) are embedded;
//! a custom file overrides the keys it sets.

use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::BTreeMap;

pub const DEFAULT_ZH: &str = include_str!("../wording/zh-CN.toml");

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WordingError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: unknown key `{key}` (known keys are those of the default wording file)")]
    UnknownKey { file: String, key: String },
    #[error("{file}: `{key}` must be a string")]
    NotText { file: String, key: String },
    #[error("{file}: template `{key}`: {message}")]
    Template {
        file: String,
        key: String,
        message: String,
    },
}

/// Templates by key (`self.title`, `table.rank` …).
#[derive(Debug, Clone)]
pub struct Wording {
    source: String,
    templates: BTreeMap<String, String>,
}

fn flatten(file: &str, text: &str) -> Result<BTreeMap<String, String>, WordingError> {
    let doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| WordingError::Syntax {
                file: file.to_string(),
                message: e.to_string().trim().to_string(),
            })?;
    let mut out = BTreeMap::new();
    for (section, item) in doc.iter() {
        let Some(table) = item.as_table() else {
            return Err(WordingError::NotText {
                file: file.into(),
                key: section.into(),
            });
        };
        for (key, value) in table.iter() {
            let full = format!("{section}.{key}");
            let Some(s) = value.as_str() else {
                return Err(WordingError::NotText {
                    file: file.into(),
                    key: full,
                });
            };
            out.insert(full, s.to_string());
        }
    }
    Ok(out)
}

impl Default for Wording {
    fn default() -> Wording {
        Wording {
            source: "wording/zh-CN.toml".into(),
            templates: flatten("wording/zh-CN.toml", DEFAULT_ZH)
                .expect("the default wording parses"),
        }
    }
}

impl Wording {
    /// The defaults with the keys of `text` (the file named `file`) replacing theirs. Every
    /// template is compiled here, so a broken one is reported before any report is written.
    pub fn with_overrides(file: &str, text: &str) -> Result<Wording, WordingError> {
        let mut w = Wording::default();
        for (key, value) in flatten(file, text)? {
            if !w.templates.contains_key(&key) {
                return Err(WordingError::UnknownKey {
                    file: file.into(),
                    key,
                });
            }
            w.templates.insert(key, value);
        }
        w.source = file.to_string();
        let env = w.env();
        for key in w.templates.keys() {
            env.get_template(key).map_err(|e| WordingError::Template {
                file: file.into(),
                key: key.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(w)
    }

    fn env(&self) -> Environment<'_> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (k, v) in &self.templates {
            // Compile errors surface in `with_overrides`; here a broken template is skipped and
            // reported when it is rendered.
            let _ = env.add_template(k, v);
        }
        env
    }

    /// The phrase `key` rendered with `ctx`.
    pub fn render(&self, key: &str, ctx: Value) -> Result<String, WordingError> {
        let env = self.env();
        let fail = |message: String| WordingError::Template {
            file: self.source.clone(),
            key: key.to_string(),
            message,
        };
        let t = env
            .get_template(key)
            .map_err(|e| fail(format!("cannot be used: {e}")))?;
        t.render(ctx).map_err(|e| fail(e.to_string()))
    }

    /// A setting written as a whole number.
    pub fn number(&self, key: &str) -> Result<usize, WordingError> {
        self.word(key)
            .trim()
            .parse()
            .map_err(|_| WordingError::Template {
                file: self.source.clone(),
                key: key.to_string(),
                message: "must be a whole number".into(),
            })
    }

    /// A phrase without variables (headings, column names, status words).
    pub fn word(&self, key: &str) -> String {
        self.templates.get(key).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn overrides_replace_only_their_keys_and_typos_are_refused() {
        let w = Wording::with_overrides("x.toml", "[self]\nheading_next = \"明年打算\"\n").unwrap();
        assert_eq!(w.word("self.heading_next"), "明年打算");
        assert_eq!(w.word("self.heading_problems"), "存在的不足和整改措施");
        let e = Wording::with_overrides("x.toml", "[self]\nheading_nxt = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("self.heading_nxt"), "{e}");
        let e = Wording::with_overrides("x.toml", "[self]\ntitle = \"{{ unit \"\n").unwrap_err();
        assert!(e.to_string().contains("self.title"), "{e}");
    }

    #[test]
    fn a_missing_variable_is_an_error_naming_the_template() {
        let w = Wording::with_overrides("x.toml", "[self]\ntitle = \"{{ unitt }}\"\n").unwrap();
        let e = w
            .render("self.title", context! { unit => "东城区" })
            .unwrap_err();
        assert!(
            e.to_string().contains("x.toml") && e.to_string().contains("self.title"),
            "{e}"
        );
    }
}
