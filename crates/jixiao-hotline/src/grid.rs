//! 网格化管理: grid inspectors (网格员) patrol their grid cells and report what they find, a
//! managed part (部件: a manhole cover, a street lamp) or an event (事件: exposed rubbish,
//! unlicensed street trading) from the urban-management taxonomy after GB/T 30428.2. A report is
//! disposed on the spot by the inspector (自行处置) or passed to the cell's street as a hotline
//! case (channel 网格巡查) and disposed when the street handles that case. The monthly figures per
//! grid cell, community, street and district are 发现数 (found), 自处率 (disposed on the spot ÷
//! found), 处置率 (disposed ÷ found) and 按时处置率 (disposed by the deadline ÷ disposed); task
//! A23-1 网格化管理问题处置率 is fed from the districts' 处置率.

use crate::geography::{Geography, Level};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether a class is a managed part or an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 部件: a managed object of the city's furniture.
    Part,
    /// 事件: something that happens in the street.
    Event,
}

/// One class of the patrol taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolCategory {
    /// `P` (部件) or `E` (事件), then the major class and the subclass, two digits each.
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// The hotline category a report passed to the street is filed under.
    pub hotline_category: &'static str,
}

/// The built-in taxonomy: the major classes of GB/T 30428.2 (部件: 公用设施, 道路交通, 市容环境,
/// 园林绿化, 房屋土地; 事件: 市容环境, 宣传广告, 施工管理, 突发事件, 街面秩序) with the subclasses
/// patrols report most. Codes are jixiao's (the standard's subclass lists run to hundreds).
pub const BUILT_IN: [(&str, &str, &str); 24] = [
    ("P0101", "上水井盖", "0302"),
    ("P0102", "污水井盖", "0302"),
    ("P0103", "雨水箅子", "0302"),
    ("P0104", "路灯", "0802"),
    ("P0201", "交通标志牌", "0303"),
    ("P0202", "护栏", "0302"),
    ("P0203", "公交站亭", "0303"),
    ("P0301", "公共厕所", "0901"),
    ("P0302", "垃圾箱", "0901"),
    ("P0401", "行道树", "0901"),
    ("P0402", "绿地", "0901"),
    ("P0501", "人防工事", "0103"),
    ("E0101", "暴露垃圾", "0901"),
    ("E0102", "积存垃圾渣土", "0901"),
    ("E0103", "道路不洁", "0901"),
    ("E0201", "非法小广告", "0901"),
    ("E0202", "违规户外广告", "0901"),
    ("E0301", "施工扰民", "0201"),
    ("E0302", "道路遗撒", "0901"),
    ("E0401", "路面塌陷", "0302"),
    ("E0402", "井盖缺失", "0302"),
    ("E0501", "无照经营游商", "0902"),
    ("E0502", "店外经营", "0902"),
    ("E0503", "违章停车", "0301"),
];

pub fn built_in() -> Vec<PatrolCategory> {
    BUILT_IN
        .iter()
        .map(|(code, name, hotline_category)| PatrolCategory {
            code,
            name,
            kind: if code.starts_with('P') {
                Kind::Part
            } else {
                Kind::Event
            },
            hotline_category,
        })
        .collect()
}

pub fn category(code: &str) -> Option<PatrolCategory> {
    built_in().into_iter().find(|c| c.code == code)
}

/// How a report is disposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// 自行处置: the inspector disposed of it on the spot.
    OnTheSpot,
    /// 上报街道: passed to the cell's street as a hotline case.
    PassedOn,
}

impl Disposal {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposal::OnTheSpot => "on_the_spot",
            Disposal::PassedOn => "passed_on",
        }
    }
    pub fn parse(s: &str) -> Option<Disposal> {
        [Disposal::OnTheSpot, Disposal::PassedOn]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Disposal::OnTheSpot => "自行处置",
            Disposal::PassedOn => "上报街道",
        }
    }
}

/// A patrol report as its grid's figures count it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolReport {
    pub id: String,
    pub grid: String,
    pub inspector: String,
    pub found_at: DateTime<Utc>,
    pub category: String,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub disposal: Disposal,
    /// On the spot: when reported; passed on: when the street handled the case.
    pub disposed_at: Option<DateTime<Utc>>,
    /// Passed on: the case's completion deadline.
    pub due: Option<DateTime<Utc>>,
    /// Passed on: the case it became.
    pub case_id: Option<String>,
}

impl PatrolReport {
    pub fn disposed_in_time(&self) -> bool {
        match (self.disposed_at, self.due) {
            (Some(_), None) => true,
            (Some(at), Some(due)) => at <= due,
            (None, _) => false,
        }
    }
}

