//! Where a value came from when it is not one reported figure: a survey's items (市民评议, with
//! its margin of error) or a rating round's ballots (领导评价, 线上评绩效, 开门考评). The edges
//! compute a [`Basis`] when they write the value; scoring carries it to the task's score while the
//! value is still the one the basis made, and the explanation prints it.

use crate::numbers::num;
use serde::{Deserialize, Serialize};

/// How a value was made from many answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    Survey(SurveyScore),
    Rating(RatingScore),
}

impl Basis {
    /// The value this basis produced (0–100).
    pub fn value(&self) -> f64 {
        match self {
            Basis::Survey(s) => s.score,
            Basis::Rating(r) => r.score,
        }
    }

    /// Whether `x` is still the value this basis made (values are stored to two decimals).
    pub fn made(&self, x: f64) -> bool {
        (round2(self.value()) - x).abs() < 0.005
    }

    /// The explanation's lines: what the value was made of, with numbers.
    pub fn lines(&self, zh: bool) -> Vec<String> {
        match self {
            Basis::Survey(s) => s.lines(zh),
            Basis::Rating(r) => r.lines(zh),
        }
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ------------------------------------------------------------------------------------ surveys

/// A questionnaire: items with weights, each answered on `0..=scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub id: String,
    pub name: String,
    /// The task the unit's score enters.
    pub task: String,
    /// Who ran the survey (a third party).
    #[serde(default)]
    pub conductor: String,
    /// Items are scored from 0 to `scale` (5 for a five-point scale, 100 for a score).
    pub scale: f64,
    /// Confidence level of the margin of error (0.95 unless said).
    pub confidence: f64,
    pub items: Vec<SurveyItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyItem {
    pub id: String,
    pub name: String,
    pub weight: f64,
}

/// One unit's result on one item, as the survey company reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub unit: String,
    pub item: String,
    /// Mean answer on the questionnaire's scale.
    pub mean: f64,
    /// Valid answers (样本量).
    pub sample: u32,
    /// Standard deviation of the answers, when the company gives it.
    pub sd: Option<f64>,
}

/// A unit's survey score (0–100) with its margin of error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyScore {
    pub survey: String,
    pub conductor: String,
    pub unit: String,
    pub score: f64,
    /// Half-width of the confidence interval, in points of 0–100.
    pub margin: f64,
    pub confidence: f64,
    /// The smallest sample of the unit's items.
    pub sample: u32,
    pub items: Vec<ItemScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub name: String,
    /// The item's share of the weights (sums to 1).
    pub share: f64,
    /// The mean answer as 0–100.
    pub score: f64,
    pub sample: u32,
    /// Whether the standard deviation was missing and the largest possible was assumed.
    pub sd_assumed: bool,
}

/// The two-sided normal quantile for a confidence level (0.95 → 1.96), by Acklam's rational
/// approximation of the inverse normal (relative error below 1.2e-9).
pub fn z_of(confidence: f64) -> f64 {
    let p = 1.0 - (1.0 - confidence.clamp(0.5, 0.9999)) / 2.0;
    let a = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    let b = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    let c = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    let d = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p_high = 1.0 - 0.02425;
    if p <= p_high {
        let q = p - 0.5;
        let r = q * q;
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    }
}

impl Questionnaire {
    /// A unit's score from its item results: the weighted mean of the items on 0–100.
    ///
    /// The margin of error is an upper bound, on purpose: the same respondents answer every
    /// item, so the items' errors are taken as fully correlated (the score's standard error is
    /// the weighted sum of the items' standard errors), and an item without a standard deviation
    /// takes the largest one answers on its scale can have (half the scale). `None` when an item
    /// has no result for the unit.
    pub fn score(&self, unit: &str, results: &[&ItemResult]) -> Option<SurveyScore> {
        let total: f64 = self.items.iter().map(|i| i.weight).sum();
        let to_100 = 100.0 / self.scale;
        let z = z_of(self.confidence);
        let mut score = 0.0;
        let mut se = 0.0;
        let mut items = Vec::new();
        for item in &self.items {
            let r = results.iter().find(|r| r.item == item.id)?;
            let share = item.weight / total;
            let sd = r.sd.unwrap_or(self.scale / 2.0) * to_100;
            score += share * r.mean * to_100;
            se += share * sd / f64::from(r.sample.max(1)).sqrt();
            items.push(ItemScore {
                name: item.name.clone(),
                share,
                score: r.mean * to_100,
                sample: r.sample,
                sd_assumed: r.sd.is_none(),
            });
        }
        Some(SurveyScore {
            survey: self.name.clone(),
            conductor: self.conductor.clone(),
            unit: unit.to_string(),
            score,
            margin: z * se,
            confidence: self.confidence,
            sample: items.iter().map(|i| i.sample).min().unwrap_or(0),
            items,
        })
    }
}

