//! Area boundaries: polygons in longitude/latitude degrees (GeoJSON order: `[lon, lat]`), with
//! point-in-polygon tests behind a bounding box, areas and centroids, GeoJSON in and out, and the
//! clipping the built-in geography uses to cut synthetic streets out of a real district.
//!
//! Distances at city scale are small enough that planar geometry in degrees answers "which area
//! holds this point" exactly as a geodesic one would (a boundary is a line either way); areas
//! are only compared with each other, never reported in km².

use serde_json::{json, Value};

/// A ring: a closed line of `(lon, lat)` points (the last point need not repeat the first).
pub type Ring = Vec<(f64, f64)>;

/// One polygon: its outer ring, then any holes.
pub type Polygon = Vec<Ring>;

/// An area's boundary: one or more polygons (a district with an exclave has two).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub polygons: Vec<Polygon>,
    /// `(min_lon, min_lat, max_lon, max_lat)`.
    pub bbox: (f64, f64, f64, f64),
}

impl Shape {
    /// A shape from its polygons; `None` when no ring has three points.
    pub fn new(polygons: Vec<Polygon>) -> Option<Shape> {
        let polygons: Vec<Polygon> = polygons
            .into_iter()
            .map(|p| p.into_iter().filter(|r| r.len() >= 3).collect::<Polygon>())
            .filter(|p| !p.is_empty())
            .collect();
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in polygons.iter().flat_map(|p| p.iter().flatten()) {
            bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
        }
        (!polygons.is_empty()).then_some(Shape { polygons, bbox })
    }

