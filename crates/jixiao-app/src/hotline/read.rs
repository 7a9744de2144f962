//! Read models of the hotline pages: the monthly ranking from the rollups, the dashboard
//! (ranking, trend, category heat map, themes, overdue cases, repeat clusters, busiest grid
//! cells), the case list and one case with its timeline. Requester contacts are masked in all
//! of them.

use crate::actor::{Actor, Role};
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use jixiao_hotline::case::mask_contact;
use jixiao_hotline::catalogue::{path as category_path, Category};
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::rollup::{assess, rank, Assessment, Counters, Ranked};
use jixiao_hotline::{Case, HotlineConfig};
use jixiao_store::hotline::{CaseCursor, CaseFilter, PartsOf};
use jixiao_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// The rules `month` is assessed by (those in force in it), or why the month is not one.
pub fn month_rules<'a>(cfg: &'a HotlineConfig, month: &str) -> Result<&'a jixiao_hotline::RuleSet> {
    cfg.rules_for_month(month)
        .ok_or_else(|| AppError::Invalid(format!("`{month}` is not a month like 2020-06")))
}

/// The ranking of `month` from the rollups: districts, or (`by_district = false`) streets,
/// optionally of one district and one category prefix. For use cases that have asked the
/// permission already.
pub(crate) fn month_ranking(
    s: &mut Store,
    cfg: &HotlineConfig,
    month: &str,
    by_district: bool,
    district: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<Ranked>> {
    let rules = month_rules(cfg, month)?;
    let rows = s.hotline_month(month, by_district, district, category)?;
    let per_unit: BTreeMap<String, _> = rows.into_iter().map(|u| (u.unit, u.counters)).collect();
    Ok(rank(&per_unit, rules))
}

/// The ranking of `month` (default: the newest) for those who may see the city's or the
/// district's hotline: (the month, the ranking).
#[allow(clippy::too_many_arguments)]
pub fn ranking(
    s: &mut Store,
    actor: &Actor,
    cfg: &HotlineConfig,
    month: Option<&str>,
    by_district: bool,
    district: Option<&str>,
    category: Option<&str>,
) -> Result<(String, Vec<Ranked>)> {
    require(actor, Act::ViewHotline(district))?;
    let month = match month {
        Some(m) => m.to_string(),
        None => s
            .hotline_months()?
            .pop()
            .ok_or_else(|| AppError::NotFound("hotline cases in the database".into()))?,
    };
    let ranked = month_ranking(s, cfg, &month, by_district, district, category)?;
    Ok((month, ranked))
}

/// The district an actor may look at: a reporter's own; others as asked (None = the city).
pub fn district_for(actor: &Actor, asked: Option<&str>) -> Option<String> {
    match actor.role {
        Role::Reporter => actor.unit().map(str::to_string),
        _ => asked.filter(|d| !d.is_empty()).map(str::to_string),
    }
}

pub(crate) fn name_of(geo: &Geography, id: &str) -> String {
    geo.get(id)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The end of `today` in UTC: open cases due before it are overdue.
fn end_of(today: chrono::NaiveDate) -> DateTime<Utc> {
    chrono::TimeZone::from_utc_datetime(&Utc, &today.and_hms_opt(23, 59, 59).expect("a time"))
}

/// A case as a row of a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseRow {
    pub id: String,
    /// Local time of the hotline's rules.
    pub received: String,
    pub category: String,
    pub unit: String,
    pub stage: &'static str,
    pub closure: Option<&'static str>,
    pub address: String,
    /// Masked.
    pub contact: String,
    pub channel: &'static str,
    pub excluded: bool,
}

pub fn case_row(c: &Case, geo: &Geography, catalogue: &[Category], tz: chrono_tz::Tz) -> CaseRow {
    CaseRow {
        id: c.id.clone(),
        received: c
            .received
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        category: category_path(catalogue, &c.category),
        unit: c
            .unit
            .as_deref()
            .map(|u| name_of(geo, u))
            .unwrap_or_default(),
        stage: c.stage.label_zh(),
        closure: c.closure.map(|x| x.label_zh()),
        address: c.address.clone(),
        contact: c.contact.as_deref().map(mask_contact).unwrap_or_default(),
        channel: c.channel.label_zh(),
        excluded: c.exclusion.is_some(),
    }
}

/// A unit's row of a monthly ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankedRow {
    pub rank: Option<u32>,
    pub unit: String,
    pub name: String,
    pub assessment: Assessment,
    /// The score the rank is by (after shrinkage, when the rules shrink).
    pub ranking_score: Option<f64>,
    /// Too few cases to be ranked (样本不足).
    pub insufficient: bool,
    /// Statistically tied with a neighbour in the order.
    pub tied: bool,
    /// Accepted cases per 10,000 residents (when the geography knows the population).
    pub per_10k: Option<f64>,
    /// The score the unit's category mix leads one to expect, and its score adjusted for
    /// that mix (see [`mix_scores`]).
    pub mix_expected: Option<f64>,
    pub mix_adjusted: Option<f64>,
}

impl RankedRow {
    pub fn new(r: Ranked, geo: &Geography) -> RankedRow {
        RankedRow {
            rank: r.rank,
            name: name_of(geo, &r.unit),
            per_10k: per_10k(geo, &r.unit, r.assessment.accepted),
            unit: r.unit,
            assessment: r.assessment,
            ranking_score: r.ranking_score,
            insufficient: r.insufficient,
            tied: r.tied,
            mix_expected: None,
            mix_adjusted: None,
        }
    }
}

/// Accepted cases per 10,000 residents of a unit, when its population is known.
pub fn per_10k(geo: &Geography, unit: &str, accepted: i64) -> Option<f64> {
    let p = geo.get(unit)?.population.filter(|p| *p > 0)?;
    Some(accepted as f64 * 10_000.0 / p as f64)
}

