//! A hotline case (工单) and its lifecycle.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a case came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Web,
    App,
    Open311,
    /// 网格巡查: found by a grid inspector on patrol.
    GridPatrol,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Phone,
        Channel::Web,
        Channel::App,
        Channel::Open311,
        Channel::GridPatrol,
        Channel::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::App => "app",
            Channel::Open311 => "open311",
            Channel::GridPatrol => "grid_patrol",
            Channel::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Web => "网站",
            Channel::App => "移动端",
            Channel::Open311 => "Open311接口",
            Channel::GridPatrol => "网格巡查",
            Channel::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }
    pub fn parse(s: &str) -> Option<Urgency> {
        match s {
            "normal" => Some(Urgency::Normal),
            "urgent" => Some(Urgency::Urgent),
            _ => None,
        }
    }
}

/// Where a case is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 受理: taken by the hotline, not yet dispatched (or returned by the unit).
    Received,
    /// 派单: dispatched to a street or department.
    Dispatched,
    /// 响应: the unit contacted the requester.
    Responded,
    /// 办理: the unit reports the request handled.
    Handled,
    /// 回访: the hotline called the requester back.
    CalledBack,
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Received,
        Stage::Dispatched,
        Stage::Responded,
        Stage::Handled,
        Stage::CalledBack,
        Stage::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Dispatched => "dispatched",
            Stage::Responded => "responded",
            Stage::Handled => "handled",
            Stage::CalledBack => "called_back",
            Stage::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Received => "已受理",
            Stage::Dispatched => "已派单",
            Stage::Responded => "已响应",
            Stage::Handled => "已办理",
            Stage::CalledBack => "已回访",
            Stage::Closed => "已办结",
        }
    }
}

/// How a case was closed: fixed, or closed without a fix (kept apart, as FixMyStreet does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    Fixed,
    /// 非本单位职责.
    NotResponsible,
    /// 重复件.
    Duplicate,
    /// 转外部处理.
    ReferredOut,
    /// 无需进一步处理 (withdrawn, cancelled).
    NoFurtherAction,
}

impl Closure {
    pub const ALL: [Closure; 5] = [
        Closure::Fixed,
        Closure::NotResponsible,
        Closure::Duplicate,
        Closure::ReferredOut,
        Closure::NoFurtherAction,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Closure::Fixed => "fixed",
            Closure::NotResponsible => "not_responsible",
            Closure::Duplicate => "duplicate",
            Closure::ReferredOut => "referred_out",
            Closure::NoFurtherAction => "no_further_action",
        }
    }
    pub fn parse(s: &str) -> Option<Closure> {
        Closure::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Closure::Fixed => "已解决",
            Closure::NotResponsible => "非职责范围",
            Closure::Duplicate => "重复件",
            Closure::ReferredOut => "转外部处理",
            Closure::NoFurtherAction => "无需处理",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    NotSatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::NotSatisfied => "not_satisfied",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::NotSatisfied => "不满意",
        }
    }
    pub fn parse(s: &str) -> Option<Satisfaction> {
        [
            Satisfaction::Satisfied,
            Satisfaction::BasicallySatisfied,
            Satisfaction::NotSatisfied,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// The requester's answer on the callback (回访).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Callback {
    pub at: DateTime<Utc>,
    pub solved: bool,
    pub satisfaction: Satisfaction,
}

/// Why a case is left out of the rates, and who approved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// unreasonable, duplicate, out_of_scope.
    pub reason: String,
    pub note: String,
    pub approver: String,
}

pub const EXCLUSION_REASONS: [&str; 3] = ["unreasonable", "duplicate", "out_of_scope"];

/// What an Open311 client sent with a request beyond the case itself: the URL of a photo and
/// the service's attributes (`attribute[code]=value`), by code; a multi-valued attribute is one
/// pair per value, in the order sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    pub media_url: Option<String>,
    pub attributes: Vec<(String, String)>,
}

/// A case. Times are UTC; months and deadlines are judged in the configured time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub channel: Channel,
    pub received: DateTime<Utc>,
    /// Category code from the catalogue (GB/T 39666-style, e.g. 010203).
    pub category: String,
    pub description: String,
    pub address: String,
    /// The street or department the case is dispatched to (a unit id); `None` until dispatched.
    pub unit: Option<String>,
    /// The grid cell (网格) it is located in, when known.
    pub grid: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub urgency: Urgency,
    /// Requester contact: personal information, masked wherever it is shown.
    pub contact: Option<String>,
    pub stage: Stage,
    pub dispatched: Option<DateTime<Utc>>,
    pub responded: Option<DateTime<Utc>>,
    pub handled: Option<DateTime<Utc>>,
    pub callback: Option<Callback>,
    pub closed: Option<DateTime<Utc>>,
    pub closure: Option<Closure>,
    pub returns: u32,
    /// The units that returned it (退单), oldest first: each return counts against the unit
    /// that made it (退单率), not the one the case ends with. Empty for imported cases, whose
    /// exports say how often a case was returned but not by whom.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returned_by: Vec<String>,
    pub reopened: u32,
    pub exclusion: Option<Exclusion>,
    pub response_due: Option<DateTime<Utc>>,
    pub completion_due: Option<DateTime<Utc>>,
    /// Whether the source records the unit's first response; `false` for imports from systems
    /// that do not (the response rate is then not computed from the case, not taken as 0).
    pub response_tracked: bool,
}

