//! Realistic synthetic cases: Beijing's 16 districts and 343 streets, a category mix with
//! seasons (heating in winter, noise in summer, epidemic control in early 2020), more cases by
//! day than by night, and response, resolution and satisfaction behaviour that differs by
//! street. Deterministic for a seed (the core's SplitMix64), streamed so 25 million cases need
//! no memory.

use crate::case::{apply, Case, Channel, Closure, Event, Satisfaction, Urgency};
use crate::config::HotlineConfig;
use crate::geography::{Geography, Level, BEIJING};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use jixiao_core::robustness::SplitMix64;

/// Street behaviour: probabilities of responding in time, solving, satisfying.
#[derive(Debug, Clone, Copy)]
struct Behaviour {
    in_time: f64,
    solved: f64,
    satisfied: f64,
}

/// A street cases are dispatched to, with its share of cases (cumulative, for sampling).
struct Street {
    id: String,
    /// Its district's id.
    district: String,
    cumulative: f64,
    behaviour: Behaviour,
    /// Grid cells: id and the name a caller would give (with community and street).
    grids: Vec<(String, String)>,
    /// The street's name, for a case without a grid cell.
    name: String,
    centre: (f64, f64),
    /// The street's boundary, when the geography has one: cases are placed inside it.
    boundary: Option<crate::shape::Shape>,
}

/// A change built into generated data, as if a campaign (每月一题) had worked: from `from` (a
/// local date) on, `share` of the cases of `category` in `streets` are about `instead`. Which cases
/// move is decided from their number, not the random stream, so everything else generated is the
/// same with or without it.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervention {
    pub category: String,
    pub streets: Vec<String>,
    pub from: NaiveDate,
    pub share: f64,
    pub instead: String,
}

pub struct Generator<'a> {
    config: &'a HotlineConfig,
    intervention: Option<Intervention>,
    rng: SplitMix64,
    remaining: u64,
    next_id: u64,
    year: i32,
    streets: Vec<Street>,
    categories: Vec<(String, f64, u8)>,
    /// Cases are open if their events fall after this instant.
    cutoff: DateTime<Utc>,
}

fn season(profile: u8, month: u32, year: i32) -> f64 {
    match profile {
        1 => {
            if matches!(month, 11 | 12 | 1 | 2 | 3) {
                3.0
            } else {
                0.3
            }
        }
        2 => {
            if (5..=9).contains(&month) {
                2.0
            } else {
                0.6
            }
        }
        3 => {
            if year == 2020 && (1..=4).contains(&month) {
                5.0
            } else {
                0.5
            }
        }
        _ => 1.0,
    }
}

