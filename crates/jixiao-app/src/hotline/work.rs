//! Working a hotline case (接诉即办): the 12345 centre dispatches, arbitrates returns, calls the
//! requester back, closes and reopens; the street's or department's handler accepts (first
//! contact) or returns with a reason, handles with a note, and adds notes. Every step is one
//! lifecycle event ([`jixiao_hotline::Event`]) recorded by the store with the rollups, the
//! event table and the audit log in one transaction; a step sent with an event id (the city's
//! 12345 platform posting in real time) is recorded once however often it is sent.

use crate::actor::Actor;
use crate::actor::Role;
use crate::error::{AppError, Result};
use crate::policy::{allows, Act};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use jixiao_hotline::case::Stage;
use jixiao_hotline::case::{Closure, Satisfaction};
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::summons::{Part, PartState, PartStep};
use jixiao_hotline::{Case, Event};
use jixiao_store::hotline::{CaseFilter, EventMeta, PartsOf, Recorded, WorkList};
use jixiao_store::Store;
use serde::{Deserialize, Serialize};

/// One step on a case, as a page form or the API sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    /// 派单 (the centre): to a street or department of the geography.
    Dispatch { unit: String },
    /// 改派 (the centre): to another unit, or back to the same one when a return is refused.
    Redispatch { unit: String },
    /// 签收/先行联系 (the handler): the unit has taken the case and contacted the requester.
    Accept,
    /// 退单 (the handler): not this unit's, with the reason; the centre arbitrates.
    Return { reason: String },
    /// 办理 (the handler): handled, with what was done.
    Handle { note: String },
    /// 回访 (the centre): the requester's verdict.
    Callback {
        solved: bool,
        /// satisfied, basically_satisfied or not_satisfied
        #[schema(value_type = String)]
        satisfaction: Satisfaction,
    },
    /// 办结 (the centre): fixed, not_responsible, duplicate, referred_out or no_further_action.
    Close {
        #[schema(value_type = String)]
        closure: Closure,
    },
    /// 重办 (the centre): back to the unit it was with.
    Reopen { reason: String },
    /// 备注 (either): a note on the record.
    Note { text: String },
    /// 申请不计入考核 (the handler): leave this case out of the unit's rates, with one of the
    /// reasons (unreasonable, duplicate, out_of_scope) and what supports it; the centre decides.
    ApplyExclusion { reason: String, note: String },
    /// 吹哨 (the case's street): summon a functional department of the case's district to do
    /// `task` by `due` (local time, `YYYY-MM-DDTHH:MM`; the case's completion deadline when left
    /// out). The street handles the case once every summoned department has finished.
    Summon {
        department: String,
        task: String,
        #[serde(default)]
        due: Option<String>,
    },
    /// 报到 (the summoned department): it takes its part of the case.
    ReportPart { department: String },
    /// 完成 (the summoned department): its part is done, with what it did.
    FinishPart { department: String, note: String },
}

impl CaseAction {
    /// Whether the step is the handler's (else the centre's); notes are anyone's who may work
    /// the case.
    fn by_handler(&self) -> bool {
        matches!(
            self,
            CaseAction::Accept
                | CaseAction::Return { .. }
                | CaseAction::Handle { .. }
                | CaseAction::Note { .. }
                | CaseAction::ApplyExclusion { .. }
                | CaseAction::Summon { .. }
        )
    }

    /// The department a 吹哨报到 step is about, for the steps the department itself takes.
    fn department_step(&self) -> Option<&str> {
        match self {
            CaseAction::ReportPart { department } | CaseAction::FinishPart { department, .. } => {
                Some(department)
            }
            _ => None,
        }
    }

