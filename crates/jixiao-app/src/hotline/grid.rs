//! 网格化管理: a grid inspector (网格员) reports what it finds on patrol in its grid cell, with a
//! class of the parts-and-events taxonomy, a place, a photo and a description, disposed on the
//! spot (自行处置) or passed to the cell's street as a hotline case; the monthly grid figures per
//! grid, community, street and district (发现数, 自处率, 处置率, 按时处置率); task A23-1 fed from
//! the districts' 处置率 (`jixiao grid feed`).

use crate::actor::{Actor, Role};
use crate::error::{AppError, Result};
use crate::policy::{allows, require, Act};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use jixiao_core::Framework;
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::grid::{self as g, Disposal, GridCounts, PatrolReport};
use jixiao_hotline::{Case, Channel, Stage};
use jixiao_store::grid::{ReportPlace, ReportsOf};
use jixiao_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A patrol report as a page form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewReport {
    /// The grid cell; an inspector's own when left out (the office must name one).
    #[serde(default)]
    pub grid: Option<String>,
    /// A class of the taxonomy (`GET /api/v1/grid/categories`), e.g. `E0101` 暴露垃圾.
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// Where (WGS 84); the cell's centre when left out. A point outside the cell's street is
    /// refused.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// `on_the_spot` (自行处置) or `passed_on` (上报街道).
    pub disposal: String,
    /// The sender's id of this report: the same id sent again records nothing new.
    #[serde(default)]
    pub report_id: Option<String>,
}

/// A report as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportItem {
    pub id: String,
    pub grid: String,
    /// The cell with its community and street.
    pub place: String,
    pub inspector: String,
    /// Local time.
    pub found_at: String,
    pub category: String,
    pub category_name: String,
    pub description: String,
    /// on_the_spot or passed_on.
    pub disposal: String,
    pub disposal_zh: String,
    pub disposed_at: Option<String>,
    pub due: Option<String>,
    pub disposed_in_time: bool,
    /// Passed on: the hotline case it became.
    pub case_id: Option<String>,
    pub has_photo: bool,
}

fn item(settings: &Settings, geo: &Geography, r: &PatrolReport, photo: bool) -> ReportItem {
    let tz = settings.hotline.timezone;
    let fmt = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    ReportItem {
        id: r.id.clone(),
        grid: r.grid.clone(),
        place: geo.place_name(&r.grid),
        inspector: r.inspector.clone(),
        found_at: fmt(r.found_at),
        category: r.category.clone(),
        category_name: g::category(&r.category)
            .map(|c| c.name.to_string())
            .unwrap_or_default(),
        description: r.description.clone(),
        disposal: r.disposal.as_str().to_string(),
        disposal_zh: r.disposal.label_zh().to_string(),
        disposed_at: r.disposed_at.map(fmt),
        due: r.due.map(fmt),
        disposed_in_time: r.disposed_in_time(),
        case_id: r.case_id.clone(),
        has_photo: photo,
    }
}