impl<'a> Generator<'a> {
    /// `n` cases received in `year`, over `geo`'s streets (districts weighted by their share of
    /// Beijing's volume: with 1,000,000 cases Dongcheng gets about 150,000).
    pub fn new(
        config: &'a HotlineConfig,
        geo: &Geography,
        n: u64,
        seed: u64,
        year: i32,
    ) -> Generator<'a> {
        let mut rng = SplitMix64::new(seed);
        let mut streets = Vec::new();
        let mut total = 0.0;
        for (did, _, _, _, _, share) in BEIJING {
            let list: Vec<_> = geo
                .children(did)
                .filter(|a| a.level == Level::Street)
                .collect();
            for s in &list {
                let grids: Vec<(String, String)> = geo
                    .within(&s.id, Level::Grid)
                    .map(|a| (a.id.clone(), geo.place_name(&a.id)))
                    .collect();
                let quality = 0.80 + 0.18 * rng.next_f64();
                total += share / list.len() as f64;
                streets.push(Street {
                    id: s.id.clone(),
                    district: did.to_string(),
                    cumulative: total,
                    behaviour: Behaviour {
                        in_time: quality + 0.015,
                        solved: quality - 0.05,
                        satisfied: quality - 0.02,
                    },
                    grids,
                    name: s.name.clone(),
                    centre: (s.lat.unwrap_or(39.9), s.lon.unwrap_or(116.4)),
                    boundary: s.boundary.clone(),
                });
            }
        }
        for s in &mut streets {
            s.cumulative /= total;
        }
        let categories = crate::catalogue::BUILT_IN
            .iter()
            .filter(|c| c.2 > 0.0)
            .map(|(code, _, w, p)| (code.to_string(), *w, *p))
            .collect();
        let cutoff = Utc.with_ymd_and_hms(year, 12, 31, 16, 0, 0).unwrap();
        Generator {
            config,
            intervention: None,
            rng,
            remaining: n,
            next_id: 1,
            year,
            streets,
            categories,
            cutoff,
        }
    }

    /// The same cases with `intervention` built in.
    pub fn with_intervention(mut self, intervention: Intervention) -> Self {
        self.intervention = Some(intervention);
        self
    }

    /// Sets the mean quality of each named district's streets (0–1: how likely its cases are
    /// answered in time, solved and satisfying; the built-in draws lie in 0.80–0.98), keeping
    /// each street's own spread around it, so that districts rank as a demo's illustrative
    /// figures say. The random draws are the same; only these districts' outcomes change.
    pub fn with_district_quality(
        mut self,
        targets: &std::collections::BTreeMap<String, f64>,
    ) -> Self {
        for (district, target) in targets {
            let target = target.clamp(0.5, 0.98);
            let members: Vec<usize> = (0..self.streets.len())
                .filter(|&i| self.streets[i].district == *district)
                .collect();
            if members.is_empty() {
                continue;
            }
            let quality = |s: &Street| s.behaviour.in_time - 0.015;
            let mean = members
                .iter()
                .map(|&i| quality(&self.streets[i]))
                .sum::<f64>()
                / members.len() as f64;
            for i in members {
                let q = (quality(&self.streets[i]) - mean + target).clamp(0.5, 0.984);
                self.streets[i].behaviour = Behaviour {
                    in_time: q + 0.015,
                    solved: q - 0.05,
                    satisfied: q - 0.02,
                };
            }
        }
        self
    }

    fn pick_category(&mut self, month: u32) -> String {
        let weights: Vec<f64> = self
            .categories
            .iter()
            .map(|(_, w, p)| w * season(*p, month, self.year))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut x = self.rng.next_f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return self.categories[i].0.clone();
            }
            x -= w;
        }
        self.categories[0].0.clone()
    }

    fn one(&mut self) -> Case {
        let r = &mut self.rng;
        // Month: a little more in summer and in winter; epidemic months are added by category.
        let day_of_year = (r.next_f64() * 365.0) as i64;
        let start = NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap();
        let date = start + Duration::days(day_of_year);
        // Daytime-heavy hour of day.
        let hour = if r.next_f64() < 0.85 {
            8.0 + r.next_f64() * 13.0
        } else {
            r.next_f64() * 24.0
        };
        let local = date.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds((hour * 3600.0) as i64);
        let received = self.config.local_instant(local);
        let x = r.next_f64();
        let idx = self
            .streets
            .partition_point(|s| s.cumulative < x)
            .min(self.streets.len() - 1);
        let month = chrono::Datelike::month(&date);
        let mut category = self.pick_category(month);
        if let Some(iv) = &self.intervention {
            let moved = SplitMix64::new(self.next_id ^ 0x005e_ed0f_ca5e).next_f64() < iv.share;
            if moved
                && date >= iv.from
                && category.starts_with(&iv.category)
                && iv.streets.contains(&self.streets[idx].id)
            {
                category = iv.instead.clone();
            }
        }
        let r = &mut self.rng;
        let Street {
            id: street,
            behaviour: b,
            grids,
            name: street_name,
            centre: (lat, lon),
            boundary,
            ..
        } = &self.streets[idx];
        let channel = match r.next_f64() {
            x if x < 0.70 => Channel::Phone,
            x if x < 0.82 => Channel::App,
            x if x < 0.90 => Channel::Web,
            x if x < 0.98 => Channel::GridPatrol,
            _ => Channel::Open311,
        };
        let id = format!("{}{:09}", self.year, self.next_id);
        self.next_id += 1;
        let mut c = Case::received(id, channel, received, category.clone());
        c.urgency = if r.next_f64() < 0.05 {
            Urgency::Urgent
        } else {
            Urgency::Normal
        };
        let cell = grids.get((r.next_f64() * grids.len() as f64) as usize);
        c.grid = cell.map(|(id, _)| id.clone());
        // Somewhere in the street: within its bounding box, pulled towards the centre until
        // inside its boundary (two draws whatever the shape, so the rest of the stream is the
        // same for every geography).
        let (dlat, dlon) = (r.next_f64() - 0.5, r.next_f64() - 0.5);
        let (lat, lon) = match boundary {
            Some(b) => {
                let (x0, y0, x1, y1) = b.bbox;
                [0.8, 0.4, 0.15]
                    .into_iter()
                    .map(|k| (lat + dlat * (y1 - y0) * k, lon + dlon * (x1 - x0) * k))
                    .find(|p| b.contains(p.0, p.1))
                    .unwrap_or((*lat, *lon))
            }
            None => (lat + dlat * 0.02, lon + dlon * 0.025),
        };
        c.lat = Some(lat);
        c.lon = Some(lon);
        c.address = format!("{}附近", cell.map(|(_, name)| name).unwrap_or(street_name));
        c.description = format!(
            "市民反映{}问题",
            crate::catalogue::path(&crate::catalogue::built_in(), &category)
        );
        if channel != Channel::GridPatrol {
            c.contact = Some(format!(
                "13{}{:08}",
                5 + (r.next_f64() * 4.0) as u8,
                (r.next_f64() * 1e8) as u64
            ));
        }
        if let Some((resp, done)) = self.config.deadlines(&category, c.urgency, received) {
            c.response_due = Some(resp);
            c.completion_due = Some(done);
        }
        let street = street.clone();
        let b = *b;
        self.lifecycle(c, &street, b)
    }

    /// Plays the case's events forward while they fall before the cutoff.
    fn lifecycle(&mut self, c: Case, street: &str, b: Behaviour) -> Case {
        let r = &mut self.rng;
        let h = |x: f64| Duration::seconds((x * 3600.0) as i64);
        let mut t = c.received + h(0.2 + r.next_f64() * 1.5);
        let cutoff = self.cutoff;
        let step = |c: Case, e: Event, at: DateTime<Utc>| -> Option<Case> {
            (at <= cutoff).then(|| apply(&c, &e, at).ok()).flatten()
        };
        let mut c = match step(
            c.clone(),
            Event::Dispatch {
                unit: street.to_string(),
            },
            t,
        ) {
            Some(x) => x,
            None => return c,
        };
        if r.next_f64() < 0.02 {
            t += h(2.0);
            match step(
                c.clone(),
                Event::Return {
                    reason: "非本辖区".into(),
                },
                t,
            ) {
                Some(x) => c = x,
                None => return c,
            }
            t += h(1.0);
            match step(
                c.clone(),
                Event::Redispatch {
                    unit: street.to_string(),
                },
                t,
            ) {
                Some(x) => c = x,
                None => return c,
            }
        }
        if r.next_f64() < 0.03 {
            let closure = [
                Closure::NotResponsible,
                Closure::Duplicate,
                Closure::ReferredOut,
            ][(r.next_f64() * 3.0) as usize % 3];
            return step(c.clone(), Event::Close { closure }, t + h(3.0)).unwrap_or(c);
        }
        let response_hours = match c.response_due {
            Some(d) if r.next_f64() < b.in_time => {
                ((d - t).num_minutes() as f64 / 60.0).max(0.1) * r.next_f64()
            }
            Some(d) => (d - t).num_minutes() as f64 / 60.0 + 1.0 + r.next_f64() * 24.0,
            None => 1.0,
        };
        t += h(response_hours);
        match step(c.clone(), Event::Respond, t) {
            Some(x) => c = x,
            None => return c,
        }
        t += h(12.0 + r.next_f64() * 24.0 * 6.0);
        match step(c.clone(), Event::Handle, t) {
            Some(x) => c = x,
            None => return c,
        }
        // Most requesters are reached on the callback; the rest are closed without one.
        if r.next_f64() < 0.92 {
            let solved = r.next_f64() < b.solved;
            let satisfaction = match r.next_f64() {
                x if solved && x < b.satisfied => Satisfaction::Satisfied,
                x if x < b.satisfied + 0.05 => Satisfaction::BasicallySatisfied,
                _ => Satisfaction::NotSatisfied,
            };
            t += h(24.0 + r.next_f64() * 48.0);
            match step(
                c.clone(),
                Event::Callback {
                    solved,
                    satisfaction,
                },
                t,
            ) {
                Some(x) => c = x,
                None => return c,
            }
        }
        t += h(1.0);
        step(
            c.clone(),
            Event::Close {
                closure: Closure::Fixed,
            },
            t,
        )
        .unwrap_or(c)
    }
}