impl Case {
    /// A case as the hotline takes it.
    pub fn received(
        id: impl Into<String>,
        channel: Channel,
        received: DateTime<Utc>,
        category: impl Into<String>,
    ) -> Case {
        Case {
            id: id.into(),
            channel,
            received,
            category: category.into(),
            description: String::new(),
            address: String::new(),
            unit: None,
            grid: None,
            lat: None,
            lon: None,
            urgency: Urgency::Normal,
            contact: None,
            stage: Stage::Received,
            dispatched: None,
            responded: None,
            handled: None,
            callback: None,
            closed: None,
            closure: None,
            returns: 0,
            returned_by: Vec::new(),
            reopened: 0,
            exclusion: None,
            response_due: None,
            completion_due: None,
            response_tracked: true,
        }
    }

    pub fn is_open(&self) -> bool {
        self.stage != Stage::Closed
    }

    /// Open past its completion deadline at `now`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && self.handled.is_none() && self.completion_due.is_some_and(|d| now > d)
    }
}

/// Something that happens to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Dispatch {
        unit: String,
    },
    /// 退单: the unit sends it back to the hotline (not its responsibility, wrong place).
    Return {
        reason: String,
    },
    /// 改派: dispatched to another unit.
    Redispatch {
        unit: String,
    },
    Respond,
    Handle,
    Callback {
        solved: bool,
        satisfaction: Satisfaction,
    },
    Close {
        closure: Closure,
    },
    Reopen {
        reason: String,
    },
    Exclude(Exclusion),
    /// Takes an exclusion back.
    Include,
    /// A note on the case's record (what was done, who was called); changes nothing else.
    Note {
        text: String,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Dispatch { .. } => "dispatch",
            Event::Return { .. } => "return",
            Event::Redispatch { .. } => "redispatch",
            Event::Respond => "respond",
            Event::Handle => "handle",
            Event::Callback { .. } => "callback",
            Event::Close { .. } => "close",
            Event::Reopen { .. } => "reopen",
            Event::Exclude(_) => "exclude",
            Event::Include => "include",
            Event::Note { .. } => "note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LifecycleError {
    #[error("case {case}: cannot {event} a case that is {stage}")]
    NotNow {
        case: String,
        event: &'static str,
        stage: &'static str,
    },
    #[error("case {case}: {message}")]
    Invalid { case: String, message: String },
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The case after `event` at `at`, or why the event cannot happen now.
pub fn apply(case: &Case, event: &Event, at: DateTime<Utc>) -> Result<Case, LifecycleError> {
    use Stage::*;
    let mut c = case.clone();
    let not_now = || LifecycleError::NotNow {
        case: case.id.clone(),
        event: event.name(),
        stage: case.stage.as_str(),
    };
    let invalid = |message: &str| LifecycleError::Invalid {
        case: case.id.clone(),
        message: message.to_string(),
    };
    match event {
        Event::Dispatch { unit } => {
            if c.stage != Received {
                return Err(not_now());
            }
            if unit.trim().is_empty() {
                return Err(invalid("dispatch needs a unit"));
            }
            c.unit = Some(unit.clone());
            c.stage = Dispatched;
            c.dispatched.get_or_insert(at);
        }
        Event::Return { .. } => {
            if !matches!(c.stage, Dispatched | Responded) {
                return Err(not_now());
            }
            c.returned_by.extend(c.unit.take());
            c.stage = Received;
            c.responded = None;
            c.returns += 1;
        }
        Event::Redispatch { unit } => {
            if !matches!(c.stage, Received | Dispatched | Responded) || c.dispatched.is_none() {
                return Err(not_now());
            }
            if unit.trim().is_empty() {
                return Err(invalid("re-dispatch needs a unit"));
            }
            c.unit = Some(unit.clone());
            c.stage = Dispatched;
            c.responded = None;
        }
        Event::Respond => {
            if c.stage != Dispatched {
                return Err(not_now());
            }
            c.stage = Responded;
            c.responded = Some(at);
        }
        Event::Handle => {
            if !matches!(c.stage, Dispatched | Responded) {
                return Err(not_now());
            }
            // Handling a case is also a response to it.
            c.responded.get_or_insert(at);
            c.stage = Handled;
            c.handled = Some(at);
        }
        Event::Callback {
            solved,
            satisfaction,
        } => {
            if c.stage != Handled {
                return Err(not_now());
            }
            c.stage = CalledBack;
            c.callback = Some(Callback {
                at,
                solved: *solved,
                satisfaction: *satisfaction,
            });
        }
        Event::Close { closure } => {
            let allowed = match closure {
                // Fixed means handled; it is closed after the callback, or without one when
                // the requester could not be reached.
                Closure::Fixed => matches!(c.stage, Handled | CalledBack),
                _ => c.stage != Closed,
            };
            if !allowed {
                return Err(not_now());
            }
            c.stage = Closed;
            c.closed = Some(at);
            c.closure = Some(*closure);
        }
        Event::Reopen { .. } => {
            if c.stage != Closed || c.unit.is_none() {
                return Err(not_now());
            }
            c.stage = Dispatched;
            c.reopened += 1;
            c.closed = None;
            c.closure = None;
            c.handled = None;
            c.callback = None;
        }
        Event::Exclude(x) => {
            if !crate::case::EXCLUSION_REASONS.contains(&x.reason.as_str()) {
                return Err(invalid(&format!(
                    "exclusion reason `{}` is not one of {}",
                    x.reason,
                    EXCLUSION_REASONS.join(", ")
                )));
            }
            if x.approver.trim().is_empty() {
                return Err(invalid("an exclusion needs an approver"));
            }
            c.exclusion = Some(x.clone());
        }
        Event::Include => {
            if c.exclusion.is_none() {
                return Err(not_now());
            }
            c.exclusion = None;
        }
        Event::Note { text } => {
            if text.trim().is_empty() {
                return Err(invalid("a note needs its text"));
            }
        }
    }
    Ok(c)
}

/// 138****1234: the first three and last four digits of a phone number; other contacts keep
/// their first and last character.
pub fn mask_contact(contact: &str) -> String {
    let chars: Vec<char> = contact.chars().collect();
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if digits >= 7 && digits == chars.len() {
        let s: String = chars.iter().collect();
        return format!("{}****{}", &s[..3], &s[s.len() - 4..]);
    }
    match chars.len() {
        0 => String::new(),
        1 | 2 => "*".repeat(chars.len()),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 3, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn a_case_goes_through_its_whole_life() {
        let c = Case::received("C1", Channel::Phone, t(0), "010101");
        let c = apply(
            &c,
            &Event::Dispatch {
                unit: "jianguomen".into(),
            },
            t(1),
        )
        .unwrap();
        let c = apply(
            &c,
            &Event::Return {
                reason: "非本辖区".into(),
            },
            t(2),
        )
        .unwrap();
        assert_eq!(
            (c.stage, c.unit.clone(), c.returns, c.returned_by.clone()),
            (Stage::Received, None, 1, vec!["jianguomen".to_string()])
        );
        let c = apply(
            &c,
            &Event::Redispatch {
                unit: "donghuamen".into(),
            },
            t(3),
        )
        .unwrap();
        let c = apply(&c, &Event::Respond, t(4)).unwrap();
        let c = apply(&c, &Event::Handle, t(5)).unwrap();
        let c = apply(
            &c,
            &Event::Callback {
                solved: true,
                satisfaction: Satisfaction::Satisfied,
            },
            t(6),
        )
        .unwrap();
        let c = apply(
            &c,
            &Event::Close {
                closure: Closure::Fixed,
            },
            t(7),
        )
        .unwrap();
        assert_eq!(
            (c.stage, c.unit.as_deref()),
            (Stage::Closed, Some("donghuamen"))
        );
        let c = apply(
            &c,
            &Event::Reopen {
                reason: "问题复发".into(),
            },
            t(8),
        )
        .unwrap();
        assert_eq!(
            (c.stage, c.reopened, c.callback),
            (Stage::Dispatched, 1, None)
        );
    }

    #[test]
    fn events_out_of_order_are_refused_with_the_stage() {
        let c = Case::received("C2", Channel::Web, t(0), "01");
        let e = apply(&c, &Event::Handle, t(1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "case C2: cannot handle a case that is received"
        );
        assert!(apply(
            &c,
            &Event::Close {
                closure: Closure::Fixed
            },
            t(1)
        )
        .is_err());
        // Closing a duplicate needs no handling.
        let d = apply(
            &c,
            &Event::Close {
                closure: Closure::Duplicate,
            },
            t(1),
        )
        .unwrap();
        assert_eq!(d.closure, Some(Closure::Duplicate));
        let bad = Exclusion {
            reason: "because".into(),
            note: String::new(),
            approver: "office".into(),
        };
        assert!(apply(&c, &Event::Exclude(bad), t(1)).is_err());
    }

    #[test]
    fn contacts_are_masked() {
        assert_eq!(mask_contact("13812341234"), "138****1234");
        assert_eq!(mask_contact("王小明"), "王*明");
        assert_eq!(mask_contact("ab"), "**");
    }
}
