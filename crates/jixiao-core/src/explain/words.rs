//! The words of explanations: names of roll-ups, period rules, why a node does not apply, caps.

use crate::numbers::num;
use crate::scoring::NotApplicable;

pub(super) fn roll_up_name(agg: crate::model::Aggregate, zh: bool) -> &'static str {
    match (agg, zh) {
        (crate::model::Aggregate::Sum, true) => "加权汇总",
        (crate::model::Aggregate::Geometric, true) => "加权几何平均",
        (crate::model::Aggregate::Sum, false) => "roll_up_sum",
        (crate::model::Aggregate::Geometric, false) => "roll_up_geometric",
    }
}

pub(super) fn period_rule_text(r: crate::model::PeriodRule, zh: bool) -> &'static str {
    use crate::model::PeriodRule::*;
    match (r, zh) {
        (Latest, true) => "取最新一期",
        (Sum, true) => "各期求和",
        (Mean, true) => "各期平均",
        (Latest, false) => "latest period",
        (Sum, false) => "sum of periods",
        (Mean, false) => "mean of periods",
    }
}

pub(crate) fn not_applicable_text(why: &NotApplicable, zh: bool) -> &'static str {
    match (why, zh) {
        (NotApplicable::NotResponsible, true) => "该单位不承担此任务,不计分,同级权重重新归一",
        (NotApplicable::Missing, true) => "未报送数值且该指标缺报按不适用处理,同级权重重新归一",
        (NotApplicable::Unscorable, true) => "报送值无法按该方法计分(类型不符或等次未定义),按不适用处理",
        (NotApplicable::NoApplicableChildren, true) => "下级指标均不适用",
        (NotApplicable::NotResponsible, false) => "the unit is not responsible for this task; sibling weights renormalised",
        (NotApplicable::Missing, false) => "no value reported and the task treats missing as not applicable; sibling weights renormalised",
        (NotApplicable::Unscorable, false) => "the value cannot be scored by this method (wrong kind or unknown grade); treated as not applicable",
        (NotApplicable::NoApplicableChildren, false) => "no child applies",
    }
}

pub(super) fn cap_text(cap: Option<f64>, zh: bool) -> String {
    match (cap, zh) {
        (Some(c), true) => format!(",上限 {}", num(c)),
        (Some(c), false) => format!(", cap {}", num(c)),
        (None, _) => String::new(),
    }
}
