//! Editing a task book's TOML as the browser editor does: one node's fields set, a node added,
//! renamed or removed, leaving everything else (comments, order, the other tables) as written.
//! An edit only writes; whether the result is a valid task book is [`crate::parse_toml`]'s to
//! say, with the same located diagnostics as `jixiao check`. [`outline`] reads the tree of a
//! draft even while it has errors, so the editor can show it.

use crate::draft::ParamValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

/// What the editor's node form sends: every field it shows. Empty texts and absent numbers
/// remove the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NodeFields {
    pub id: String,
    /// The parent node's id; empty or absent: a top-level dimension.
    #[serde(default)]
    pub parent: Option<String>,
    pub name: String,
    pub points: f64,
    #[serde(default)]
    pub description: Option<String>,
    /// Evaluating units' ids (考评单位).
    #[serde(default)]
    pub evaluators: Vec<String>,
    /// A task's scoring method (`ratio`, `threshold`, `qualitative` …); absent for an indicator,
    /// whose points are its children's.
    #[serde(default)]
    pub method: Option<String>,
    /// The method's parameters as written inside an inline table: `cap = 1.1`.
    #[serde(default)]
    pub params: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    /// `higher` or `lower`.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub challenge: Option<f64>,
    #[serde(default)]
    pub floor: Option<f64>,
}

/// Why an edit could not be made; names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for EditError {}

fn problem(field: &str, message: impl Into<String>) -> EditError {
    EditError {
        field: field.into(),
        message: message.into(),
    }
}

fn document(source: &str) -> Result<DocumentMut, EditError> {
    source.parse::<DocumentMut>().map_err(|e| {
        problem(
            "source",
            format!(
                "the task book is not valid TOML, so a node cannot be edited: {}",
                e.message()
            ),
        )
    })
}

fn nodes(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, EditError> {
    if !doc.contains_key("node") {
        doc.insert("node", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc["node"]
        .as_array_of_tables_mut()
        .ok_or_else(|| problem("source", "`node` must be written as [[node]] tables"))
}

fn id_of(t: &Table) -> Option<&str> {
    t.get("id").and_then(|i| i.as_str())
}

fn parent_of(t: &Table) -> Option<&str> {
    t.get("parent").and_then(|i| i.as_str())
}

fn text_or_remove(t: &mut Table, key: &str, v: Option<&str>) {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => {
            t[key] = toml_edit::value(v);
        }
        None => {
            t.remove(key);
        }
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

fn number_or_remove(t: &mut Table, key: &str, v: Option<f64>) -> Result<(), EditError> {
    match v {
        Some(x) if !x.is_finite() => Err(problem(key, format!("{x} is not a number"))),
        Some(x) => {
            t[key] = Item::Value(number(x));
            Ok(())
        }
        None => {
            t.remove(key);
            Ok(())
        }
    }
}

fn checked_id(field: &str, id: &str) -> Result<String, EditError> {
    let id = id.trim();
    if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(problem(field, "an id must be non-empty, without spaces"));
    }
    Ok(id.to_string())
}

/// The source with node `original` (None: a new node) set to `f`. A renamed node's children
/// follow it; a new node's id must be new and its parent must exist.
pub fn set_node(source: &str, original: Option<&str>, f: &NodeFields) -> Result<String, EditError> {
    let mut doc = document(source)?;
    let id = checked_id("id", &f.id)?;
    let name = f.name.trim();
    if name.is_empty() {
        return Err(problem("name", "a node needs a name"));
    }
    if !f.points.is_finite() || f.points < 0.0 {
        return Err(problem(
            "points",
            format!("points must be a number ≥ 0, found {}", f.points),
        ));
    }
    let parent = match f.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(checked_id("parent", p)?),
        None => None,
    };
    let params = match f.params.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let parsed = format!("params = {{ {p} }}")
                .parse::<DocumentMut>()
                .map_err(|e| problem("params", format!("`{p}`: {}", e.message().trim())))?;
            parsed
                .get("params")
                .and_then(|i| i.as_inline_table())
                .cloned()
        }
        None => None,
    };
    let list = nodes(&mut doc)?;
    let ids: Vec<String> = list
        .iter()
        .filter_map(|t| id_of(t).map(str::to_string))
        .collect();
    let at = match original {
        Some(o) => Some(
            ids.iter()
                .position(|x| x == o)
                .ok_or_else(|| problem("id", format!("there is no node `{o}` to change")))?,
        ),
        None => None,
    };
    if original != Some(id.as_str()) && ids.contains(&id) {
        return Err(problem("id", format!("a node `{id}` exists already")));
    }
    if let Some(p) = &parent {
        if !ids.contains(p) {
            return Err(problem("parent", format!("there is no node `{p}`")));
        }
        if Some(p.as_str()) == original || *p == id {
            return Err(problem("parent", "a node cannot be its own parent"));
        }
    }
    let table = match at {
        Some(i) => list.get_mut(i).expect("found above"),
        None => {
            list.push(Table::new());
            let last = list.len() - 1;
            list.get_mut(last).expect("just pushed")
        }
    };
    table["id"] = toml_edit::value(id.as_str());
    table["name"] = toml_edit::value(name);
    text_or_remove(table, "parent", parent.as_deref());
    table["points"] = Item::Value(number(f.points));
    text_or_remove(table, "description", f.description.as_deref());
    let evaluators: Vec<String> = f
        .evaluators
        .iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    if evaluators.is_empty() {
        table.remove("evaluators");
    } else {
        let mut a = Array::new();
        for e in &evaluators {
            a.push(e.as_str());
        }
        table["evaluators"] = Item::Value(Value::Array(a));
    }
    match f.method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => {
            table["method"] = toml_edit::value(m);
            table.remove("children_sum");
        }
        None => {
            table.remove("method");
            table.remove("params");
        }
    }
    if f.method.as_deref().is_some_and(|m| !m.trim().is_empty()) {
        match params {
            Some(p) => table["params"] = Item::Value(Value::InlineTable(p)),
            None => {
                table.remove("params");
            }
        }
    }
    text_or_remove(table, "measure", f.measure.as_deref());
    text_or_remove(table, "direction", f.direction.as_deref());
    number_or_remove(table, "target", f.target)?;
    number_or_remove(table, "challenge", f.challenge)?;
    number_or_remove(table, "floor", f.floor)?;
    // Children of a renamed node follow it.
    if let Some(o) = original.filter(|o| *o != id) {
        for t in list.iter_mut() {
            if parent_of(t) == Some(o) {
                t["parent"] = toml_edit::value(id.as_str());
            }
        }
    }
    Ok(doc.to_string())
}

