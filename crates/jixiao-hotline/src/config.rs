//! The hotline's rules as versioned configuration: each version applies to cases received on or
//! after its `effective_from` date, so changing a weight or deadline never rewrites the past.
//!
//! Defaults (documented as unconfirmed in DOMAIN.md §3): weights 10/45/45, response within 2
//! hours for urgent and 24 hours for normal cases, completion within 7 days (15 for complex
//! categories are configured per category).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// Deadlines for cases whose category starts with `category` ("" matches all) and of `urgency`
/// (`None` matches both). The first matching rule wins.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineRule {
    pub category: String,
    pub urgency: Option<crate::Urgency>,
    pub response_hours: f64,
    pub completion_days: f64,
}

/// One version of the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub effective_from: NaiveDate,
    /// The rates assessed, with their weights in the composite score (0 = reported only).
    pub rates: Vec<crate::metrics::RateDef>,
    /// Minimum cases, intervals, shrinkage, tie-breaking and the 红黑榜's size.
    pub ranking: crate::metrics::RankingRules,
    /// Which streets are listed as 治理类街乡镇.
    pub governance: crate::metrics::GovernanceRule,
    /// How much a 基本满意 answer counts towards the satisfaction rate.
    pub basically_satisfied_share: f64,
    pub deadlines: Vec<DeadlineRule>,
    /// Repeat complaints: same category and place within this many days …
    pub repeat_window_days: i64,
    /// … and this many metres (or the same grid cell).
    pub repeat_radius_m: f64,
}

impl RuleSet {
    /// The weights of the rates that count in the score, in the rules' order.
    pub fn weighted(&self) -> Vec<f64> {
        self.rates
            .iter()
            .filter(|r| r.weight > 0.0)
            .map(|r| r.weight)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HotlineConfig {
    /// Months and deadlines are judged in this time zone.
    pub timezone: Tz,
    /// Requester contacts are erased this many days after a case is closed.
    pub retention_days: i64,
    /// Versions, oldest first.
    pub versions: Vec<RuleSet>,
}

pub const DEFAULT_TOML: &str = r#"# 接诉即办 rules (jixiao hotline). Every figure marked (unconfirmed) is a default that
# DOMAIN.md §3 lists as unconfirmed: set the office's own before relying on rankings.
timezone = "Asia/Shanghai"
# Requester contacts are erased this many days after a case is closed.
retention_days = 730

[[version]]
effective_from = 2019-01-01
# How much 基本满意 counts towards the satisfaction rate (unconfirmed).
basically_satisfied_share = 1.0
repeat_window_days = 30
repeat_radius_m = 100

# How units are ranked each month (docs/hotline.md, "Fair rankings").
[version.ranking]
# Units with fewer accepted cases in the month are shown as 样本不足, not ranked (unconfirmed).
min_cases = 10
# Confidence of the intervals drawn around every rate and score.
confidence = 0.95
# Pseudo-cases at the group's rate added to each unit before ranking; 0 = rank observed rates.
shrinkage = 0
# Equal scores: "lower_bound" ranks the better-established one (more cases) first; "none" ties.
tie_break = "lower_bound"
# Units named at each end of the 红黑榜.
board_size = 5

# 治理类街乡镇: streets listed for concentrated attention (docs/hotline.md, "治理类街乡镇").
[version.governance]
# Consecutive months the condition must hold (unconfirmed).
months = 3
# Among the worst share of the city's ranked streets by score …
worst_share = 0.1
# … and, above 0, among the busiest share by cases per 10,000 residents.
busiest_share = 0.3

# Rates: numerator = a sum of counters (with coefficients), denominator = a sum of counters.
# Counters: accepted, excluded, response_tracked, responded, responded_in_time, handled,
# handled_in_time, callbacks, solved, satisfied, basically_satisfied, closed_fixed,
# closed_unfixed, reopened, returned (returns made by the unit, whoever holds the case now).
# Weight 0 = reported, not in the composite score.
# Response, resolution, satisfaction weigh 10/45/45 (unconfirmed, often quoted for Beijing).
[[version.rate]]
id = "response"
name = "响应率"
name_en = "Response rate"
numerator = "responded_in_time"
denominator = "response_tracked"
weight = 10

[[version.rate]]
id = "resolution"
name = "解决率"
name_en = "Resolution rate"
numerator = "solved"
denominator = "callbacks"
weight = 45

[[version.rate]]
id = "satisfaction"
name = "满意率"
name_en = "Satisfaction rate"
numerator = "satisfied + basically_satisfied_share * basically_satisfied"
denominator = "callbacks"
weight = 45

[[version.rate]]
id = "on_time_completion"
name = "按时办结率"
name_en = "Completed on time"
numerator = "handled_in_time"
denominator = "handled"
weight = 0

[[version.rate]]
id = "reopen"
name = "重办率"
name_en = "Reopened"
numerator = "reopened"
denominator = "accepted"
weight = 0
lower_is_better = true

[[version.rate]]
id = "return"
name = "退单率"
name_en = "Returned"
numerator = "returned"
denominator = "accepted + excluded + returned"
weight = 0
lower_is_better = true

# First matching rule wins; category is a prefix of the category code ("" = every category).
[[version.deadline]]
urgency = "urgent"
response_hours = 2
completion_days = 7

[[version.deadline]]
category = ""
response_hours = 24
completion_days = 7
"#;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

/// A number of a table, if given; an error names the key.
fn number_of(t: &toml_edit::Table, key: &str, what: &str) -> Result<Option<f64>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .filter(|x| x.is_finite() && *x >= 0.0)
            .map(Some)
            .ok_or_else(|| format!("{what}: `{key}` must be a number ≥ 0")),
    }
}

