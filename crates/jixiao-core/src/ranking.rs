//! Ranking with ties: competition ranking ("1224") on published, rounded scores.

/// Ranks for `values` (higher is better). Values equal after rounding to `decimals` share the
/// best rank of their block, and the next rank skips accordingly. The result does not depend on
/// the order of the input.
pub fn competition_ranks(values: &[f64], decimals: u32) -> Vec<u32> {
    let scale = 10f64.powi(decimals as i32);
    let rounded: Vec<i64> = values.iter().map(|v| (v * scale).round() as i64).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| rounded[b].cmp(&rounded[a]));
    let mut ranks = vec![0u32; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = if pos > 0 && rounded[order[pos - 1]] == rounded[i] {
            ranks[order[pos - 1]]
        } else {
            pos as u32 + 1
        };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_best_rank_and_the_next_rank_skips() {
        assert_eq!(
            competition_ranks(&[90.0, 95.0, 90.004, 80.0], 2),
            vec![2, 1, 2, 4]
        );
    }

    #[test]
    fn values_differing_after_rounding_do_not_tie() {
        assert_eq!(competition_ranks(&[90.01, 90.02], 2), vec![2, 1]);
    }
}
