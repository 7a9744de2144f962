//! The assessment model: a cycle with its periods, the evaluated units and their groups, and
//! the indicator tree whose leaves are tasks with a scoring method.
//!
//! A [`Framework`] is only ever built by the task-book parsers after validation, so the scoring
//! code can rely on its invariants: parents come before children, ids are unique, every
//! reference resolves, tasks are leaves and every method has what it needs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Index of a node in [`Framework::nodes`].
pub type NodeIdx = usize;
/// Index of a unit in [`Framework::units`].
pub type UnitIdx = usize;

/// One yearly assessment (考评周期) with everything needed to score it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub cycle: Cycle,
    pub groups: Vec<Group>,
    pub units: Vec<Unit>,
    pub evaluators: Vec<Evaluator>,
    /// Nodes in declaration order; a parent always precedes its children.
    pub nodes: Vec<Node>,
    /// Grade bands (等次), highest `min` first.
    pub grades: Vec<GradeBand>,
    pub bonus: LedgerPolicy,
    pub deduction: LedgerPolicy,
    pub ranking: RankingPolicy,
    pub status: StatusPolicy,
    /// The jump check's default threshold ([`crate::checks`]).
    #[serde(default)]
    pub checks: crate::checks::CheckPolicy,
    /// Special tasks (专项) and themes tagged across the indicator tree ([`crate::tags`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Unit classes (单位类别, e.g. districts and city departments): each with its own points
    /// and full marks, ranked apart. Empty: one class of every unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<UnitClass>,
    /// The organisation that runs the cycle when it is not the city's own (a district office
    /// assessing its streets, 分级考评); `None` for the city's cycles. Accounts of an
    /// organisation work only in its cycles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
}

/// An organisation below the city that runs cycles of its own (a district government running
/// its streets' assessment). Its id is the one accounts are scoped by, usually the district's
/// unit id in the city's cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

/// A class of units assessed on their own scale in the same cycle (区政府, 市政府部门).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitClass {
    pub id: String,
    pub name: String,
    /// Full marks (满分) of the class; when absent, the points of the top-level nodes that apply
    /// to the class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_points: Option<f64>,
}

/// A tag across the indicator tree: a special task (专项, e.g. 优化营商环境) or a unit's own
/// theme, scored and ranked apart from the tree's dimensions ([`crate::tags`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
    pub kind: TagKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagKind {
    /// 专项: a cross-cutting task the office assesses as a whole.
    Special,
    /// 主题: any other grouping (a unit's own themes, a policy package).
    Theme,
}

impl TagKind {
    pub const ALL: [(&'static str, TagKind); 2] =
        [("special", TagKind::Special), ("theme", TagKind::Theme)];
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Special => "special",
            TagKind::Theme => "theme",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cycle {
    pub id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub periods: Vec<Period>,
}

/// A reporting period (填报期): a month or quarter with its submission deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// After this day the period's values are locked (only an administrator reopens them).
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// An evaluated unit (被考评单位).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// Ids of the groups the unit belongs to (a unit may be in several).
    pub groups: Vec<String>,
    /// `false` for units scored but kept out of the ranking (单列).
    pub ranked: bool,
    /// The unit's class ([`UnitClass`] id) when the cycle has classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    District,
    Department,
    Street,
    Other,
}

impl UnitKind {
    pub const ALL: [(&'static str, UnitKind); 4] = [
        ("district", UnitKind::District),
        ("department", UnitKind::Department),
        ("street", UnitKind::Street),
        ("other", UnitKind::Other),
    ];
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(s, _)| *s)
            .unwrap_or("other")
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }
}

/// An evaluating unit (考评主体): the department that scores an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluator {
    pub id: String,
    pub name: String,
}