/// Each unit's expected score from its category mix and its mix-adjusted score, among the units
/// of `month` at that level (of one district, and of `members` when given): the group the
/// ranking compares it with.
pub fn mix_scores(
    s: &mut Store,
    cfg: &HotlineConfig,
    month: &str,
    by_district: bool,
    district: Option<&str>,
    members: Option<&[String]>,
) -> Result<BTreeMap<String, (f64, f64)>> {
    let rules = month_rules(cfg, month)?;
    let mut per_unit: BTreeMap<String, Vec<(String, Counters)>> = BTreeMap::new();
    for (unit, cat, c) in s.hotline_month_by_category(month, by_district, district)? {
        if members.is_none_or(|m| m.contains(&unit)) {
            per_unit.entry(unit).or_default().push((cat, c));
        }
    }
    Ok(jixiao_hotline::metrics::mix_adjusted(
        &per_unit,
        &rules.rates,
        jixiao_hotline::metrics::z_for(rules.ranking.confidence),
    ))
}

/// The city's (or a district's) figures of one month.
#[derive(Debug, Serialize)]
pub struct TrendRow {
    pub month: String,
    pub accepted: i64,
    pub assessment: Assessment,
}

#[derive(Debug, Serialize)]
pub struct HeatRow {
    pub month: String,
    /// Per top-level category: (cases, shade 0–5).
    pub cells: Vec<(i64, i64)>,
}

#[derive(Debug, Serialize)]
pub struct Theme {
    pub code: String,
    pub name: String,
    pub n: i64,
}

#[derive(Debug, Serialize)]
pub struct ClusterRow {
    pub category: String,
    pub place: String,
    pub count: usize,
    /// The case list of this category, grid cell and month.
    pub cases_link: String,
}

/// A value for a link's query string (percent-encoded, so any id is safe in it).
pub fn query_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// What the dashboard asks for.
#[derive(Debug, Clone, Default)]
pub struct DashboardQuery {
    pub month: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
    pub group: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub month: String,
    pub months: Vec<String>,
    /// The district shown, or None for the city.
    pub district: Option<String>,
    pub district_name: Option<String>,
    pub districts: Vec<Named>,
    /// Whether the actor may choose another district (a reporter sees its own only).
    pub can_choose: bool,
    pub category: String,
    /// Top-level categories.
    pub categories: Vec<Named>,
    pub ranked: Vec<RankedRow>,
    pub trend: Vec<TrendRow>,
    pub heat: Vec<HeatRow>,
    pub heat_columns: Vec<String>,
    pub themes: Vec<Theme>,
    pub clusters: Vec<ClusterRow>,
    pub overdue: Vec<CaseRow>,
    pub overdue_total: i64,
    /// The month's rates (weighted and reported) and ranking rules.
    pub rates: Vec<jixiao_hotline::metrics::RateDef>,
    pub ranking_rules: jixiao_hotline::metrics::RankingRules,
    /// The 红黑榜 of the ranking shown: its first and last units.
    pub red: Vec<RankedRow>,
    pub black: Vec<RankedRow>,
    /// Groups of the newest performance cycle, to rank districts within.
    pub groups: Vec<Named>,
    pub group_name: Option<String>,
    /// The busiest grid cells of the district this month: (name, cases).
    pub grid_counts: Vec<(String, i64)>,
    /// What the map colours: each ranked unit's rates, density and change.
    pub map: Vec<MapUnit>,
    /// Whether the geography has boundaries to draw a map with.
    pub has_map: bool,
    /// The month's 治理类街乡镇 (of the district shown, or the city's).
    pub governance: Governance,
}

/// Dashboards kept between requests, per hotline data version and what they were asked for.
static DASHBOARDS: crate::cache::Versioned<Dashboard> = crate::cache::Versioned::new();

/// The groups of the city's newest performance cycle (城六区 …) as (id, name, member unit ids),
/// to rank districts within; none without a cycle.
fn cycle_groups(s: &mut Store) -> Result<Vec<(String, String, Vec<String>)>> {
    let Some(id) = newest_city_cycle(s)? else {
        return Ok(Vec::new());
    };
    let fw = s.load_cycle(&id)?;
    Ok(fw
        .groups
        .iter()
        .map(|g| {
            let members = fw
                .members(Some(&g.id))
                .into_iter()
                .map(|u| fw.units[u].id.clone())
                .collect();
            (g.id.clone(), g.name.clone(), members)
        })
        .collect())
}

/// The dashboard, for those who may see the city's or the district's hotline. Kept until the
/// hotline's data (or the newest cycle's groups, or the day) changes: its panels sum the
/// rollups of every month, which costs a hundred milliseconds at city size.
pub fn dashboard(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    q: &DashboardQuery,
) -> Result<std::sync::Arc<Dashboard>> {
    let district = district_for(actor, q.district.as_deref());
    require(actor, Act::ViewHotline(district.as_deref()))?;
    let newest = match newest_city_cycle(s)? {
        Some(id) => {
            let version = s.cycle_version(&id)?.unwrap_or_default();
            format!("{id}@{version}")
        }
        None => String::new(),
    };
    let also = format!(
        "{district:?}|{:?}|{:?}|{:?}|{}|{}|{newest}",
        q.category,
        q.month,
        q.group,
        settings.today(),
        actor.role != Role::Reporter
    );
    DASHBOARDS.get_hotline(s, &also, |s| {
        build_dashboard(s, settings, actor, district, q)
    })
}