impl SurveyScore {
    fn lines(&self, zh: bool) -> Vec<String> {
        let pct = num((self.confidence * 100.0 * 10.0).round() / 10.0);
        let items: Vec<String> = self
            .items
            .iter()
            .map(|i| {
                format!(
                    "{} {}×{}%",
                    i.name,
                    num(round2(i.score)),
                    num(round2(i.share * 100.0))
                )
            })
            .collect();
        let assumed = self.items.iter().any(|i| i.sd_assumed);
        let mut out = Vec::new();
        if zh {
            out.push(format!(
                "x 来自问卷调查「{}」{}:各题得分加权 {} = {} 分,样本 {} 份,{}% 置信区间 ±{} 分",
                self.survey,
                if self.conductor.is_empty() {
                    String::new()
                } else {
                    format!("({})", self.conductor)
                },
                items.join(" + "),
                num(round2(self.score)),
                self.sample,
                pct,
                num(round2(self.margin))
            ));
            if assumed {
                out.push("误差为上限:未报标准差的题目按量表可能的最大标准差计".into());
            }
        } else {
            out.push(format!(
                "x comes from the survey “{}”{}: items weighted {} = {}, sample {}, ±{} at {}% confidence",
                self.survey,
                if self.conductor.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.conductor)
                },
                items.join(" + "),
                num(round2(self.score)),
                self.sample,
                num(round2(self.margin)),
                pct
            ));
            if assumed {
                out.push(
                    "the margin is an upper bound: items without a standard deviation take the largest their scale allows"
                        .into(),
                );
            }
        }
        out
    }
}

// ------------------------------------------------------------------------------------ ratings

/// What a rating round is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// 领导评价: leaders score each unit at year end.
    Leader,
    /// 线上评绩效: invited raters (deputies, CPPCC members, a citizens' panel) rate the published
    /// results online.
    Online,
    /// 开门考评: raters score units live during a 述职 session, on their phones.
    Session,
}

impl RoundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundKind::Leader => "leader",
            RoundKind::Online => "online",
            RoundKind::Session => "session",
        }
    }
}

/// A rating round as the office declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundDefinition {
    pub id: String,
    pub name: String,
    pub kind: RoundKind,
    /// The task the units' aggregates enter when the round closes; none for a round whose
    /// result is only shown.
    #[serde(default)]
    pub task: Option<String>,
    /// Raters score from 0 to `scale`.
    #[serde(default = "hundred")]
    pub scale: f64,
    /// A group's mean is shown from this many ballots on (so that no ballot can be read).
    #[serde(default = "three")]
    pub disclose_from: u32,
    /// The units rated (ids); empty: the task's units, or every unit without a task.
    #[serde(default)]
    pub units: Vec<String>,
    pub groups: Vec<RaterGroupDef>,
    /// The last day (the office's date) raters may cast or change a ballot; none: until the
    /// office closes the round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<chrono::NaiveDate>,
}

fn hundred() -> f64 {
    100.0
}

fn three() -> u32 {
    3
}

/// A group of raters with its weight and members (account ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterGroupDef {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub raters: Vec<String>,
}

impl RoundDefinition {
    /// Whether a round with `status` takes ballots on `today`: open, and its last day not past.
    pub fn takes_ballots(&self, status: &str, today: chrono::NaiveDate) -> bool {
        status == "open" && self.closes.is_none_or(|c| today <= c)
    }

