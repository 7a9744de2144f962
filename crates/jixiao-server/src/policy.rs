//! Who may do what: every permission decision of the server is made here, and only here.
//!
//! Roles: the office's administrator (绩效办) may do everything; an evaluator (考评单位) sees the
//! cycle and reviews the tasks whose indicator names it as evaluator; a reporting unit (填报单位)
//! sees and enters only its own unit's data; a public visitor sees only published results.

use jixiao_core::Framework;
use jixiao_store::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Evaluator,
    Reporter,
    Public,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "evaluator" => Some(Role::Evaluator),
            "reporter" => Some(Role::Reporter),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Reporter => "reporter",
            Role::Public => "public",
        }
    }
    /// The workflow role used by the core's transition rules.
    pub fn workflow(self) -> Option<jixiao_core::workflow::Role> {
        match self {
            Role::Admin => Some(jixiao_core::workflow::Role::Admin),
            Role::Evaluator => Some(jixiao_core::workflow::Role::Evaluator),
            Role::Reporter => Some(jixiao_core::workflow::Role::Reporter),
            Role::Public => None,
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: Option<User>,
    pub role: Role,
    /// The CSRF token of a cookie session (None for API tokens and visitors).
    pub csrf: Option<String>,
    /// The raw session token, for logout.
    pub session: Option<String>,
}

impl Principal {
    pub fn public() -> Principal {
        Principal {
            user: None,
            role: Role::Public,
            csrf: None,
            session: None,
        }
    }
    pub fn from_user(user: User, csrf: Option<String>, session: Option<String>) -> Principal {
        let role = Role::parse(&user.role).unwrap_or(Role::Public);
        Principal {
            user: Some(user),
            role,
            csrf,
            session,
        }
    }
    pub fn id(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.id.as_str())
            .unwrap_or("public")
    }
    pub fn unit(&self) -> Option<&str> {
        self.user.as_ref().and_then(|u| u.unit_id.as_deref())
    }
    pub fn evaluator(&self) -> Option<&str> {
        self.user.as_ref().and_then(|u| u.evaluator_id.as_deref())
    }
}

/// Everything the server lets someone do.
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
    /// Propose a bonus or deduction entry (the office approves it).
    ProposeLedger,
    /// Reopen a locked value; approve ledger entries; the audit log; users.
    Administer,
    /// Change one's own password, create one's own API tokens.
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
}

pub fn allows(p: &Principal, act: Act<'_>) -> bool {
    match (p.role, act) {
        (_, Act::ViewPublished { published }) => published,
        (Role::Public, _) => false,
        (_, Act::OwnAccount) => true,
        (Role::Admin, _) => true,
        (
            Role::Evaluator,
            Act::ViewCycle
            | Act::ViewUnit(_)
            | Act::Evaluate
            | Act::ProposeLedger
            | Act::ViewHotline(_),
        ) => true,
        // A district's reporting unit sees its own district's hotline cases, contacts masked.
        (Role::Reporter, Act::ViewHotline(Some(d))) => p.unit() == Some(d),
        (Role::Evaluator, Act::Review(fw, task)) => {
            p.evaluator().is_some_and(|e| evaluates(fw, task, e))
        }
        (Role::Reporter, Act::ViewUnit(u) | Act::EnterValue(u) | Act::WriteReport(u)) => {
            p.unit() == Some(u)
        }
        _ => false,
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