    /// The lifecycle event, and the note kept beside it.
    fn event(&self) -> (Event, Option<String>) {
        match self {
            CaseAction::Dispatch { unit } => (Event::Dispatch { unit: unit.clone() }, None),
            CaseAction::Redispatch { unit } => (Event::Redispatch { unit: unit.clone() }, None),
            CaseAction::Accept => (Event::Respond, None),
            CaseAction::Return { reason } => (
                Event::Return {
                    reason: reason.clone(),
                },
                None,
            ),
            CaseAction::Handle { note } => (Event::Handle, Some(note.clone())),
            CaseAction::Callback {
                solved,
                satisfaction,
            } => (
                Event::Callback {
                    solved: *solved,
                    satisfaction: *satisfaction,
                },
                None,
            ),
            CaseAction::Close { closure } => (Event::Close { closure: *closure }, None),
            CaseAction::Reopen { reason } => (
                Event::Reopen {
                    reason: reason.clone(),
                },
                None,
            ),
            CaseAction::Note { text } => (Event::Note { text: text.clone() }, None),
            // Not lifecycle events: recorded as an application or a department's part (see
            // `act`); probed as a note.
            CaseAction::ApplyExclusion { note, .. }
            | CaseAction::Summon { task: note, .. }
            | CaseAction::FinishPart { note, .. } => (Event::Note { text: note.clone() }, None),
            CaseAction::ReportPart { department } => (
                Event::Note {
                    text: department.clone(),
                },
                None,
            ),
        }
    }

    fn check_text(&self) -> Result<()> {
        match self {
            CaseAction::Dispatch { unit } | CaseAction::Redispatch { unit } => {
                crate::text::line("unit", unit, crate::text::ID)
            }
            CaseAction::Return { reason } | CaseAction::Reopen { reason } => {
                crate::text::paragraphs("reason", reason, crate::text::NOTE)?;
                nonempty("reason", reason)
            }
            CaseAction::Handle { note } => {
                crate::text::paragraphs("note", note, crate::text::NOTE)?;
                nonempty("note", note)
            }
            CaseAction::Note { text } => {
                crate::text::paragraphs("text", text, crate::text::NOTE)?;
                nonempty("text", text)
            }
            CaseAction::ApplyExclusion { reason, note } => {
                if !jixiao_hotline::case::EXCLUSION_REASONS.contains(&reason.as_str()) {
                    return Err(AppError::Invalid(format!(
                        "reason `{reason}` is not one of {}",
                        jixiao_hotline::case::EXCLUSION_REASONS.join(", ")
                    )));
                }
                crate::text::paragraphs("note", note, crate::text::NOTE)?;
                nonempty("note", note)
            }
            CaseAction::Summon {
                department,
                task,
                due,
            } => {
                crate::text::line("department", department, crate::text::ID)?;
                crate::text::paragraphs("task", task, crate::text::NOTE)?;
                if let Some(d) = due {
                    crate::text::line("due", d, crate::text::ID)?;
                }
                nonempty("task", task)
            }
            CaseAction::ReportPart { department } => {
                crate::text::line("department", department, crate::text::ID)
            }
            CaseAction::FinishPart { department, note } => {
                crate::text::line("department", department, crate::text::ID)?;
                crate::text::paragraphs("note", note, crate::text::NOTE)?;
                nonempty("note", note)
            }
            _ => Ok(()),
        }
    }
}

fn nonempty(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(AppError::Invalid(format!(
            "{field} is required for this step"
        )));
    }
    Ok(())
}

/// Whether `actor` may take `action` on `case` (the lifecycle is checked after).
pub fn may(actor: &Actor, action: &CaseAction, case: &Case) -> bool {
    if let Some(department) = action.department_step() {
        return allows(actor, Act::HandleCase(department));
    }
    if action.by_handler() {
        if let Some(unit) = case.unit.as_deref() {
            if allows(actor, Act::HandleCase(unit)) {
                return true;
            }
        }
        // A note from the centre on a case with no unit yet.
        matches!(action, CaseAction::Note { .. }) && allows(actor, Act::DispatchCases)
    } else {
        allows(actor, Act::DispatchCases)
    }
}