fn build_dashboard(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    district: Option<String>,
    q: &DashboardQuery,
) -> Result<Dashboard> {
    let cfg = &settings.hotline;
    let category = q.category.clone().filter(|c| !c.is_empty());
    let d = district.as_deref();
    let months = s.hotline_months()?;
    let month = q
        .month
        .clone()
        .filter(|m| months.contains(m))
        .or_else(|| months.last().cloned())
        .unwrap_or_default();
    let rows = s.hotline_month(&month, d.is_none(), d, category.as_deref())?;
    // The trend: the city's (or the district's) counters month by month.
    let mut trend_counters = Vec::new();
    for m in &months {
        let mut total = Counters::default();
        for u in s.hotline_month(m, true, d, category.as_deref())? {
            total += u.counters;
        }
        trend_counters.push((m.clone(), total));
    }
    let heat = s.hotline_category_counts(d)?;
    let overdue = s.hotline_cases(
        &CaseFilter {
            district: district.clone(),
            overdue_at: Some(end_of(settings.today())),
            ..Default::default()
        },
        10,
        0,
    )?;
    let reference = super::open311::reference(s)?;
    let (catalogue, geo) = (&reference.0, &reference.1);
    // Each month is assessed by the rules in force in it (weights may change between versions).
    let month_rules = |m: &str| {
        cfg.rules_for_month(m)
            .unwrap_or_else(|| cfg.rules_at(Utc::now()))
    };
    let rules = month_rules(&month);
    // Districts can be ranked within a group of the newest performance cycle (城六区 …).
    let groups = cycle_groups(s)?;
    let group = q
        .group
        .as_ref()
        .filter(|_| district.is_none())
        .and_then(|g| groups.iter().find(|x| &x.0 == g));
    let per_unit: BTreeMap<String, Counters> = rows
        .iter()
        .filter(|u| group.is_none_or(|g| g.2.contains(&u.unit)))
        .map(|u| (u.unit.clone(), u.counters))
        .collect();
    // The month's busiest grid cells of a district (网格化管理).
    let grid_counts = match d {
        Some(d) => s
            .hotline_grid_counts(&month, d, 10)?
            .into_iter()
            .map(|(g, n)| (geo.place_name(&g), n))
            .collect(),
        None => Vec::new(),
    };
    let ranked_units = rank(&per_unit, rules);
    let (red, black) = jixiao_hotline::rollup::boards(&ranked_units, rules.ranking.board_size);
    let red: Vec<RankedRow> = red
        .into_iter()
        .map(|r| RankedRow::new(r.clone(), geo))
        .collect();
    let black: Vec<RankedRow> = black
        .into_iter()
        .map(|r| RankedRow::new(r.clone(), geo))
        .collect();
    // Like compared with like: the category mix (for all categories only) and the population.
    let mix = match &category {
        None if !month.is_empty() => mix_scores(
            s,
            cfg,
            &month,
            d.is_none(),
            d,
            group.map(|g| g.2.as_slice()),
        )?,
        _ => BTreeMap::new(),
    };
    let ranked: Vec<RankedRow> = ranked_units
        .into_iter()
        .map(|r| {
            let mut row = RankedRow::new(r, geo);
            if let Some((e, a)) = mix.get(&row.unit) {
                row.mix_expected = Some(*e);
                row.mix_adjusted = Some(*a);
            }
            row
        })
        .collect();
    let previous = months
        .iter()
        .position(|m| m == &month)
        .and_then(|i| i.checked_sub(1))
        .map(|i| months[i].clone());
    let governance = if month.is_empty() {
        Governance {
            month: month.clone(),
            rule: rules.governance.clone(),
            listed: Vec::new(),
            left: Vec::new(),
        }
    } else {
        governance_list(s, cfg, &month, d)?
    };
    let map = map_units(
        s,
        cfg,
        geo,
        &ranked,
        previous.as_deref(),
        d,
        category.as_deref(),
    )?;
    let trend = trend_counters
        .iter()
        .map(|(m, c)| TrendRow {
            month: m.clone(),
            accepted: c.accepted,
            assessment: assess(c, month_rules(m)),
        })
        .collect();
    // Heat map: months down, top-level categories across, shaded by count.
    let tops: Vec<&Category> = catalogue.iter().filter(|c| c.code.len() == 2).collect();
    let mut cells: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut month_totals: BTreeMap<String, i64> = BTreeMap::new();
    for (m, code, n) in &heat {
        *cells
            .entry((m.clone(), code.get(..2).unwrap_or(code).to_string()))
            .or_default() += n;
        if m == &month {
            *month_totals.entry(code.clone()).or_default() += n;
        }
    }
    let max = cells.values().copied().max().unwrap_or(1).max(1);
    let heat_rows = months
        .iter()
        .map(|m| HeatRow {
            month: m.clone(),
            cells: tops
                .iter()
                .map(|t| {
                    let n = cells
                        .get(&(m.clone(), t.code.clone()))
                        .copied()
                        .unwrap_or(0);
                    (n, (n * 5 + max - 1) / max)
                })
                .collect(),
        })
        .collect();
    let themes = jixiao_hotline::cluster::top_themes(&month_totals, 5)
        .into_iter()
        .map(|(code, n)| Theme {
            name: category_path(catalogue, &code),
            code,
            n,
        })
        .collect();
    // Repeat complaints of the month in one district: a category's cases about one grid cell,
    // from the place counts kept with the cases (never the month's cases themselves).
    let clusters = match d {
        Some(d) => s
            .hotline_repeat_places(&month, d, category.as_deref(), 10)?
            .into_iter()
            .map(|(grid, code, count)| ClusterRow {
                category: category_path(catalogue, &code),
                place: geo.place_name(&grid),
                count: count as usize,
                cases_link: format!(
                    "/hotline/cases?month={}&district={}&grid={}&category={}",
                    query_value(&month),
                    query_value(d),
                    query_value(&grid),
                    query_value(&code)
                ),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Dashboard {
        district_name: d.map(|d| name_of(geo, d)),
        districts: geo
            .at_level(Level::District)
            .map(|a| Named {
                id: a.id.clone(),
                name: a.name.clone(),
                selected: d == Some(a.id.as_str()),
            })
            .collect(),
        can_choose: actor.role != Role::Reporter,
        category: category.unwrap_or_default(),
        categories: tops
            .iter()
            .map(|c| Named {
                id: c.code.clone(),
                name: c.name.clone(),
                selected: false,
            })
            .collect(),
        ranked,
        trend,
        heat: heat_rows,
        heat_columns: tops.iter().map(|c| c.name.clone()).collect(),
        themes,
        clusters,
        overdue: overdue
            .0
            .iter()
            .map(|c| case_row(c, geo, catalogue, cfg.timezone))
            .collect(),
        overdue_total: overdue.1,
        rates: rules.rates.clone(),
        ranking_rules: rules.ranking.clone(),
        red,
        black,
        groups: groups
            .iter()
            .map(|g| Named {
                id: g.0.clone(),
                name: g.1.clone(),
                selected: group.is_some_and(|x| x.0 == g.0),
            })
            .collect(),
        group_name: group.map(|g| g.1.clone()),
        grid_counts,
        has_map: geo.has_boundaries(),
        map,
        governance,
        district,
        month,
        months,
    })
}

/// What the case list asks for.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub month: Option<String>,
    pub district: Option<String>,
    pub unit: Option<String>,
    pub grid: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    pub overdue: bool,
    /// Cases older than this (`after`) or newer (`before`), as a link of the list gives it:
    /// `RECEIVED~ID`. None: the newest page.
    pub after: Option<String>,
    pub before: Option<String>,
    /// The number of the page asked for, from 1 (shown; the cursor finds the cases).
    pub page: usize,
}

/// One page of cases.
#[derive(Debug, Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseRow>,
    /// How many cases match, counted up to [`COUNT_CAP`].
    pub total: i64,
    /// More cases match than were counted.
    pub total_capped: bool,
    pub page: usize,
    /// Pages, when all were counted.
    pub pages: Option<usize>,
    /// Cursors of the next (older) and previous (newer) pages.
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Cases per page of the list.
pub const PAGE: usize = 50;

/// Matching cases are counted up to this many.
pub const COUNT_CAP: i64 = 10_000;

/// The last page number a list may show.
pub const MAX_PAGE: usize = 100_000;

fn cursor_of(text: &str, older: bool) -> Result<CaseCursor> {
    let bad = || {
        AppError::Invalid(format!(
            "`{}` is not a place in the case list (a link of the list gives one)",
            text.chars().take(80).collect::<String>()
        ))
    };
    let (received, id) = text.split_once('~').ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(received).map_err(|_| bad())?;
    if id.is_empty() || id.chars().count() > 200 {
        return Err(bad());
    }
    Ok(CaseCursor::at(at.with_timezone(&Utc), id, older))
}

fn cursor_text(c: &CaseCursor) -> String {
    format!("{}~{}", c.received_at, c.id)
}

/// The case list, for those who may see the city's or the district's hotline. Pages are found
/// by keyset (`after` / `before` a case), so page 40,000 costs what page 1 does.
pub fn cases(s: &mut Store, settings: &Settings, actor: &Actor, q: &CaseQuery) -> Result<CasePage> {
    let district = district_for(actor, q.district.as_deref());
    require(actor, Act::ViewHotline(district.as_deref()))?;
    if !(1..=MAX_PAGE).contains(&q.page) {
        return Err(AppError::Invalid(format!(
            "page {} does not exist: pages go from 1 to at most {MAX_PAGE}",
            q.page
        )));
    }
    let cursor = match (&q.after, &q.before) {
        (Some(a), None) => Some(cursor_of(a, true)?),
        (None, Some(b)) => Some(cursor_of(b, false)?),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(AppError::Invalid(
                "a page is either after a case or before one, not both".into(),
            ))
        }
    };
    // A month is a range of received times (in the rules' time zone), so the list seeks in the
    // received-time index instead of gathering and sorting the month's cases. The stored month
    // is not asked as well: on SQLite the count would then read every row of the range instead
    // of the index alone (157 lists a second instead of 500+ at 64 clients, measured).
    let bounds = match &q.month {
        Some(m) => Some(
            settings
                .hotline
                .month_bounds(m)
                .ok_or_else(|| AppError::Invalid(format!("`{m}` is not a month (YYYY-MM)")))?,
        ),
        None => None,
    };
    let f = CaseFilter {
        month: None,
        district,
        unit: q.unit.clone(),
        grid: q.grid.clone(),
        category: q.category.clone(),
        stage: q.stage.clone(),
        overdue_at: q.overdue.then(|| end_of(settings.today())),
        received_from: bounds.map(|b| b.0),
        received_to: bounds.map(|b| b.1),
        ..Default::default()
    };
    let reference = super::open311::reference(s)?;
    let (catalogue, geo) = (&reference.0, &reference.1);
    let (cases, more) = s.hotline_case_page(&f, PAGE, cursor.as_ref())?;
    let counted = s.hotline_case_count(&f, COUNT_CAP + 1)?;
    let total_capped = counted > COUNT_CAP;
    let total = counted.min(COUNT_CAP);
    let older = cursor.as_ref().is_none_or(|c| c.older);
    // Travelling towards older cases, more means a next page and a cursor means a previous
    // one; travelling back, the other way round.
    let (has_next, has_prev) = if older {
        (more, cursor.is_some())
    } else {
        (true, more)
    };
    let page = q.page;
    Ok(CasePage {
        next: has_next
            .then(|| {
                cases
                    .last()
                    .map(|c| cursor_text(&CaseCursor::next_to(c, true)))
            })
            .flatten(),
        prev: (has_prev && page > 1)
            .then(|| {
                cases
                    .first()
                    .map(|c| cursor_text(&CaseCursor::next_to(c, false)))
            })
            .flatten(),
        cases: cases
            .iter()
            .map(|c| case_row(c, geo, catalogue, settings.hotline.timezone))
            .collect(),
        total,
        total_capped,
        page,
        pages: (!total_capped).then(|| (total as usize).max(1).div_ceil(PAGE)),
    })
}