    /// Whether the point lies inside (even-odd over every ring, so holes are outside).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let (x0, y0, x1, y1) = self.bbox;
        if lon < x0 || lon > x1 || lat < y0 || lat > y1 {
            return false;
        }
        self.polygons
            .iter()
            .any(|p| p.iter().filter(|r| ring_crossed(r, lon, lat)).count() % 2 == 1)
    }

    /// The planar area in square degrees (holes subtracted).
    pub fn area(&self) -> f64 {
        self.polygons
            .iter()
            .map(|p| {
                let outer = p.first().map_or(0.0, |r| ring_area(r).abs());
                let holes: f64 = p.iter().skip(1).map(|r| ring_area(r).abs()).sum();
                (outer - holes).max(0.0)
            })
            .sum()
    }

    /// The area in km², from the planar area at the shape's mean latitude (within a fraction of
    /// a percent of the geodesic area at a city's size): for case densities.
    pub fn area_km2(&self) -> f64 {
        const KM_PER_DEGREE: f64 = 111.32;
        let lat = (self.bbox.1 + self.bbox.3) / 2.0;
        self.area() * KM_PER_DEGREE * KM_PER_DEGREE * lat.to_radians().cos()
    }

    /// The shape with points closer than `tolerance` degrees to the last kept one dropped (a
    /// ring keeps at least four points): for drawing a map, where 0.002° (about 200 m) cuts
    /// Beijing's district boundaries to a few percent of their size with no visible change.
    pub fn simplified(&self, tolerance: f64) -> Shape {
        let polygons = self
            .polygons
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| {
                        let mut kept: Ring = Vec::with_capacity(r.len() / 4 + 4);
                        for &(x, y) in r {
                            match kept.last() {
                                Some(&(lx, ly))
                                    if (x - lx).abs() < tolerance && (y - ly).abs() < tolerance => {
                                }
                                _ => kept.push((x, y)),
                            }
                        }
                        if kept.len() < 4 {
                            r.clone()
                        } else {
                            kept
                        }
                    })
                    .collect()
            })
            .collect();
        Shape {
            polygons,
            bbox: self.bbox,
        }
    }

    /// A point inside the shape, near its middle: the area-weighted centroid of its outer rings
    /// when that lies inside, else the middle of the widest inside stretch of the line of
    /// latitude through it.
    pub fn inner_point(&self) -> (f64, f64) {
        let (mut sx, mut sy, mut sa) = (0.0, 0.0, 0.0);
        for p in &self.polygons {
            if let Some(r) = p.first() {
                let (cx, cy, a) = ring_centroid(r);
                sx += cx * a;
                sy += cy * a;
                sa += a;
            }
        }
        let (cx, cy) = if sa.abs() > 0.0 {
            (sx / sa, sy / sa)
        } else {
            let (x0, y0, x1, y1) = self.bbox;
            ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
        };
        if self.contains(cy, cx) {
            return (cy, cx);
        }
        // Scan a few lines of latitude for the widest inside stretch.
        let (x0, y0, x1, y1) = self.bbox;
        let mut best = None::<(f64, f64, f64)>;
        for k in 1..16 {
            let y = y0 + (y1 - y0) * k as f64 / 16.0;
            let mut xs: Vec<f64> = self
                .polygons
                .iter()
                .flatten()
                .flat_map(|r| crossings(r, y))
                .collect();
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks(2) {
                if let [a, b] = pair {
                    if best.is_none_or(|(w, _, _)| b - a > w) {
                        best = Some((b - a, (a + b) / 2.0, y));
                    }
                }
            }
        }
        best.map_or(((y0 + y1) / 2.0, (x0 + x1) / 2.0), |(_, x, y)| (y, x))
    }

    /// The part of the shape inside the rectangle (Sutherland–Hodgman against each side; the
    /// rectangle is convex, so any polygon clips correctly, at worst with zero-width seams).
    pub fn clip(&self, rect: (f64, f64, f64, f64)) -> Option<Shape> {
        let (x0, y0, x1, y1) = rect;
        let (b0, b1, b2, b3) = self.bbox;
        if b2 < x0 || b0 > x1 || b3 < y0 || b1 > y1 {
            return None;
        }
        let polygons = self
            .polygons
            .iter()
            .filter_map(|p| {
                let keep = |r: &Ring| {
                    let c = clip_ring(r, rect);
                    (c.len() >= 3 && ring_area(&c).abs() > 1e-12).then_some(c)
                };
                // A polygon whose outer ring left the rectangle is gone, holes and all.
                let outer = keep(p.first()?)?;
                Some(
                    std::iter::once(outer)
                        .chain(p.iter().skip(1).filter_map(keep))
                        .collect::<Polygon>(),
                )
            })
            .collect();
        Shape::new(polygons)
    }

    /// Reads a GeoJSON geometry (`Polygon` or `MultiPolygon`).
    pub fn from_geojson(geometry: &Value) -> Result<Shape, String> {
        let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
        let coords = geometry
            .get("coordinates")
            .ok_or("the geometry has no coordinates")?;
        let polygons = match kind {
            "Polygon" => vec![polygon(coords)?],
            "MultiPolygon" => coords
                .as_array()
                .ok_or("MultiPolygon coordinates are not a list")?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
            other => {
                return Err(format!(
                    "geometry type `{other}`: only Polygon and MultiPolygon are boundaries"
                ))
            }
        };
        for &(lon, lat) in polygons.iter().flat_map(|p: &Polygon| p.iter().flatten()) {
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(format!(
                    "point [{lon}, {lat}] is not a longitude and latitude in degrees"
                ));
            }
        }
        Shape::new(polygons).ok_or_else(|| "the geometry has no ring of three points".into())
    }

    /// The shape as a GeoJSON `MultiPolygon` geometry, to six decimals (about 0.1 m).
    pub fn to_geojson(&self) -> Value {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        json!({
            "type": "MultiPolygon",
            "coordinates": self.polygons.iter().map(|p| p.iter().map(|r| {
                let mut pts: Vec<[f64; 2]> = r.iter().map(|&(x, y)| [round(x), round(y)]).collect();
                if let (Some(first), Some(last)) = (pts.first().copied(), pts.last().copied()) {
                    if first != last {
                        pts.push(first); // GeoJSON rings are closed
                    }
                }
                pts
            }).collect::<Vec<_>>()).collect::<Vec<_>>(),
        })
    }

    /// Joins shapes into one (their polygons side by side).
    pub fn union_of(shapes: impl IntoIterator<Item = Shape>) -> Option<Shape> {
        Shape::new(shapes.into_iter().flat_map(|s| s.polygons).collect())
    }
}

fn polygon(v: &Value) -> Result<Polygon, String> {
    v.as_array()
        .ok_or("polygon coordinates are not a list of rings")?
        .iter()
        .map(|ring| {
            ring.as_array()
                .ok_or_else(|| "a ring is not a list of points".to_string())?
                .iter()
                .map(|pt| match pt.as_array().map(|a| a.as_slice()) {
                    Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok((x, y)),
                        _ => Err(format!("point {pt} is not two numbers")),
                    },
                    _ => Err(format!("point {pt} is not [longitude, latitude]")),
                })
                .collect()
        })
        .collect()
}

