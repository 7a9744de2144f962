//! The grid geography and the category catalogue of the hotline.

use super::rows::{ot, placeholders, t, CHUNK};
use crate::conn::Val;
use crate::{now, Result, Store, StoreError};
use jixiao_hotline::catalogue::Category;
use jixiao_hotline::geography::{Area, Geography, Level};
use jixiao_hotline::shape::Shape;
use std::collections::HashMap;

/// The data version scope of the geography alone (set by every save of it).
const GEOGRAPHY_VERSION: &str = "hotline.geography";

impl Store {
    /// Replaces the geography (areas not in `geo` are removed).
    pub fn hotline_save_geography(&mut self, geo: &Geography, actor: &str) -> Result<usize> {
        self.tx(|s| {
            s.hotline_touched = true;
            s.set_data_version(GEOGRAPHY_VERSION)?;
            s.conn.exec("DELETE FROM hotline_areas", &[])?;
            for chunk in geo.areas.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO hotline_areas (id, name, level, parent, lat, lon, boundary, illustrative, population, valid_from, valid_until) VALUES {}",
                    placeholders(chunk.len(), 11)
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
                            Val::Text(a.boundary.as_ref().map(|b| b.to_geojson().to_string())),
                            Val::Int(Some(a.illustrative as i64)),
                            Val::Int(a.population),
                            ot(a.valid_from.as_deref()),
                            ot(a.valid_until.as_deref()),
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
        self.read_geography(true)
    }

    /// The stored geography, with each area's boundary or (for the lookups every case write
    /// makes) without: parsing thousands of boundaries would cost more than the write.
    fn read_geography(&mut self, boundaries: bool) -> Result<Geography> {
        let boundary = if boundaries { "boundary" } else { "NULL" };
        let rows = self.conn.query(
            &format!("SELECT id, name, level, parent, lat, lon, {boundary}, illustrative, population, valid_from, valid_until FROM hotline_areas ORDER BY level, id"),
            &[],
        )?;
        let mut areas: Vec<Area> = rows
            .iter()
            .filter_map(|r| {
                Some(Area {
                    lat: r[4].as_real(),
                    lon: r[5].as_real(),
                    // Written by this code from a shape that parsed: a row that does not parse
                    // again has no boundary rather than failing every dispatch.
                    boundary: r[6]
                        .as_text()
                        .and_then(|g| serde_json::from_str(g).ok())
                        .and_then(|g| Shape::from_geojson(&g).ok()),
                    illustrative: r[7].as_int() == Some(1),
                    population: r[8].as_int(),
                    valid_from: r[9].as_text().map(str::to_string),
                    valid_until: r[10].as_text().map(str::to_string),
                    ..Area::new(
                        r[0].as_text()?,
                        r[1].as_text()?,
                        Level::parse(r[2].as_text()?)?,
                        r[3].as_text(),
                    )
                })
            })
            .collect();
        areas.sort_by(|a, b| a.level.cmp(&b.level).then(a.id.cmp(&b.id)));
        Geography::new(areas).map_err(StoreError::Invalid)
    }

    pub fn hotline_save_categories(&mut self, categories: &[Category]) -> Result<()> {
        self.tx(|s| {
            s.hotline_touched = true;
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
    pub(crate) fn district_map(&mut self) -> Result<std::sync::Arc<HashMap<String, String>>> {
        // Kept while the geography's version holds (another instance's change shows at once).
        let version = self.data_version(GEOGRAPHY_VERSION)?.unwrap_or_default();
        if let Some((v, map)) = &self.district_cache {
            if *v == version {
                return Ok(map.clone());
            }
        }
        let map = std::sync::Arc::new(self.read_district_map()?);
        self.district_cache = Some((version, map.clone()));
        Ok(map)
    }

    fn read_district_map(&mut self) -> Result<HashMap<String, String>> {
        let geo = self.read_geography(false)?;
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
}
