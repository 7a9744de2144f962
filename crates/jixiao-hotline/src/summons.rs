//! 吹哨报到 ("the street blows the whistle, the departments report"): a street that cannot
//! solve a case alone summons its district's functional departments to it. Each summoned
//! department's part has its own task and deadline and goes summoned → reported (报到: the
//! department has taken its part) → done (its part finished, with what it did). The case stays
//! the street's: its rates are the street's, and the street handles the case once every part
//! is done.

use crate::case::{Case, LifecycleError, Stage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a department's part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    /// 已吹哨: summoned, not yet taken.
    Summoned,
    /// 已报到: the department has taken its part.
    Reported,
    /// 已完成: the department's part is done.
    Done,
}

impl PartState {
    pub fn as_str(self) -> &'static str {
        match self {
            PartState::Summoned => "summoned",
            PartState::Reported => "reported",
            PartState::Done => "done",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            PartState::Summoned => "已吹哨",
            PartState::Reported => "已报到",
            PartState::Done => "已完成",
        }
    }
}

/// One department's part of a summoned case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub case_id: String,
    /// The department summoned (an area id of level `department`).
    pub department: String,
    /// The street that summoned it (the case's unit then).
    pub street: String,
    /// What the department is asked to do.
    pub task: String,
    pub due: DateTime<Utc>,
    pub summoned_at: DateTime<Utc>,
    pub reported_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    /// What the department did (when done).
    pub note: String,
}

impl Part {
    pub fn state(&self) -> PartState {
        match (self.reported_at, self.done_at) {
            (_, Some(_)) => PartState::Done,
            (Some(_), None) => PartState::Reported,
            (None, None) => PartState::Summoned,
        }
    }

    /// Not done and past its deadline at `now`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.done_at.is_none() && now > self.due
    }

    /// Done by its deadline.
    pub fn done_in_time(&self) -> bool {
        self.done_at.is_some_and(|d| d <= self.due)
    }
}

/// A step on a department's part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PartStep {
    /// 吹哨: the case's street summons `department` to do `task` by `due`.
    Summon {
        department: String,
        task: String,
        due: DateTime<Utc>,
    },
    /// 报到: the department takes its part.
    Report { department: String },
    /// 完成: the department's part is done, with what it did.
    Finish { department: String, note: String },
}

impl PartStep {
    pub fn name(&self) -> &'static str {
        match self {
            PartStep::Summon { .. } => "summon",
            PartStep::Report { .. } => "report",
            PartStep::Finish { .. } => "finish",
        }
    }
    pub fn department(&self) -> &str {
        match self {
            PartStep::Summon { department, .. }
            | PartStep::Report { department }
            | PartStep::Finish { department, .. } => department,
        }
    }
}

/// The part after `step` at `at`, given the case and its parts so far; or why not now.
/// A street summons a department once per case, while the case is with it and not yet handled;
/// the deadline is after the summons. Finishing a part not yet reported reports it too.
pub fn apply_part(
    case: &Case,
    parts: &[Part],
    step: &PartStep,
    at: DateTime<Utc>,
) -> Result<Part, LifecycleError> {
    let invalid = |message: String| LifecycleError::Invalid {
        case: case.id.clone(),
        message,
    };
    let current = parts
        .iter()
        .find(|p| p.department == step.department() && p.case_id == case.id);
    match step {
        PartStep::Summon {
            department,
            task,
            due,
        } => {
            let street = match (&case.unit, case.stage) {
                (Some(u), Stage::Dispatched | Stage::Responded) => u.clone(),
                _ => {
                    return Err(LifecycleError::NotNow {
                        case: case.id.clone(),
                        event: "summon",
                        stage: case.stage.as_str(),
                    })
                }
            };
            if current.is_some() {
                return Err(invalid(format!(
                    "department `{department}` is summoned to this case already"
                )));
            }
            if task.trim().is_empty() {
                return Err(invalid("a summons needs the department's task".into()));
            }
            if *due <= at {
                return Err(invalid(format!(
                    "the deadline {due} is not after the summons ({at})"
                )));
            }
            Ok(Part {
                case_id: case.id.clone(),
                department: department.clone(),
                street,
                task: task.clone(),
                due: *due,
                summoned_at: at,
                reported_at: None,
                done_at: None,
                note: String::new(),
            })
        }
        PartStep::Report { department } | PartStep::Finish { department, .. } => {
            let mut part = current
                .cloned()
                .ok_or_else(|| invalid(format!("department `{department}` is not summoned")))?;
            let not_now = || LifecycleError::NotNow {
                case: case.id.clone(),
                event: step.name(),
                stage: part_state_str(&part),
            };
            match step {
                PartStep::Report { .. } => {
                    if part.state() != PartState::Summoned {
                        return Err(not_now());
                    }
                    part.reported_at = Some(at.max(part.summoned_at));
                }
                PartStep::Finish { note, .. } => {
                    if part.state() == PartState::Done {
                        return Err(not_now());
                    }
                    if note.trim().is_empty() {
                        return Err(invalid("finishing a part needs what was done".into()));
                    }
                    let at = at.max(part.summoned_at);
                    part.reported_at.get_or_insert(at);
                    part.done_at = Some(at);
                    part.note = note.clone();
                }
                PartStep::Summon { .. } => unreachable!("matched above"),
            }
            Ok(part)
        }
    }
}

