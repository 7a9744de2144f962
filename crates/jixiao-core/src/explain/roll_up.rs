//! How an indicator's score rolls up from its children's.

use super::methods::Rendered;
use crate::model::{Aggregate, Framework, NodeIdx, UnitIdx};
use crate::numbers::{num, pts};
use crate::scoring::Scorecard;

/// How an indicator's score rolled up from its children.
pub(super) fn render_roll_up(
    fw: &Framework,
    card: &Scorecard,
    unit: UnitIdx,
    node: NodeIdx,
    score: f64,
    zh: bool,
) -> Rendered {
    let n = &fw.nodes[node];
    let us = &card.units[unit];
    let mut parts = Vec::new();
    let mut applicable_points = 0.0;
    let mut sum = 0.0;
    for &c in &n.children {
        match us.nodes[c].score() {
            Some(score) => {
                applicable_points += fw.points_for(c, unit);
                sum += score;
                parts.push(format!(
                    "{}({}/{})",
                    fw.nodes[c].name,
                    pts(score),
                    num(fw.points_for(c, unit))
                ));
            }
            None => parts.push(format!(
                "{}({})",
                fw.nodes[c].name,
                if zh { "不适用" } else { "n/a" }
            )),
        }
    }
    let inputs = vec![
        ("Σw".to_string(), num(applicable_points)),
        ("Σs".to_string(), num(sum)),
    ];
    let notes = vec![parts.join(if zh { "、" } else { ", " })];
    let (formula, substituted) = if n.aggregate == Aggregate::Sum {
        let formula = if zh {
            "s = P × Σs(适用子项)/Σw(适用子项)".into()
        } else {
            "s = P × Σs / Σw over applicable children".into()
        };
        let substituted = format!(
            "s = {} × {}/{} = {}",
            num(fw.points_for(node, unit)),
            num(sum),
            num(applicable_points),
            pts(score)
        );
        (formula, substituted)
    } else {
        (
            "s = P × Π (s_c/w_c)^(w_c/Σw)".to_string(),
            format!("s = {}", pts(score)),
        )
    };
    (formula, substituted, inputs, notes)
}
