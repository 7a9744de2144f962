//! 接诉即办 storage: cases, their events, and the rollup counters, which every write keeps in
//! step with the cases in the same transaction (a case's old contribution is subtracted and its
//! new one added), so rankings and dashboards read counters, never cases.

use crate::conn::{Dialect, Val};
use crate::{now, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use jixiao_hotline::case::{apply, Callback, Exclusion};
use jixiao_hotline::catalogue::Category;
use jixiao_hotline::geography::{Area, Geography, Level};
use jixiao_hotline::rollup::{contribution, Counters, RollupKey};
use jixiao_hotline::{Case, Channel, Closure, Event, HotlineConfig, Satisfaction, Stage, Urgency};
use std::collections::{BTreeMap, HashMap};

const CASE_COLUMNS: [&str; 33] = [
    "id",
    "channel",
    "received_at",
    "month",
    "category",
    "description",
    "address",
    "unit",
    "district",
    "grid",
    "lat",
    "lon",
    "urgency",
    "contact",
    "stage",
    "dispatched_at",
    "responded_at",
    "handled_at",
    "callback_at",
    "solved",
    "satisfaction",
    "closed_at",
    "closure",
    "returns",
    "reopened",
    "exclusion_reason",
    "exclusion_note",
    "exclusion_approver",
    "response_due",
    "completion_due",
    "response_tracked",
    "source",
    "updated_at",
];

/// Rows per multi-row INSERT: well under both databases' parameter limits.
const CHUNK: usize = 200;

fn t(s: &str) -> Val {
    Val::text(s)
}
fn ot(s: Option<&str>) -> Val {
    Val::Text(s.map(str::to_string))
}
fn time(d: Option<DateTime<Utc>>) -> Val {
    Val::Text(d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}
fn parse_time(v: &Val) -> Option<DateTime<Utc>> {
    v.as_text()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// The result of an import: cases inserted, updated, unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseImport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub month: Option<String>,
    pub unit: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
    pub stage: Option<String>,
    /// Open and past the completion deadline at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only these cases (overrides nothing else; callers decide).
    pub ids: Vec<String>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// `Some(true)`: not closed; `Some(false)`: closed.
    pub open: Option<bool>,
}

/// Counters summed per unit (or district) for a month.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCounters {
    pub unit: String,
    pub district: Option<String>,
    pub counters: Counters,
}

fn case_row(c: &Case, month: &str, district: Option<&str>, source: &str, at: &str) -> Vec<Val> {
    vec![
        t(&c.id),
        t(c.channel.as_str()),
        time(Some(c.received)),
        t(month),
        t(&c.category),
        t(&c.description),
        t(&c.address),
        ot(c.unit.as_deref()),
        ot(district),
        ot(c.grid.as_deref()),
        Val::Real(c.lat),
        Val::Real(c.lon),
        t(c.urgency.as_str()),
        ot(c.contact.as_deref()),
        t(c.stage.as_str()),
        time(c.dispatched),
        time(c.responded),
        time(c.handled),
        time(c.callback.map(|x| x.at)),
        Val::Int(c.callback.map(|x| x.solved as i64)),
        ot(c.callback.map(|x| x.satisfaction.as_str())),
        time(c.closed),
        ot(c.closure.map(|x| x.as_str())),
        Val::Int(Some(c.returns as i64)),
        Val::Int(Some(c.reopened as i64)),
        ot(c.exclusion.as_ref().map(|x| x.reason.as_str())),
        ot(c.exclusion.as_ref().map(|x| x.note.as_str())),
        ot(c.exclusion.as_ref().map(|x| x.approver.as_str())),
        time(c.response_due),
        time(c.completion_due),
        Val::Int(Some(c.response_tracked as i64)),
        t(source),
        t(at),
    ]
}

/// Rollup deltas: counters by key, with the unit's district.
type Deltas = BTreeMap<RollupKey, (Option<String>, Counters)>;

/// Adds (`sign` 1) or takes away (-1) what `case` contributes to the counters.
fn add_contribution(
    deltas: &mut Deltas,
    case: &Case,
    sign: i64,
    config: &HotlineConfig,
    districts: &HashMap<String, String>,
) {
    if let Some((k, x)) = contribution(case, config) {
        let district = districts.get(&k.unit).cloned();
        let e = deltas.entry(k).or_insert((district, Counters::default()));
        if sign > 0 {
            e.1 += x;
        } else {
            e.1 -= x;
        }
    }
}

/// A case's row with its month and district as the rules and geography give them now.
fn stored_row(
    c: &Case,
    config: &HotlineConfig,
    districts: &HashMap<String, String>,
    source: &str,
    at: &str,
) -> Vec<Val> {
    let month = config.month_of(c.received);
    let district = c.unit.as_ref().and_then(|u| districts.get(u));
    case_row(c, &month, district.map(String::as_str), source, at)
}

fn case_from_row(r: &[Val]) -> Option<Case> {
    let s = |i: usize| r[i].as_text().map(str::to_string);
    let mut c = Case::received(
        s(0)?,
        Channel::parse(r[1].as_text()?)?,
        parse_time(&r[2])?,
        s(4)?,
    );
    c.description = s(5).unwrap_or_default();
    c.address = s(6).unwrap_or_default();
    c.unit = s(7);
    c.grid = s(9);
    c.lat = r[10].as_real();
    c.lon = r[11].as_real();
    c.urgency = Urgency::parse(r[12].as_text()?)?;
    c.contact = s(13);
    c.stage = Stage::parse(r[14].as_text()?)?;
    c.dispatched = parse_time(&r[15]);
    c.responded = parse_time(&r[16]);
    c.handled = parse_time(&r[17]);
    c.callback = match (parse_time(&r[18]), r[19].as_int(), r[20].as_text()) {
        (Some(at), Some(solved), Some(sat)) => Some(Callback {
            at,
            solved: solved != 0,
            satisfaction: Satisfaction::parse(sat)?,
        }),
        _ => None,
    };
    c.closed = parse_time(&r[21]);
    c.closure = r[22].as_text().and_then(Closure::parse);
    c.returns = r[23].as_int().unwrap_or(0) as u32;
    c.reopened = r[24].as_int().unwrap_or(0) as u32;
    c.exclusion = match (s(25), s(27)) {
        (Some(reason), Some(approver)) => Some(Exclusion {
            reason,
            note: s(26).unwrap_or_default(),
            approver,
        }),
        _ => None,
    };
    c.response_due = parse_time(&r[28]);
    c.completion_due = parse_time(&r[29]);
    c.response_tracked = r[30].as_int().unwrap_or(1) != 0;
    Some(c)
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` values; remembered per shape, since bulk imports
/// ask for the same one thousands of times.
fn placeholders(rows: usize, cols: usize) -> String {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<(usize, usize), String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(s) = cache
        .lock()
        .ok()
        .and_then(|c| c.get(&(rows, cols)).cloned())
    {
        return s;
    }
    let s = build_placeholders(rows, cols);
    if let Ok(mut c) = cache.lock() {
        c.insert((rows, cols), s.clone());
    }
    s
}

fn build_placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", p.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Writes a case row over the stored one; the import source is replaced only by imports.
    fn update_case(&mut self, row: Vec<Val>, with_source: bool) -> Result<()> {
        let mut params = vec![row[0].clone()];
        let mut sets = Vec::new();
        for (i, col) in CASE_COLUMNS.iter().enumerate().skip(1) {
            if *col == "source" && !with_source {
                continue;
            }
            params.push(row[i].clone());
            sets.push(format!("{col} = ${}", params.len()));
        }
        self.conn.exec(
            &format!("UPDATE hotline_cases SET {} WHERE id = $1", sets.join(", ")),
            &params,
        )?;
        Ok(())
    }

    /// Replaces the geography (areas not in `geo` are removed).
    pub fn hotline_save_geography(&mut self, geo: &Geography, actor: &str) -> Result<usize> {
        self.tx(|s| {
            s.conn.exec("DELETE FROM hotline_areas", &[])?;
            for chunk in geo.areas.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO hotline_areas (id, name, level, parent, lat, lon) VALUES {}",
                    placeholders(chunk.len(), 6)
                );
                let params: Vec<Val> = chunk
                    .iter()
                    .flat_map(|a| {
                        [
                            t(&a.id),
                            t(&a.name),
                            t(a.level.as_str()),
                            ot(a.parent.as_deref()),
                            Val::Real(a.lat),
                            Val::Real(a.lon),
                        ]
                    })
                    .collect();
                s.conn.exec(&sql, &params)?;
            }
            s.audit_append(
                &now(),
                actor,
                "hotline.geography",
                "hotline/geography",
                None,
                Some(format!("{} areas", geo.areas.len())),
            )?;
            Ok(geo.areas.len())
        })
    }

    pub fn hotline_geography(&mut self) -> Result<Geography> {
        let rows = self.conn.query(
            "SELECT id, name, level, parent, lat, lon FROM hotline_areas ORDER BY level, id",
            &[],
        )?;
        let mut areas: Vec<Area> = rows
            .iter()
            .filter_map(|r| {
                Some(Area {
                    id: r[0].as_text()?.to_string(),
                    name: r[1].as_text()?.to_string(),
                    level: Level::parse(r[2].as_text()?)?,
                    parent: r[3].as_text().map(str::to_string),
                    lat: r[4].as_real(),
                    lon: r[5].as_real(),
                })
            })
            .collect();
        areas.sort_by(|a, b| a.level.cmp(&b.level).then(a.id.cmp(&b.id)));
        Geography::new(areas).map_err(StoreError::Invalid)
    }

    pub fn hotline_save_categories(&mut self, categories: &[Category]) -> Result<()> {
        self.tx(|s| {
            s.conn.exec("DELETE FROM hotline_categories", &[])?;
            for c in categories {
                s.conn.exec(
                    "INSERT INTO hotline_categories (code, name) VALUES ($1, $2)",
                    &[t(&c.code), t(&c.name)],
                )?;
            }
            Ok(())
        })
    }

    pub fn hotline_categories(&mut self) -> Result<Vec<Category>> {
        Ok(self
            .conn
            .query(
                "SELECT code, name FROM hotline_categories ORDER BY code",
                &[],
            )?
            .iter()
            .filter_map(|r| {
                Some(Category {
                    code: r[0].as_text()?.to_string(),
                    name: r[1].as_text()?.to_string(),
                })
            })
            .collect())
    }

    /// street id → district id, from the stored geography.
    fn district_map(&mut self) -> Result<HashMap<String, String>> {
        let geo = self.hotline_geography()?;
        Ok(geo
            .areas
            .iter()
            .filter(|a| a.level != Level::District)
            .filter_map(|a| {
                Some((
                    a.id.clone(),
                    geo.ancestor(&a.id, Level::District)?.id.clone(),
                ))
            })
            .collect())
    }

    fn add_rollups(&mut self, deltas: &Deltas) -> Result<()> {
        let cols = Counters::FIELDS;
        let list: Vec<(&RollupKey, &(Option<String>, Counters))> =
            deltas.iter().filter(|(_, (_, c))| !c.is_zero()).collect();
        for chunk in list.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO hotline_rollups (unit, month, category, district, {}) VALUES {} \
                 ON CONFLICT (unit, month, category) DO UPDATE SET {}",
                cols.join(", "),
                placeholders(chunk.len(), 4 + cols.len()),
                cols.iter()
                    .map(|c| format!("{c} = hotline_rollups.{c} + excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut params = Vec::with_capacity(chunk.len() * (4 + cols.len()));
            for (k, (district, c)) in chunk {
                params.extend([
                    t(&k.unit),
                    t(&k.month),
                    t(&k.category),
                    ot(district.as_deref()),
                ]);
                params.extend(c.to_array().iter().map(|x| Val::Int(Some(*x))));
            }
            self.conn.exec(&sql, &params)?;
        }
        Ok(())
    }

    fn cases_by_id(&mut self, ids: &[&str]) -> Result<HashMap<String, Case>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {} FROM hotline_cases WHERE id IN ({})",
                CASE_COLUMNS.join(", "),
                marks.join(", ")
            );
            let params: Vec<Val> = chunk.iter().map(|i| t(i)).collect();
            for r in self.conn.query(&sql, &params)? {
                if let Some(c) = case_from_row(&r) {
                    out.insert(c.id.clone(), c);
                }
            }
        }
        Ok(out)
    }

    /// Imports cases, all or nothing: new ids are inserted, changed ones updated, equal ones
    /// left alone (importing the same file twice changes nothing); the rollup counters follow in
    /// the same transaction. `progress` is told how many cases are done.
    pub fn hotline_import(
        &mut self,
        cases: &mut dyn Iterator<Item = Case>,
        source: &str,
        config: &HotlineConfig,
        actor: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<CaseImport> {
        let districts = self.district_map()?;
        let at = now();
        self.tx(|s| {
            let mut outcome = CaseImport::default();
            let mut deltas = Deltas::new();
            let mut done = 0;
            loop {
                let batch: Vec<Case> = (&mut *cases).take(2000).collect();
                if batch.is_empty() {
                    break;
                }
                let batch = batch.as_slice();
                let ids: Vec<&str> = batch.iter().map(|c| c.id.as_str()).collect();
                let existing = s.cases_by_id(&ids)?;
                let mut fresh: Vec<&Case> = Vec::new();
                for c in batch {
                    match existing.get(&c.id) {
                        Some(old) if old == c => outcome.unchanged += 1,
                        Some(old) => {
                            add_contribution(&mut deltas, old, -1, config, &districts);
                            add_contribution(&mut deltas, c, 1, config, &districts);
                            let row = stored_row(c, config, &districts, source, &at);
                            s.update_case(row, true)?;
                            outcome.updated += 1;
                        }
                        None => {
                            add_contribution(&mut deltas, c, 1, config, &districts);
                            fresh.push(c);
                        }
                    }
                }
                for chunk in fresh.chunks(CHUNK) {
                    let sql = format!(
                        "INSERT INTO hotline_cases ({}) VALUES {}",
                        CASE_COLUMNS.join(", "),
                        placeholders(chunk.len(), CASE_COLUMNS.len())
                    );
                    let mut params = Vec::with_capacity(chunk.len() * CASE_COLUMNS.len());
                    for c in chunk {
                        params.extend(stored_row(c, config, &districts, source, &at));
                    }
                    s.conn.exec(&sql, &params)?;
                }
                outcome.inserted += fresh.len();
                done += batch.len();
                progress(done);
            }
            s.add_rollups(&deltas)?;
            if outcome.inserted + outcome.updated > 0 {
                s.audit_append(
                    &at,
                    actor,
                    "hotline.import",
                    &format!("hotline/import/{source}"),
                    None,
                    Some(format!(
                        "{} inserted, {} updated, {} unchanged",
                        outcome.inserted, outcome.updated, outcome.unchanged
                    )),
                )?;
            }
            Ok(outcome)
        })
    }

    pub fn hotline_case(&mut self, id: &str) -> Result<Option<Case>> {
        Ok(self.cases_by_id(&[id])?.remove(id))
    }

    /// The case's events: (at, kind, actor, detail).
    pub fn hotline_events(&mut self, id: &str) -> Result<Vec<(String, String, String, String)>> {
        Ok(self
            .conn
            .query("SELECT at, kind, actor, detail FROM hotline_events WHERE case_id = $1 ORDER BY seq", &[t(id)])?
            .iter()
            .map(|r| {
                let s = |i: usize| r[i].as_text().unwrap_or_default().to_string();
                (s(0), s(1), s(2), s(3))
            })
            .collect())
    }

    /// Applies a lifecycle event to a stored case; the counters follow in the same transaction.
    /// Exclusions and their withdrawal are also written to the audit log.
    pub fn hotline_apply(
        &mut self,
        id: &str,
        event: &Event,
        at: DateTime<Utc>,
        config: &HotlineConfig,
        actor: &str,
    ) -> Result<Case> {
        let districts = self.district_map()?;
        self.tx(|s| {
            let old = s
                .hotline_case(id)?
                .ok_or_else(|| StoreError::NotFound(format!("case `{id}`")))?;
            let new = apply(&old, event, at).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let mut deltas = Deltas::new();
            add_contribution(&mut deltas, &old, -1, config, &districts);
            add_contribution(&mut deltas, &new, 1, config, &districts);
            let row = stored_row(&new, config, &districts, "", &now());
            s.update_case(row, false)?;
            s.add_rollups(&deltas)?;
            let seq = s
                .conn
                .query("SELECT COALESCE(MAX(seq), 0) + 1 FROM hotline_events WHERE case_id = $1", &[t(id)])?
                .first()
                .and_then(|r| r[0].as_int())
                .unwrap_or(1);
            let detail = serde_json::to_string(event).unwrap_or_default();
            s.conn.exec(
                "INSERT INTO hotline_events (case_id, seq, at, kind, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                &[t(id), Val::Int(Some(seq)), time(Some(at)), t(event.name()), t(actor), t(&detail)],
            )?;
            if matches!(event, Event::Exclude(_) | Event::Include) {
                s.audit_append(&now(), actor, &format!("hotline.{}", event.name()), &format!("hotline/case/{id}"), None, Some(detail))?;
            }
            Ok(new)
        })
    }

    /// Recomputes every rollup counter from the cases, inside the database in one statement
    /// (the same rules as [`contribution`], written in SQL over the stored month, district and
    /// deadlines of each case; timestamps are stored as UTC RFC 3339 text, which sorts in time
    /// order). Gives the same rows as the counters kept up to date case by case (tested).
    pub fn hotline_rebuild(&mut self, _config: &HotlineConfig, actor: &str) -> Result<usize> {
        self.tx(|s| {
            s.conn.exec("DELETE FROM hotline_rollups", &[])?;
            let counted = "exclusion_reason IS NULL";
            let callback = "callback_at IS NOT NULL AND solved IS NOT NULL AND satisfaction IS NOT NULL";
            let sum = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
            let sql = format!(
                "INSERT INTO hotline_rollups (unit, month, category, district, {fields}) \
                 SELECT unit, month, category, MAX(district), {accepted}, {excluded}, {tracked}, {responded}, \
                 {responded_in_time}, {handled}, {handled_in_time}, {callbacks}, {solved}, {satisfied}, \
                 {basically}, {fixed}, {unfixed}, {reopened} \
                 FROM hotline_cases WHERE unit IS NOT NULL GROUP BY unit, month, category",
                fields = Counters::FIELDS.join(", "),
                accepted = sum(counted),
                excluded = sum("exclusion_reason IS NOT NULL"),
                tracked = sum(&format!("{counted} AND response_tracked = 1")),
                responded = sum(&format!("{counted} AND response_tracked = 1 AND responded_at IS NOT NULL")),
                responded_in_time = sum(&format!(
                    "{counted} AND response_tracked = 1 AND responded_at IS NOT NULL AND (response_due IS NULL OR responded_at <= response_due)"
                )),
                handled = sum(&format!("{counted} AND handled_at IS NOT NULL")),
                handled_in_time = sum(&format!(
                    "{counted} AND handled_at IS NOT NULL AND (completion_due IS NULL OR handled_at <= completion_due)"
                )),
                callbacks = sum(&format!("{counted} AND {callback}")),
                solved = sum(&format!("{counted} AND {callback} AND solved = 1")),
                satisfied = sum(&format!("{counted} AND {callback} AND satisfaction = 'satisfied'")),
                basically = sum(&format!("{counted} AND {callback} AND satisfaction = 'basically_satisfied'")),
                fixed = sum(&format!("{counted} AND closure = 'fixed'")),
                unfixed = sum(&format!("{counted} AND closure IS NOT NULL AND closure <> 'fixed'")),
                reopened = sum("reopened > 0"),
            );
            s.conn.exec(&sql, &[])?;
            let n = s
                .conn
                .query("SELECT COUNT(*) FROM hotline_cases", &[])?
                .first()
                .and_then(|r| r[0].as_int())
                .unwrap_or(0) as usize;
            s.audit_append(&now(), actor, "hotline.rebuild", "hotline/rollups", None, Some(format!("{n} cases")))?;
            Ok(n)
        })
    }

    /// Every rollup row: ((unit, month, category), counters), for comparisons.
    pub fn hotline_rollup_rows(&mut self) -> Result<Vec<(RollupKey, Counters)>> {
        let sql = format!(
            "SELECT unit, month, category, {} FROM hotline_rollups ORDER BY unit, month, category",
            Counters::FIELDS.join(", ")
        );
        Ok(self
            .conn
            .query(&sql, &[])?
            .iter()
            .map(|r| {
                let k = RollupKey {
                    unit: r[0].as_text().unwrap_or_default().to_string(),
                    month: r[1].as_text().unwrap_or_default().to_string(),
                    category: r[2].as_text().unwrap_or_default().to_string(),
                };
                (
                    k,
                    Counters::from_array(std::array::from_fn(|i| r[3 + i].as_int().unwrap_or(0))),
                )
            })
            .filter(|(_, c)| !c.is_zero())
            .collect())
    }

    /// Counters of `month` summed per unit, or per district with `by_district`, optionally for
    /// one district's units and one category prefix. Reads only the rollups.
    pub fn hotline_month(
        &mut self,
        month: &str,
        by_district: bool,
        district: Option<&str>,
        category: Option<&str>,
    ) -> Result<Vec<UnitCounters>> {
        let sums: Vec<String> = Counters::FIELDS
            .iter()
            .map(|f| format!("CAST(SUM({f}) AS BIGINT)"))
            .collect();
        let key = if by_district { "district" } else { "unit" };
        let mut sql = format!(
            "SELECT {key}, MAX(district), {} FROM hotline_rollups WHERE month = $1",
            sums.join(", ")
        );
        let mut params = vec![t(month)];
        if by_district {
            sql.push_str(" AND district IS NOT NULL");
        }
        if let Some(d) = district {
            params.push(t(d));
            sql.push_str(&format!(" AND district = ${}", params.len()));
        }
        if let Some(c) = category.filter(|c| !c.is_empty()) {
            params.push(t(&format!("{c}%")));
            sql.push_str(&format!(" AND category LIKE ${}", params.len()));
        }
        sql.push_str(&format!(" GROUP BY {key} ORDER BY {key}"));
        Ok(self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(|r| UnitCounters {
                unit: r[0].as_text().unwrap_or_default().to_string(),
                district: r[1].as_text().map(str::to_string),
                counters: Counters::from_array(std::array::from_fn(|i| {
                    r[2 + i].as_int().unwrap_or(0)
                })),
            })
            .collect())
    }

    /// The `limit` grid cells of a district with the most cases received in `month`.
    pub fn hotline_grid_counts(
        &mut self,
        month: &str,
        district: &str,
        limit: usize,
    ) -> Result<Vec<(String, i64)>> {
        Ok(self
            .conn
            .query(
                &format!(
                    "SELECT grid, COUNT(*) FROM hotline_cases WHERE month = $1 AND district = $2 AND grid IS NOT NULL \
                     GROUP BY grid ORDER BY COUNT(*) DESC, grid LIMIT {}",
                    limit.min(1000)
                ),
                &[t(month), t(district)],
            )?
            .iter()
            .map(|r| (r[0].as_text().unwrap_or_default().to_string(), r[1].as_int().unwrap_or(0)))
            .collect())
    }

    /// Months with counters, newest last.
    pub fn hotline_months(&mut self) -> Result<Vec<String>> {
        Ok(self
            .conn
            .query(
                "SELECT DISTINCT month FROM hotline_rollups ORDER BY month",
                &[],
            )?
            .iter()
            .filter_map(|r| r[0].as_text().map(str::to_string))
            .collect())
    }

    /// Accepted cases per month × category (the heat map and the month's themes).
    pub fn hotline_category_counts(
        &mut self,
        district: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>> {
        let (sql, params) = match district {
            Some(d) => ("SELECT month, category, CAST(SUM(accepted) AS BIGINT) FROM hotline_rollups WHERE district = $1 GROUP BY month, category ORDER BY month, category", vec![t(d)]),
            None => ("SELECT month, category, CAST(SUM(accepted) AS BIGINT) FROM hotline_rollups GROUP BY month, category ORDER BY month, category", vec![]),
        };
        Ok(self
            .conn
            .query(sql, &params)?
            .iter()
            .map(|r| {
                (
                    r[0].as_text().unwrap_or_default().to_string(),
                    r[1].as_text().unwrap_or_default().to_string(),
                    r[2].as_int().unwrap_or(0),
                )
            })
            .collect())
    }

    /// A page of cases, newest first, and how many match.
    pub fn hotline_cases(
        &mut self,
        f: &CaseFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Case>, i64)> {
        let mut cond: Vec<String> = Vec::new();
        let mut params: Vec<Val> = Vec::new();
        fn add(cond: &mut Vec<String>, params: &mut Vec<Val>, c: &str, v: Val) {
            params.push(v);
            cond.push(c.replace('?', &format!("${}", params.len())));
        }
        if let Some(m) = &f.month {
            add(&mut cond, &mut params, "month = ?", t(m));
        }
        if let Some(u) = &f.unit {
            add(&mut cond, &mut params, "unit = ?", t(u));
        }
        if let Some(d) = &f.district {
            add(&mut cond, &mut params, "district = ?", t(d));
        }
        if let Some(c) = f.category.as_ref().filter(|c| !c.is_empty()) {
            add(
                &mut cond,
                &mut params,
                "category LIKE ?",
                t(&format!("{c}%")),
            );
        }
        if let Some(st) = &f.stage {
            add(&mut cond, &mut params, "stage = ?", t(st));
        }
        if !f.ids.is_empty() {
            let mut marks = Vec::new();
            for id in f.ids.iter().take(CHUNK) {
                params.push(t(id));
                marks.push(format!("${}", params.len()));
            }
            cond.push(format!("id IN ({})", marks.join(", ")));
        }
        if let Some(from) = f.received_from {
            add(&mut cond, &mut params, "received_at >= ?", time(Some(from)));
        }
        if let Some(to) = f.received_to {
            add(&mut cond, &mut params, "received_at <= ?", time(Some(to)));
        }
        match f.open {
            Some(true) => cond.push("stage <> 'closed'".into()),
            Some(false) => cond.push("stage = 'closed'".into()),
            None => {}
        }
        if let Some(at) = f.overdue_at {
            add(
                &mut cond,
                &mut params,
                "stage <> 'closed' AND handled_at IS NULL AND completion_due < ?",
                time(Some(at)),
            );
        }
        let wh = if cond.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", cond.join(" AND "))
        };
        let total = self
            .conn
            .query(&format!("SELECT COUNT(*) FROM hotline_cases{wh}"), &params)?
            .first()
            .and_then(|r| r[0].as_int())
            .unwrap_or(0);
        let sql = format!(
            "SELECT {} FROM hotline_cases{wh} ORDER BY received_at DESC, id LIMIT {} OFFSET {}",
            CASE_COLUMNS.join(", "),
            limit.min(1000),
            offset
        );
        let cases = self
            .conn
            .query(&sql, &params)?
            .iter()
            .filter_map(|r| case_from_row(r))
            .collect();
        Ok((cases, total))
    }

    /// The requester's contact in full, recording who looked (Personal Information Protection
    /// Law): a row in `hotline_contact_views` and an audit entry.
    pub fn hotline_view_contact(&mut self, id: &str, viewer: &str) -> Result<Option<String>> {
        self.tx(|s| {
            let contact = s
                .conn
                .query("SELECT contact FROM hotline_cases WHERE id = $1", &[t(id)])?
                .first()
                .ok_or_else(|| StoreError::NotFound(format!("case `{id}`")))?[0]
                .as_text()
                .map(str::to_string);
            let at = now();
            s.conn.exec(
                "INSERT INTO hotline_contact_views (case_id, viewer, at) VALUES ($1, $2, $3)",
                &[t(id), t(viewer), t(&at)],
            )?;
            s.audit_append(
                &at,
                viewer,
                "hotline.contact_view",
                &format!("hotline/case/{id}"),
                None,
                None,
            )?;
            Ok(contact)
        })
    }

    /// Erases the contacts of cases closed before `before` (the retention job); returns how many.
    pub fn hotline_erase_contacts(&mut self, before: DateTime<Utc>, actor: &str) -> Result<u64> {
        self.tx(|s| {
            let n = s.conn.exec(
                "UPDATE hotline_cases SET contact = NULL WHERE contact IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $1",
                &[time(Some(before))],
            )?;
            if n > 0 {
                s.audit_append(&now(), actor, "hotline.erase_contacts", "hotline/cases", None, Some(format!("{n} contacts erased")))?;
            }
            Ok(n)
        })
    }

    /// Registers an Open311 API key made by the caller; only its hash is kept. Returns its id.
    pub fn hotline_add_api_key(&mut self, name: &str, key: &str, actor: &str) -> Result<String> {
        let hash = crate::audit::sha256_hex(key.as_bytes());
        let id = hash[..12].to_string();
        self.tx(|s| {
            s.conn.exec(
                "INSERT INTO hotline_api_keys (id, name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[t(&id), t(name), t(&hash), t(actor), t(&now())],
            )?;
            s.audit_append(&now(), actor, "hotline.api_key", &format!("hotline/api_key/{id}"), None, Some(name.to_string()))
        })?;
        Ok(id)
    }

    /// The name of the key's owner, if the key is valid.
    pub fn hotline_check_api_key(&mut self, key: &str) -> Result<Option<String>> {
        let hash = crate::audit::sha256_hex(key.as_bytes());
        Ok(self
            .conn
            .query(
                "SELECT name FROM hotline_api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
                &[t(&hash)],
            )?
            .first()
            .and_then(|r| r[0].as_text().map(str::to_string)))
    }

    /// The database's own dialect, for callers that tune bulk work.
    pub fn is_postgres(&self) -> bool {
        self.conn.dialect() == Dialect::Postgres
    }
}
