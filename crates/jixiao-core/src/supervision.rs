//! 督查督办: supervision of key tasks and of inspection, audit and leader-instruction findings
//! (巡视、巡察、审计问题整改, 领导批示). Each item has a unit, a deadline and the evidence it needs;
//! the unit reports progress and asks for closure, the office closes it (or finds it failed).
//! Here: the three-level warning as the deadline nears and passes, and the rule that turns an
//! overdue or failed item into a deduction of the ledger. Pure: the date is given.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where an item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// 巡视、巡察 findings.
    Inspection,
    /// 审计 findings.
    Audit,
    /// 领导批示.
    Instruction,
    /// A key task the office follows (重点任务).
    KeyTask,
}

impl ItemSource {
    pub const ALL: [ItemSource; 4] = [
        ItemSource::Inspection,
        ItemSource::Audit,
        ItemSource::Instruction,
        ItemSource::KeyTask,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemSource::Inspection => "inspection",
            ItemSource::Audit => "audit",
            ItemSource::Instruction => "instruction",
            ItemSource::KeyTask => "key_task",
        }
    }

    /// From its code or its Chinese name.
    pub fn parse(s: &str) -> Option<ItemSource> {
        match s.trim() {
            "inspection" | "巡视巡察" | "巡视" | "巡察" => Some(ItemSource::Inspection),
            "audit" | "审计" => Some(ItemSource::Audit),
            "instruction" | "领导批示" => Some(ItemSource::Instruction),
            "key_task" | "重点任务" => Some(ItemSource::KeyTask),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ItemSource::Inspection => "巡视巡察",
            ItemSource::Audit => "审计",
            ItemSource::Instruction => "领导批示",
            ItemSource::KeyTask => "重点任务",
        }
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Being worked on.
    Open,
    /// The unit reported it done and asks the office to close it.
    ClosureRequested,
    /// The office closed it (销号).
    Closed,
    /// The office found it not rectified (未完成整改).
    Failed,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::ClosureRequested => "closure_requested",
            ItemStatus::Closed => "closed",
            ItemStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        [
            ItemStatus::Open,
            ItemStatus::ClosureRequested,
            ItemStatus::Closed,
            ItemStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Still to be done (carried into the next cycle when the year ends).
    pub fn is_pending(self) -> bool {
        matches!(self, ItemStatus::Open | ItemStatus::ClosureRequested)
    }
}

/// The office's rules (a cycle setting): when warnings start, and what an overdue or failed
/// item deducts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupervisionRules {
    /// 黄色预警: this many days or fewer before the deadline.
    pub yellow_days: i64,
    /// 橙色预警: this many days or fewer before the deadline.
    pub orange_days: i64,
    /// Deducted for an item past its deadline and not closed by it.
    pub overdue_points: f64,
    /// Deducted for an item the office found not rectified.
    pub failed_points: f64,
}

impl Default for SupervisionRules {
    fn default() -> Self {
        SupervisionRules {
            yellow_days: 15,
            orange_days: 5,
            overdue_points: 0.5,
            failed_points: 1.0,
        }
    }
}

impl SupervisionRules {
    /// Every problem of the rules, each naming the field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.orange_days < 0 || self.yellow_days < self.orange_days {
            out.push(format!(
                "yellow_days ({}) must be at least orange_days ({}), both 0 or more",
                self.yellow_days, self.orange_days
            ));
        }
        for (name, x) in [
            ("overdue_points", self.overdue_points),
            ("failed_points", self.failed_points),
        ] {
            if !(x >= 0.0 && x.is_finite()) {
                out.push(format!("{name} must be 0 or more"));
            }
        }
        out
    }
}

/// The three-level warning (三级预警).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    None,
    /// 黄色预警: the deadline nears.
    Yellow,
    /// 橙色预警: the deadline is days away.
    Orange,
    /// 红色预警: past the deadline and not closed.
    Red,
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::None => "none",
            Warning::Yellow => "yellow",
            Warning::Orange => "orange",
            Warning::Red => "red",
        }
    }
}