impl Iterator for Generator<'_> {
    type Item = Case;
    fn next(&mut self) -> Option<Case> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(self.one())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::{assess, contribution, Counters};
    use std::collections::BTreeMap;

    #[test]
    fn generated_cases_are_deterministic_and_plausible() {
        let cfg = HotlineConfig::default();
        let geo = crate::geography::beijing(2, 2);
        let a: Vec<Case> = Generator::new(&cfg, &geo, 20_000, 7, 2020).collect();
        let b: Vec<Case> = Generator::new(&cfg, &geo, 20_000, 7, 2020)
            .take(3)
            .collect();
        assert_eq!(&a[..3], &b[..]);
        let dongcheng = a
            .iter()
            .filter(|c| {
                c.unit
                    .as_deref()
                    .is_some_and(|u| u.starts_with("dongcheng-"))
            })
            .count();
        assert!(
            (2_600..=3_400).contains(&dongcheng),
            "about 15 %: {dongcheng}"
        );
        let mut per_unit: BTreeMap<String, Counters> = BTreeMap::new();
        for c in &a {
            if let Some((k, x)) = contribution(c, &cfg) {
                *per_unit.entry(k.unit).or_default() += x;
            }
        }
        assert_eq!(per_unit.len(), 343, "every street has cases");
        let rates: Vec<f64> = per_unit
            .values()
            .filter_map(|c| assess(c, &cfg.versions[0]).score)
            .collect();
        let (lo, hi) = rates
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
        assert!(
            lo > 50.0 && hi <= 100.0 && hi - lo > 5.0,
            "scores differ by street: {lo}..{hi}"
        );
        // Winter brings heating complaints.
        let heating = |m: u32| {
            a.iter()
                .filter(|c| {
                    c.category == "0801" && cfg.month_of(c.received).ends_with(&format!("-{m:02}"))
                })
                .count()
        };
        assert!(
            heating(1) > 3 * heating(7),
            "{} vs {}",
            heating(1),
            heating(7)
        );
        assert!(
            a.iter().any(|c| c.is_open()),
            "cases at the year's end are still open"
        );
        assert!(a
            .iter()
            .any(|c| c.channel == Channel::GridPatrol && c.grid.is_some() && c.contact.is_none()));
    }
}