fn part_state_str(p: &Part) -> &'static str {
    match p.state() {
        PartState::Summoned => "summoned",
        PartState::Reported => "reported",
        PartState::Done => "done",
    }
}

/// The departments whose parts are not done: the street handles the case after them.
pub fn open_parts(parts: &[Part]) -> Vec<&str> {
    parts
        .iter()
        .filter(|p| p.done_at.is_none())
        .map(|p| p.department.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{apply, Channel, Event};
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 6, 1, h, 0, 0).unwrap()
    }

    fn dispatched() -> Case {
        let c = Case::received("C1", Channel::Phone, t(0), "0302");
        apply(
            &c,
            &Event::Dispatch {
                unit: "dongcheng-s01".into(),
            },
            t(1),
        )
        .unwrap()
    }

    #[test]
    fn a_street_summons_two_departments_and_each_reports_and_finishes() {
        let case = dispatched();
        let summon = |d: &str| PartStep::Summon {
            department: d.into(),
            task: "现场核查".into(),
            due: t(20),
        };
        let a = apply_part(&case, &[], &summon("dongcheng-d-cgw"), t(2)).unwrap();
        assert_eq!(
            (a.state(), a.street.as_str()),
            (PartState::Summoned, "dongcheng-s01")
        );
        let b = apply_part(
            &case,
            std::slice::from_ref(&a),
            &summon("dongcheng-d-zjw"),
            t(2),
        )
        .unwrap();
        // Twice the same department is refused.
        let again = apply_part(
            &case,
            &[a.clone(), b.clone()],
            &summon("dongcheng-d-cgw"),
            t(3),
        );
        assert!(again
            .unwrap_err()
            .to_string()
            .contains("summoned to this case already"));
        let parts = vec![a, b];
        assert_eq!(open_parts(&parts), ["dongcheng-d-cgw", "dongcheng-d-zjw"]);
        let a = apply_part(
            &case,
            &parts,
            &PartStep::Report {
                department: "dongcheng-d-cgw".into(),
            },
            t(3),
        )
        .unwrap();
        assert_eq!(a.state(), PartState::Reported);
        let a = apply_part(
            &case,
            &[a],
            &PartStep::Finish {
                department: "dongcheng-d-cgw".into(),
                note: "已拆除违建".into(),
            },
            t(10),
        )
        .unwrap();
        assert!(a.done_in_time() && !a.overdue(t(21)));
        // Finishing without reporting reports too; past the deadline it is late.
        let b = apply_part(
            &case,
            &parts,
            &PartStep::Finish {
                department: "dongcheng-d-zjw".into(),
                note: "已修复".into(),
            },
            t(22),
        )
        .unwrap();
        assert_eq!(b.reported_at, Some(t(22)));
        assert!(!b.done_in_time());
        assert!(open_parts(&[a, b]).is_empty());
    }

    #[test]
    fn a_summons_needs_a_case_with_the_street_a_task_and_a_later_deadline() {
        let received = Case::received("C2", Channel::Phone, t(0), "0302");
        let step = PartStep::Summon {
            department: "dongcheng-d-cgw".into(),
            task: "核查".into(),
            due: t(5),
        };
        assert!(apply_part(&received, &[], &step, t(1))
            .unwrap_err()
            .to_string()
            .contains("cannot summon a case that is received"));
        let case = dispatched();
        assert!(apply_part(&case, &[], &step, t(6))
            .unwrap_err()
            .to_string()
            .contains("is not after"));
        let report = PartStep::Report {
            department: "dongcheng-d-cgw".into(),
        };
        assert!(apply_part(&case, &[], &report, t(2))
            .unwrap_err()
            .to_string()
            .contains("not summoned"));
    }
}