/// A month's counts of one area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCounts {
    /// 发现数.
    pub found: u64,
    pub on_the_spot: u64,
    pub disposed: u64,
    pub disposed_in_time: u64,
}

impl GridCounts {
    pub fn add(&mut self, o: &GridCounts) {
        self.found += o.found;
        self.on_the_spot += o.on_the_spot;
        self.disposed += o.disposed;
        self.disposed_in_time += o.disposed_in_time;
    }
    pub fn of(report: &PatrolReport) -> GridCounts {
        GridCounts {
            found: 1,
            on_the_spot: (report.disposal == Disposal::OnTheSpot) as u64,
            disposed: report.disposed_at.is_some() as u64,
            disposed_in_time: report.disposed_in_time() as u64,
        }
    }
    fn ratio(n: u64, d: u64) -> Option<f64> {
        (d > 0).then(|| n as f64 / d as f64)
    }
    /// 自处率.
    pub fn self_disposal_rate(&self) -> Option<f64> {
        Self::ratio(self.on_the_spot, self.found)
    }
    /// 处置率.
    pub fn disposal_rate(&self) -> Option<f64> {
        Self::ratio(self.disposed, self.found)
    }
    /// 按时处置率.
    pub fn on_time_rate(&self) -> Option<f64> {
        Self::ratio(self.disposed_in_time, self.disposed)
    }
}

/// Adds the counts of grid cells up to their areas at `level` (grid, community, street or
/// district): a cell the geography does not know counts nowhere.
pub fn roll_up(
    geo: &Geography,
    by_grid: &BTreeMap<String, GridCounts>,
    level: Level,
) -> BTreeMap<String, GridCounts> {
    let mut out: BTreeMap<String, GridCounts> = BTreeMap::new();
    for (grid, counts) in by_grid {
        if let Some(area) = geo.ancestor(grid, level) {
            out.entry(area.id.clone()).or_default().add(counts);
        }
    }
    out
}