/// Checks that `actor` may see case `id` and returns it with its district. Someone who may
/// see only one district gets the same refusal for a case that does not exist as for another
/// district's, so ids cannot be probed; the office gets "not found".
pub fn case_district(s: &mut Store, actor: &Actor, id: &str) -> Result<(Case, Geography)> {
    let case = s.hotline_case(id)?;
    let geo = super::open311::reference(s)?.1.clone();
    if actor.role == Role::Handler {
        // A handler sees the cases with its unit, and a department the cases it is summoned
        // to (吹哨报到); any other id is "not found".
        let mut summoned = || -> Result<bool> {
            Ok(s.hotline_parts(PartsOf::Case(id), 100)?
                .iter()
                .any(|p| allows(actor, Act::HandleCase(&p.department))))
        };
        return match case {
            Some(c)
                if c.unit
                    .as_deref()
                    .is_some_and(|u| allows(actor, Act::HandleCase(u)))
                    || summoned()? =>
            {
                Ok((c, geo))
            }
            _ => Err(AppError::NotFound(format!("case `{id}`"))),
        };
    }
    let Some(case) = case else {
        require(actor, Act::ViewHotline(None))?;
        return Err(AppError::NotFound(format!("case `{id}`")));
    };
    let district = case
        .unit
        .as_deref()
        .and_then(|u| geo.ancestor(u, Level::District))
        .map(|d| d.id.clone());
    require(
        actor,
        Act::ViewHotline(Some(district.as_deref().unwrap_or("-"))),
    )?;
    Ok((case, geo))
}

