//! The rollup counters per unit × month × category: adding a case's contribution, and the
//! monthly figures dashboards and rankings read.

use super::rows::{ot, placeholders, t, CHUNK};
use crate::conn::Val;
use crate::hotline_pack::CaseFacts;
use crate::{Result, Store};
use jixiao_hotline::rollup::{contribution, return_contributions, Counters, RollupKey};
use jixiao_hotline::{Case, HotlineConfig};
use std::collections::{BTreeMap, HashMap};

/// Counters summed per unit (or district) for a month.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCounters {
    pub unit: String,
    pub district: Option<String>,
    pub counters: Counters,
}

/// Rollup deltas: counters by key, with the unit's district.
pub(crate) type Deltas = BTreeMap<RollupKey, (Option<String>, Counters)>;

/// A rollup row to add: unit, month, category, district, counters.
pub(crate) type RollupRow<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Counters);

/// Adds (`sign` 1) or takes away (-1) what `case` contributes to the counters: to the unit it
/// is with, and a return to each unit that returned it.
pub(crate) fn add_contribution(
    deltas: &mut Deltas,
    case: &Case,
    sign: i64,
    config: &HotlineConfig,
    districts: &HashMap<String, String>,
) {
    let returns = return_contributions(case, config);
    for (k, x) in contribution(case, config).into_iter().chain(returns) {
        let district = districts.get(&k.unit).cloned();
        let e = deltas.entry(k).or_insert((district, Counters::default()));
        if sign > 0 {
            e.1 += x;
        } else {
            e.1 -= x;
        }
    }
}

/// Rows of (text, text, count), as the heat map and the repeat places select them.
fn text_text_count(rows: &[crate::conn::Row]) -> Vec<(String, String, i64)> {
    rows.iter()
        .map(|r| {
            (
                r[0].as_text().unwrap_or_default().to_string(),
                r[1].as_text().unwrap_or_default().to_string(),
                r[2].as_int().unwrap_or(0),
            )
        })
        .collect()
}

/// Cases added to (positive) or taken from each month × district × grid × category.
pub(crate) type PlaceDeltas = HashMap<(String, String, String, String), i64>;

/// A place count to add: ((month, district, grid, category), cases).
pub(crate) type PlaceRow<'a> = ((&'a str, &'a str, &'a str, &'a str), i64);

/// Names kept once each and numbered in the order first seen, so that keys of many counters
/// are numbers instead of strings.
#[derive(Default)]
pub(crate) struct Names {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Names {
    /// The number of `s`, given it now if it has none.
    pub(crate) fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        self.names.push(s.to_string());
        let id = (self.names.len() - 1) as u32;
        self.ids.insert(s.to_string(), id);
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Every name, in the order of their numbers.
    pub(crate) fn all(&self) -> &[String] {
        &self.names
    }
}

/// Every counter a run of cases adds, summed in memory, with each name (unit, month, category,
/// district, grid) kept once and the keys made of their numbers: 25 million cases touch
/// millions of places, which four numbers a place keep within a few hundred megabytes, and no
/// case allocates a key.
#[derive(Default)]
pub(crate) struct Tally {
    names: Names,
    /// (unit, month, category) → (district + 1, or 0 for none; counters).
    rollups: HashMap<[u32; 3], (u32, Counters)>,
    /// (month, district, grid, category) → cases.
    places: HashMap<[u32; 4], i64>,
}

impl Tally {
    fn id(&mut self, s: &str) -> u32 {
        self.names.id(s)
    }

    fn add_counters(&mut self, key: [u32; 3], district: Option<&str>, c: Counters, sign: i64) {
        let district = district.map_or(0, |d| self.id(d) + 1);
        let e = self
            .rollups
            .entry(key)
            .or_insert((district, Counters::default()));
        if sign > 0 {
            e.1 += c;
        } else {
            e.1 -= c;
        }
    }

    /// Adds (`sign` 1) or takes away (-1) what `case` contributes, as [`add_contribution`] and
    /// [`add_place`] do; `facts` are the case's as stored (its month by the rules, its
    /// district by the geography).
    pub(crate) fn add(
        &mut self,
        case: &Case,
        facts: &CaseFacts,
        sign: i64,
        config: &HotlineConfig,
        districts: &HashMap<String, String>,
    ) {
        let month = self.id(&facts.month);
        let category = self.id(&case.category);
        if let Some(unit) = &facts.unit {
            let key = [self.id(unit), month, category];
            self.add_counters(key, facts.district.as_deref(), facts.counters(), sign);
        }
        for (k, c) in return_contributions(case, config) {
            let key = [self.id(&k.unit), month, category];
            self.add_counters(key, districts.get(&k.unit).map(String::as_str), c, sign);
        }
        if let (Some(district), Some(grid)) = (&facts.district, &case.grid) {
            let key = [month, self.id(district), self.id(grid), category];
            *self.places.entry(key).or_default() += sign;
        }
    }