    /// The groups as the aggregation reads them.
    pub fn rater_groups(&self) -> Vec<RaterGroup> {
        self.groups
            .iter()
            .map(|g| RaterGroup {
                id: g.id.clone(),
                name: g.name.clone(),
                weight: g.weight,
            })
            .collect()
    }

    /// The group of a rater, if it is one of the round's.
    pub fn group_of(&self, rater: &str) -> Option<&RaterGroupDef> {
        self.groups
            .iter()
            .find(|g| g.raters.iter().any(|r| r == rater))
    }
}

/// A group of raters with its weight (市主要领导 50 %, 分管领导 50 %; 人大代表, 政协委员 ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterGroup {
    pub id: String,
    pub name: String,
    pub weight: f64,
}

/// One ballot's score for one unit, with the rater's group (never the rater).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupScore<'a> {
    pub group: &'a str,
    pub unit: &'a str,
    pub score: f64,
}

/// A unit's aggregate over a round's ballots (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingScore {
    pub round: String,
    pub unit: String,
    pub score: f64,
    pub ballots: u32,
    pub groups: Vec<GroupAggregate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAggregate {
    pub name: String,
    /// The group's weight among the groups that rated the unit (sums to 1).
    pub share: f64,
    pub ballots: u32,
    /// The group's mean on 0–100; `None` unless every group of the unit has as many ballots as
    /// the round discloses from, so that no ballot can be read from the aggregates.
    pub mean: Option<f64>,
}