/// The source without node `id`; a node with children is kept (remove them first).
pub fn remove_node(source: &str, id: &str) -> Result<String, EditError> {
    let mut doc = document(source)?;
    let list = nodes(&mut doc)?;
    let at = list
        .iter()
        .position(|t| id_of(t) == Some(id))
        .ok_or_else(|| problem("id", format!("there is no node `{id}`")))?;
    let children: Vec<String> = list
        .iter()
        .filter(|t| parent_of(t) == Some(id))
        .filter_map(|t| id_of(t).map(str::to_string))
        .collect();
    if !children.is_empty() {
        return Err(problem(
            "id",
            format!(
                "`{id}` has children ({}): remove or move them first",
                children.join(", ")
            ),
        ));
    }
    list.remove(at);
    Ok(doc.to_string())
}

/// A node of a draft as the editor's tree shows it, read even when the draft has errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OutlineNode {
    pub id: String,
    pub parent: Option<String>,
    /// 0 for a dimension, 1 for its indicators …
    pub depth: usize,
    pub name: String,
    pub points: Option<f64>,
    pub description: Option<String>,
    pub evaluators: Vec<String>,
    pub method: Option<String>,
    /// The parameters as written inside the inline table (`cap = 1.1`).
    pub params: String,
    pub measure: Option<String>,
    pub direction: Option<String>,
    pub target: Option<f64>,
    pub challenge: Option<f64>,
    pub floor: Option<f64>,
    /// The line of its `[[node]]` in the source.
    pub line: Option<usize>,
}