/// Records a patrol report: the inspector's in its own cell (the office's in any). Passed on,
/// it becomes a hotline case dispatched to the cell's street at once (channel 网格巡查, under the
/// hotline category its class files under, with the rules' deadlines), in the same transaction.
/// A photo must be a PNG or JPEG image. Answers the report and whether it was new.
pub fn report(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    new: &NewReport,
    photo: Option<(&str, &[u8])>,
) -> Result<(ReportItem, bool)> {
    let grid = match (actor.role, new.grid.as_deref()) {
        (Role::Inspector, None) => actor.unit().unwrap_or_default().to_string(),
        (_, Some(grid)) => grid.to_string(),
        (Role::Admin, None) => {
            return Err(AppError::Invalid(
                "grid: the office names the grid cell of a report".into(),
            ))
        }
        _ => return Err(crate::policy::refusal(actor)),
    };
    require(actor, Act::Patrol(&grid))?;
    crate::text::line("grid", &grid, crate::text::ID)?;
    crate::text::paragraphs("description", &new.description, crate::text::NOTE)?;
    if let Some(id) = &new.report_id {
        crate::text::line("report_id", id, crate::text::ID)?;
    }
    let class = g::category(&new.category).ok_or_else(|| {
        AppError::Invalid(format!(
            "category: `{}` is not a class of the patrol taxonomy (P0101 上水井盖 … E0503 违章停车)",
            new.category
        ))
    })?;
    let disposal = Disposal::parse(&new.disposal).ok_or_else(|| {
        AppError::Invalid(format!(
            "disposal: `{}` is not on_the_spot or passed_on",
            new.disposal
        ))
    })?;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let cell = geo
        .get(&grid)
        .filter(|a| a.level == Level::Grid && a.in_force(None))
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "grid: `{grid}` is not a grid cell of the hotline's geography in force"
            ))
        })?
        .clone();
    let street = geo
        .ancestor(&grid, Level::Street)
        .map(|a| a.id.clone())
        .ok_or_else(|| AppError::Invalid(format!("grid: `{grid}` is in no street")))?;
    let district = geo
        .ancestor(&grid, Level::District)
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let (lat, lon) = match (new.lat, new.lon) {
        (Some(lat), Some(lon)) => {
            let placed = geo
                .locate(lat, lon)
                .and_then(|a| geo.ancestor(&a.id, Level::Street))
                .map(|a| a.id.clone());
            if placed.as_deref() != Some(street.as_str()) {
                return Err(AppError::Invalid(format!(
                    "lat/lon: ({lat}, {lon}) is outside {}",
                    geo.place_name(&street)
                )));
            }
            (Some(lat), Some(lon))
        }
        (None, None) => (cell.lat, cell.lon),
        _ => {
            return Err(AppError::Invalid(
                "lat/lon: give both, or neither for the cell's centre".into(),
            ))
        }
    };
    let checked_photo = match photo {
        Some((name, bytes)) => {
            let content_type = crate::values::evidence::checked_file(settings, name, bytes)?;
            if !content_type.starts_with("image/") {
                return Err(AppError::Invalid(format!(
                    "{name}: a photo is a PNG or JPEG image"
                )));
            }
            Some((name, content_type, bytes))
        }
        None => None,
    };
    let found_at = settings.now();
    let id = match &new.report_id {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => {
            let digest = jixiao_store::audit::sha256_hex(
                format!("{}|{grid}|{found_at}|{}", actor.id, new.description).as_bytes(),
            );
            format!("GR{}", &digest[..16])
        }
    };
    let mut r = PatrolReport {
        id: id.clone(),
        grid: grid.clone(),
        inspector: actor.id.clone(),
        found_at,
        category: class.code.to_string(),
        description: new.description.trim().to_string(),
        lat,
        lon,
        disposal,
        disposed_at: (disposal == Disposal::OnTheSpot).then_some(found_at),
        due: None,
        case_id: None,
    };
    let case = (disposal == Disposal::PassedOn).then(|| passed_on(settings, geo, &mut r, &street));
    let month = settings.hotline.month_of(found_at);
    let file = checked_photo.map(
        |(name, content_type, content)| jixiao_store::evidence::NewFile {
            name,
            content_type,
            content,
        },
    );
    let fresh = s.grid_add_reports(
        &[(
            r,
            ReportPlace {
                district: &district,
                month: &month,
            },
            case,
        )],
        file.as_ref(),
        &settings.hotline,
        &actor.id,
    )? > 0;
    let (stored, photo, _) = s.grid_report(&id)?;
    Ok((item(settings, geo, &stored, photo.is_some()), fresh))
}

/// The hotline case a report passed to the street becomes: dispatched to `street` when found
/// (channel 网格巡查, under the hotline category its class files under, with the rules'
/// deadlines); the report takes the case's id and completion deadline.
fn passed_on(settings: &Settings, geo: &Geography, r: &mut PatrolReport, street: &str) -> Case {
    let class = g::category(&r.category);
    let mut c = Case::received(
        format!("G-{}", r.id),
        Channel::GridPatrol,
        r.found_at,
        class.as_ref().map_or("09", |c| c.hotline_category),
    );
    let name = class.as_ref().map_or("", |c| c.name);
    c.description = format!("【网格巡查·{name}】{}", r.description);
    c.address = geo.place_name(&r.grid);
    c.grid = Some(r.grid.clone());
    c.lat = r.lat;
    c.lon = r.lon;
    c.unit = Some(street.to_string());
    c.stage = Stage::Dispatched;
    c.dispatched = Some(r.found_at);
    if let Some((response, completion)) =
        settings
            .hotline
            .deadlines(&c.category, c.urgency, c.received)
    {
        c.response_due = Some(response);
        c.completion_due = Some(completion);
    }
    r.due = c.completion_due;
    r.case_id = Some(c.id.clone());
    c
}

/// The district whose figures and reports `actor` may see: a reporting unit its own; others
/// (who see the hotline) any or all.
fn visible_district(actor: &Actor, district: Option<&str>) -> Result<Option<String>> {
    let district = match actor.role {
        Role::Reporter => Some(district.or(actor.unit()).unwrap_or("-")),
        _ => district,
    };
    require(actor, Act::ViewHotline(district))?;
    Ok(district.map(str::to_string))
}

/// The latest month with reports (or the office's current month).
fn default_month(s: &mut Store, settings: &Settings) -> Result<String> {
    Ok(s.grid_months()?
        .pop()
        .unwrap_or_else(|| settings.hotline.month_of(settings.now())))
}