/// Each unit's weighted score: the mean of each group's ballots, weighted by the groups' weights
/// (renormalised over the groups with ballots for the unit). Scores are on `0..=scale`, answers
/// on 0–100. Group means are withheld when any group has fewer than `disclose_from` ballots.
pub fn aggregate(
    round: &str,
    groups: &[RaterGroup],
    scale: f64,
    ballots: &[GroupScore<'_>],
    disclose_from: u32,
) -> Vec<RatingScore> {
    let mut units: Vec<&str> = ballots.iter().map(|b| b.unit).collect();
    units.sort_unstable();
    units.dedup();
    units
        .into_iter()
        .map(|unit| {
            let per_group: Vec<(&RaterGroup, u32, f64)> = groups
                .iter()
                .filter_map(|g| {
                    let xs: Vec<f64> = ballots
                        .iter()
                        .filter(|b| b.unit == unit && b.group == g.id)
                        .map(|b| b.score * 100.0 / scale)
                        .collect();
                    (!xs.is_empty())
                        .then(|| (g, xs.len() as u32, xs.iter().sum::<f64>() / xs.len() as f64))
                })
                .collect();
            let weights: f64 = per_group.iter().map(|(g, _, _)| g.weight).sum();
            // With the total known, one withheld group's mean follows from the others': group
            // means are shown only when every group reaches `disclose_from`.
            let disclosed = per_group.iter().all(|(_, n, _)| *n >= disclose_from);
            let score = if weights > 0.0 {
                per_group
                    .iter()
                    .map(|(g, _, m)| g.weight / weights * m)
                    .sum()
            } else {
                0.0
            };
            RatingScore {
                round: round.to_string(),
                unit: unit.to_string(),
                score,
                ballots: per_group.iter().map(|(_, n, _)| n).sum(),
                groups: per_group
                    .iter()
                    .map(|(g, n, m)| GroupAggregate {
                        name: g.name.clone(),
                        share: if weights > 0.0 {
                            g.weight / weights
                        } else {
                            0.0
                        },
                        ballots: *n,
                        mean: disclosed.then_some(*m),
                    })
                    .collect(),
            }
        })
        .collect()
}

impl RatingScore {
    fn lines(&self, zh: bool) -> Vec<String> {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let mean = g
                    .mean
                    .map(|m| num(round2(m)))
                    .unwrap_or_else(|| if zh { "不单独显示" } else { "not shown" }.into());
                if zh {
                    format!(
                        "{}({} 份,权重 {}%){}",
                        g.name,
                        g.ballots,
                        num(round2(g.share * 100.0)),
                        mean
                    )
                } else {
                    format!(
                        "{} ({} ballots, weight {}%) {}",
                        g.name,
                        g.ballots,
                        num(round2(g.share * 100.0)),
                        mean
                    )
                }
            })
            .collect();
        vec![if zh {
            format!(
                "x 来自评分「{}」:{} 份评分按组加权,{} = {} 分(不显示个人评分)",
                self.round,
                self.ballots,
                groups.join(";"),
                num(round2(self.score))
            )
        } else {
            format!(
                "x comes from the rating “{}”: {} ballots weighted by group, {} = {} (no single ballot is shown)",
                self.round,
                self.ballots,
                groups.join("; "),
                num(round2(self.score))
            )
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> Questionnaire {
        Questionnaire {
            id: "s".into(),
            name: "满意度".into(),
            task: "C01-1".into(),
            conductor: String::new(),
            scale: 5.0,
            confidence: 0.95,
            items: vec![
                SurveyItem {
                    id: "a".into(),
                    name: "A".into(),
                    weight: 3.0,
                },
                SurveyItem {
                    id: "b".into(),
                    name: "B".into(),
                    weight: 1.0,
                },
            ],
        }
    }

    #[test]
    fn quantiles_of_common_confidence_levels() {
        assert!((z_of(0.95) - 1.959_964).abs() < 1e-5);
        assert!((z_of(0.90) - 1.644_854).abs() < 1e-5);
        assert!((z_of(0.99) - 2.575_829).abs() < 1e-5);
        assert!((z_of(0.999) - 3.290_527).abs() < 1e-5);
    }

    #[test]
    fn a_survey_score_is_the_weighted_mean_on_100_with_a_conservative_margin() {
        let a = ItemResult {
            unit: "u".into(),
            item: "a".into(),
            mean: 4.0,
            sample: 400,
            sd: Some(1.0),
        };
        let b = ItemResult {
            unit: "u".into(),
            item: "b".into(),
            mean: 3.0,
            sample: 100,
            sd: None,
        };
        let s = q().score("u", &[&a, &b]).unwrap();
        // 0.75 × 80 + 0.25 × 60
        assert!((s.score - 75.0).abs() < 1e-9);
        // SE = 0.75 × 20 / 20 + 0.25 × 50 / 10 = 0.75 + 1.25 = 2.0
        assert!((s.margin - 1.959_964 * 2.0).abs() < 1e-4);
        assert_eq!(s.sample, 100);
        assert!(s.items[1].sd_assumed);
        assert!(q().score("u", &[&a]).is_none(), "an item without a result");
        let text = Basis::Survey(s).lines(true).join("\n");
        assert!(
            text.contains("= 75 分,样本 100 份,95% 置信区间 ±3.92 分"),
            "{text}"
        );
    }

    #[test]
    fn ratings_weight_groups_and_withhold_small_groups() {
        let groups = vec![
            RaterGroup {
                id: "main".into(),
                name: "主要领导".into(),
                weight: 50.0,
            },
            RaterGroup {
                id: "deputy".into(),
                name: "分管领导".into(),
                weight: 50.0,
            },
            RaterGroup {
                id: "idle".into(),
                name: "无评分".into(),
                weight: 100.0,
            },
        ];
        let b = |group, score| GroupScore {
            group,
            unit: "u",
            score,
        };
        let out = aggregate(
            "领导评价",
            &groups,
            100.0,
            &[b("main", 90.0), b("deputy", 80.0), b("deputy", 86.0)],
            2,
        );
        assert_eq!(out.len(), 1);
        // 0.5 × 90 + 0.5 × 83; the group without ballots is left out
        assert!((out[0].score - 86.5).abs() < 1e-9);
        assert_eq!(out[0].ballots, 3);
        assert_eq!(out[0].groups[0].mean, None, "one ballot is never shown");
        assert_eq!(
            out[0].groups[1].mean, None,
            "nor the other group's mean, from which with the total it would follow"
        );
        let all = aggregate(
            "领导评价",
            &groups,
            100.0,
            &[
                b("main", 90.0),
                b("main", 80.0),
                b("deputy", 80.0),
                b("deputy", 86.0),
            ],
            2,
        );
        assert_eq!(all[0].groups[0].mean, Some(85.0));
        assert_eq!(all[0].groups[1].mean, Some(83.0));
        let basis = Basis::Rating(out[0].clone());
        assert!(basis.made(86.5));
        assert!(!basis.made(86.0));
    }
}
