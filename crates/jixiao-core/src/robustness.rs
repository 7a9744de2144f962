//! How robust is a rank? Uncertainty analysis in the manner of the OECD/JRC Handbook on
//! Constructing Composite Indicators: the weights of every node are perturbed at random (and,
//! optionally, the normalisation of normalised tasks is switched), the cycle is re-aggregated
//! and re-ranked many times, and each unit's rank distribution is summarised.
//!
//! Deterministic for a given seed: the generator is a SplitMix64 defined here, so results do
//! not change with a dependency's version.

use crate::inputs::Inputs;
use crate::model::{Framework, Normalisation, UnitIdx};
use crate::ranking::competition_ranks;
use crate::scoring::{score_with, ScoreOptions, Scorecard};
use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct RobustnessConfig {
    pub draws: usize,
    pub seed: u64,
    /// Each weight is multiplied by a factor drawn uniformly from `[1 − spread, 1 + spread]`.
    pub weight_spread: f64,
    /// Also draw the normalisation of normalised tasks (min-max, z-score, distance to target).
    pub vary_normalisation: bool,
    /// Share of draws the reported interval covers, e.g. 0.95.
    pub coverage: f64,
}

impl Default for RobustnessConfig {
    fn default() -> Self {
        RobustnessConfig {
            draws: 1000,
            seed: 2020,
            weight_spread: 0.2,
            vary_normalisation: false,
            coverage: 0.95,
        }
    }
}

/// A unit's rank under perturbation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRobustness {
    pub unit: UnitIdx,
    pub baseline: u32,
    pub median: u32,
    /// Best and worst rank of the central `coverage` share of draws.
    pub low: u32,
    pub high: u32,
    pub min: u32,
    pub max: u32,
    /// Share of draws in which the unit kept its baseline rank.
    pub share_at_baseline: f64,
}

/// SplitMix64: small, fast, and fully specified here.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Per-unit node scores of one scorecard, `None` where a node does not apply.
fn node_scores(card: &Scorecard) -> Vec<Vec<Option<f64>>> {
    card.units
        .iter()
        .map(|u| u.nodes.iter().map(|n| n.score()).collect())
        .collect()
}

pub fn analyse(fw: &Framework, inputs: &Inputs, cfg: RobustnessConfig) -> Vec<UnitRobustness> {
    let baseline = score_with(fw, inputs, ScoreOptions::default());
    let mut variants = vec![node_scores(&baseline)];
    if cfg.vary_normalisation {
        for n in Normalisation::ALL {
            variants.push(node_scores(&score_with(
                fw,
                inputs,
                ScoreOptions {
                    normalisation: Some(n),
                },
            )));
        }
    }
    let ranked: Vec<UnitIdx> = (0..fw.units.len())
        .filter(|&u| fw.units[u].ranked)
        .collect();
    // With unit classes, ranks are within the class (as in scoring).
    let mut by_class: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for (k, &u) in ranked.iter().enumerate() {
        let c = fw.class_of(u);
        match by_class.iter_mut().find(|(x, _)| *x == c) {
            Some((_, ks)) => ks.push(k),
            None => by_class.push((c, vec![k])),
        }
    }
    let ranks_within = |totals: &[f64]| -> Vec<u32> {
        let mut out = vec![0; totals.len()];
        for (_, ks) in &by_class {
            let t: Vec<f64> = ks.iter().map(|&k| totals[k]).collect();
            for (&k, r) in ks.iter().zip(competition_ranks(&t, fw.ranking.decimals)) {
                out[k] = r;
            }
        }
        out
    };
    let base_totals: Vec<f64> = ranked.iter().map(|&u| baseline.units[u].total).collect();
    let base_ranks = ranks_within(&base_totals);
    let adjustments: Vec<f64> = ranked
        .iter()
        .map(|&u| baseline.units[u].bonus - baseline.units[u].deduction)
        .collect();

    let mut rng = SplitMix64::new(cfg.seed);
    let mut ranks_by_unit: Vec<Vec<u32>> = vec![Vec::with_capacity(cfg.draws); ranked.len()];
    let mut factors = vec![0.0; fw.nodes.len()];
    let mut scores = vec![None; fw.nodes.len()];
    let mut totals = vec![0.0; ranked.len()];
    for _ in 0..cfg.draws {
        for f in factors.iter_mut() {
            *f = 1.0 + cfg.weight_spread * (2.0 * rng.next_f64() - 1.0);
        }
        let variant = if variants.len() > 1 {
            1 + (rng.next_u64() % (variants.len() as u64 - 1)) as usize
        } else {
            0
        };
        for (k, &u) in ranked.iter().enumerate() {
            let original = &variants[variant][u];
            totals[k] = reaggregate(fw, u, original, &factors, &mut scores) + adjustments[k];
        }
        for (k, r) in ranks_within(&totals).into_iter().enumerate() {
            ranks_by_unit[k].push(r);
        }
    }
    let tail = (1.0 - cfg.coverage) / 2.0;
    ranked
        .iter()
        .enumerate()
        .map(|(k, &u)| {
            let mut r = std::mem::take(&mut ranks_by_unit[k]);
            r.sort_unstable();
            let d = r.len();
            let at = |q: f64| r[((q * d as f64).floor() as usize).min(d.saturating_sub(1))];
            let kept = r.iter().filter(|&&x| x == base_ranks[k]).count();
            UnitRobustness {
                unit: u,
                baseline: base_ranks[k],
                median: if d == 0 { base_ranks[k] } else { at(0.5) },
                low: if d == 0 { base_ranks[k] } else { at(tail) },
                high: if d == 0 {
                    base_ranks[k]
                } else {
                    r[(((1.0 - tail) * d as f64).ceil() as usize).clamp(1, d) - 1]
                },
                min: r.first().copied().unwrap_or(base_ranks[k]),
                max: r.last().copied().unwrap_or(base_ranks[k]),
                share_at_baseline: if d == 0 { 1.0 } else { kept as f64 / d as f64 },
            }
        })
        .collect()
}

/// The base score of one unit with perturbed weights (each node's points for the unit's class
/// times the draw's factor): task scores keep their attainment (score / points) and are
/// re-weighted; inner nodes roll up as in scoring; the result is rescaled to the unit's full
/// marks so bonus and deductions keep their weight.
fn reaggregate(
    fw: &Framework,
    unit: UnitIdx,
    original: &[Option<f64>],
    factors: &[f64],
    scores: &mut [Option<f64>],
) -> f64 {
    let weight = |i: usize| fw.points_for(i, unit) * factors[i];
    for i in (0..fw.nodes.len()).rev() {
        let n = &fw.nodes[i];
        let points = fw.points_for(i, unit);
        scores[i] = if n.task.is_some() {
            original[i].map(|s| {
                if points > 0.0 {
                    s / points * weight(i)
                } else {
                    0.0
                }
            })
        } else {
            combine(n.children.iter().copied(), scores, &weight).map(|share| share * weight(i))
        };
    }
    let share = combine(fw.roots(), scores, &weight).unwrap_or(0.0);
    share * fw.full_marks(unit)
}

/// Σ s / Σ w over the applicable nodes.
fn combine(
    nodes: impl Iterator<Item = usize>,
    scores: &[Option<f64>],
    weight: &impl Fn(usize) -> f64,
) -> Option<f64> {
    let (mut s, mut w, mut any) = (0.0, 0.0, false);
    for c in nodes {
        if let Some(x) = scores[c] {
            s += x;
            w += weight(c);
            any = true;
        }
    }
    any.then(|| if w > 0.0 { s / w } else { 0.0 })
}