fn checked_month(month: &str) -> Result<()> {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| AppError::Invalid(format!("month: `{month}` is not a month like 2020-06")))
}

/// Reports: a grid inspector's own (newest first); for those who see the hotline, a month's of
/// one district or all. At most 200.
pub fn reports(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    month: Option<&str>,
    district: Option<&str>,
) -> Result<Vec<ReportItem>> {
    let of = if actor.role == Role::Inspector {
        ReportsOf::Inspector(actor.id.clone())
    } else {
        let district = visible_district(actor, district)?;
        let month = match month {
            Some(m) => {
                checked_month(m)?;
                m.to_string()
            }
            None => default_month(s, settings)?,
        };
        ReportsOf::Month { month, district }
    };
    let geo = super::open311::reference(s)?;
    Ok(s.grid_reports(&of, 200)?
        .iter()
        .map(|(r, photo)| item(settings, &geo.1, r, photo.is_some()))
        .collect())
}

/// One area's figures of a month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    pub id: String,
    pub name: String,
    /// 发现数.
    pub found: u64,
    pub on_the_spot: u64,
    pub disposed: u64,
    pub disposed_in_time: u64,
    /// 自处率, %.
    pub self_disposal_rate: Option<f64>,
    /// 处置率, %.
    pub disposal_rate: Option<f64>,
    /// 按时处置率, %.
    pub on_time_rate: Option<f64>,
}

fn row(id: &str, name: String, c: &GridCounts) -> FigureRow {
    let pct = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 10.0);
    FigureRow {
        id: id.to_string(),
        name,
        found: c.found,
        on_the_spot: c.on_the_spot,
        disposed: c.disposed,
        disposed_in_time: c.disposed_in_time,
        self_disposal_rate: pct(c.self_disposal_rate()),
        disposal_rate: pct(c.disposal_rate()),
        on_time_rate: pct(c.on_time_rate()),
    }
}

/// A month's grid figures at one level.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub month: String,
    /// The months with reports, for the month picker.
    pub months: Vec<String>,
    /// district, street, community or grid.
    pub level: String,
    pub district: Option<String>,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
}

/// The grid figures of `month` (the latest by default) per area at `level` (district, street,
/// community or grid; districts by default, streets within a district), for those who see the
/// hotline (a reporting unit: its own district).
pub fn figures(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    month: Option<&str>,
    level: Option<&str>,
    district: Option<&str>,
) -> Result<Figures> {
    let district = visible_district(actor, district)?;
    let level = match level {
        None | Some("") => {
            if district.is_some() {
                Level::Street
            } else {
                Level::District
            }
        }
        Some(l) => Level::parse(l)
            .filter(|l| *l != Level::Department)
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "level: `{l}` is not district, street, community or grid"
                ))
            })?,
    };
    let month = match month {
        Some(m) if !m.is_empty() => {
            checked_month(m)?;
            m.to_string()
        }
        _ => default_month(s, settings)?,
    };
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    if let Some(d) = &district {
        if geo.get(d).is_none_or(|a| a.level != Level::District) {
            return Err(AppError::NotFound(format!("district `{d}`")));
        }
    }
    let by_grid = s.grid_counts(std::slice::from_ref(&month), district.as_deref())?;
    let mut total = GridCounts::default();
    for c in by_grid.values() {
        total.add(c);
    }
    let rows = g::roll_up(geo, &by_grid, level)
        .iter()
        .map(|(id, c)| row(id, geo.place_name(id), c))
        .collect();
    Ok(Figures {
        month,
        months: s.grid_months()?,
        level: level.as_str().to_string(),
        total: row(
            district.as_deref().unwrap_or("city"),
            district
                .as_deref()
                .map(|d| geo.place_name(d))
                .unwrap_or_else(|| "全市".into()),
            &total,
        ),
        district,
        rows,
    })
}

/// A report's photo, for its inspector and those who see its district's hotline; unknown and
/// forbidden look the same.
pub fn photo(s: &mut Store, actor: &Actor, id: &str) -> Result<(String, String, Vec<u8>)> {
    let (r, _, district) = s.grid_report(id).map_err(|_| AppError::Forbidden)?;
    let own = actor.role == Role::Inspector && r.inspector == actor.id;
    if !own && !allows(actor, Act::ViewHotline(Some(&district))) {
        return Err(AppError::Forbidden);
    }
    s.grid_photo(id).map_err(|_| AppError::Forbidden)
}