#[cfg(test)]
mod intervention_tests {
    use super::*;

    #[test]
    fn an_intervention_moves_its_share_of_the_category_and_nothing_else() {
        let cfg = HotlineConfig::default();
        let geo = crate::geography::beijing(1, 1);
        let streets: Vec<String> = (1..=8).map(|i| format!("dongcheng-s{i:02}")).collect();
        let iv = Intervention {
            category: "0301".into(),
            streets: streets.clone(),
            from: NaiveDate::from_ymd_opt(2020, 7, 1).unwrap(),
            share: 0.4,
            instead: "0901".into(),
        };
        let plain: Vec<Case> = Generator::new(&cfg, &geo, 60_000, 5, 2020).collect();
        let treated: Vec<Case> = Generator::new(&cfg, &geo, 60_000, 5, 2020)
            .with_intervention(iv)
            .collect();
        let (mut moved, mut eligible) = (0, 0);
        for (a, b) in plain.iter().zip(&treated) {
            let in_scope = a.category == "0301"
                && a.unit.as_ref().is_some_and(|u| streets.contains(u))
                && cfg.month_of(a.received).as_str() >= "2020-07";
            eligible += in_scope as usize;
            if a.category != b.category {
                assert!(in_scope && b.category == "0901", "{}", a.id);
                moved += 1;
                let mut b = b.clone();
                b.category = a.category.clone();
                b.description = a.description.clone();
                assert_eq!(a, &b, "only the category changes");
            } else {
                assert_eq!(a, b);
            }
        }
        let share = moved as f64 / eligible as f64;
        assert!(
            eligible > 100 && (0.3..0.5).contains(&share),
            "{moved} of {eligible}"
        );
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use crate::import::{read_csv, write_native_csv, Mapping, NATIVE_MAPPING};

    #[test]
    fn generated_cases_survive_the_native_export() {
        let cfg = HotlineConfig::default();
        let geo = crate::geography::beijing(1, 2);
        let cases: Vec<Case> = Generator::new(&cfg, &geo, 2000, 9, 2020).collect();
        let mut bytes = Vec::new();
        write_native_csv(&mut bytes, &mut cases.iter().cloned(), true, &mut |_| {}).unwrap();
        let m = Mapping::parse(NATIVE_MAPPING, "jixiao.toml").unwrap();
        let mut back = Vec::new();
        read_csv(bytes.as_slice(), "cases.csv", &m, &cfg, 10, &mut |c| {
            back.push(c)
        })
        .unwrap();
        assert_eq!(back.len(), cases.len());
        for (a, b) in cases.iter().zip(&back) {
            // Coordinates are written with six decimals.
            let mut b = b.clone();
            b.lat = a.lat;
            b.lon = a.lon;
            assert_eq!(a, &b, "{}", a.id);
        }
        assert!(cases.iter().any(|c| !c.returned_by.is_empty()));
        // An export written before `returned_by` was a column reads as it did then.
        let text = String::from_utf8(bytes).unwrap();
        let old: String = text
            .lines()
            .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
            .collect();
        let mut before = Vec::new();
        read_csv(old.as_bytes(), "old.csv", &m, &cfg, 10, &mut |c| {
            before.push(c)
        })
        .unwrap();
        assert_eq!(before.len(), cases.len());
        assert!(before
            .iter()
            .all(|c| c.returned_by.is_empty() && c.returns == 0));
    }
}
