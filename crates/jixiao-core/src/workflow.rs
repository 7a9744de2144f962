//! The life of a reported value: draft → submitted → returned / approved, locking after the
//! period's deadline, and an administrator's reopening with a reason.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueState {
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl ValueState {
    pub const ALL: [ValueState; 4] = [
        ValueState::Draft,
        ValueState::Submitted,
        ValueState::Returned,
        ValueState::Approved,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ValueState::Draft => "draft",
            ValueState::Submitted => "submitted",
            ValueState::Returned => "returned",
            ValueState::Approved => "approved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// Whether the value counts for scoring.
    pub fn counts(self) -> bool {
        self == ValueState::Approved
    }
}

pub use crate::role::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SaveDraft,
    Submit,
    Return {
        comment: String,
    },
    Approve,
    Reopen {
        reason: String,
    },
    /// An evaluator's own figure (qualitative grade, survey or leader score): recorded as
    /// approved at once, also after the deadline, since evaluation happens at year end.
    Grade,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    #[error("the period is locked after its deadline; an administrator must reopen the value")]
    Locked,
    #[error("this role may not do that")]
    Forbidden,
    #[error("{} cannot be {action}", state_phrase(*from))]
    InvalidTransition {
        from: Option<ValueState>,
        action: &'static str,
    },
    #[error("a reason or comment is required")]
    ReasonRequired,
}

impl WorkflowError {
    /// The same refusal in Chinese.
    pub fn zh(&self) -> String {
        match self {
            WorkflowError::Locked => {
                "本期已过报送截止日期,数值已锁定;如需修改请联系绩效办重新开放".into()
            }
            WorkflowError::Forbidden => "当前角色无权进行此操作".into(),
            WorkflowError::InvalidTransition { from, action } => {
                let state = match from {
                    None => "尚未填报的数值",
                    Some(ValueState::Draft) => "草稿",
                    Some(ValueState::Submitted) => "已报送待审核的数值",
                    Some(ValueState::Returned) => "已退回的数值",
                    Some(ValueState::Approved) => "已审核通过的数值",
                };
                let action = match *action {
                    "submitted" => "报送",
                    "saved as draft" => "保存为草稿",
                    "approved" => "审核通过",
                    "returned" => "退回",
                    "reopened" => "重新开放",
                    other => other,
                };
                format!("{state}不能{action}")
            }
            WorkflowError::ReasonRequired => "请填写理由或意见".into(),
        }
    }
}

/// "an approved value", "a value not yet entered": a state in the words users know.
fn state_phrase(state: Option<ValueState>) -> &'static str {
    match state {
        None => "a value not yet entered",
        Some(ValueState::Draft) => "a draft value",
        Some(ValueState::Submitted) => "a submitted value (waiting for review)",
        Some(ValueState::Returned) => "a returned value",
        Some(ValueState::Approved) => "an approved value",
    }
}

/// Whether the value is editable by its unit: unlocked by date, or reopened by an administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub past_deadline: bool,
    pub reopened: bool,
}

impl Lock {
    pub fn is_locked(self) -> bool {
        self.past_deadline && !self.reopened
    }
}

/// Whether `role` may still change a value in state `current` under `lock`: the one rule behind
/// the entry forms (editable or locked) and the writes themselves.
pub fn editable(current: Option<ValueState>, role: Role, lock: Lock) -> bool {
    transition(current, &Action::SaveDraft, role, lock).is_ok()
}