/// The steps `actor` may take on `case` now (what the case page offers). The centre is offered
/// its own steps and notes; a handler's steps it may record through the API are not offered.
pub fn steps(actor: &Actor, case: &Case, parts: &[Part]) -> Vec<&'static str> {
    let centre = actor.role != Role::Handler;
    let open_parts = !jixiao_hotline::summons::open_parts(parts).is_empty();
    // The actor's own part, when it is a summoned department's handler.
    let own_part = parts
        .iter()
        .find(|p| actor.role == Role::Handler && actor.unit() == Some(p.department.as_str()));
    let probe = |a: CaseAction| {
        let (event, _) = a.event();
        let handlers_step = matches!(
            a,
            CaseAction::Accept | CaseAction::Return { .. } | CaseAction::Handle { .. }
        );
        // Handled once every summoned department has finished its part.
        let waits_for_parts = open_parts && matches!(a, CaseAction::Handle { .. });
        let offered = !(waits_for_parts || (centre && handlers_step));
        (offered
            && may(actor, &a, case)
            && jixiao_hotline::case::apply(case, &event, Utc::now()).is_ok())
        .then_some(event.name())
    };
    let x = || "x".to_string();
    [
        probe(CaseAction::Dispatch { unit: x() }),
        probe(CaseAction::Redispatch { unit: x() }),
        probe(CaseAction::Accept),
        probe(CaseAction::Return { reason: x() }),
        probe(CaseAction::Handle { note: x() }),
        probe(CaseAction::Callback {
            solved: true,
            satisfaction: Satisfaction::Satisfied,
        }),
        probe(CaseAction::Close {
            closure: Closure::Fixed,
        }),
        probe(CaseAction::Reopen { reason: x() }),
        probe(CaseAction::Note { text: x() }),
        // A street applies for its own case; the centre decides, it does not apply.
        (actor.role == Role::Handler
            && case.exclusion.is_none()
            && may(
                actor,
                &CaseAction::ApplyExclusion {
                    reason: x(),
                    note: x(),
                },
                case,
            ))
        .then_some("apply_exclusion"),
        // The street summons departments while the case is with it and not yet handled.
        (actor.role == Role::Handler
            && matches!(case.stage, Stage::Dispatched | Stage::Responded)
            && may(
                actor,
                &CaseAction::Summon {
                    department: x(),
                    task: x(),
                    due: None,
                },
                case,
            ))
        .then_some("summon"),
        own_part
            .filter(|p| p.state() == PartState::Summoned)
            .map(|_| "report_part"),
        own_part
            .filter(|p| p.state() != PartState::Done)
            .map(|_| "finish_part"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Takes one step on case `id`: the case after it, and whether it was new (false: its event id
/// was recorded already and nothing changed). Refused before anything is read when the actor works no cases;
/// a case the actor may not see is "not found" to those who see one street, so ids cannot be
/// probed.
pub fn act(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    action: &CaseAction,
    event_id: Option<&str>,
    at: Option<DateTime<Utc>>,
) -> Result<Recorded> {
    if !matches!(actor.role, Role::Admin | Role::Centre | Role::Handler) {
        return Err(crate::policy::refusal(actor));
    }
    if let Some(e) = event_id {
        crate::text::line("event_id", e, crate::text::ID)?;
        nonempty("event_id", e)?;
    }
    action.check_text()?;
    let case = s
        .hotline_case(id)?
        .ok_or_else(|| AppError::NotFound(format!("case `{id}`")))?;
    if !may(actor, action, &case) {
        // A handler learns nothing of other units' cases.
        return Err(match actor.role {
            Role::Handler if case.unit.as_deref() != actor.unit() => {
                AppError::NotFound(format!("case `{id}`"))
            }
            _ => AppError::Forbidden,
        });
    }
    if let CaseAction::Dispatch { unit } | CaseAction::Redispatch { unit } = action {
        let geo = &super::open311::reference(s)?.1;
        if geo
            .get(unit)
            .is_none_or(|a| a.level != Level::Street || !a.in_force(None))
        {
            return Err(AppError::Invalid(format!(
                "unit `{unit}` is not a street of the hotline's geography in force"
            )));
        }
    }
    if let CaseAction::ApplyExclusion { reason, note } = action {
        if case.exclusion.is_some() {
            return Err(AppError::Conflict(format!(
                "case `{id}` is excluded already"
            )));
        }
        let unit = case.unit.clone().unwrap_or_default();
        s.hotline_request_exclusion(id, &unit, reason, note, &actor.id)?;
        return Ok(Recorded { case, fresh: true });
    }
    // Unless the sender says when it happened: now by the office's clock, never before the
    // case's last step (the demo's clock is set to its own day).
    let parts = s.hotline_parts(PartsOf::Case(id), 100)?;
    let at = at.unwrap_or_else(|| {
        [
            case.dispatched,
            case.responded,
            case.handled,
            case.callback.map(|c| c.at),
            case.closed,
        ]
        .into_iter()
        .chain(
            parts
                .iter()
                .flat_map(|p| [Some(p.summoned_at), p.reported_at, p.done_at]),
        )
        .flatten()
        .fold(settings.now().max(case.received), DateTime::max)
    });
    if at > Utc::now() + chrono::Duration::minutes(5) {
        return Err(AppError::Invalid(format!(
            "at {at} is in the future; a step is recorded when it happened"
        )));
    }
    if let Some(step) = part_step(s, settings, action, &case)? {
        let fresh = s
            .hotline_part_step(id, &step, at, &actor.id, event_id)?
            .is_some();
        return Ok(Recorded { case, fresh });
    }
    if matches!(action, CaseAction::Handle { .. }) {
        let open = jixiao_hotline::summons::open_parts(&parts);
        if !open.is_empty() {
            let geo = &super::open311::reference(s)?.1;
            let names: Vec<String> = open.iter().map(|d| geo.place_name(d)).collect();
            return Err(AppError::Conflict(format!(
                "case `{id}` waits for the summoned departments (吹哨报到) to finish their parts: {}",
                names.join(", ")
            )));
        }
    }
    let (event, note) = action.event();
    let meta = EventMeta {
        note,
        event_id: event_id.map(str::to_string),
    };
    Ok(s.hotline_record(id, &event, at, &settings.hotline, &actor.id, &meta)?)
}

/// The 吹哨报到 step an action is, checked against the geography: a summoned department is a
/// department of the case's district; a deadline is read in the rules' time zone. `None` for
/// the other actions.
fn part_step(
    s: &mut Store,
    settings: &Settings,
    action: &CaseAction,
    case: &Case,
) -> Result<Option<PartStep>> {
    Ok(Some(match action {
        CaseAction::Summon {
            department,
            task,
            due,
        } => {
            let geo = &super::open311::reference(s)?.1;
            let district = |id: &str| geo.ancestor(id, Level::District).map(|d| d.id.clone());
            let same_district = case
                .unit
                .as_deref()
                .and_then(district)
                .is_some_and(|d| district(department) == Some(d));
            if geo
                .get(department)
                .is_none_or(|a| a.level != Level::Department || !a.in_force(None))
                || !same_district
            {
                return Err(AppError::Invalid(format!(
                    "department: `{department}` is not a department of the case's district"
                )));
            }
            let due = match due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                Some(text) => local_time(settings, text)?,
                None => case
                    .completion_due
                    .filter(|d| *d > settings.now())
                    .ok_or_else(|| {
                        AppError::Invalid(
                            "due: the case has no completion deadline ahead; give the department's"
                                .into(),
                        )
                    })?,
            };
            PartStep::Summon {
                department: department.clone(),
                task: task.trim().to_string(),
                due,
            }
        }
        CaseAction::ReportPart { department } => PartStep::Report {
            department: department.clone(),
        },
        CaseAction::FinishPart { department, note } => PartStep::Finish {
            department: department.clone(),
            note: note.trim().to_string(),
        },
        _ => return Ok(None),
    }))
}

/// A local time as a form or the API sends it (`YYYY-MM-DDTHH:MM[:SS]`, or with a space), in
/// the rules' time zone; or an RFC 3339 instant with its offset.
fn local_time(settings: &Settings, text: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let text = text.replace(' ', "T");
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&text, f).ok())
        .map(|local| settings.hotline.local_instant(local))
        .ok_or_else(|| {
            AppError::Invalid(format!("due: `{text}` is not a time like 2020-06-03T18:00"))
        })
}

