//! The category catalogue: hierarchical codes in the style of GB/T 39666-2020 (two digits per
//! level). The built-in catalogue is an illustrative subset; an office imports its own
//! (`code,name` CSV; the parent of a code is the code without its last two digits).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
}

impl Category {
    pub fn parent_code(&self) -> Option<&str> {
        (self.code.len() > 2).then(|| &self.code[..self.code.len() - 2])
    }
}

/// (code, name, share of cases, seasonal profile): 0 flat, 1 winter (heating), 2 summer, 3 early 2020.
pub const BUILT_IN: [(&str, &str, f64, u8); 30] = [
    ("01", "城乡建设", 0.0, 0),
    ("0101", "物业管理", 9.0, 0),
    ("0102", "老旧小区改造", 3.0, 0),
    ("0103", "违法建设", 3.0, 0),
    ("02", "环境保护", 0.0, 0),
    ("0201", "噪声扰民", 8.0, 2),
    ("0202", "大气污染", 3.0, 1),
    ("0203", "垃圾分类", 4.0, 0),
    ("03", "交通运输", 0.0, 0),
    ("0301", "停车管理", 7.0, 0),
    ("0302", "道路维修", 3.0, 0),
    ("0303", "公共交通", 3.0, 0),
    ("04", "市场监管", 0.0, 0),
    ("0401", "消费纠纷", 8.0, 0),
    ("0402", "食品安全", 3.0, 0),
    ("05", "劳动和社会保障", 0.0, 0),
    ("0501", "拖欠工资", 4.0, 0),
    ("0502", "社会保险", 3.0, 0),
    ("06", "教育", 0.0, 0),
    ("0601", "入学学位", 3.0, 0),
    ("07", "卫生健康", 0.0, 0),
    ("0701", "疫情防控", 6.0, 3),
    ("0702", "医疗服务", 3.0, 0),
    ("08", "公共服务", 0.0, 0),
    ("0801", "供暖", 6.0, 1),
    ("0802", "供水供电燃气", 4.0, 0),
    ("09", "城市管理", 0.0, 0),
    ("0901", "市容环境", 5.0, 0),
    ("0902", "占道经营", 3.0, 2),
    ("0903", "邻里纠纷", 3.0, 0),
];

pub fn built_in() -> Vec<Category> {
    BUILT_IN
        .iter()
        .map(|(code, name, _, _)| Category {
            code: code.to_string(),
            name: name.to_string(),
        })
        .collect()
}

/// The name of `code`, with its parent's: "城乡建设 / 物业管理".
pub fn path(catalogue: &[Category], code: &str) -> String {
    let name = |c: &str| {
        catalogue
            .iter()
            .find(|x| x.code == c)
            .map(|x| x.name.clone())
    };
    match (code.len() > 2).then(|| &code[..2]).and_then(name) {
        Some(parent) => format!(
            "{parent} / {}",
            name(code).unwrap_or_else(|| code.to_string())
        ),
        None => name(code).unwrap_or_else(|| code.to_string()),
    }
}

/// Reads a catalogue from `code,name` CSV text (a header line first). Codes are digits, two per
/// level; every code's parent (the code without its last two digits) must be listed before it.
pub fn from_csv(text: &str, file: &str) -> Result<Vec<Category>, String> {
    let mut out: Vec<Category> = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let at = |m: String| format!("{file}: line {}: {m}", n + 1);
        let (code, name) = line
            .split_once(',')
            .map(|(c, n)| (c.trim(), n.trim()))
            .ok_or_else(|| at("expected code,name".into()))?;
        if code.is_empty() || code.len() % 2 != 0 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(at(format!(
                "`{code}` is not a code of two digits per level"
            )));
        }
        if name.is_empty() {
            return Err(at(format!("`{code}` has no name")));
        }
        if out.iter().any(|c| c.code == code) {
            return Err(at(format!("`{code}` appears twice")));
        }
        let c = Category {
            code: code.to_string(),
            name: name.to_string(),
        };
        if let Some(p) = c.parent_code() {
            if !out.iter().any(|x| x.code == p) {
                return Err(at(format!(
                    "the parent `{p}` of `{code}` is not listed before it"
                )));
            }
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(format!("{file}: no categories"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_file_is_checked_line_by_line() {
        let c = from_csv("code,name\n01,城乡建设\n0101,物业管理\n", "c.csv").unwrap();
        assert_eq!(path(&c, "0101"), "城乡建设 / 物业管理");
        let e = from_csv("code,name\n0101,物业管理\n", "c.csv").unwrap_err();
        assert!(e.contains("line 2") && e.contains("parent `01`"), "{e}");
        let e = from_csv("code,name\n01,a\n1x,b\n", "c.csv").unwrap_err();
        assert!(e.contains("line 3") && e.contains("1x"), "{e}");
    }
}