/// A node of the indicator tree: a dimension, an indicator or (as a leaf with a method) a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    /// Scoring criteria or other text for people (考评标准); may be empty.
    pub description: String,
    pub parent: Option<NodeIdx>,
    pub children: Vec<NodeIdx>,
    /// Points (分值).
    pub points: f64,
    /// Ids of the evaluating units (考评主体).
    pub evaluators: Vec<String>,
    /// Whether the file asks that the children's points add up to this node's points.
    pub children_sum: bool,
    /// How children roll up into this node (ignored on tasks).
    pub aggregate: Aggregate,
    /// Present on leaves that are scored directly.
    pub task: Option<Task>,
    /// Ids of the tags ([`Tag`]) on this node; a tag on an indicator covers its subtree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The unit classes this node (and its subtree) applies to; empty: every class.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Points of this node for units of a class, where they differ from `points`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_points: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// `P · Σ s_c / Σ w_c` over applicable children: the plain weighted sum when the children's
    /// points add up to P and all apply.
    Sum,
    /// `P · Π (s_c / w_c)^(w_c / Σ w)`: the weighted geometric mean of attainments.
    Geometric,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// What a missing value means for a task (缺报处理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// The task scores 0.
    Zero,
    /// The task does not apply; the siblings' weights are renormalised.
    NotApplicable,
}

/// How the values of several periods make the year's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodRule {
    /// Cumulative or level indicators: the latest period with a value.
    Latest,
    /// Flow indicators reported per period: the sum.
    Sum,
    /// The mean of the periods with a value.
    Mean,
}

/// Target, challenge and floor of a task for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Targets {
    pub target: Option<f64>,
    pub challenge: Option<f64>,
    pub floor: Option<f64>,
}

/// A unit-specific target (任务书 differ by unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetOverride {
    pub unit: String,
    pub targets: Targets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Unit of measure (计量单位), e.g. 万平方米, %.
    pub measure: String,
    pub direction: Direction,
    pub targets: Targets,
    pub overrides: Vec<TargetOverride>,
    pub method: Method,
    pub missing: MissingPolicy,
    pub period_rule: PeriodRule,
    /// Unit or group ids responsible for the task; empty means every unit.
    pub responsible: Vec<String>,
    pub due: Option<NaiveDate>,
    /// Expected cumulative share of the target reached by the end of each period; empty means
    /// linear.
    pub progress: Vec<f64>,
    /// Measure type, bounds and jump threshold of the values ([`crate::checks`]).
    #[serde(default)]
    pub checks: crate::checks::ValueRules,
    /// A formula task's value is computed from other tasks' values, never reported
    /// ([`crate::formula`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<crate::formula::Formula>,
}

impl Task {
    /// The targets that apply to `unit_id`: the unit's override where it sets a field, else the
    /// task's own.
    pub fn targets_for(&self, unit_id: &str) -> Targets {
        let mut t = self.targets;
        if let Some(o) = self.overrides.iter().find(|o| o.unit == unit_id) {
            t.target = o.targets.target.or(t.target);
            t.challenge = o.targets.challenge.or(t.challenge);
            t.floor = o.targets.floor.or(t.floor);
        }
        t
    }
}

/// A scoring method of DOMAIN.md §2 with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// `s = w · min(x/T, cap)`; lower is better: `w · min(T/x, cap)`.
    Ratio { cap: f64 },
    /// Full points when the target is met, else `partial · w`.
    Threshold { partial: f64 },
    /// Below the floor 0; floor→target maps to `floor_share`→1 of w; target→challenge maps to
    /// 1→`challenge_share`. Above w is kept only as bonus when `excess_as_bonus`.
    Piecewise {
        floor_share: f64,
        challenge_share: f64,
        excess_as_bonus: bool,
    },
    /// 功效系数法: `d = 60 + 40 · (x − x_s)/(x_h − x_s)` with x_h the target (satisfactory) and
    /// x_s the floor (unacceptable); `s = w · clamp(d, 0, cap)/100`.
    Efficacy { cap: f64 },
    /// Growth against target growth: `s = w·base_share + per_point·(x − T)` (points per
    /// percentage point), clamped to `[0, w·cap_share]`.
    Growth {
        base_share: f64,
        per_point: f64,
        cap_share: f64,
    },
    /// 位次法 within a group.
    Rank {
        group: Option<String>,
        formula: RankFormula,
        ties: TiePolicy,
    },
    /// 扣分法: `s = max(0, base − per_event · x)` with x the number of events; base defaults to w.
    Deduction { base: Option<f64>, per_event: f64 },
    /// Evaluator's grade → share of w.
    Qualitative { grades: Vec<(String, f64)> },
    /// A score on its own scale (survey, leader evaluation) scaled to w.
    Scaled { min: f64, max: f64 },
    /// Normalised across the units of a group (OECD/JRC).
    Normalised {
        normalisation: Normalisation,
        group: Option<String>,
    },
    /// 报送数据: a figure reported and checked like any value but not scored (0 points); formula
    /// tasks compute from it.
    Figure,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RankFormula {
    /// `s = w − step · (rank − 1)`, floored at 0.
    Step { step: f64 },
    /// `s = w · (n − rank)/(n − 1)`.
    Proportional,
}