/// A department's part of a case, as the case page and the queues show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartItem {
    pub case_id: String,
    pub department: String,
    pub department_name: String,
    pub street_name: String,
    pub task: String,
    /// The part's deadline, local time.
    pub due: String,
    /// Hours left to the deadline (negative: overdue); none once done.
    pub hours_left: Option<f64>,
    pub overdue: bool,
    /// summoned, reported or done.
    pub state: String,
    pub state_zh: String,
    pub summoned_at: String,
    pub reported_at: Option<String>,
    pub done_at: Option<String>,
    /// Whether it was done by its deadline (once done).
    pub done_in_time: Option<bool>,
    pub note: String,
}

pub fn part_item(settings: &Settings, geo: &Geography, p: &Part) -> PartItem {
    let tz = settings.hotline.timezone;
    let now = settings.now();
    let fmt = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    PartItem {
        case_id: p.case_id.clone(),
        department: p.department.clone(),
        department_name: geo.place_name(&p.department),
        street_name: geo.place_name(&p.street),
        task: p.task.clone(),
        due: fmt(p.due),
        hours_left: p
            .done_at
            .is_none()
            .then(|| ((p.due - now).num_minutes() as f64 / 60.0 * 10.0).round() / 10.0),
        overdue: p.overdue(now),
        state: p.state().as_str().to_string(),
        state_zh: p.state().label_zh().to_string(),
        summoned_at: fmt(p.summoned_at),
        reported_at: p.reported_at.map(fmt),
        done_at: p.done_at.map(fmt),
        done_in_time: p.done_at.map(|_| p.done_in_time()),
        note: p.note.clone(),
    }
}