/// One case with what its page shows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub row: CaseRow,
    pub description: String,
    pub grid: Option<String>,
    /// Where the case is, as 区 / 街道 / 社区 / 网格 names (from its grid cell, else the unit
    /// it was dispatched to).
    pub place: Vec<String>,
    pub response_due: Option<String>,
    pub completion_due: Option<String>,
    /// (solved, satisfaction)
    #[schema(value_type = Option<Vec<serde_json::Value>>)]
    pub callback: Option<(bool, &'static str)>,
    /// (reason, note, approver)
    #[schema(value_type = Option<Vec<String>>)]
    pub exclusion: Option<(String, String, String)>,
    /// (time, what) in order.
    #[schema(value_type = Vec<Vec<String>>)]
    pub timeline: Vec<(String, &'static str)>,
    /// Every recorded event: (time, kind, actor, what it says: a reason, note or unit).
    #[schema(value_type = Vec<Vec<String>>)]
    pub events: Vec<(String, String, String, String)>,
    pub has_contact: bool,
    /// The unit's id (the geography's), when dispatched.
    pub unit_id: Option<String>,
    /// The steps the viewer may take now (event names: dispatch, respond, handle, …).
    pub steps: Vec<&'static str>,
    /// A street's application to leave the case out of its rates, pending or decided.
    #[schema(value_type = Option<Object>)]
    pub exclusion_request: Option<jixiao_store::hotline::ExclusionRequest>,
    /// Photos of the handling and evidence filed with the case (download at
    /// `/hotline/files/{id}`), without their content.
    #[schema(value_type = Vec<Object>)]
    pub files: Vec<jixiao_store::hotline::CaseFile>,
    /// 吹哨报到: the departments summoned to the case, each part with its deadline and state.
    pub parts: Vec<super::work::PartItem>,
    /// The departments of the case's district the viewer may summon (when it may).
    pub departments: Vec<Named>,
    /// Where the case is (WGS 84), when its source gave a point.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The district of its place (grid cell or unit), and its street's name.
    pub district: Option<String>,
    pub street: Option<String>,
}

/// A case with its timeline, for those who may see its district.
pub fn case(s: &mut Store, settings: &Settings, actor: &Actor, id: &str) -> Result<CaseDetail> {
    if !matches!(actor.role, Role::Reporter | Role::Handler) {
        require(actor, Act::ViewHotline(None))?;
    }
    let (c, geo) = case_district(s, actor, id)?;
    let catalogue = &super::open311::reference(s)?.0;
    let events = s.hotline_events(id)?;
    let parts = s.hotline_parts(PartsOf::Case(id), 100)?;
    let steps = super::work::steps(actor, &c, &parts);
    let departments = match c.unit.as_deref() {
        Some(unit) if steps.contains(&"summon") => {
            let district = geo.ancestor(unit, Level::District).map(|d| d.id.clone());
            district
                .iter()
                .flat_map(|d| geo.children(d))
                .filter(|a| a.level == Level::Department)
                .filter(|a| parts.iter().all(|p| p.department != a.id))
                .map(|a| Named {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    selected: false,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let tz = settings.hotline.timezone;
    let fmt = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
    };
    let mut timeline = Vec::new();
    for (label, t) in [
        ("受理 received", Some(c.received)),
        ("派单 dispatched", c.dispatched),
        ("响应 responded", c.responded),
        ("办理 handled", c.handled),
        ("回访 called back", c.callback.map(|x| x.at)),
        ("办结 closed", c.closed),
    ] {
        if let Some(at) = fmt(t) {
            timeline.push((at, label));
        }
    }
    Ok(CaseDetail {
        row: case_row(&c, &geo, catalogue, tz),
        description: c.description.clone(),
        grid: c.grid.as_deref().map(|g| geo.place_name(g)),
        place: c
            .grid
            .as_deref()
            .or(c.unit.as_deref())
            .map(|at| geo.path(at).iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default(),
        response_due: fmt(c.response_due),
        completion_due: fmt(c.completion_due),
        callback: c.callback.map(|x| (x.solved, x.satisfaction.as_str())),
        exclusion: c
            .exclusion
            .as_ref()
            .map(|x| (x.reason.clone(), x.note.clone(), x.approver.clone())),
        timeline,
        events: events
            .into_iter()
            .map(|(at, kind, by, detail)| {
                let says = event_text(&detail, &geo);
                // Stored in UTC; shown in the rules' time zone like the timeline.
                let local = fmt(DateTime::parse_from_rfc3339(&at)
                    .ok()
                    .map(|t| t.with_timezone(&Utc)))
                .unwrap_or_else(|| at.get(..16).unwrap_or(&at).replace('T', " "));
                (local, kind, by, says)
            })
            .collect(),
        has_contact: c.contact.is_some(),
        unit_id: c.unit.clone(),
        parts: parts
            .iter()
            .map(|p| super::work::part_item(settings, &geo, p))
            .collect(),
        departments,
        steps,
        exclusion_request: s.hotline_exclusion_request(id)?,
        files: s.hotline_case_files(id)?,
        lat: c.lat,
        lon: c.lon,
        district: c
            .grid
            .as_deref()
            .or(c.unit.as_deref())
            .and_then(|at| geo.ancestor(at, Level::District))
            .map(|d| d.id.clone()),
        street: c
            .grid
            .as_deref()
            .or(c.unit.as_deref())
            .and_then(|at| geo.ancestor(at, Level::Street))
            .map(|d| d.name.clone()),
    })
}

/// What a recorded event says, from its stored detail: the note, reason or text it carries,
/// and the unit it went to.
fn event_text(detail: &str, geo: &Geography) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(detail) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for key in ["unit", "department"] {
        if let Some(u) = v.get(key).and_then(|u| u.as_str()) {
            parts.push(geo.place_name(u));
        }
    }
    for key in ["reason", "text", "note", "task"] {
        if let Some(t) = v.get(key).and_then(|t| t.as_str()) {
            parts.push(t.to_string());
        }
    }
    if let Some(solved) = v.get("solved").and_then(|t| t.as_bool()) {
        parts.push(if solved { "已解决" } else { "未解决" }.to_string());
    }
    if let Some(x) = v.get("satisfaction").and_then(|t| t.as_str()) {
        let satisfaction = jixiao_hotline::case::Satisfaction::parse(x);
        parts.push(satisfaction.map_or(x, |x| x.label_zh()).to_string());
    }
    if let Some(x) = v.get("closure").and_then(|t| t.as_str()) {
        let closure = jixiao_hotline::case::Closure::parse(x);
        parts.push(closure.map_or(x, |c| c.label_zh()).to_string());
    }
    parts.join(" · ")
}

/// One group's 红黑榜 of a month.
#[derive(Debug, Serialize)]
pub struct Board {
    /// The group: a district (for its streets), a group of the newest cycle, or `city`.
    pub group: String,
    pub name: String,
    pub red: Vec<Ranked>,
    pub black: Vec<Ranked>,
}

/// The month's 红黑榜 per group: streets within each district (a district's reporter: its own),
/// or districts in the whole city and in each group of the newest performance cycle.
pub fn boards(
    s: &mut Store,
    actor: &Actor,
    cfg: &HotlineConfig,
    month: Option<&str>,
    by_district: bool,
) -> Result<(String, Vec<Board>)> {
    let own = district_for(actor, None);
    require(actor, Act::ViewHotline(own.as_deref()))?;
    let month = match month {
        Some(m) => m.to_string(),
        None => s
            .hotline_months()?
            .pop()
            .ok_or_else(|| AppError::NotFound("hotline cases in the database".into()))?,
    };
    let rules = month_rules(cfg, &month)?;
    let n = rules.ranking.board_size;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let board = |group: String, name: String, ranked: &[Ranked]| {
        let (red, black) = jixiao_hotline::rollup::boards(ranked, n);
        Board {
            group,
            name,
            red: red.into_iter().cloned().collect(),
            black: black.into_iter().cloned().collect(),
        }
    };
    let mut out = Vec::new();
    if by_district {
        if own.is_some() {
            // The districts' lists are the city's; a district sees its streets' lists.
            return Err(AppError::Forbidden);
        }
        // The month's district counters, read once for the city and every group.
        let rows = s.hotline_month(&month, true, None, None)?;
        let ranked_among = |members: Option<&[String]>| {
            let per_unit: BTreeMap<String, Counters> = rows
                .iter()
                .filter(|u| members.is_none_or(|m| m.contains(&u.unit)))
                .map(|u| (u.unit.clone(), u.counters))
                .collect();
            rank(&per_unit, rules)
        };
        out.push(board("city".into(), "全市".into(), &ranked_among(None)));
        for (id, name, members) in cycle_groups(s)? {
            out.push(board(id, name, &ranked_among(Some(&members))));
        }
    } else {
        let districts: Vec<(String, String)> = geo
            .at_level(Level::District)
            .filter(|d| own.as_deref().is_none_or(|o| o == d.id))
            .map(|d| (d.id.clone(), d.name.clone()))
            .collect();
        for (id, name) in districts {
            let ranked = month_ranking(s, cfg, &month, false, Some(&id), None)?;
            out.push(board(id, name, &ranked));
        }
    }
    Ok((month, out))
}

/// Boundaries are simplified to this many degrees (about 200 m) for maps.
const MAP_TOLERANCE_DEG: f64 = 0.002;

/// The boundaries a dashboard map draws, as GeoJSON: the city's districts, or one district's
/// streets; each feature's `name` is the area's (what the map's data refer to). Areas without a
/// boundary are left out. For those who may see that hotline.
pub fn map(s: &mut Store, actor: &Actor, district: Option<&str>) -> Result<serde_json::Value> {
    let district = district_for(actor, district);
    require(actor, Act::ViewHotline(district.as_deref()))?;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let areas: Vec<&jixiao_hotline::geography::Area> = match district.as_deref() {
        None => geo.at_level(Level::District).collect(),
        Some(d) => {
            if geo.get(d).is_none_or(|a| a.level != Level::District) {
                return Err(AppError::NotFound(format!("district `{d}`")));
            }
            geo.children(d)
                .filter(|a| a.level == Level::Street)
                .collect()
        }
    };
    Ok(serde_json::json!({
        "type": "FeatureCollection",
        "features": areas.iter().filter_map(|a| {
            let b = a.boundary.as_ref()?;
            Some(serde_json::json!({
                "type": "Feature",
                "properties": { "name": a.name, "id": a.id, "illustrative": a.illustrative },
                "geometry": b.simplified(MAP_TOLERANCE_DEG).to_geojson(),
            }))
        }).collect::<Vec<_>>(),
    }))
}

/// A unit as a map shows it: its rates, density and change since the month before.
#[derive(Debug, Serialize)]
pub struct MapUnit {
    pub unit: String,
    pub name: String,
    pub accepted: i64,
    /// Rate id → value (0–1).
    pub rates: BTreeMap<String, f64>,
    pub score: Option<f64>,
    /// Accepted cases per km² of the unit's boundary.
    pub density: Option<f64>,
    /// Accepted cases per 10,000 residents.
    pub per_10k: Option<f64>,
    /// The score's change since the month before, in points.
    pub change: Option<f64>,
}

/// The map's figures of `ranked` units of `month`: rates and score from the ranking, the
/// density from the boundaries, the change from the month before's rollups.
fn map_units(
    s: &mut Store,
    cfg: &HotlineConfig,
    geo: &Geography,
    ranked: &[RankedRow],
    previous: Option<&str>,
    district: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<MapUnit>> {
    let before: BTreeMap<String, Option<f64>> = match previous {
        Some(m) => {
            let rules = month_rules(cfg, m)?;
            s.hotline_month(m, district.is_none(), district, category)?
                .into_iter()
                .map(|u| (u.unit, assess(&u.counters, rules).score))
                .collect()
        }
        None => BTreeMap::new(),
    };
    Ok(ranked
        .iter()
        .map(|r| {
            let a = &r.assessment;
            let km2 = geo
                .get(&r.unit)
                .and_then(|x| x.boundary.as_ref())
                .map(|b| b.area_km2())
                .filter(|k| *k > 0.0);
            MapUnit {
                unit: r.unit.clone(),
                name: r.name.clone(),
                accepted: a.accepted,
                rates: a
                    .rates
                    .iter()
                    .filter_map(|x| Some((x.id.clone(), x.value?)))
                    .collect(),
                score: a.score,
                density: km2.map(|k| a.accepted as f64 / k),
                per_10k: r.per_10k,
                change: match (a.score, before.get(&r.unit).copied().flatten()) {
                    (Some(now), Some(then)) => Some(now - then),
                    _ => None,
                },
            }
        })
        .collect())
}

/// A street of the 治理类街乡镇 list.
#[derive(Debug, Clone, Serialize)]
pub struct GovernanceRow {
    pub unit: String,
    pub name: String,
    pub district: String,
    pub since: String,
    pub months_listed: usize,
    pub score: Option<f64>,
    pub per_10k: Option<f64>,
}

/// The 治理类街乡镇 list of a month.
#[derive(Debug, Clone, Serialize)]
pub struct Governance {
    pub month: String,
    pub rule: jixiao_hotline::metrics::GovernanceRule,
    pub listed: Vec<GovernanceRow>,
    /// Streets that left the list this month (the rule no longer holds).
    pub left: Vec<GovernanceRow>,
}

/// The streets listed as 治理类 in `month` by the month's rule, judged on the city's street
/// rankings of the months up to it (of one district's streets when `district` is given). Reads
/// only the rollups: one ranking per month.
pub fn governance_list(
    s: &mut Store,
    cfg: &HotlineConfig,
    month: &str,
    district: Option<&str>,
) -> Result<Governance> {
    let rule = month_rules(cfg, month)?.governance.clone();
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let months: Vec<String> = s
        .hotline_months()?
        .into_iter()
        .filter(|m| m.as_str() <= month)
        .collect();
    // Only the months that can matter: the rule's run, however long a street has been listed,
    // is bounded by the months with data.
    let mut met = Vec::with_capacity(months.len());
    let mut last: BTreeMap<String, Ranked> = BTreeMap::new();
    for m in &months {
        let ranked = month_ranking(s, cfg, m, false, None, None)?;
        let scored: Vec<(String, f64, Option<f64>)> = ranked
            .iter()
            .filter(|r| r.rank.is_some())
            .filter_map(|r| {
                Some((
                    r.unit.clone(),
                    r.assessment.score?,
                    per_10k(geo, &r.unit, r.assessment.accepted),
                ))
            })
            .collect();
        met.push(rule.condition(&scored));
        if m == month {
            last = ranked.into_iter().map(|r| (r.unit.clone(), r)).collect();
        }
    }
    let (listed, left) = rule.list(&months, &met);
    let row = |unit: &str, since: String, months_listed: usize| {
        let r = last.get(unit);
        GovernanceRow {
            unit: unit.to_string(),
            name: name_of(geo, unit),
            district: geo
                .ancestor(unit, Level::District)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            since,
            months_listed,
            score: r.and_then(|r| r.assessment.score),
            per_10k: r.and_then(|r| per_10k(geo, unit, r.assessment.accepted)),
        }
    };
    let in_scope = |u: &str| {
        district.is_none_or(|d| geo.ancestor(u, Level::District).is_some_and(|a| a.id == d))
    };
    Ok(Governance {
        month: month.to_string(),
        rule,
        listed: listed
            .iter()
            .filter(|l| in_scope(&l.unit))
            .map(|l| row(&l.unit, l.since.clone(), l.months_listed))
            .collect(),
        left: left
            .iter()
            .filter(|u| in_scope(u))
            .map(|u| row(u, String::new(), 0))
            .collect(),
    })
}

/// [`governance_list`] for those who may see the city's hotline or (a district's reporter) its
/// own streets.
pub fn governance(
    s: &mut Store,
    actor: &Actor,
    cfg: &HotlineConfig,
    month: Option<&str>,
) -> Result<Governance> {
    let district = district_for(actor, None);
    require(actor, Act::ViewHotline(district.as_deref()))?;
    let month = match month {
        Some(m) => m.to_string(),
        None => s
            .hotline_months()?
            .pop()
            .ok_or_else(|| AppError::NotFound("hotline cases in the database".into()))?,
    };
    governance_list(s, cfg, &month, district.as_deref())
}

/// The results report's 接诉即办 section for a cycle: the districts' ranking of the cycle's last
/// month with cases, its 红黑榜 and 治理类街乡镇, and the cycle's 每月一题 with their measured
/// effect on cases. `None` when the hotline has no cases in the cycle. For callers that have
/// checked the actor may see the cycle's results.
pub fn report_section(
    s: &mut Store,
    settings: &Settings,
    fw: &jixiao_core::Framework,
) -> Result<Option<jixiao_report::HotlineSection>> {
    let cfg = &settings.hotline;
    let (from, to) = (
        fw.cycle.start.format("%Y-%m").to_string(),
        fw.cycle.end.format("%Y-%m").to_string(),
    );
    let months: Vec<String> = s
        .hotline_months()?
        .into_iter()
        .filter(|m| *m >= from && *m <= to)
        .collect();
    let (Some(first), Some(month)) = (months.first().cloned(), months.last().cloned()) else {
        return Ok(None);
    };
    let rules = month_rules(cfg, &month)?;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let ranked = month_ranking(s, cfg, &month, true, None, None)?;
    // The weighted rates only: a page of A4 holds seven columns (the reported ones are on the
    // dashboard).
    let rates: Vec<&jixiao_hotline::metrics::RateDef> =
        rules.rates.iter().filter(|r| r.weight > 0.0).collect();
    // The reported ones (按时办结率, 重办率, 退单率 …) in a table of their own.
    let reported: Vec<&jixiao_hotline::metrics::RateDef> =
        rules.rates.iter().filter(|r| r.weight <= 0.0).collect();
    let pct = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{:.1}", v * 100.0));
    let rows = ranked
        .iter()
        .map(|r| {
            let a = &r.assessment;
            jixiao_report::HotlineRow {
                rank: match (r.insufficient, r.rank) {
                    (true, _) => "样本不足".into(),
                    (_, Some(n)) if r.tied => format!("{n} ≈"),
                    (_, Some(n)) => n.to_string(),
                    _ => "—".into(),
                },
                unit: name_of(geo, &r.unit),
                accepted: a.accepted,
                rates: rates
                    .iter()
                    .map(|d| pct(a.rates.iter().find(|x| x.id == d.id).and_then(|x| x.value)))
                    .collect(),
                score: a.score.map_or("—".into(), |x| format!("{x:.2}")),
                interval: match (a.score_low, a.score_high) {
                    (Some(l), Some(h)) => format!("{l:.1}–{h:.1}"),
                    _ => "—".into(),
                },
                reported: reported
                    .iter()
                    .map(|d| pct(a.rates.iter().find(|x| x.id == d.id).and_then(|x| x.value)))
                    .collect(),
            }
        })
        .collect();
    let (red, black) = jixiao_hotline::rollup::boards(&ranked, rules.ranking.board_size);
    let governance = governance_list(s, cfg, &month, None)?;
    let mut problems = Vec::new();
    for p in s.hotline_problems()? {
        if p.month < from || p.month > to {
            continue;
        }
        let v = super::problems::measured(s, settings, p)?;
        let effect = v
            .effects
            .first()
            .and_then(|e| e.effect.as_ref())
            .map_or_else(
                || "尚无可比数据".to_string(),
                |e| {
                    format!(
                        "工单量{:+.1}件/街道/月（{:+.1}至{:+.1}）",
                        e.estimate, e.low, e.high
                    )
                },
            );
        problems.push((
            v.problem.month.clone(),
            v.problem.title.clone(),
            v.category_name.clone(),
            match v.place_names.as_slice() {
                [] => "全市".to_string(),
                few @ [_] | few @ [_, _] | few @ [_, _, _] => few.join("、"),
                [first, ..] => format!("{first}等{}个街道", v.place_names.len()),
            },
            effect,
        ));
    }
    problems.sort();
    Ok(Some(jixiao_report::HotlineSection {
        month,
        first_month: first,
        rate_names: rates.iter().map(|r| format!("{}(%)", r.name)).collect(),
        weights: rates
            .iter()
            .map(|r| format!("{}{}", r.name, r.weight))
            .collect::<Vec<_>>()
            .join("、"),
        reported_names: reported.iter().map(|r| format!("{}(%)", r.name)).collect(),
        rows,
        min_cases: rules.ranking.min_cases,
        confidence: rules.ranking.confidence,
        red: red.iter().map(|r| name_of(geo, &r.unit)).collect(),
        black: black.iter().map(|r| name_of(geo, &r.unit)).collect(),
        governance: governance
            .listed
            .into_iter()
            .map(|g| (g.name, g.district, g.since, g.months_listed))
            .collect(),
        problems,
    }))
}

/// The city's newest cycle: the hotline ranks the city's districts, never an organisation's
/// streets.
fn newest_city_cycle(s: &mut Store) -> Result<Option<String>> {
    Ok(s.cycles()?
        .into_iter()
        .find(|c| c.organisation.is_none())
        .map(|c| c.id))
}