/// The state after `action`, or why it is refused.
pub fn transition(
    current: Option<ValueState>,
    action: &Action,
    role: Role,
    lock: Lock,
) -> Result<ValueState, WorkflowError> {
    use ValueState::*;
    if matches!(role, Role::Public | Role::Client) {
        return Err(WorkflowError::Forbidden);
    }
    let refuse = |name| {
        Err(WorkflowError::InvalidTransition {
            from: current,
            action: name,
        })
    };
    match action {
        Action::SaveDraft | Action::Submit => {
            if role == Role::Evaluator {
                return Err(WorkflowError::Forbidden);
            }
            if lock.is_locked() && role != Role::Admin {
                return Err(WorkflowError::Locked);
            }
            match current {
                None | Some(Draft) | Some(Returned) => Ok(if *action == Action::Submit {
                    Submitted
                } else {
                    Draft
                }),
                _ => refuse(if *action == Action::Submit {
                    "submitted"
                } else {
                    "saved as draft"
                }),
            }
        }
        Action::Return { comment } | Action::Reopen { reason: comment }
            if comment.trim().is_empty() =>
        {
            Err(WorkflowError::ReasonRequired)
        }
        Action::Return { .. } | Action::Approve => {
            if role == Role::Reporter {
                return Err(WorkflowError::Forbidden);
            }
            match current {
                Some(Submitted) => Ok(if *action == Action::Approve {
                    Approved
                } else {
                    Returned
                }),
                _ => refuse(if *action == Action::Approve {
                    "approved"
                } else {
                    "returned"
                }),
            }
        }
        Action::Grade => match role {
            Role::Reporter => Err(WorkflowError::Forbidden),
            _ => Ok(Approved),
        },
        Action::Reopen { .. } => {
            if role != Role::Admin {
                return Err(WorkflowError::Forbidden);
            }
            match current {
                Some(_) => Ok(Returned),
                None => refuse("reopened"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const OPEN: Lock = Lock {
        past_deadline: false,
        reopened: false,
    };
    const LOCKED: Lock = Lock {
        past_deadline: true,
        reopened: false,
    };

    #[test]
    fn returned_value_can_be_fixed_and_resubmitted_then_approved() {
        let s = transition(None, &Action::Submit, Role::Reporter, OPEN).unwrap();
        let s = transition(
            Some(s),
            &Action::Return {
                comment: "附件缺失".into(),
            },
            Role::Evaluator,
            OPEN,
        )
        .unwrap();
        assert_eq!(s, ValueState::Returned);
        let s = transition(Some(s), &Action::Submit, Role::Reporter, OPEN).unwrap();
        assert_eq!(
            transition(Some(s), &Action::Approve, Role::Evaluator, OPEN),
            Ok(ValueState::Approved)
        );
    }

    #[test]
    fn a_unit_cannot_edit_after_the_deadline_until_an_administrator_reopens() {
        assert_eq!(
            transition(
                Some(ValueState::Draft),
                &Action::Submit,
                Role::Reporter,
                LOCKED
            ),
            Err(WorkflowError::Locked)
        );
        assert_eq!(
            transition(
                Some(ValueState::Approved),
                &Action::Reopen { reason: "".into() },
                Role::Admin,
                LOCKED
            ),
            Err(WorkflowError::ReasonRequired)
        );
        assert_eq!(
            transition(
                Some(ValueState::Approved),
                &Action::Reopen {
                    reason: "更正".into()
                },
                Role::Evaluator,
                LOCKED
            ),
            Err(WorkflowError::Forbidden)
        );
        let s = transition(
            Some(ValueState::Approved),
            &Action::Reopen {
                reason: "数据更正".into(),
            },
            Role::Admin,
            LOCKED,
        )
        .unwrap();
        let reopened = Lock {
            past_deadline: true,
            reopened: true,
        };
        assert_eq!(
            transition(Some(s), &Action::Submit, Role::Reporter, reopened),
            Ok(ValueState::Submitted)
        );
    }

    #[test]
    fn evaluators_record_grades_as_approved_even_after_the_deadline_and_units_cannot() {
        assert_eq!(
            transition(None, &Action::Grade, Role::Evaluator, LOCKED),
            Ok(ValueState::Approved)
        );
        assert_eq!(
            transition(
                Some(ValueState::Approved),
                &Action::Grade,
                Role::Admin,
                LOCKED
            ),
            Ok(ValueState::Approved)
        );
        assert_eq!(
            transition(None, &Action::Grade, Role::Reporter, OPEN),
            Err(WorkflowError::Forbidden)
        );
    }

    #[test]
    fn approved_values_cannot_be_resubmitted_and_reporters_cannot_approve() {
        assert!(transition(
            Some(ValueState::Approved),
            &Action::Submit,
            Role::Reporter,
            OPEN
        )
        .is_err());
        assert_eq!(
            transition(
                Some(ValueState::Submitted),
                &Action::Approve,
                Role::Reporter,
                OPEN
            ),
            Err(WorkflowError::Forbidden)
        );
        assert_eq!(
            transition(
                Some(ValueState::Submitted),
                &Action::Return {
                    comment: " ".into()
                },
                Role::Evaluator,
                OPEN
            ),
            Err(WorkflowError::ReasonRequired)
        );
    }
}
