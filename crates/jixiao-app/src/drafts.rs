//! The task-book editor (任务书编辑): drafts the office edits in the browser (the tree, each
//! node's method, targets and evaluators, or the whole TOML), checked as they are typed by the
//! same reader as `jixiao check`, saved whether valid or not, and issued as the cycle's
//! version when they are. A district office's drafts are its own ([`crate::policy::works_in`]).

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, works_in, Act};
use jixiao_store::drafts::TaskbookDraft;
use jixiao_store::{Change, Store};
use jixiao_taskbook::diag::Location;
pub use jixiao_taskbook::edit::NodeFields as NodeForm;
use jixiao_taskbook::edit::{self, OutlineNode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest task book a draft holds (a city's with 420 units and 300 tasks is ~200 KB).
pub const SOURCE_CHARS: usize = 2_000_000;

/// One problem the check found, where it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// 1-based line and column in the TOML; absent for a problem of the whole file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// What the task book would be if issued now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftSummary {
    pub cycle: String,
    pub name: String,
    pub organisation: Option<String>,
    pub nodes: usize,
    pub tasks: usize,
    pub units: usize,
    /// Full marks of each class (one figure without classes).
    pub full_marks: Vec<f64>,
}

/// A check's outcome: the problems (none: the draft can be issued), the summary when valid,
/// the tree as far as it can be read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checked {
    pub problems: Vec<Problem>,
    pub summary: Option<DraftSummary>,
    pub outline: Vec<OutlineNode>,
    /// The source the check read (with a node form's change applied).
    pub source: String,
}

/// What the list and the editor say of a draft besides its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftMeta {
    pub id: String,
    pub organisation: Option<String>,
    pub started_from: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
    pub issued_at: Option<String>,
}

impl From<&TaskbookDraft> for DraftMeta {
    fn from(d: &TaskbookDraft) -> DraftMeta {
        DraftMeta {
            id: d.id.clone(),
            organisation: d.organisation.clone(),
            started_from: d.started_from.clone(),
            updated_by: d.updated_by.clone(),
            updated_at: d.updated_at.clone(),
            issued_at: d.issued_at.clone(),
        }
    }
}

/// A draft as the editor shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    #[serde(flatten)]
    pub meta: DraftMeta,
    #[serde(flatten)]
    pub checked: Checked,
    /// The draft's evaluating units, for the node form.
    pub evaluators: Vec<Named>,
    /// The scoring methods a task may have.
    pub methods: Vec<String>,
}

/// An id with its name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// A draft in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftInfo {
    #[serde(flatten)]
    pub meta: DraftMeta,
    /// Problems the check finds now (0: ready to issue).
    pub problems: usize,
    pub cycle: Option<String>,
    pub name: Option<String>,
}

/// A new draft: a copy of a stored cycle's task book (`from`), or a blank one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewDraft {
    pub id: String,
    /// The cycle whose task book to start from; absent or empty: a blank task book.
    #[serde(default)]
    pub from: Option<String>,
    /// A blank task book's cycle name.
    #[serde(default)]
    pub name: Option<String>,
    /// A blank task book's year.
    #[serde(default)]
    pub year: Option<i32>,
}

/// What a check reads: a whole source, or a source with one node's form applied.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CheckRequest {
    pub source: String,
    /// A node form to apply first (the editor checks a form as it is filled in).
    #[serde(default)]
    pub node: Option<NodeForm>,
    /// The node the form changes; absent: a new node.
    #[serde(default)]
    pub original: Option<String>,
}

fn problem_of(d: &jixiao_taskbook::Diagnostic) -> Problem {
    let (line, column) = match &d.location {
        Location::Text { line, column } => (Some(*line), Some(*column)),
        _ => (None, None),
    };
    Problem {
        line,
        column,
        message: d.message.clone(),
    }
}