/// An item as the rules read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemState {
    pub deadline: NaiveDate,
    pub status: ItemStatus,
    /// When the office closed it.
    pub closed_on: Option<NaiveDate>,
}

/// The warning of a pending item on `today`; closed and failed items have none.
pub fn warning(item: &ItemState, today: NaiveDate, rules: &SupervisionRules) -> Warning {
    if !item.status.is_pending() {
        return Warning::None;
    }
    let left = (item.deadline - today).num_days();
    if left < 0 {
        Warning::Red
    } else if left <= rules.orange_days {
        Warning::Orange
    } else if left <= rules.yellow_days {
        Warning::Yellow
    } else {
        Warning::None
    }
}

/// Why an item deducts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// Past its deadline on `today` and not closed, or closed after it.
    Overdue,
    /// Found not rectified.
    Failed,
}

/// The deduction an item earns on `today`: failed items their points; items still pending past
/// the deadline, or closed after it, the overdue points. `None` when the rule deducts nothing.
pub fn breach(
    item: &ItemState,
    today: NaiveDate,
    rules: &SupervisionRules,
) -> Option<(Breach, f64)> {
    let (b, points) = match item.status {
        ItemStatus::Failed => (Breach::Failed, rules.failed_points),
        ItemStatus::Closed => match item.closed_on {
            Some(d) if d > item.deadline => (Breach::Overdue, rules.overdue_points),
            _ => return None,
        },
        _ if today > item.deadline => (Breach::Overdue, rules.overdue_points),
        _ => return None,
    };
    (points > 0.0).then_some((b, points))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(deadline: &str, status: ItemStatus, closed_on: Option<&str>) -> ItemState {
        ItemState {
            deadline: d(deadline),
            status,
            closed_on: closed_on.map(d),
        }
    }

    #[test]
    fn warnings_rise_as_the_deadline_nears_and_passes() {
        let r = SupervisionRules::default();
        let open = |deadline| item(deadline, ItemStatus::Open, None);
        let today = d("2020-12-20");
        assert_eq!(warning(&open("2021-01-05"), today, &r), Warning::None);
        assert_eq!(
            warning(&open("2021-01-04"), today, &r),
            Warning::Yellow,
            "15 days"
        );
        assert_eq!(
            warning(&open("2020-12-25"), today, &r),
            Warning::Orange,
            "5 days"
        );
        assert_eq!(
            warning(&open("2020-12-20"), today, &r),
            Warning::Orange,
            "due today"
        );
        assert_eq!(warning(&open("2020-12-19"), today, &r), Warning::Red);
        let closed = item("2020-12-19", ItemStatus::Closed, Some("2020-12-18"));
        assert_eq!(warning(&closed, today, &r), Warning::None);
        let asked = item("2020-12-19", ItemStatus::ClosureRequested, None);
        assert_eq!(
            warning(&asked, today, &r),
            Warning::Red,
            "asking is not closing"
        );
    }

    #[test]
    fn overdue_and_failed_items_deduct_and_the_rest_do_not() {
        let r = SupervisionRules::default();
        let today = d("2020-12-20");
        let b = |i: ItemState| breach(&i, today, &r);
        assert_eq!(
            b(item("2020-11-30", ItemStatus::Open, None)),
            Some((Breach::Overdue, 0.5))
        );
        assert_eq!(b(item("2020-12-31", ItemStatus::Open, None)), None);
        assert_eq!(
            b(item("2020-11-30", ItemStatus::Closed, Some("2020-12-02"))),
            Some((Breach::Overdue, 0.5)),
            "closed late"
        );
        assert_eq!(
            b(item("2020-11-30", ItemStatus::Closed, Some("2020-11-30"))),
            None
        );
        assert_eq!(
            b(item("2021-06-30", ItemStatus::Failed, None)),
            Some((Breach::Failed, 1.0))
        );
        let lenient = SupervisionRules {
            overdue_points: 0.0,
            ..r.clone()
        };
        assert_eq!(
            breach(&item("2020-11-30", ItemStatus::Open, None), today, &lenient),
            None
        );
        assert!(SupervisionRules {
            yellow_days: 3,
            ..r
        }
        .problems()[0]
            .contains("yellow_days"));
    }
}