/// Whether a ray from the point towards +x crosses the ring an odd number of times.
fn ring_crossed(r: &Ring, x: f64, y: f64) -> bool {
    let mut inside = false;
    let n = r.len();
    let mut j = n - 1;
    for i in 0..n {
        let ((xi, yi), (xj, yj)) = (r[i], r[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Where the ring crosses the line of latitude `y`.
fn crossings(r: &Ring, y: f64) -> Vec<f64> {
    let n = r.len();
    let mut out = Vec::new();
    let mut j = n - 1;
    for i in 0..n {
        let ((xi, yi), (xj, yj)) = (r[i], r[j]);
        if (yi > y) != (yj > y) {
            out.push((xj - xi) * (y - yi) / (yj - yi) + xi);
        }
        j = i;
    }
    out
}

/// Signed shoelace area.
fn ring_area(r: &Ring) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        / 2.0
}

/// Centroid and unsigned area of a ring.
fn ring_centroid(r: &Ring) -> (f64, f64, f64) {
    let n = r.len();
    let (mut cx, mut cy) = (0.0, 0.0);
    for i in 0..n {
        let (a, b) = (r[i], r[(i + 1) % n]);
        let cross = a.0 * b.1 - b.0 * a.1;
        cx += (a.0 + b.0) * cross;
        cy += (a.1 + b.1) * cross;
    }
    let a = ring_area(r);
    if a.abs() < 1e-15 {
        let k = n.max(1) as f64;
        let (sx, sy) = r.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
        return (sx / k, sy / k, 0.0);
    }
    (cx / (6.0 * a), cy / (6.0 * a), a.abs())
}

fn clip_ring(r: &Ring, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> Ring {
    let mut pts = r.clone();
    // Each side as (inside test, intersection with the side's line).
    type Side = (fn(f64, f64, f64) -> bool, f64, bool);
    let sides: [Side; 4] = [
        (|x, _, c| x >= c, x0, true),
        (|x, _, c| x <= c, x1, true),
        (|_, y, c| y >= c, y0, false),
        (|_, y, c| y <= c, y1, false),
    ];
    for (inside, c, vertical) in sides {
        if pts.is_empty() {
            break;
        }
        let cut = |a: (f64, f64), b: (f64, f64)| -> (f64, f64) {
            if vertical {
                let t = (c - a.0) / (b.0 - a.0);
                (c, a.1 + t * (b.1 - a.1))
            } else {
                let t = (c - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), c)
            }
        };
        let mut out = Vec::with_capacity(pts.len() + 4);
        for i in 0..pts.len() {
            let cur = pts[i];
            let prev = pts[(i + pts.len() - 1) % pts.len()];
            let (cin, pin) = (inside(cur.0, cur.1, c), inside(prev.0, prev.1, c));
            if cin {
                if !pin {
                    out.push(cut(prev, cur));
                }
                out.push(cur);
            } else if pin {
                out.push(cut(prev, cur));
            }
        }
        pts = out;
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, side: f64) -> Ring {
        vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
    }

    #[test]
    fn points_inside_outside_and_in_holes() {
        let s = Shape::new(vec![vec![square(0.0, 0.0, 10.0), square(4.0, 4.0, 2.0)]]).unwrap();
        assert!(s.contains(1.0, 1.0));
        assert!(!s.contains(5.0, 5.0), "in the hole");
        assert!(!s.contains(11.0, 1.0));
        assert!(!s.contains(-0.5, 3.0));
        assert!((s.area() - 96.0).abs() < 1e-9);
    }

    #[test]
    fn a_concave_shape_clips_into_pieces_that_cover_it() {
        // A U shape: two arms joined at the bottom.
        let u = Shape::new(vec![vec![vec![
            (0.0, 0.0),
            (3.0, 0.0),
            (3.0, 3.0),
            (2.0, 3.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (1.0, 3.0),
            (0.0, 3.0),
        ]]])
        .unwrap();
        let top = u.clip((0.0, 2.0, 3.0, 3.0)).unwrap();
        let bottom = u.clip((0.0, 0.0, 3.0, 2.0)).unwrap();
        assert!((top.area() + bottom.area() - u.area()).abs() < 1e-9);
        assert!(top.contains(2.5, 0.5) && top.contains(2.5, 2.5));
        assert!(!top.contains(2.5, 1.5), "between the arms");
        assert!(u.clip((5.0, 5.0, 6.0, 6.0)).is_none());
        let p = u.inner_point();
        assert!(u.contains(p.0, p.1), "{p:?}");
    }

    #[test]
    fn geojson_round_trip_and_refusals() {
        let g = json!({"type": "Polygon", "coordinates": [[[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 39.0]]]});
        let s = Shape::from_geojson(&g).unwrap();
        let back = Shape::from_geojson(&s.to_geojson()).unwrap();
        assert!((back.area() - s.area()).abs() < 1e-9);
        for (bad, says) in [
            (
                json!({"type": "Point", "coordinates": [116.0, 39.0]}),
                "Point",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[1000.0, 39.0], [1.0, 2.0], [3.0, 4.0]]]}),
                "1000",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[["a", 1]]]}),
                "two numbers",
            ),
            (json!({"type": "Polygon"}), "coordinates"),
        ] {
            let e = Shape::from_geojson(&bad).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }
}