/// Checks a source as `jixiao check` does.
fn check_source(source: String) -> Checked {
    let outline = edit::outline(&source);
    match jixiao_taskbook::parse_toml(&source, "taskbook.toml") {
        Ok(fw) => {
            // Each class's full marks, as one of its units has them.
            let full_marks = if fw.classes.is_empty() {
                vec![fw.total_points()]
            } else {
                fw.classes
                    .iter()
                    .filter_map(|c| {
                        let u = fw
                            .units
                            .iter()
                            .position(|u| u.class.as_ref() == Some(&c.id))?;
                        Some(fw.full_marks(u))
                    })
                    .collect()
            };
            Checked {
                problems: Vec::new(),
                summary: Some(DraftSummary {
                    cycle: fw.cycle.id.clone(),
                    name: fw.cycle.name.clone(),
                    organisation: fw.organisation.as_ref().map(|o| o.id.clone()),
                    nodes: fw.nodes.len(),
                    tasks: fw.tasks().count(),
                    units: fw.units.len(),
                    full_marks,
                }),
                outline,
                source,
            }
        }
        Err(d) => Checked {
            problems: d.iter().map(problem_of).collect(),
            summary: None,
            outline,
            source,
        },
    }
}

fn checked_text(source: &str) -> Result<()> {
    if source.chars().count() > SOURCE_CHARS {
        return Err(AppError::Invalid(format!(
            "source: the task book is longer than {SOURCE_CHARS} characters"
        )));
    }
    if source
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::Invalid(
            "source: control characters are not allowed in a task book".into(),
        ));
    }
    Ok(())
}

fn edit_error(e: edit::EditError) -> AppError {
    AppError::Invalid(e.to_string())
}

/// The draft, if the actor may work on it; another organisation's is not there.
fn draft(s: &mut Store, actor: &Actor, id: &str) -> Result<TaskbookDraft> {
    require(actor, Act::Administer)?;
    s.taskbook_draft(id)?
        .filter(|d| works_in(actor, d.organisation.as_deref()))
        .ok_or_else(|| AppError::NotFound(format!("draft `{id}`")))
}

fn view(d: TaskbookDraft) -> DraftView {
    DraftView {
        meta: DraftMeta::from(&d),
        evaluators: edit::evaluators(&d.source)
            .into_iter()
            .map(|(id, name)| Named { id, name })
            .collect(),
        methods: jixiao_taskbook::draft::METHODS
            .iter()
            .map(|(m, _)| m.to_string())
            .collect(),
        checked: check_source(d.source),
    }
}

/// The drafts the actor works on, newest change first.
pub fn list(s: &mut Store, actor: &Actor) -> Result<Vec<DraftInfo>> {
    require(actor, Act::Administer)?;
    Ok(s.taskbook_drafts()?
        .into_iter()
        .filter(|d| works_in(actor, d.organisation.as_deref()))
        .map(|d| {
            let (problems, cycle, name) = match jixiao_taskbook::parse_toml(&d.source, "x") {
                Ok(fw) => (0, Some(fw.cycle.id), Some(fw.cycle.name)),
                Err(p) => (p.len(), None, None),
            };
            DraftInfo {
                meta: DraftMeta::from(&d),
                problems,
                cycle,
                name,
            }
        })
        .collect())
}

/// Starts a draft from a cycle's task book or a blank one; it belongs to the actor's
/// organisation.
pub fn create(s: &mut Store, actor: &Actor, new: &NewDraft) -> Result<DraftView> {
    require(actor, Act::Administer)?;
    let id = new.id.trim();
    crate::text::line("id", id, crate::text::ID)?;
    if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(AppError::Invalid(
            "id: a draft id must be non-empty, without spaces or `/`".into(),
        ));
    }
    let from = new.from.as_deref().filter(|f| !f.trim().is_empty());
    let source = match from {
        Some(from) => {
            let cycle = crate::lookup::cycle_id(s, actor, Some(from))?;
            s.cycle_source(&cycle)?
        }
        None => {
            let name = new.name.as_deref().map(str::trim).unwrap_or("");
            crate::text::line("name", name, crate::text::NAME)?;
            let name = if name.is_empty() { id } else { name };
            let year = new
                .year
                .unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now().date_naive()));
            if !(2000..=2100).contains(&year) {
                return Err(AppError::Invalid(format!(
                    "year: {year} is not a year from 2000 to 2100"
                )));
            }
            let organisation = match actor.organisation() {
                Some(o) => Some((o.to_string(), organisation_name(s, o)?)),
                None => None,
            };
            edit::starter(
                id,
                name,
                year,
                organisation.as_ref().map(|(i, n)| (i.as_str(), n.as_str())),
            )
        }
    };
    s.create_taskbook_draft(id, actor.organisation(), &source, from, &actor.id)?;
    get(s, actor, id)
}