/// The rates of a version: its `[[version.rate]]` tables, or (rules written before rates were
/// configurable) the built-in rates with the three scored ones weighted by `weights`.
fn parse_rates(
    v: &toml_edit::Table,
    what: &str,
    share: f64,
) -> Result<Vec<crate::metrics::RateDef>, String> {
    use crate::metrics::RateDef;
    let tables = v.get("rate").and_then(|r| r.as_array_of_tables());
    let weights = v.get("weights");
    if tables.is_some() && weights.is_some() {
        return Err(format!(
            "{what}: give either `weights` or [[version.rate]] tables, not both"
        ));
    }
    let Some(tables) = tables else {
        let weights: Vec<f64> = match weights.and_then(|w| w.as_array()) {
            Some(a) => a
                .iter()
                .map(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                .collect::<Option<Vec<f64>>>()
                .filter(|w| w.len() == 3 && w.iter().all(|x| *x >= 0.0) && w.iter().sum::<f64>() > 0.0)
                .ok_or_else(|| format!("{what}: weights must be three numbers ≥ 0 (response, resolution, satisfaction), not all 0"))?,
            None if weights.is_some() => return Err(format!("{what}: weights must be a list of three numbers")),
            None => vec![10.0, 45.0, 45.0],
        };
        // The built-in rates (DEFAULT_TOML's, the one place they are written), weighted as
        // the file says, with the file's share of 基本满意.
        let mut rates = HotlineConfig::default().versions[0].rates.clone();
        for r in &mut rates {
            (r.numerator, r.denominator) =
                RateDef::parse_terms(&r.numerator_text, &r.denominator_text, share)?;
            r.weight = match r.id.as_str() {
                "response" => weights[0],
                "resolution" => weights[1],
                "satisfaction" => weights[2],
                _ => r.weight,
            };
        }
        return Ok(rates);
    };
    let mut rates: Vec<RateDef> = Vec::new();
    for (i, r) in tables.iter().enumerate() {
        let text = |key: &str| r.get(key).and_then(|x| x.as_str()).map(str::trim);
        let id = text("id").unwrap_or_default().to_string();
        let what = format!(
            "{what}, rate {}",
            if id.is_empty() {
                (i + 1).to_string()
            } else {
                format!("`{id}`")
            }
        );
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!(
                "{what}: `id` must be given in lower-case letters, digits and _"
            ));
        }
        if rates.iter().any(|x| x.id == id) {
            return Err(format!("{what}: the id is used twice"));
        }
        let name = text("name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{what}: `name` is missing"))?
            .to_string();
        let numerator =
            text("numerator").ok_or_else(|| format!("{what}: `numerator` is missing"))?;
        let denominator =
            text("denominator").ok_or_else(|| format!("{what}: `denominator` is missing"))?;
        let (terms, den) = RateDef::parse_terms(numerator, denominator, share)
            .map_err(|e| format!("{what}: {e}"))?;
        let lower_is_better = match r.get("lower_is_better") {
            None => false,
            Some(b) => b
                .as_bool()
                .ok_or_else(|| format!("{what}: `lower_is_better` is true or false"))?,
        };
        rates.push(RateDef {
            name_en: text("name_en").unwrap_or(&id).to_string(),
            id,
            name,
            numerator: terms,
            denominator: den,
            numerator_text: numerator.to_string(),
            denominator_text: denominator.to_string(),
            weight: number_of(r, "weight", &what)?.unwrap_or(0.0),
            lower_is_better,
        });
    }
    if !rates.iter().any(|r| r.weight > 0.0) {
        return Err(format!(
            "{what}: at least one rate needs a weight above 0 to make a score"
        ));
    }
    Ok(rates)
}

