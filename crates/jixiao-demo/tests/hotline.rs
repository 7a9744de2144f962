//! The demo's generated 12345 cases rank the districts as the demo's illustrative 接诉即办
//! figures, and the seed report, say: Dongcheng third in the city, first among 城六区.

use jixiao_hotline::generate::Generator;
use jixiao_hotline::geography::beijing;
use jixiao_hotline::rollup::{assess, contribution, Counters};
use jixiao_hotline::HotlineConfig;
use std::collections::BTreeMap;

#[test]
fn the_calibrated_generator_ranks_the_districts_as_the_demo_figures_say() {
    let targets = jixiao_demo::hotline_quality().unwrap();
    // The 16 districts (and the development area, which has no streets of its own).
    assert!(targets.len() >= 16, "{targets:?}");
    let cfg = HotlineConfig::default();
    let geo = beijing(2, 2);
    let mut per_district: BTreeMap<String, Counters> = BTreeMap::new();
    for c in
        Generator::new(&cfg, &geo, 150_000, jixiao_demo::SEED, 2020).with_district_quality(&targets)
    {
        if let Some((k, x)) = contribution(&c, &cfg) {
            let district = k.unit.split('-').next().unwrap().to_string();
            *per_district.entry(district).or_default() += x;
        }
    }
    let mut order: Vec<(String, f64)> = per_district
        .iter()
        .map(|(d, c)| (d.clone(), assess(c, &cfg.versions[0]).score.unwrap()))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let place = |d: &str| order.iter().position(|x| x.0 == d).unwrap() + 1;
    assert_eq!(place("dongcheng"), 3, "{order:?}");
    for other in ["xicheng", "chaoyang", "haidian", "fengtai", "shijingshan"] {
        assert!(place("dongcheng") < place(other), "{other}: {order:?}");
    }
}
