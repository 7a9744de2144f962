//! The units of measure claims are read with, as data: the built-in list
//! (`data/units.toml`) and an office's own file added to it, with the conversions that let a
//! claim in one unit be checked against a task measured in another (亩 against 公顷).

use std::sync::OnceLock;

/// One unit: its written form and, when it converts, the unit it converts to and the factor.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDef {
    pub name: String,
    pub base: Option<(String, f64)>,
    /// Another way of writing a unit (㎡ for 平方米, km for 公里): claims take that unit.
    pub same_as: Option<String>,
}

/// The units the extractor reads, longest first (平方公里 before 公里).
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    units: Vec<UnitDef>,
}

pub const BUILT_IN_TOML: &str = include_str!("../data/units.toml");

/// The built-in vocabulary.
pub fn built_in() -> &'static Vocabulary {
    static BUILT_IN: OnceLock<Vocabulary> = OnceLock::new();
    BUILT_IN.get_or_init(|| {
        Vocabulary::default()
            .with(BUILT_IN_TOML, "data/units.toml")
            .expect("the built-in units parse")
    })
}

impl Default for Vocabulary {
    /// No units at all (see [`built_in`] for the list the extractor uses).
    fn default() -> Self {
        Vocabulary { units: Vec::new() }
    }
}

impl Vocabulary {
    /// This vocabulary with the units of `text` (TOML: `[[unit]] name = "亩" base = "平方米"
    /// factor = 666.67`) added; an entry of the same name replaces the one here. A mistake names
    /// the file and the entry.
    pub fn with(&self, text: &str, file: &str) -> Result<Vocabulary, String> {
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| format!("{file}: {}", e.to_string().trim()))?;
        let mut units = self.units.clone();
        for key in doc.iter().map(|(k, _)| k) {
            if key != "unit" {
                return Err(format!(
                    "{file}: `{key}` is not part of a units file ([[unit]] tables)"
                ));
            }
        }
        let Some(item) = doc.get("unit") else {
            return Ok(Vocabulary { units });
        };
        let list = item
            .as_array_of_tables()
            .ok_or_else(|| format!("{file}: write each unit as a [[unit]] table"))?;
        for (i, t) in list.iter().enumerate() {
            let at = |m: &str| format!("{file}: unit {}: {m}", i + 1);
            let name = t
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::trim)
                .filter(|n| !n.is_empty() && n.chars().count() <= 12)
                .ok_or_else(|| {
                    at("`name` is missing (the unit as written, at most 12 characters)")
                })?
                .to_string();
            if name
                .chars()
                .any(|c| c.is_ascii_digit() || c.is_whitespace())
            {
                return Err(at(&format!("`{name}` holds a digit or a space")));
            }
            let base = match (t.get("base"), t.get("factor")) {
                (None, None) => None,
                (Some(b), Some(f)) => {
                    let b = b.as_str().map(str::trim).filter(|b| !b.is_empty());
                    let f = f
                        .as_float()
                        .or_else(|| f.as_integer().map(|i| i as f64))
                        .filter(|f| f.is_finite() && *f > 0.0);
                    match (b, f) {
                        (Some(b), Some(f)) => Some((b.to_string(), f)),
                        _ => {
                            return Err(at(&format!(
                                "`{name}`: base must name a unit and factor be a number above 0"
                            )))
                        }
                    }
                }
                _ => {
                    return Err(at(&format!(
                        "`{name}`: base and factor go together (1 {name} = factor × base)"
                    )))
                }
            };
            let same_as = match t.get("same_as") {
                None => None,
                Some(v) => {
                    let v = v.as_str().map(str::trim).filter(|v| !v.is_empty());
                    match v {
                        Some(v) if base.is_none() => Some(v.to_string()),
                        Some(_) => {
                            return Err(at(&format!(
                                "`{name}`: same_as is another way of writing a unit; it takes no base and factor"
                            )))
                        }
                        None => return Err(at(&format!("`{name}`: same_as must name a unit"))),
                    }
                }
            };
            units.retain(|u| u.name != name);
            units.push(UnitDef {
                name,
                base,
                same_as,
            });
        }
        units.sort_by(|a, b| {
            b.name
                .chars()
                .count()
                .cmp(&a.name.chars().count())
                .then(a.name.cmp(&b.name))
        });
        Ok(Vocabulary { units })
    }

    pub fn units(&self) -> impl Iterator<Item = &UnitDef> {
        self.units.iter()
    }

    /// The longest unit written at `chars[i..]`.
    pub fn unit_at(&self, chars: &[char], i: usize) -> Option<&str> {
        self.units
            .iter()
            .find(|u| {
                let n = u.name.chars().count();
                chars.len() >= i + n && u.name.chars().zip(&chars[i..]).all(|(a, b)| a == *b)
            })
            .map(|u| u.name.as_str())
    }

    /// The unit a written unit stands for: 平方米 for ㎡, itself for most.
    pub fn canonical<'a>(&'a self, written: &'a str) -> &'a str {
        self.units
            .iter()
            .find(|u| u.name == written)
            .and_then(|u| u.same_as.as_deref())
            .unwrap_or(written)
    }

    /// `value` in `from` expressed in `to`, when both are the same unit or convert to a common
    /// base: 15 亩 in 公顷 is 1.0.
    pub fn convert(&self, value: f64, from: &str, to: &str) -> Option<f64> {
        if from == to {
            return Some(value);
        }
        // Follow the chain of bases to its end (亩 → 公顷 → 平方米), a few steps at most.
        let base = |u: &str| -> (String, f64) {
            let (mut unit, mut factor) = (u.to_string(), 1.0);
            for _ in 0..8 {
                match self
                    .units
                    .iter()
                    .find(|d| d.name == unit)
                    .and_then(|d| d.base.clone())
                {
                    Some((b, f)) if b != unit => {
                        unit = b;
                        factor *= f;
                    }
                    _ => break,
                }
            }
            (unit, factor)
        };
        let (fb, ff) = base(from);
        let (tb, tf) = base(to);
        (fb == tb).then(|| value * ff / tf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_units_convert_where_they_share_a_base() {
        let v = built_in();
        assert!((v.convert(15.0, "亩", "公顷").unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(v.convert(2.0, "平方公里", "平方米"), Some(2e6));
        assert_eq!(v.convert(3.0, "件", "件"), Some(3.0));
        assert_eq!(v.convert(3.0, "亩", "吨"), None);
        let chars: Vec<char> = "平方公里内".chars().collect();
        assert_eq!(v.unit_at(&chars, 0), Some("平方公里"), "the longest first");
    }

    #[test]
    fn an_office_adds_and_replaces_units_and_mistakes_are_named() {
        let v = built_in()
            .with(
                "[[unit]]\nname = \"标准箱\"\n[[unit]]\nname = \"亩\"\nbase = \"公顷\"\nfactor = 0.0666667\n",
                "office-units.toml",
            )
            .unwrap();
        let chars: Vec<char> = "标准箱".chars().collect();
        assert_eq!(v.unit_at(&chars, 0), Some("标准箱"));
        assert_eq!(v.canonical("㎡"), "平方米", "another way of writing a unit");
        assert_eq!(v.canonical("标准箱"), "标准箱");
        assert!((v.convert(15.0, "亩", "公顷").unwrap() - 1.0).abs() < 1e-5);
        for (text, says) in [
            ("[[unit]]\nbase = \"米\"\n", "`name` is missing"),
            ("[[unit]]\nname = \"里\"\nbase = \"米\"\n", "go together"),
            (
                "[[unit]]\nname = \"里\"\nbase = \"米\"\nfactor = -500\n",
                "above 0",
            ),
            ("[unit]\nname = \"里\"\n", "unit"),
            ("units = 1\n", "`units` is not part"),
            (
                "[[unit]]\nname = \"平\"\nsame_as = \"平方米\"\nbase = \"米\"\nfactor = 2\n",
                "takes no base",
            ),
        ] {
            let e = built_in().with(text, "u.toml").unwrap_err();
            assert!(e.starts_with("u.toml") && e.contains(says), "{says}: {e}");
        }
    }
}