fn param_text(v: &ParamValue) -> String {
    match v {
        ParamValue::Num(x) => jixiao_core::explain::num(*x),
        ParamValue::Str(t) => format!("{t:?}"),
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Table(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, x)| format!("{k:?} = {}", jixiao_core::explain::num(*x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The draft's nodes in tree order (each after its parent, children in the order written);
/// a node whose parent is unknown shows at the top level. Empty when the TOML cannot be read.
pub fn outline(source: &str) -> Vec<OutlineNode> {
    let Ok((draft, _)) = crate::toml_read::read_toml(source, "draft") else {
        return Vec::new();
    };
    let flat: Vec<OutlineNode> = draft
        .nodes
        .iter()
        .map(|n| OutlineNode {
            id: n.id.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            parent: n.parent.as_ref().map(|x| x.v.clone()),
            depth: 0,
            name: n.name.as_ref().map(|x| x.v.clone()).unwrap_or_default(),
            points: n.points.as_ref().map(|x| x.v),
            description: n.description.as_ref().map(|x| x.v.clone()),
            evaluators: n.evaluators.iter().map(|x| x.v.clone()).collect(),
            method: n.method.as_ref().map(|x| x.v.clone()),
            params: n
                .params
                .iter()
                .map(|(k, v)| format!("{} = {}", k.v, param_text(&v.v)))
                .collect::<Vec<_>>()
                .join(", "),
            measure: n.measure.as_ref().map(|x| x.v.clone()),
            direction: n.direction.as_ref().map(|x| x.v.clone()),
            target: n.target.as_ref().map(|x| x.v),
            challenge: n.challenge.as_ref().map(|x| x.v),
            floor: n.floor.as_ref().map(|x| x.v),
            line: match &n.loc {
                Some(crate::diag::Location::Text { line, .. }) => Some(*line),
                _ => None,
            },
        })
        .collect();
    let known: std::collections::HashSet<&str> = flat.iter().map(|n| n.id.as_str()).collect();
    let mut out = Vec::with_capacity(flat.len());
    let mut placed = vec![false; flat.len()];
    fn place(
        flat: &[OutlineNode],
        placed: &mut [bool],
        out: &mut Vec<OutlineNode>,
        parent: &str,
        depth: usize,
    ) {
        for (i, n) in flat.iter().enumerate() {
            if !placed[i] && n.parent.as_deref() == Some(parent) && depth < 16 {
                placed[i] = true;
                out.push(OutlineNode { depth, ..n.clone() });
                place(flat, placed, out, &n.id, depth + 1);
            }
        }
    }
    for i in 0..flat.len() {
        let top = match flat[i].parent.as_deref() {
            None => true,
            Some(p) => !known.contains(p),
        };
        if top && !placed[i] {
            placed[i] = true;
            out.push(flat[i].clone());
            place(&flat, &mut placed, &mut out, &flat[i].id, 1);
        }
    }
    // Whatever a cycle of parents kept out, last, so nothing written is hidden.
    for i in 0..flat.len() {
        if !placed[i] {
            out.push(flat[i].clone());
        }
    }
    out
}

/// A blank task book to start a draft from: the cycle, the organisation when there is one, one
/// dimension with one task, and the usual grades, valid as it is.
pub fn starter(id: &str, name: &str, year: i32, organisation: Option<(&str, &str)>) -> String {
    let organisation = organisation
        .map(|(id, name)| format!("[organisation]\nid = {id:?}\nname = {name:?}\n\n"))
        .unwrap_or_default();
    format!(
        "# {name}\n\n[cycle]\nid = {id:?}\nname = {name:?}\nstart = {year}-01-01\nend = {year}-12-31\nperiods = \"quarterly\"\ndeadline_days = 15\n\n\
         {organisation}[scoring]\ntotal_points = 100\nranking_decimals = 2\n\n\
         [[grade]]\nname = \"优秀\"\nmin = 90\n\n[[grade]]\nname = \"良好\"\nmin = 80\n\n[[grade]]\nname = \"达标\"\nmin = 60\n\n[[grade]]\nname = \"不达标\"\nmin = 0\n\n\
         [[unit]]\nid = \"unit-1\"\nname = \"单位一\"\nkind = \"other\"\n\n\
         [[node]]\nid = \"D1\"\nname = \"重点工作\"\npoints = 100\nchildren_sum = true\n\n\
         [[node]]\nid = \"D1-1\"\nparent = \"D1\"\nname = \"重点任务完成率\"\npoints = 100\nmethod = \"ratio\"\nparams = {{ cap = 1.0 }}\nmeasure = \"%\"\ndirection = \"higher\"\ntarget = 100\n"
    )
}

/// The draft's evaluating units as (id, name), for the node form; empty when the TOML cannot
/// be read.
pub fn evaluators(source: &str) -> Vec<(String, String)> {
    let Ok((draft, _)) = crate::toml_read::read_toml(source, "draft") else {
        return Vec::new();
    };
    draft
        .evaluators
        .iter()
        .filter_map(|e| {
            Some((
                e.id.as_ref()?.v.clone(),
                e.name.as_ref().map(|n| n.v.clone()).unwrap_or_default(),
            ))
        })
        .collect()
}
