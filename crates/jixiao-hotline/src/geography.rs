//! Grid management geography (网格化管理): district → street → community (社区) → grid cell (网格).
//! Streets (and departments) are the units cases are dispatched to and ranked; districts add
//! their streets up. Importable as CSV `id,name,level,parent[,lat,lon]`.

use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    District,
    Street,
    Community,
    Grid,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
            Level::Grid => "grid",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        [
            Level::District,
            Level::Street,
            Level::Community,
            Level::Grid,
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
}

#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub areas: Vec<Area>,
    index: HashMap<String, usize>,
}

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
        Ok(Geography { areas, index })
    }

    pub fn get(&self, id: &str) -> Option<&Area> {
        self.index.get(id).map(|&i| &self.areas[i])
    }

    pub fn at_level(&self, level: Level) -> impl Iterator<Item = &Area> {
        self.areas.iter().filter(move |a| a.level == level)
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
            Level::District | Level::Street => 0,
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
        self.areas
            .iter()
            .filter(move |a| a.parent.as_deref() == Some(id))
    }

    /// Reads `id,name,level,parent[,lat,lon]` CSV text (a header line first); errors name the line.
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
            areas.push(Area {
                id: f[0].to_string(),
                name: f[1].to_string(),
                level,
                parent: Some(f[3].to_string()).filter(|p| !p.is_empty()),
                lat: num(4)?,
                lon: num(5)?,
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

/// The synthetic Beijing geography: 16 districts, 343 streets (Dongcheng's with their real
/// names), `communities` communities per street and `grids` grid cells per community.
pub fn beijing(communities: usize, grids: usize) -> Geography {
    let mut areas = Vec::new();
    for (d, (id, name, streets, lat, lon, _)) in BEIJING.iter().enumerate() {
        areas.push(Area {
            id: id.to_string(),
            name: name.to_string(),
            level: Level::District,
            parent: None,
            lat: Some(*lat),
            lon: Some(*lon),
        });
        for s in 0..*streets {
            // Streets on a small circle around the district centre.
            let angle = std::f64::consts::TAU * s as f64 / *streets as f64 + d as f64;
            let (slat, slon) = (lat + 0.03 * angle.sin(), lon + 0.04 * angle.cos());
            let sid = format!("{id}-s{:02}", s + 1);
            let sname = if *id == "dongcheng" {
                format!("{}街道", DONGCHENG_STREETS.get(s).unwrap_or(&"东城"))
            } else {
                format!("{name}第{}街道", s + 1)
            };
            areas.push(Area {
                id: sid.clone(),
                name: sname.clone(),
                level: Level::Street,
                parent: Some(id.to_string()),
                lat: Some(slat),
                lon: Some(slon),
            });
            for c in 0..communities {
                let cid = format!("{sid}-c{:02}", c + 1);
                let (clat, clon) = (
                    slat + 0.004 * (c as f64 - 3.0),
                    slon + 0.003 * (c % 3) as f64,
                );
                areas.push(Area {
                    id: cid.clone(),
                    name: format!("{sname}第{}社区", c + 1),
                    level: Level::Community,
                    parent: Some(sid.clone()),
                    lat: Some(clat),
                    lon: Some(clon),
                });
                for g in 0..grids {
                    areas.push(Area {
                        id: format!("{cid}-g{}", g + 1),
                        name: format!("网格{}", g + 1),
                        level: Level::Grid,
                        parent: Some(cid.clone()),
                        lat: Some(clat + 0.0008 * g as f64),
                        lon: Some(clon + 0.0008 * g as f64),
                    });
                }
            }
        }
    }
    Geography::new(areas).expect("the built-in geography is consistent")
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
        assert_eq!(g.children("dongcheng").count(), 17);
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
}