/// A case in a work queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: String,
    pub received: String,
    pub category: String,
    pub unit: String,
    pub stage: String,
    pub stage_zh: String,
    pub address: String,
    /// The completion deadline, local time.
    pub due: Option<String>,
    /// Hours left to the completion deadline (negative: overdue).
    pub hours_left: Option<f64>,
    pub overdue: bool,
    pub returns: u32,
}

/// What is waiting for the actor: for the centre, cases to dispatch (new and returned) and cases
/// handled and waiting for the callback; for a handler, the open cases of its unit; the nearest
/// deadline (or the oldest handling) first, [`QUEUE_LIMIT`] of each, plus the count of overdue
/// cases (the centre's: the city's, counted up to 10,000).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub role: String,
    pub unit: Option<String>,
    pub to_dispatch: Vec<QueueItem>,
    pub to_call_back: Vec<QueueItem>,
    pub open: Vec<QueueItem>,
    /// Streets' applications to leave a case out of their rates, waiting for the centre.
    pub exclusions: Vec<ExclusionItem>,
    pub overdue: usize,
    /// 吹哨报到: for a department's handler, the parts it is summoned to and has not finished;
    /// for the centre, the departments' parts past their deadline.
    pub parts: Vec<PartItem>,
}

/// A street's application waiting for the centre.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExclusionItem {
    pub case_id: String,
    pub unit: String,
    pub reason: String,
    pub note: String,
    pub requested_by: String,
    pub requested_at: String,
}

/// The cases listed per part of a queue.
pub const QUEUE_LIMIT: usize = 100;