/// A year of synthetic patrol reports for demos and tests: `per_street_month` reports a month in
/// each street (Poisson-like, from 0 to twice that), at its grid cells' centres, found in
/// working hours. Six in ten are disposed on the spot; the rest are passed on and disposed
/// within their deadline with the district's `quality` (0–1; 0.95 where not given), late with
/// half of the rest, never with the others. Deterministic for a seed. Passed-on reports carry no
/// case: a history, not the live work.
pub fn generate(
    geo: &Geography,
    year: i32,
    months: u32,
    per_street_month: u32,
    seed: u64,
    quality: &BTreeMap<String, f64>,
) -> Vec<PatrolReport> {
    use chrono::TimeZone;
    use jixiao_core::robustness::SplitMix64;
    let mut rng = SplitMix64::new(seed ^ 0x6772_6964);
    let mut out = Vec::new();
    let codes: Vec<&str> = BUILT_IN.iter().map(|c| c.0).collect();
    for street in geo.at_level(Level::Street) {
        let cells: Vec<&crate::geography::Area> = geo.within(&street.id, Level::Grid).collect();
        if cells.is_empty() {
            continue;
        }
        let district = geo
            .ancestor(&street.id, Level::District)
            .map(|d| d.id.clone())
            .unwrap_or_default();
        let q = quality.get(&district).copied().unwrap_or(0.95);
        for month in 1..=months.min(12) {
            let n = (rng.next_f64() * 2.0 * per_street_month as f64).round() as u32;
            for k in 0..n {
                let cell = cells[(rng.next_f64() * cells.len() as f64) as usize % cells.len()];
                let day = 1 + (rng.next_f64() * 28.0) as u32;
                let hour = 1 + (rng.next_f64() * 9.0) as u32; // 09:00–18:00 Beijing time, in UTC
                let found_at = Utc
                    .with_ymd_and_hms(year, month, day, hour, k % 60, 0)
                    .single()
                    .unwrap_or_default();
                let category = codes[(rng.next_f64() * codes.len() as f64) as usize % codes.len()];
                let on_the_spot = rng.next_f64() < 0.6;
                let due = (!on_the_spot).then(|| found_at + chrono::Duration::days(7));
                let roll = rng.next_f64();
                let disposed_at = if on_the_spot {
                    Some(found_at)
                } else if roll < q {
                    Some(found_at + chrono::Duration::hours(2 + (roll * 100.0) as i64))
                } else if roll < q + (1.0 - q) / 2.0 {
                    Some(found_at + chrono::Duration::days(9))
                } else {
                    None
                };
                out.push(PatrolReport {
                    id: format!("GR{year}{month:02}-{}-{k:03}", street.id),
                    grid: cell.id.clone(),
                    inspector: format!("patrol-{}", cell.id),
                    found_at,
                    category: category.to_string(),
                    description: String::new(),
                    lat: cell.lat,
                    lon: cell.lon,
                    disposal: if on_the_spot {
                        Disposal::OnTheSpot
                    } else {
                        Disposal::PassedOn
                    },
                    disposed_at,
                    due,
                    case_id: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn report(
        grid: &str,
        disposal: Disposal,
        disposed: Option<u32>,
        due: Option<u32>,
    ) -> PatrolReport {
        let t = |h: u32| Utc.with_ymd_and_hms(2020, 6, 1, h, 0, 0).unwrap();
        PatrolReport {
            id: format!("{grid}-{disposed:?}"),
            grid: grid.into(),
            inspector: "wgy".into(),
            found_at: t(1),
            category: "E0101".into(),
            description: String::new(),
            lat: None,
            lon: None,
            disposal,
            disposed_at: disposed.map(t),
            due: due.map(t),
            case_id: None,
        }
    }

    #[test]
    fn the_rates_count_found_on_the_spot_disposed_and_in_time() {
        let geo = crate::geography::beijing(2, 2);
        let reports = [
            report("dongcheng-s01-c01-g1", Disposal::OnTheSpot, Some(1), None),
            report("dongcheng-s01-c01-g1", Disposal::PassedOn, Some(5), Some(8)),
            report("dongcheng-s01-c02-g1", Disposal::PassedOn, Some(9), Some(8)),
            report("dongcheng-s02-c01-g1", Disposal::PassedOn, None, Some(8)),
            report("nowhere", Disposal::OnTheSpot, Some(1), None),
        ];
        let mut by_grid: BTreeMap<String, GridCounts> = BTreeMap::new();
        for r in &reports {
            by_grid
                .entry(r.grid.clone())
                .or_default()
                .add(&GridCounts::of(r));
        }
        let streets = roll_up(&geo, &by_grid, Level::Street);
        let s01 = streets["dongcheng-s01"];
        assert_eq!(
            s01,
            GridCounts {
                found: 3,
                on_the_spot: 1,
                disposed: 3,
                disposed_in_time: 2
            }
        );
        assert_eq!(s01.disposal_rate(), Some(1.0));
        assert_eq!(s01.on_time_rate(), Some(2.0 / 3.0));
        let district = roll_up(&geo, &by_grid, Level::District)["dongcheng"];
        assert_eq!((district.found, district.disposed), (4, 3));
        assert_eq!(district.disposal_rate(), Some(0.75));
        assert_eq!(district.self_disposal_rate(), Some(0.25));
        assert_eq!(GridCounts::default().disposal_rate(), None);
    }

    #[test]
    fn a_generated_year_follows_the_districts_quality() {
        let geo = crate::geography::beijing(1, 2);
        let quality = [
            ("dongcheng".to_string(), 0.99),
            ("daxing".to_string(), 0.80),
        ]
        .into_iter()
        .collect();
        let reports = generate(&geo, 2020, 12, 10, 7, &quality);
        assert_eq!(
            reports,
            generate(&geo, 2020, 12, 10, 7, &quality),
            "deterministic"
        );
        let mut by_grid: BTreeMap<String, GridCounts> = BTreeMap::new();
        for r in &reports {
            by_grid
                .entry(r.grid.clone())
                .or_default()
                .add(&GridCounts::of(r));
        }
        let districts = roll_up(&geo, &by_grid, Level::District);
        let rate = |d: &str| districts[d].disposal_rate().unwrap();
        assert!(
            rate("dongcheng") > rate("daxing"),
            "{} vs {}",
            rate("dongcheng"),
            rate("daxing")
        );
        assert!(rate("dongcheng") > 0.98, "{}", rate("dongcheng"));
        let share = districts["dongcheng"].self_disposal_rate().unwrap();
        assert!((0.5..0.7).contains(&share), "{share}");
    }

    #[test]
    fn every_class_files_under_a_built_in_hotline_category() {
        let hotline: Vec<&str> = crate::catalogue::BUILT_IN.iter().map(|c| c.0).collect();
        for c in built_in() {
            assert!(hotline.contains(&c.hotline_category), "{}", c.code);
        }
        assert_eq!(category("P0101").unwrap().kind, Kind::Part);
        assert_eq!(category("E0503").unwrap().kind, Kind::Event);
    }
}