/// The `[version.NAME]` table of a version, if given, with `what` naming it for errors; an error
/// for a key not among `keys`.
fn sub_table<'t>(
    v: &'t toml_edit::Table,
    name: &str,
    what: &str,
    keys: &[&str],
) -> Result<Option<(&'t toml_edit::Table, String)>, String> {
    let Some(item) = v.get(name) else {
        return Ok(None);
    };
    let t = item
        .as_table()
        .ok_or_else(|| format!("{what}: `{name}` must be a table [version.{name}]"))?;
    let what = format!("{what}, {name}");
    for (key, _) in t.iter() {
        if !keys.contains(&key) {
            return Err(format!(
                "{what}: `{key}` is not a {name} rule ({})",
                keys.join(", ")
            ));
        }
    }
    Ok(Some((t, what)))
}

/// The `[version.ranking]` table, defaults for what it leaves out.
fn parse_ranking(v: &toml_edit::Table, what: &str) -> Result<crate::metrics::RankingRules, String> {
    use crate::metrics::{RankingRules, TieBreak};
    let mut out = RankingRules::default();
    let Some((t, what)) = sub_table(
        v,
        "ranking",
        what,
        &[
            "min_cases",
            "confidence",
            "shrinkage",
            "tie_break",
            "board_size",
        ],
    )?
    else {
        return Ok(out);
    };
    let whole = |key: &str| -> Result<Option<i64>, String> {
        match t.get(key) {
            None => Ok(None),
            Some(x) => x
                .as_integer()
                .filter(|i| *i >= 0)
                .map(Some)
                .ok_or_else(|| format!("{what}: `{key}` must be a whole number ≥ 0")),
        }
    };
    if let Some(n) = whole("min_cases")? {
        out.min_cases = n;
    }
    if let Some(n) = whole("board_size")? {
        out.board_size = n as usize;
    }
    if let Some(c) = number_of(t, "confidence", &what)? {
        if !(0.5..1.0).contains(&c) {
            return Err(format!(
                "{what}: `confidence` must be at least 0.5 and below 1, like 0.95"
            ));
        }
        out.confidence = c;
    }
    if let Some(k) = number_of(t, "shrinkage", &what)? {
        out.shrinkage = k;
    }
    if let Some(x) = t.get("tie_break") {
        let s = x.as_str().unwrap_or_default();
        out.tie_break = TieBreak::parse(s).ok_or_else(|| {
            format!("{what}: `tie_break` is \"lower_bound\" or \"none\", not `{s}`")
        })?;
    }
    Ok(out)
}