pub fn queue(s: &mut Store, settings: &Settings, actor: &Actor) -> Result<Queue> {
    let centre = allows(actor, Act::DispatchCases);
    let unit = match actor.role {
        Role::Handler => actor.unit().map(str::to_string),
        _ => None,
    };
    if !centre && unit.is_none() {
        return Err(crate::policy::refusal(actor));
    }
    let (catalogue, geo) = {
        let r = super::open311::reference(s)?;
        (r.0.clone(), r.1.clone())
    };
    let tz = settings.hotline.timezone;
    let now = settings.now();
    let item = |c: &Case| QueueItem {
        id: c.id.clone(),
        received: c
            .received
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        category: jixiao_hotline::catalogue::path(&catalogue, &c.category),
        unit: c
            .unit
            .as_deref()
            .map(|u| geo.place_name(u))
            .unwrap_or_default(),
        stage: c.stage.as_str().to_string(),
        stage_zh: c.stage.label_zh().to_string(),
        address: c.address.clone(),
        due: c
            .completion_due
            .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()),
        hours_left: c
            .completion_due
            .filter(|_| c.handled.is_none())
            .map(|d| ((d - now).num_minutes() as f64 / 60.0 * 10.0).round() / 10.0),
        overdue: c.overdue(now),
        returns: c.returns,
    };
    let mut q = Queue {
        role: actor.role.as_str().to_string(),
        unit: unit.clone(),
        to_dispatch: Vec::new(),
        to_call_back: Vec::new(),
        open: Vec::new(),
        exclusions: Vec::new(),
        overdue: 0,
        parts: Vec::new(),
    };
    if let Some(u) = &unit {
        let open = s.hotline_work_cases(&WorkList::Unit(u.clone()), QUEUE_LIMIT)?;
        q.overdue = open.iter().filter(|c| c.overdue(now)).count();
        q.open = open.iter().map(item).collect();
        q.parts = s
            .hotline_parts(PartsOf::OpenFor(u), QUEUE_LIMIT)?
            .iter()
            .map(|p| part_item(settings, &geo, p))
            .collect();
    } else {
        q.parts = s
            .hotline_parts(PartsOf::OverdueAt(now), QUEUE_LIMIT)?
            .iter()
            .map(|p| part_item(settings, &geo, p))
            .collect();
        let waiting = s.hotline_work_cases(&WorkList::ToDispatch, QUEUE_LIMIT)?;
        q.to_dispatch = waiting.iter().map(item).collect();
        let handled = s.hotline_work_cases(&WorkList::ToCallBack, QUEUE_LIMIT)?;
        q.to_call_back = handled.iter().map(item).collect();
        q.exclusions = s
            .hotline_pending_exclusions(QUEUE_LIMIT)?
            .into_iter()
            .map(|r| ExclusionItem {
                unit: geo.place_name(&r.unit),
                case_id: r.case_id,
                reason: r.reason,
                note: r.note,
                requested_by: r.requested_by,
                requested_at: r
                    .requested_at
                    .get(..16)
                    .unwrap_or_default()
                    .replace('T', " "),
            })
            .collect();
        q.overdue = s.hotline_case_count(
            &CaseFilter {
                overdue_at: Some(now),
                ..Default::default()
            },
            10_000,
        )? as usize;
    }
    Ok(q)
}