/// Gives task `task` of the cycle each district's 处置率 (disposed ÷ found, %) over the cycle's
/// year, approved with its source noted (the office); answers the number of values.
pub fn feed(s: &mut Store, actor: &Actor, fw: &Framework, task: &str) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let target = super::FeedTarget::of(fw, task)?;
    let months: Vec<String> = s
        .grid_months()?
        .into_iter()
        .filter(|m| m.starts_with(&target.year))
        .collect();
    let by_grid = s.grid_counts(&months, None)?;
    let geo = super::open311::reference(s)?;
    let districts: BTreeMap<String, GridCounts> = g::roll_up(&geo.1, &by_grid, Level::District);
    let figures = districts.iter().filter_map(|(unit, c)| {
        let source = format!(
            "网格化管理{}个月:发现{}件,处置{}件(其中自行处置{}件)(jixiao grid)",
            months.len(),
            c.found,
            c.disposed,
            c.on_the_spot
        );
        Some((unit.as_str(), c.disposal_rate()? * 100.0, source))
    });
    target.write(s, actor, fw, figures)
}

/// The demo's grid history and patrol day: `per_street_month` generated reports a month of
/// `year` in every street (the districts' quality as their hotline figures), and, on `day`, two
/// reports of the demo inspector's cell (one disposed on the spot, one passed to 东华门街道).
/// Run again, it adds nothing. Answers the number of reports added.
pub fn seed_demo(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    year: i32,
    per_street_month: u32,
    quality: &BTreeMap<String, f64>,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let history = g::generate(geo, year, 12, per_street_month, 20_20, quality);
    let months: Vec<(String, String)> = history
        .iter()
        .map(|r| {
            (
                geo.ancestor(&r.grid, Level::District)
                    .map(|d| d.id.clone())
                    .unwrap_or_default(),
                settings.hotline.month_of(r.found_at),
            )
        })
        .collect();
    let rows: Vec<(PatrolReport, ReportPlace<'_>, Option<Case>)> = history
        .into_iter()
        .zip(&months)
        .map(|(r, (district, month))| (r, ReportPlace { district, month }, None))
        .collect();
    Ok(s.grid_add_reports(&rows, None, &settings.hotline, &actor.id)?)
}

/// The demo inspector's patrol on `day` (local): at 09:30 illegal small ads removed on the spot,
/// at 10:15 a broken manhole cover passed to 东华门街道 (a case waiting in its queue). Ids
/// `GR{day}01`, `GR{day}02`; run again, it adds nothing.
pub fn seed_patrol_day(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    inspector: &str,
    day: chrono::NaiveDate,
) -> Result<usize> {
    require(actor, Act::AdministerSystem)?;
    let reference = super::open311::reference(s)?;
    let geo = &reference.1;
    let Some(cell) = geo.get(DEMO_GRID).cloned() else {
        return Ok(0); // another geography: nothing to seed
    };
    let street = geo
        .ancestor(DEMO_GRID, Level::Street)
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let month = settings.hotline.month_of(
        settings
            .hotline
            .local_instant(day.and_hms_opt(12, 0, 0).expect("noon")),
    );
    let mut rows = Vec::new();
    for (n, (h, m, code, description, disposal)) in [
        (
            9,
            30,
            "E0201",
            "电线杆张贴非法小广告3处,已清除",
            Disposal::OnTheSpot,
        ),
        (
            10,
            15,
            "P0101",
            "上水井盖破损下沉,已设置警示,需更换",
            Disposal::PassedOn,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let found_at = settings
            .hotline
            .local_instant(day.and_hms_opt(h, m, 0).expect("a time of day"));
        let id = format!("GR{}{:02}", day.format("%Y%m%d"), n + 1);
        let mut r = PatrolReport {
            id: id.clone(),
            grid: DEMO_GRID.to_string(),
            inspector: inspector.to_string(),
            found_at,
            category: code.to_string(),
            description: description.to_string(),
            lat: cell.lat,
            lon: cell.lon,
            disposal,
            disposed_at: (disposal == Disposal::OnTheSpot).then_some(found_at),
            due: None,
            case_id: None,
        };
        let case =
            (disposal == Disposal::PassedOn).then(|| passed_on(settings, geo, &mut r, &street));
        rows.push((r, case));
    }
    // The first comes with the inspector's photo of the cleaned pole.
    let photo = jixiao_store::evidence::NewFile {
        name: "现场照片.png",
        content_type: "image/png",
        content: DEMO_PHOTO,
    };
    let mut added = 0;
    for (n, (r, c)) in rows.into_iter().enumerate() {
        let place = ReportPlace {
            district: "dongcheng",
            month: &month,
        };
        let photo = (n == 0).then_some(&photo);
        added += s.grid_add_reports(&[(r, place, c)], photo, &settings.hotline, &actor.id)?;
    }
    Ok(added)
}

/// The demo's patrol photo (a small PNG).
const DEMO_PHOTO: &[u8] = include_bytes!("../../data/patrol-photo.png");

/// The demo inspector's grid cell (东华门街道第1社区网格1).
pub const DEMO_GRID: &str = "dongcheng-s01-c01-g1";