/// How tied values share a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TiePolicy {
    /// Ties share the best rank of their block (1, 2, 2, 4).
    Min,
    /// Ties share the mean rank of their block (1, 2.5, 2.5, 4).
    Average,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    MinMax,
    ZScore,
    DistanceToTarget,
}

impl Normalisation {
    pub const ALL: [Normalisation; 3] = [
        Normalisation::MinMax,
        Normalisation::ZScore,
        Normalisation::DistanceToTarget,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Normalisation::MinMax => "min_max",
            Normalisation::ZScore => "z_score",
            Normalisation::DistanceToTarget => "distance_to_target",
        }
    }
}

impl Method {
    /// The method's name as written in task-book files.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Ratio { .. } => "ratio",
            Method::Threshold { .. } => "threshold",
            Method::Piecewise { .. } => "piecewise",
            Method::Efficacy { .. } => "efficacy",
            Method::Growth { .. } => "growth",
            Method::Rank { .. } => "rank",
            Method::Deduction { .. } => "deduction",
            Method::Qualitative { .. } => "qualitative",
            Method::Scaled { .. } => "scaled",
            Method::Normalised { .. } => "normalised",
            Method::Figure => "figure",
        }
    }

    /// Chinese name used in explanations.
    pub fn name_zh(&self) -> &'static str {
        match self {
            Method::Ratio { .. } => "完成率法(封顶)",
            Method::Threshold { .. } => "达标法",
            Method::Piecewise { .. } => "分段线性法(底线/目标/挑战)",
            Method::Efficacy { .. } => "功效系数法",
            Method::Growth { .. } => "增幅对标法",
            Method::Rank { .. } => "位次法",
            Method::Deduction { .. } => "扣分法",
            Method::Qualitative { .. } => "定性评价法",
            Method::Scaled { .. } => "分值折算法",
            Method::Normalised { .. } => "标准化法",
            Method::Figure => "报送数据(不计分)",
        }
    }

    /// Whether the score depends on the other units' values.
    pub fn is_relative(&self) -> bool {
        matches!(self, Method::Rank { .. } | Method::Normalised { .. })
    }

    /// Whether the value is a grade label rather than a number.
    pub fn takes_grade(&self) -> bool {
        matches!(self, Method::Qualitative { .. })
    }

    /// Whether the task's figure comes from its evaluator (a grade, a survey or leader score)
    /// rather than from the unit.
    pub fn is_evaluators(&self) -> bool {
        matches!(self, Method::Qualitative { .. } | Method::Scaled { .. })
    }

    /// Whether the task is judged once a year (compared across units, or given by the
    /// evaluator at year end) rather than reported every period.
    pub fn is_yearly(&self) -> bool {
        self.is_relative() || self.is_evaluators()
    }
}

/// A grade band (等次): units scoring at least `min` get `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeBand {
    pub name: String,
    pub min: f64,
}

/// Caps of the bonus (创新创优) or deduction (问责) ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LedgerPolicy {
    /// Most points the ledger can add or remove in total; `None` is uncapped.
    pub cap: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingPolicy {
    /// Totals are compared after rounding to this many decimals, so units that show the same
    /// published score share a rank.
    pub decimals: u32,
}