/// A day of work waiting in the demo, on `day` (local): two new cases for the centre to
/// dispatch, one returned by 东华门街道 for the centre to arbitrate, two with 东华门街道 (one
/// accepted; the other received nine days earlier and overdue), one handled and waiting for the
/// callback, and one 吹哨报到 case to which the street summoned 东城区城管委 (reported) and
/// 住建委 (waiting for it). Case ids `D{day}{nn}`; run again, it adds nothing. Returns the number of cases
/// added.
pub fn seed_day_of_work(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    day: chrono::NaiveDate,
) -> Result<usize> {
    crate::policy::require(actor, Act::AdministerSystem)?;
    let at = |h: u32, m: u32| {
        let local = day.and_hms_opt(h, m, 0).expect("a time of day");
        settings.hotline.local_instant(local)
    };
    let street = "dongcheng-s01";
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let Some(place) = geo.get(street).cloned() else {
        return Ok(0); // another geography: nothing to seed
    };
    type Step = (u32, Event);
    let dispatch = || Event::Dispatch {
        unit: street.to_string(),
    };
    let plan: Vec<(&str, &str, &str, Vec<Step>)> = vec![
        (
            "0301",
            "东华门大街路口机动车违停,堵塞消防通道",
            "东华门大街与南池子大街路口",
            vec![],
        ),
        (
            "0101",
            "小区楼道照明损坏,夜间无法通行",
            "东华门街道某小区3号楼",
            vec![],
        ),
        (
            "0902",
            "商户占道经营,影响行人通行",
            "王府井大街北口",
            vec![
                (1, dispatch()),
                (
                    2,
                    Event::Return {
                        reason: "地址属王府井商圈管委会管理范围,非本街道职责".into(),
                    },
                ),
            ],
        ),
        (
            "0302",
            "路面井盖破损,存在安全隐患",
            "南河沿大街",
            vec![(1, dispatch())],
        ),
        (
            "0201",
            "夜间施工噪音扰民",
            "东安门大街",
            vec![(1, dispatch()), (2, Event::Respond)],
        ),
        (
            "0901",
            "垃圾桶满溢未及时清运",
            "北池子大街",
            vec![(1, dispatch()), (2, Event::Respond), (4, Event::Handle)],
        ),
        (
            "0302",
            "老旧小区私搭乱建堵塞消防通道,房屋存在安全隐患",
            "东华门街道某社区5号楼",
            vec![(1, dispatch()), (2, Event::Respond)],
        ),
    ];
    // The last case is a 吹哨报到 case: the street summoned the district's 城管委 (reported)
    // and 住建委 (not yet).
    let summons: [(&str, &str, i64, bool); 2] = [
        ("dongcheng-d-cgw", "拆除违法建设,恢复消防通道", 72, true),
        ("dongcheng-d-zjw", "核查房屋结构安全并出具意见", 48, false),
    ];
    let mut added = 0;
    for (n, (category, description, address, steps)) in plan.into_iter().enumerate() {
        let id = format!("D{}{:02}", day.format("%Y%m%d"), n + 1);
        if s.hotline_case(&id)?.is_some() {
            continue;
        }
        // The manhole cover (04) has waited nine days: past its deadline, escalated.
        let received = at(8, 0) + chrono::Duration::minutes(10 * n as i64)
            - chrono::Duration::days(if n == 3 { 9 } else { 0 });
        let mut c = Case::received(
            &id,
            jixiao_hotline::Channel::Phone,
            received,
            category.to_string(),
        );
        c.description = description.to_string();
        c.address = address.to_string();
        c.lat = place.lat;
        c.lon = place.lon;
        c.contact = Some(format!("1380013{:04}", 1000 + n));
        if let Some((response, completion)) =
            settings.hotline.deadlines(category, c.urgency, received)
        {
            c.response_due = Some(response);
            c.completion_due = Some(completion);
        }
        s.hotline_submit(c, &Default::default(), &settings.hotline, &actor.id)?;
        for (k, (hours, event)) in steps.into_iter().enumerate() {
            let meta = EventMeta {
                note: matches!(event, Event::Handle).then(|| "已联系环卫所清运,现场已清理".into()),
                event_id: Some(format!("{id}-{}", k + 1)),
            };
            s.hotline_record(
                &id,
                &event,
                received + chrono::Duration::hours(hours as i64),
                &settings.hotline,
                &actor.id,
                &meta,
            )?;
        }
        if n == 6 {
            for (k, (department, task, hours, reported)) in summons.iter().enumerate() {
                let summon = PartStep::Summon {
                    department: department.to_string(),
                    task: task.to_string(),
                    due: received + chrono::Duration::hours(*hours),
                };
                let at = received + chrono::Duration::hours(3);
                let event_id = format!("{id}-summon-{}", k + 1);
                s.hotline_part_step(&id, &summon, at, &actor.id, Some(&event_id))?;
                if *reported {
                    let report = PartStep::Report {
                        department: department.to_string(),
                    };
                    let at = received + chrono::Duration::hours(5);
                    let event_id = format!("{id}-report-{}", k + 1);
                    s.hotline_part_step(&id, &report, at, &actor.id, Some(&event_id))?;
                }
            }
        }
        added += 1;
    }
    Ok(added)
}