    /// Adds another tally into this one.
    pub(crate) fn merge(&mut self, other: Tally) {
        let ids: Vec<u32> = other.names.all().iter().map(|n| self.id(n)).collect();
        for (key, (district, c)) in other.rollups {
            let name = district.checked_sub(1).map(|d| other.names.name(d));
            self.add_counters(key.map(|i| ids[i as usize]), name, c, 1);
        }
        for (key, n) in other.places {
            *self.places.entry(key.map(|i| ids[i as usize])).or_default() += n;
        }
    }

    /// The rollup counters as rows to add.
    pub(crate) fn rollup_rows(&self) -> Vec<RollupRow<'_>> {
        let name = |i: u32| self.names.name(i);
        self.rollups
            .iter()
            .map(|(k, (district, c))| {
                (
                    name(k[0]),
                    name(k[1]),
                    name(k[2]),
                    district.checked_sub(1).map(name),
                    *c,
                )
            })
            .collect()
    }

    /// The place counts as rows to add.
    pub(crate) fn place_rows(&self) -> Vec<PlaceRow<'_>> {
        let name = |i: u32| self.names.name(i);
        self.places
            .iter()
            .map(|(k, n)| ((name(k[0]), name(k[1]), name(k[2]), name(k[3])), *n))
            .collect()
    }
}

/// Adds (`sign` 1) or takes away (-1) `case` from its place's count: its month by the rules,
/// its district by the geography; nothing for a case without a district or a grid cell.
pub(crate) fn add_place(
    deltas: &mut PlaceDeltas,
    case: &Case,
    sign: i64,
    config: &HotlineConfig,
    districts: &HashMap<String, String>,
) {
    let district = case.unit.as_ref().and_then(|u| districts.get(u));
    if let (Some(district), Some(grid)) = (district, case.grid.as_ref()) {
        *deltas
            .entry((
                config.month_of(case.received),
                district.clone(),
                grid.clone(),
                case.category.clone(),
            ))
            .or_default() += sign;
    }
}

impl Store {
    /// Rows per upsert: one on SQLite, where a statement that writes several rows inside a
    /// transaction keeps a statement journal (single-row statements are prepared once and
    /// need none); a few hundred on PostgreSQL, where round trips cost more.
    fn upsert_chunk(&self) -> usize {
        if self.is_postgres() {
            CHUNK
        } else {
            1
        }
    }

    /// Adds place deltas to the stored counts; a count that falls to zero is removed.
    pub(crate) fn add_places(&mut self, deltas: &PlaceDeltas) -> Result<()> {
        let rows: Vec<PlaceRow> = deltas
            .iter()
            .map(|((m, d, g, c), n)| ((m.as_str(), d.as_str(), g.as_str(), c.as_str()), *n))
            .collect();
        self.add_place_rows(rows)
    }

    /// Adds counts to the stored ones: ((month, district, grid, category), cases).
    pub(crate) fn add_place_rows(&mut self, rows: Vec<PlaceRow>) -> Result<()> {
        let mut rows: Vec<PlaceRow> = rows.into_iter().filter(|(_, n)| *n != 0).collect();
        // In key order, the upserts walk the primary key's B-tree once.
        rows.sort_unstable();
        for chunk in rows.chunks(self.upsert_chunk()) {
            let sql = format!(
                "INSERT INTO hotline_place_rollups (month, district, grid, category, cases) VALUES {} \
                 ON CONFLICT (month, district, grid, category) DO UPDATE SET cases = hotline_place_rollups.cases + excluded.cases",
                placeholders(chunk.len(), 5)
            );
            let mut params = Vec::with_capacity(chunk.len() * 5);
            for ((month, district, grid, category), n) in chunk {
                params.extend([
                    t(month),
                    t(district),
                    t(grid),
                    t(category),
                    Val::Int(Some(*n)),
                ]);
            }
            self.conn.exec(&sql, &params)?;
        }
        for ((month, district, grid, category), _) in rows.iter().filter(|(_, n)| *n < 0) {
            self.conn.exec(
                "DELETE FROM hotline_place_rollups WHERE month = $1 AND district = $2 AND grid = $3 AND category = $4 AND cases <= 0",
                &[t(month), t(district), t(grid), t(category)],
            )?;
        }
        Ok(())
    }

    /// The place counts again from the stored cases (a rebuild from the case rows).
    pub(crate) fn recount_places(&mut self) -> Result<()> {
        self.conn.exec("DELETE FROM hotline_place_rollups", &[])?;
        let count = "INSERT INTO hotline_place_rollups (month, district, grid, category, cases) \
             SELECT month, district, grid, category, COUNT(*) FROM hotline_cases \
             WHERE district IS NOT NULL AND grid IS NOT NULL";
        let group = "GROUP BY month, district, grid, category";
        if self.is_postgres() {
            // One month's partition at a time (see the counters' rebuild).
            let sql = format!("{count} AND month = $1 {group}");
            for month in self.hotline_case_months()? {
                self.conn.exec(&sql, &[t(&month)])?;
            }
        } else {
            self.conn.exec(&format!("{count} {group}"), &[])?;
        }
        Ok(())
    }