/// The `[version.governance]` table, defaults for what it leaves out.
fn parse_governance(
    v: &toml_edit::Table,
    what: &str,
) -> Result<crate::metrics::GovernanceRule, String> {
    let mut out = crate::metrics::GovernanceRule::default();
    let Some((t, what)) = sub_table(
        v,
        "governance",
        what,
        &["months", "worst_share", "busiest_share"],
    )?
    else {
        return Ok(out);
    };
    if let Some(m) = t.get("months") {
        out.months = m
            .as_integer()
            .filter(|m| (1..=24).contains(m))
            .ok_or_else(|| format!("{what}: `months` must be a whole number from 1 to 24"))?
            as u32;
    }
    for (key, slot, low) in [
        ("worst_share", &mut out.worst_share, f64::MIN_POSITIVE),
        ("busiest_share", &mut out.busiest_share, 0.0),
    ] {
        if let Some(x) = number_of(t, key, &what)? {
            if !(low..=1.0).contains(&x) {
                return Err(format!("{what}: `{key}` is a share from 0 to 1, like 0.1"));
            }
            *slot = x;
        }
    }
    Ok(out)
}

impl Default for HotlineConfig {
    fn default() -> HotlineConfig {
        HotlineConfig::parse(DEFAULT_TOML, "default hotline rules").expect("the defaults parse")
    }
}