/// The centre decides a street's application to leave a case out of its rates; an approval
/// excludes the case (its rollups follow) in the same transaction.
pub fn decide_exclusion(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    approve: bool,
) -> Result<()> {
    crate::policy::require(actor, Act::DispatchCases)?;
    Ok(s.hotline_decide_exclusion(id, approve, &settings.hotline, &actor.id)?)
}

/// The streets a case can be sent to: the geography's street level, each with the name that
/// says where it is.
pub fn streets(s: &mut Store) -> Result<Vec<super::read::Named>> {
    let geo = &super::open311::reference(s)?.1;
    Ok(geo
        .current(Level::Street)
        .map(|a| super::read::Named {
            id: a.id.clone(),
            name: geo.place_name(&a.id),
            selected: false,
        })
        .collect())
}

/// The units a handler account can work for: the streets, and the districts' departments
/// (summoned to cases, 吹哨报到).
pub fn handler_units(s: &mut Store) -> Result<Vec<super::read::Named>> {
    let geo = &super::open311::reference(s)?.1;
    Ok(geo
        .current(Level::Street)
        .chain(geo.current(Level::Department))
        .map(|a| super::read::Named {
            id: a.id.clone(),
            name: geo.place_name(&a.id),
            selected: false,
        })
        .collect())
}

/// What a case's file is for.
pub const FILE_PURPOSES: [&str; 2] = ["photo", "evidence"];

/// Keeps a file of a case: a photo of the handling (办理照片, an image) or evidence for an
/// application to leave the case out of the rates (佐证材料, any evidence file). The case's
/// handler (its unit's account) and the centre may; the file is checked like value evidence.
pub fn attach(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    id: &str,
    purpose: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<String> {
    if !FILE_PURPOSES.contains(&purpose) {
        return Err(AppError::Invalid(format!(
            "purpose: `{purpose}` is not one of {}",
            FILE_PURPOSES.join(", ")
        )));
    }
    let centre = allows(actor, Act::DispatchCases);
    if !centre && actor.role != Role::Handler {
        return Err(AppError::Forbidden);
    }
    // A handler finds only its unit's cases.
    let (case, _) = super::read::case_district(s, actor, id)?;
    let handler = case
        .unit
        .as_deref()
        .is_some_and(|u| allows(actor, Act::HandleCase(u)));
    if !(centre || handler) {
        return Err(AppError::Forbidden);
    }
    let content_type = crate::values::evidence::checked_file(settings, file_name, bytes)?;
    if purpose == "photo" && !content_type.starts_with("image/") {
        return Err(AppError::Invalid(format!(
            "{file_name}: a photo is a PNG or JPEG image"
        )));
    }
    let file = jixiao_store::evidence::NewFile {
        name: file_name,
        content_type,
        content: bytes,
    };
    Ok(s.hotline_add_case_file(id, purpose, &file, &actor.id)?)
}

/// A case's file with its content, for those who may see the case; unknown and forbidden look
/// the same.
pub fn file(
    s: &mut Store,
    actor: &Actor,
    file_id: &str,
) -> Result<(jixiao_store::hotline::CaseFile, Vec<u8>)> {
    let (info, bytes) = s
        .hotline_case_file(file_id)
        .map_err(|_| AppError::Forbidden)?;
    if !matches!(actor.role, Role::Reporter | Role::Handler) {
        crate::policy::require(actor, Act::ViewHotline(None))?;
    }
    super::read::case_district(s, actor, &info.case_id).map_err(|_| AppError::Forbidden)?;
    Ok((info, bytes))
}