impl Default for RankingPolicy {
    fn default() -> Self {
        RankingPolicy { decimals: 2 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusPolicy {
    /// A task within this share below its expected progress is "at risk", further is "behind".
    pub at_risk_margin: f64,
}

impl Default for StatusPolicy {
    fn default() -> Self {
        StatusPolicy {
            at_risk_margin: 0.1,
        }
    }
}

impl Framework {
    /// Why `points` cannot be one entry of `kind`: more than the ledger's cap adds up to in
    /// total, so it could never count as entered (a 500-point bonus under a cap of 3).
    pub fn ledger_entry_problem(
        &self,
        kind: crate::inputs::LedgerKind,
        points: f64,
    ) -> Option<String> {
        let (policy, what) = match kind {
            crate::inputs::LedgerKind::Bonus => (&self.bonus, "bonus"),
            crate::inputs::LedgerKind::Deduction => (&self.deduction, "deduction"),
        };
        let cap = policy.cap?;
        (points > cap + 1e-9).then(|| {
            format!("{points} points is more than the {what} cap of {cap} points a unit can get in total")
        })
    }

    pub fn unit_index(&self, key: &str) -> Option<UnitIdx> {
        self.units
            .iter()
            .position(|u| u.id == key)
            .or_else(|| self.units.iter().position(|u| u.name == key))
    }

    pub fn node_index(&self, key: &str) -> Option<NodeIdx> {
        self.nodes
            .iter()
            .position(|n| n.id == key)
            .or_else(|| self.nodes.iter().position(|n| n.name == key))
    }

    pub fn period_index(&self, key: &str) -> Option<usize> {
        self.cycle
            .periods
            .iter()
            .position(|p| p.id == key || p.name == key)
    }

    pub fn group_index(&self, key: &str) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.id == key || g.name == key)
    }

    /// Top-level nodes (dimensions).
    pub fn roots(&self) -> impl Iterator<Item = NodeIdx> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.parent.is_none())
            .map(|(i, _)| i)
    }

    /// Indices of all tasks, in declaration order.
    pub fn tasks(&self) -> impl Iterator<Item = NodeIdx> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.task.is_some())
            .map(|(i, _)| i)
    }

    /// Sum of the top-level nodes' points: the full score before bonus and deductions (of a
    /// cycle without unit classes; see [`Framework::full_marks`]).
    pub fn total_points(&self) -> f64 {
        self.roots().map(|i| self.nodes[i].points).sum()
    }

    /// Index of `unit`'s class in [`Framework::classes`].
    pub fn class_of(&self, unit: UnitIdx) -> Option<usize> {
        let c = self.units[unit].class.as_deref()?;
        self.classes.iter().position(|x| x.id == c)
    }

    /// Points of `node` for `unit`: its class's points where the task book gives them.
    pub fn points_for(&self, node: NodeIdx, unit: UnitIdx) -> f64 {
        let n = &self.nodes[node];
        match self.units[unit].class.as_deref() {
            Some(c) => n
                .class_points
                .iter()
                .find(|(k, _)| k == c)
                .map_or(n.points, |(_, p)| *p),
            None => n.points,
        }
    }

    /// `node`, then its parent, and so on up to its dimension.
    pub fn lineage(&self, node: NodeIdx) -> impl Iterator<Item = NodeIdx> + '_ {
        std::iter::successors(Some(node), |&n| self.nodes[n].parent)
    }

    /// Whether `node` applies to `unit`'s class (its own and its ancestors' `classes`).
    pub fn applies_to_class(&self, node: NodeIdx, unit: UnitIdx) -> bool {
        let class = self.units[unit].class.as_deref();
        self.lineage(node).all(|n| {
            let only = &self.nodes[n].classes;
            only.is_empty() || class.is_some_and(|c| only.iter().any(|x| x == c))
        })
    }

    /// Full marks (满分) of `unit`: its class's, or the points of the top-level nodes that apply
    /// to it; the cycle's total points without classes.
    pub fn full_marks(&self, unit: UnitIdx) -> f64 {
        match self.class_of(unit) {
            None => self.total_points(),
            Some(c) => self.classes[c].total_points.unwrap_or_else(|| {
                self.roots()
                    .filter(|&r| self.applies_to_class(r, unit))
                    .map(|r| self.points_for(r, unit))
                    .sum()
            }),
        }
    }

    /// The grade of `unit` with `total`: with unit classes the bands are on a 100-point scale
    /// (the total × 100 ÷ the class's full marks), so one set of bands serves every class.
    pub fn grade_of(&self, unit: UnitIdx, total: f64) -> Option<&str> {
        if self.classes.is_empty() {
            return self.grade_for(total);
        }
        let full = self.full_marks(unit);
        self.grade_for(if full > 0.0 {
            total * 100.0 / full
        } else {
            0.0
        })
    }

    /// Whether `unit` is responsible for the task at `node` (directly or through a group), and
    /// the task applies to its class.
    pub fn is_responsible(&self, node: NodeIdx, unit: UnitIdx) -> bool {
        let Some(task) = &self.nodes[node].task else {
            return false;
        };
        if !self.applies_to_class(node, unit) {
            return false;
        }
        if task.responsible.is_empty() {
            return true;
        }
        let u = &self.units[unit];
        task.responsible
            .iter()
            .any(|r| *r == u.id || u.groups.iter().any(|g| g == r))
    }

    /// Units of a group (all units when `group` is `None`).
    /// Whether a value of `task` is expected for `period`: every period, or only the last
    /// for a yearly task ([`Method::is_yearly`]). The one rule behind progress, reminders and
    /// the entry forms.
    pub fn expects_value(&self, task: NodeIdx, period: usize) -> bool {
        if self.is_computed(task) {
            return false;
        }
        let yearly = self.nodes[task]
            .task
            .as_ref()
            .is_some_and(|t| t.method.is_yearly());
        !yearly || period + 1 == self.cycle.periods.len()
    }

    /// Whether the unit reports `task` itself (not its evaluator, and not computed by a
    /// formula).
    pub fn reported_by_unit(&self, task: NodeIdx) -> bool {
        self.nodes[task]
            .task
            .as_ref()
            .is_some_and(|t| !t.method.is_evaluators() && t.formula.is_none())
    }

    /// Whether `task` is a reported figure ([`Method::Figure`]): an input of formula tasks, not
    /// an assessed task of its own.
    pub fn is_figure(&self, task: NodeIdx) -> bool {
        self.nodes[task]
            .task
            .as_ref()
            .is_some_and(|t| t.method == Method::Figure)
    }

    /// Whether `task`'s value is computed by its formula, so nobody reports or grades it.
    pub fn is_computed(&self, task: NodeIdx) -> bool {
        self.nodes[task]
            .task
            .as_ref()
            .is_some_and(|t| t.formula.is_some())
    }

    /// The period being reported on `today`: the first whose deadline has not passed, else the
    /// last.
    pub fn open_period(&self, today: chrono::NaiveDate) -> usize {
        self.cycle
            .periods
            .iter()
            .position(|p| p.deadline >= today)
            .unwrap_or(self.cycle.periods.len().saturating_sub(1))
    }

    pub fn members(&self, group: Option<&str>) -> Vec<UnitIdx> {
        (0..self.units.len())
            .filter(|&u| group.is_none_or(|g| self.units[u].groups.iter().any(|x| x == g)))
            .collect()
    }

    /// Path of node names from the root, e.g. "战略绩效 / 疏整促 / 拆除违法建设".
    pub fn node_path(&self, node: NodeIdx) -> String {
        let mut names = vec![self.nodes[node].name.as_str()];
        let mut cur = self.nodes[node].parent;
        while let Some(p) = cur {
            names.push(&self.nodes[p].name);
            cur = self.nodes[p].parent;
        }
        names.reverse();
        names.join(" / ")
    }

    pub fn grade_for(&self, total: f64) -> Option<&str> {
        self.grades
            .iter()
            .find(|g| total >= g.min - 1e-9)
            .map(|g| g.name.as_str())
    }
}
