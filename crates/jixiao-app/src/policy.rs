//! Who may do what: every permission decision of jixiao is made by [`allows`], and only there.
//! Each action of this crate asks it (through [`require`]) before it looks anything up, so a
//! guessed id answers the same refusal whether or not it exists.
//!
//! Roles: the office's administrator (绩效办) may do everything; an evaluator (考评单位) sees the
//! cycle and reviews the tasks whose indicator names it as evaluator; a reporting unit (填报单位)
//! sees and enters only its own unit's data; a visitor sees only published results.

use crate::actor::{Actor, Role};
use crate::error::AppError;
use jixiao_core::Framework;

/// Everything jixiao lets someone do.
#[derive(Debug, Clone, Copy)]
pub enum Act<'a> {
    /// The cycle as a whole: overview, rankings, progress, every unit.
    ViewCycle,
    /// One unit's scores, values and explanations.
    ViewUnit(&'a str),
    /// Enter or submit a unit's values.
    EnterValue(&'a str),
    /// Approve or return a value of this task.
    Review(&'a Framework, usize),
    /// Work as an evaluator: the review queue and the grading page (each task is then checked
    /// with `Review`).
    Evaluate,
    /// Propose a bonus or deduction entry for any unit (the office approves it).
    ProposeLedger,
    /// Apply for bonus points (创新创优申报) for this unit, and see its own applications.
    ApplyBonus(&'a str),
    /// Run a cycle as its office: reopen a locked value; approve ledger entries; publish;
    /// import; surveys, rounds, supervision. A district office does this in its own cycles
    /// (the cycle's organisation is checked where it is looked up, [`works_in`]).
    Administer,
    /// The whole installation, which only the city's office runs: the audit log, scheduled
    /// jobs, the 12345 hotline's configuration and data, every account's API tokens.
    AdministerSystem,
    /// Create, change and list the accounts of an organisation (`None`: the city's own).
    ManageAccounts(Option<&'a str>),
    /// The city's summary of the cycles run by the organisations below it (分级考评).
    ViewLevels,
    /// Change one's own password, create one's own API tokens, list the cycles.
    OwnAccount,
    /// Write a unit's narrative paragraphs for its self-assessment report.
    WriteReport(&'a str),
    /// A cycle's public pages: anyone, once the office has published the cycle.
    ViewPublished { published: bool },
    /// The hotline dashboard and cases: the whole city (`None`) or one district's.
    ViewHotline(Option<&'a str>),
    /// A requester's contact in full (each view is recorded).
    ViewContact,
    /// Leave a case out of the rates (the office approves it).
    ExcludeCase,
    /// Submit a citizen request (an Open311 client with the office's key, or the office).
    SubmitCase,
    /// The Open311 GeoReport reads, which the specification keeps open to anyone.
    ReadOpen311,
    /// The 12345 centre's work on cases: dispatch, re-dispatch (arbitrating a return), call
    /// the requester back, close, reopen; the queue of cases waiting for dispatch.
    DispatchCases,
    /// A handler's steps on a case dispatched to this street or department: accept, return,
    /// handle, notes; and seeing that case. The centre may record them too (its platform
    /// mirrors every step).
    HandleCase(&'a str),
    /// 网格巡查: report what is found on patrol in this grid cell (its 网格员; the office).
    Patrol(&'a str),
    /// Score units in the rating rounds one is a rater of (评议人); the round's members are
    /// checked by the action.
    Rate,
}

/// The one permission function.
pub fn allows(a: &Actor, act: Act<'_>) -> bool {
    let own = a.organisation();
    match (a.role, act) {
        (_, Act::ViewPublished { published }) => published,
        (_, Act::ReadOpen311) => true,
        // An organisation below the city (a district office, its departments and streets)
        // works in its own cycles; the installation and the city's hotline are not its own,
        // but its office and evaluators see its district's cases as the district does.
        (
            _,
            Act::AdministerSystem
            | Act::ViewLevels
            | Act::ViewContact
            | Act::ExcludeCase
            | Act::SubmitCase
            | Act::DispatchCases
            | Act::HandleCase(_)
            | Act::Patrol(_),
        ) if own.is_some() => false,
        (Role::Admin | Role::Evaluator, Act::ViewHotline(d)) if own.is_some() => {
            d.is_some() && d == own
        }
        (Role::Admin, Act::ManageAccounts(o)) => own.is_none() || o == own,
        (Role::Client | Role::Admin, Act::SubmitCase) => true,
        (Role::Public | Role::Client, _) => false,
        (_, Act::OwnAccount) => true,
        (Role::Admin, _) => true,
        (
            Role::Centre,
            Act::ViewHotline(_) | Act::DispatchCases | Act::HandleCase(_) | Act::ViewContact,
        ) => true,
        (Role::Handler, Act::HandleCase(u)) => a.unit() == Some(u),
        (Role::Inspector, Act::Patrol(g)) => a.unit() == Some(g),
        (Role::Rater, Act::Rate) => true,
        (
            Role::Evaluator,
            Act::ViewCycle
            | Act::ViewUnit(_)
            | Act::Evaluate
            | Act::ProposeLedger
            | Act::ViewHotline(_),
        ) => true,
        // A district's reporting unit sees its own district's hotline cases, contacts masked.
        (Role::Reporter, Act::ViewHotline(Some(d))) => a.unit() == Some(d),
        (Role::Evaluator, Act::Review(fw, task)) => {
            a.evaluator().is_some_and(|e| evaluates(fw, task, e))
        }
        (
            Role::Reporter,
            Act::ViewUnit(u) | Act::EnterValue(u) | Act::WriteReport(u) | Act::ApplyBonus(u),
        ) => a.unit() == Some(u),
        _ => false,
    }
}

/// `Ok` if [`allows`] says so; otherwise the refusal: log in (a visitor) or forbidden.
pub fn require(a: &Actor, act: Act<'_>) -> Result<(), AppError> {
    if allows(a, act) {
        Ok(())
    } else {
        Err(refusal(a))
    }
}

/// What a refused actor is told: to log in, or that they may not.
pub fn refusal(a: &Actor) -> AppError {
    if a.is_public() {
        AppError::Unauthenticated
    } else {
        AppError::Forbidden
    }
}

/// Whether the actor works in cycles run by `organisation` (`None`: the city's cycles). An
/// organisation's accounts work only in its cycles, the city's only in the city's; the city's
/// office oversees every level; anyone may open what is published (checked apart, with
/// [`Act::ViewPublished`]). Every action reaches a cycle through `lookup`, which asks this.
pub fn works_in(a: &Actor, organisation: Option<&str>) -> bool {
    match a.role {
        Role::Public | Role::Client => true,
        Role::Admin if a.organisation().is_none() => true,
        _ => a.organisation() == organisation,
    }
}

/// Whether evaluator `e` is named on the task or one of its ancestors.
pub fn evaluates(fw: &Framework, task: usize, e: &str) -> bool {
    let mut cur = Some(task);
    while let Some(n) = cur {
        if fw.nodes[n].evaluators.iter().any(|x| x == e) {
            return true;
        }
        cur = fw.nodes[n].parent;
    }
    false
}