    /// Places of `district` with at least two cases of one category in `month` (repeat
    /// complaints about one grid cell), most first: (grid, category, cases). `category`: a
    /// code prefix.
    pub fn hotline_repeat_places(
        &mut self,
        month: &str,
        district: &str,
        category: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, String, i64)>> {
        let mut params = vec![t(month), t(district)];
        let mut sql = "SELECT grid, category, cases FROM hotline_place_rollups \
                       WHERE month = $1 AND district = $2 AND cases >= 2"
            .to_string();
        if let Some(c) = category.filter(|c| !c.is_empty()) {
            params.push(t(&format!("{c}%")));
            sql.push_str(" AND category LIKE $3");
        }
        sql.push_str(&format!(
            " ORDER BY cases DESC, grid, category LIMIT {}",
            limit.min(1000)
        ));
        Ok(text_text_count(&self.conn.query(&sql, &params)?))
    }

    pub(crate) fn add_rollups(&mut self, deltas: &Deltas) -> Result<()> {
        let rows: Vec<RollupRow> = deltas
            .iter()
            .map(|(k, (d, c))| {
                (
                    k.unit.as_str(),
                    k.month.as_str(),
                    k.category.as_str(),
                    d.as_deref(),
                    *c,
                )
            })
            .collect();
        self.add_rollup_rows(&rows)
    }

    /// Adds counters to the stored rollups (rows that are all zero are skipped).
    pub(crate) fn add_rollup_rows(&mut self, rows: &[RollupRow]) -> Result<()> {
        self.write_rollup_rows(rows, true)
    }

    /// Writes rollup rows, adding to stored ones (`add`) or into an emptied table, where plain
    /// inserts in chunks of 1,000 rows save a tenth of PostgreSQL's time (84,000 rows: 0.68 s
    /// against 0.75 s; one JSON parameter read by json_populate_recordset took 1.0 s).
    pub(crate) fn write_rollup_rows(&mut self, rows: &[RollupRow], add: bool) -> Result<()> {
        let cols = Counters::FIELDS;
        let mut list: Vec<&RollupRow> = rows.iter().filter(|r| !r.4.is_zero()).collect();
        // In key order, the inserts append to the table's B-trees instead of splitting pages all
        // over them (about twice as fast on SQLite).
        list.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let upsert = format!(
            " ON CONFLICT (unit, month, category) DO UPDATE SET {}",
            cols.iter()
                .map(|c| format!("{c} = hotline_rollups.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let chunk = if add { self.upsert_chunk() } else { 1000 };
        for chunk in list.chunks(chunk) {
            let sql = format!(
                "INSERT INTO hotline_rollups (unit, month, category, district, {}) VALUES {}{}",
                cols.join(", "),
                placeholders(chunk.len(), 4 + cols.len()),
                if add { upsert.as_str() } else { "" },
            );
            let mut params = Vec::with_capacity(chunk.len() * (4 + cols.len()));
            for (unit, month, category, district, c) in chunk {
                params.extend([t(unit), t(month), t(category), ot(*district)]);
                params.extend(c.to_array().iter().map(|x| Val::Int(Some(*x))));
            }
            self.conn.exec(&sql, &params)?;
        }
        Ok(())
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
        let key = if by_district { "district" } else { "unit" };
        let mut sql = format!(
            "SELECT {key}, MAX(district), {} FROM hotline_rollups WHERE month = $1",
            counter_sums()
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

    /// Counters of `month` per unit (or district) and top-level category (the code's first two
    /// digits), optionally of one district's units: what comparing units with like category
    /// mixes needs. Reads only the rollups.
    pub fn hotline_month_by_category(
        &mut self,
        month: &str,
        by_district: bool,
        district: Option<&str>,
    ) -> Result<Vec<(String, String, Counters)>> {
        let key = if by_district { "district" } else { "unit" };
        let mut sql = format!(
            "SELECT {key}, SUBSTR(category, 1, 2), {} FROM hotline_rollups WHERE month = $1 AND {key} IS NOT NULL",
            counter_sums()
        );
        let mut params = vec![t(month)];
        if let Some(d) = district {
            params.push(t(d));
            sql.push_str(&format!(" AND district = ${}", params.len()));
        }
        sql.push_str(&format!(
            " GROUP BY {key}, SUBSTR(category, 1, 2) ORDER BY {key}"
        ));
        Ok(self
            .conn
            .query(&sql, &params)?
            .iter()
            .map(|r| {
                (
                    r[0].as_text().unwrap_or_default().to_string(),
                    r[1].as_text().unwrap_or_default().to_string(),
                    Counters::from_array(std::array::from_fn(|i| r[2 + i].as_int().unwrap_or(0))),
                )
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
                    "SELECT grid, CAST(SUM(cases) AS BIGINT) AS n FROM hotline_place_rollups WHERE month = $1 AND district = $2 \
                     GROUP BY grid ORDER BY n DESC, grid LIMIT {}",
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
        Ok(text_text_count(&self.conn.query(sql, &params)?))
    }
}

/// Every counter summed, in the order of `Counters::FIELDS`, as SQL select items.
fn counter_sums() -> String {
    Counters::FIELDS
        .iter()
        .map(|f| format!("CAST(SUM({f}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}
