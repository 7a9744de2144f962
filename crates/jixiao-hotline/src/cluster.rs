//! Repeat complaints: cases of the same category about the same place (the same grid cell, or
//! within a radius) received within a window form one cluster; and the month's most frequent
//! themes (每月一题 candidates).

use crate::case::Case;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub category: String,
    /// A representative place: the grid cell, or the first case's address.
    pub place: String,
    pub case_ids: Vec<String>,
}

/// Distance in metres between two WGS84 points (haversine).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// Groups repeat complaints among `cases` (any order): two cases are repeats when they share a
/// category and either a grid cell or lie within `radius_m`, and were received within
/// `window_days` of each other. Only clusters of two or more cases are returned, largest first.
pub fn repeat_clusters(cases: &[&Case], window_days: i64, radius_m: f64) -> Vec<Cluster> {
    let mut by_category: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in cases {
        by_category.entry(c.category.as_str()).or_default().push(c);
    }
    let window = chrono::Duration::days(window_days);
    let mut out = Vec::new();
    for (category, mut list) in by_category {
        list.sort_by_key(|c| c.received);
        // Union-find over the cases of the category; pairs are only compared inside the window.
        let mut parent: Vec<usize> = (0..list.len()).collect();
        fn find(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        for i in 0..list.len() {
            for j in i + 1..list.len() {
                if list[j].received - list[i].received > window {
                    break;
                }
                let same_place = match (&list[i].grid, &list[j].grid) {
                    (Some(a), Some(b)) if a == b => true,
                    _ => match (list[i].lat.zip(list[i].lon), list[j].lat.zip(list[j].lon)) {
                        (Some(a), Some(b)) => distance_m(a, b) <= radius_m,
                        _ => false,
                    },
                };
                if same_place {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..list.len() {
            let root = find(&mut parent, i);
            groups.entry(root).or_default().push(i);
        }
        for members in groups.into_values().filter(|m| m.len() >= 2) {
            let first = list[members[0]];
            out.push(Cluster {
                category: category.to_string(),
                place: first.grid.clone().unwrap_or_else(|| first.address.clone()),
                case_ids: members.iter().map(|&i| list[i].id.clone()).collect(),
            });
        }
    }
    out.sort_by(|a, b| {
        b.case_ids
            .len()
            .cmp(&a.case_ids.len())
            .then(a.category.cmp(&b.category))
    });
    out
}

/// The most frequent categories with their counts, most frequent first: 每月一题 candidates.
pub fn top_themes(counts: &BTreeMap<String, i64>, n: usize) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Channel;
    use chrono::{TimeZone, Utc};

    #[test]
    fn repeats_need_the_same_category_place_and_window() {
        let t = |d: u32| Utc.with_ymd_and_hms(2020, 5, d, 8, 0, 0).unwrap();
        let mut a = Case::received("a", Channel::Phone, t(1), "0301");
        a.lat = Some(39.9);
        a.lon = Some(116.4);
        let mut b = Case::received("b", Channel::Phone, t(5), "0301");
        b.lat = Some(39.9003); // about 33 m north
        b.lon = Some(116.4);
        let mut far = b.clone();
        far.id = "far".into();
        far.lat = Some(39.91);
        let mut other = b.clone();
        other.id = "other".into();
        other.category = "0302".into();
        let mut late = b.clone();
        late.id = "late".into();
        late.received = t(1) + chrono::Duration::days(60);
        let mut g1 = Case::received("g1", Channel::GridPatrol, t(2), "0301");
        g1.grid = Some("G-17".into());
        let mut g2 = g1.clone();
        g2.id = "g2".into();
        let cases = [&a, &b, &far, &other, &late, &g1, &g2];
        let clusters = repeat_clusters(&cases, 30, 100.0);
        let ids: Vec<Vec<&str>> = clusters
            .iter()
            .map(|c| c.case_ids.iter().map(String::as_str).collect())
            .collect();
        assert!(ids.contains(&vec!["a", "b"]), "{ids:?}");
        assert!(ids.contains(&vec!["g1", "g2"]), "{ids:?}");
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!((distance_m((39.9, 116.4), (39.9003, 116.4)) - 33.4).abs() < 1.0);
    }
}