/// An organisation's name as its newest cycle gives it (its id when it runs none yet).
fn organisation_name(s: &mut Store, organisation: &str) -> Result<String> {
    Ok(crate::cycles::known_organisations(s)?
        .into_iter()
        .find(|o| o.id == organisation)
        .map(|o| o.name)
        .unwrap_or_else(|| organisation.to_string()))
}

pub fn get(s: &mut Store, actor: &Actor, id: &str) -> Result<DraftView> {
    Ok(view(draft(s, actor, id)?))
}

/// Saves the draft's whole text (valid or not) and checks it.
pub fn save(s: &mut Store, actor: &Actor, id: &str, source: &str) -> Result<DraftView> {
    draft(s, actor, id)?;
    checked_text(source)?;
    s.save_taskbook_draft(id, source, &actor.id)?;
    get(s, actor, id)
}

/// Sets one node from the editor's form (`original` None: a new node) and saves the draft.
pub fn set_node(
    s: &mut Store,
    actor: &Actor,
    id: &str,
    original: Option<&str>,
    form: &NodeForm,
) -> Result<DraftView> {
    let d = draft(s, actor, id)?;
    crate::text::line("name", &form.name, crate::text::NAME)?;
    if let Some(text) = &form.description {
        crate::text::paragraphs("description", text, crate::text::DESCRIPTION)?;
    }
    let edited = edit::set_node(&d.source, original, form).map_err(edit_error)?;
    save(s, actor, id, &edited)
}

/// Sets node `node` from the form: the node if the draft has it (renamed when the form's id
/// differs), else a new node.
pub fn put_node(
    s: &mut Store,
    actor: &Actor,
    id: &str,
    node: &str,
    form: &NodeForm,
) -> Result<DraftView> {
    let d = draft(s, actor, id)?;
    let exists = edit::outline(&d.source).iter().any(|n| n.id == node);
    set_node(s, actor, id, exists.then_some(node), form)
}

/// Removes a node without children and saves the draft.
pub fn remove_node(s: &mut Store, actor: &Actor, id: &str, node: &str) -> Result<DraftView> {
    let d = draft(s, actor, id)?;
    let edited = edit::remove_node(&d.source, node).map_err(edit_error)?;
    save(s, actor, id, &edited)
}

/// Checks a source (with a node form applied first, if any) without saving: the editor's
/// check as one types.
pub fn check(actor: &Actor, request: &CheckRequest) -> Result<Checked> {
    require(actor, Act::Administer)?;
    checked_text(&request.source)?;
    let source = match &request.node {
        Some(form) => edit::set_node(
            &request.source,
            request.original.as_deref().filter(|o| !o.is_empty()),
            form,
        )
        .map_err(edit_error)?,
        None => request.source.clone(),
    };
    Ok(check_source(source))
}

/// What issuing a draft did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Issued {
    pub cycle: String,
    /// created, updated or unchanged.
    #[schema(value_type = String)]
    pub change: Change,
}

/// Issues a valid draft as its cycle's task book (a new cycle, or the cycle's next version);
/// a draft with problems is refused with each one located.
pub fn issue(s: &mut Store, actor: &Actor, id: &str) -> Result<Issued> {
    let d = draft(s, actor, id)?;
    let fw = jixiao_taskbook::parse_toml(&d.source, &format!("draft {id}"))
        .map_err(AppError::diagnosed)?;
    let change = crate::cycles::import_taskbook(s, actor, &fw, Some(&d.source))?;
    s.mark_taskbook_draft_issued(id)?;
    Ok(Issued {
        cycle: fw.cycle.id,
        change,
    })
}

pub fn delete(s: &mut Store, actor: &Actor, id: &str) -> Result<()> {
    draft(s, actor, id)?;
    Ok(s.delete_taskbook_draft(id, &actor.id)?)
}