impl HotlineConfig {
    pub fn parse(text: &str, file: &str) -> Result<HotlineConfig, ConfigError> {
        let err = |message: String| ConfigError {
            file: file.to_string(),
            message,
        };
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| err(e.to_string().trim().to_string()))?;
        let timezone = match doc.get("timezone").and_then(|v| v.as_str()) {
            Some(tz) => tz.parse::<Tz>().map_err(|_| {
                err(format!(
                    "timezone: `{tz}` is not a time zone like Asia/Shanghai"
                ))
            })?,
            None => chrono_tz::Asia::Shanghai,
        };
        let retention_days = doc
            .get("retention_days")
            .map(|v| {
                v.as_integer()
                    .ok_or_else(|| err("retention_days must be a whole number of days".into()))
            })
            .transpose()?
            .unwrap_or(730);
        let num =
            |t: &toml_edit::Table, key: &str, what: &str| number_of(t, key, what).map_err(err);
        let mut versions = Vec::new();
        let Some(list) = doc.get("version").and_then(|v| v.as_array_of_tables()) else {
            return Err(err("at least one [[version]] is needed".into()));
        };
        for (i, v) in list.iter().enumerate() {
            let what = format!("version {}", i + 1);
            let effective_from = v
                .get("effective_from")
                .and_then(|d| d.as_datetime())
                .and_then(|d| d.date)
                .and_then(|d| NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32))
                .ok_or_else(|| {
                    err(format!(
                        "{what}: effective_from must be a date like 2021-01-01"
                    ))
                })?;
            let share = num(v, "basically_satisfied_share", &what)?
                .unwrap_or(1.0)
                .min(1.0);
            let rates = parse_rates(v, &what, share).map_err(err)?;
            let ranking = parse_ranking(v, &what).map_err(err)?;
            let governance = parse_governance(v, &what).map_err(err)?;
            let mut deadlines = Vec::new();
            if let Some(rules) = v.get("deadline").and_then(|d| d.as_array_of_tables()) {
                for (j, r) in rules.iter().enumerate() {
                    let what = format!("{what}, deadline {}", j + 1);
                    let urgency = match r.get("urgency").and_then(|u| u.as_str()) {
                        None => None,
                        Some(u) => Some(crate::Urgency::parse(u).ok_or_else(|| {
                            err(format!("{what}: urgency `{u}` is not normal or urgent"))
                        })?),
                    };
                    deadlines.push(DeadlineRule {
                        category: r
                            .get("category")
                            .and_then(|c| c.as_str())
                            .unwrap_or("")
                            .to_string(),
                        urgency,
                        response_hours: num(r, "response_hours", &what)?
                            .ok_or_else(|| err(format!("{what}: response_hours is missing")))?,
                        completion_days: num(r, "completion_days", &what)?
                            .ok_or_else(|| err(format!("{what}: completion_days is missing")))?,
                    });
                }
            }
            versions.push(RuleSet {
                effective_from,
                rates,
                ranking,
                governance,
                basically_satisfied_share: share,
                deadlines,
                repeat_window_days: v
                    .get("repeat_window_days")
                    .and_then(|x| x.as_integer())
                    .unwrap_or(30),
                repeat_radius_m: num(v, "repeat_radius_m", &what)?.unwrap_or(100.0),
            });
        }
        versions.sort_by_key(|v| v.effective_from);
        Ok(HotlineConfig {
            timezone,
            retention_days,
            versions,
        })
    }

    /// The rules in force on the local date of `at` (the oldest version before any).
    pub fn rules_at(&self, at: DateTime<Utc>) -> &RuleSet {
        let day = at.with_timezone(&self.timezone).date_naive();
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= day)
            .unwrap_or(&self.versions[0])
    }

    /// The rules a month ("2020-06") is assessed by: those in force on its first day, local
    /// time. `None` when `month` is not a month.
    pub fn rules_for_month(&self, month: &str) -> Option<&RuleSet> {
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
        let at = self
            .timezone
            .from_local_datetime(&first.and_hms_opt(0, 0, 0)?)
            .earliest()?
            .with_timezone(&Utc);
        Some(self.rules_at(at))
    }

    /// A local time of the rules' time zone as an instant; in a gap of a clock change, the
    /// local time read as UTC.
    pub fn local_instant(&self, local: chrono::NaiveDateTime) -> DateTime<Utc> {
        self.timezone
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    /// The month a case counts in (local time): "2020-03".
    pub fn month_of(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.timezone).format("%Y-%m").to_string()
    }

    /// The first and last second of `month` (`YYYY-MM`) in the rules' time zone, as UTC
    /// instants: the cases [`HotlineConfig::month_of`] puts in that month are received between
    /// them. `None` for text that is not a month.
    pub fn month_bounds(&self, month: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        use chrono::{Datelike, NaiveDate, TimeZone};
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
        };
        let start = |d: NaiveDate| {
            self.timezone
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        };
        Some((start(first)?, start(next)? - chrono::Duration::seconds(1)))
    }

    /// (response due, completion due) of a case received at `received`.
    pub fn deadlines(
        &self,
        category: &str,
        urgency: crate::Urgency,
        received: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let rules = self.rules_at(received);
        let r = rules.deadlines.iter().find(|r| {
            category.starts_with(&r.category) && r.urgency.is_none_or(|u| u == urgency)
        })?;
        Some((
            received + Duration::seconds((r.response_hours * 3600.0) as i64),
            received + Duration::seconds((r.completion_days * 86400.0) as i64),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_apply_from_their_date_and_deadlines_match_first_rule() {
        let text = format!(
            "{DEFAULT_TOML}\n[[version]]\neffective_from = 2021-09-24\nweights = [30, 35, 35]\n\n[[version.deadline]]\ncategory = \"0101\"\nresponse_hours = 1\ncompletion_days = 15\n\n[[version.deadline]]\nresponse_hours = 12\ncompletion_days = 5\n"
        );
        let c = HotlineConfig::parse(&text, "hotline.toml").unwrap();
        let before = Utc.with_ymd_and_hms(2021, 9, 23, 15, 0, 0).unwrap(); // 23:00 in Beijing
        let after = Utc.with_ymd_and_hms(2021, 9, 23, 16, 30, 0).unwrap(); // 00:30 on the 24th
        assert_eq!(c.rules_at(before).weighted(), [10.0, 45.0, 45.0]);
        assert_eq!(c.rules_at(after).weighted(), [30.0, 35.0, 35.0]);
        assert_eq!(
            c.month_of(Utc.with_ymd_and_hms(2020, 2, 29, 17, 0, 0).unwrap()),
            "2020-03"
        );
        assert_eq!(
            c.rules_for_month("2021-09").unwrap().weighted(),
            [10.0, 45.0, 45.0]
        );
        assert_eq!(
            c.rules_for_month("2021-10").unwrap().weighted(),
            [30.0, 35.0, 35.0]
        );
        assert!(c.rules_for_month("October").is_none());
        let (resp, done) = c
            .deadlines("010103", crate::Urgency::Normal, after)
            .unwrap();
        assert_eq!((resp - after).num_hours(), 1);
        assert_eq!((done - after).num_days(), 15);
        let (resp, _) = c.deadlines("0201", crate::Urgency::Urgent, before).unwrap();
        assert_eq!((resp - before).num_hours(), 2);
    }

    #[test]
    fn a_months_bounds_hold_exactly_the_cases_of_that_month() {
        let c = HotlineConfig::default();
        for month in ["2020-01", "2020-02", "2020-12", "2021-03"] {
            let (first, last) = c.month_bounds(month).unwrap();
            assert_eq!(c.month_of(first), month);
            assert_eq!(c.month_of(last), month);
            assert_ne!(c.month_of(first - chrono::Duration::seconds(1)), month);
            assert_ne!(c.month_of(last + chrono::Duration::seconds(1)), month);
        }
        assert!(c.month_bounds("2020-13").is_none());
        assert!(c.month_bounds("March").is_none());
    }

    #[test]
    fn mistakes_are_named() {
        let e = HotlineConfig::parse(
            "timezone = \"Mars/Base\"\n[[version]]\neffective_from = 2020-01-01\n",
            "h.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("Mars/Base"), "{e}");
        let e = HotlineConfig::parse(
            "[[version]]\neffective_from = 2020-01-01\nweights = [1, 2]\n",
            "h.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("weights"), "{e}");
        let e = HotlineConfig::parse("[[version]]\nweights = [1, 2, 3]\n", "h.toml").unwrap_err();
        assert!(e.to_string().contains("effective_from"), "{e}");
        let v = "[[version]]\neffective_from = 2020-01-01\n";
        for (text, says) in [
            (format!("{v}weights = [1, 2, 3]\n[[version.rate]]\nid = \"a\"\nname = \"A\"\nnumerator = \"solved\"\ndenominator = \"callbacks\"\nweight = 1\n"), "not both"),
            (format!("{v}[[version.rate]]\nid = \"a\"\nname = \"A\"\nnumerator = \"solved\"\ndenominator = \"callbacks\"\n"), "weight above 0"),
            (format!("{v}[[version.rate]]\nid = \"a\"\nname = \"A\"\nnumerator = \"fixed\"\ndenominator = \"callbacks\"\nweight = 1\n"), "rate `a`: `fixed`"),
            (format!("{v}[[version.rate]]\nid = \"A b\"\nname = \"A\"\nnumerator = \"solved\"\ndenominator = \"callbacks\"\n"), "lower-case"),
            (format!("{v}[version.ranking]\nconfidence = 95\n"), "confidence"),
            (format!("{v}[version.ranking]\ntie_break = \"coin\"\n"), "coin"),
            (format!("{v}[version.ranking]\nmin_case = 5\n"), "`min_case` is not a ranking rule"),
            (format!("{v}[version.ranking]\nmin_cases = -5\n"), "min_cases"),
        ] {
            let e = HotlineConfig::parse(&text, "h.toml").unwrap_err().to_string();
            assert!(e.starts_with("h.toml: version 1") && e.contains(says), "{says}: {e}");
        }
    }

    #[test]
    fn the_built_in_rules_weigh_three_rates_and_report_the_others() {
        let c = HotlineConfig::default();
        let r = &c.versions[0];
        let ids: Vec<(&str, f64)> = r.rates.iter().map(|x| (x.id.as_str(), x.weight)).collect();
        assert_eq!(
            ids,
            [
                ("response", 10.0),
                ("resolution", 45.0),
                ("satisfaction", 45.0),
                ("on_time_completion", 0.0),
                ("reopen", 0.0),
                ("return", 0.0)
            ]
        );
        assert_eq!(r.ranking.min_cases, 10);
        // A file written with `weights` gets the same rates.
        let old = HotlineConfig::parse(
            "[[version]]\neffective_from = 2019-01-01\nweights = [10, 45, 45]\n",
            "old.toml",
        )
        .unwrap();
        assert_eq!(old.versions[0].rates, r.rates);
    }
}
