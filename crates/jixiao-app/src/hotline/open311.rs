//! The use cases behind Open311 GeoReport v2: the services and geography a client sees, the
//! requests it may read (open to anyone, as the specification says), and submitting a request
//! with one of the office's API keys, dispatched at once to the street of its grid cell or to
//! the street whose boundary holds its point (a point outside the jurisdiction is refused).

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::policy::{require, Act};
use crate::settings::Settings;
use chrono::Utc;
use jixiao_hotline::case::RequestDetails;
use jixiao_hotline::catalogue::Category;
use jixiao_hotline::geography::{Geography, Level};
use jixiao_hotline::{Case, Channel, Stage};
use jixiao_store::hotline::CaseFilter;
use jixiao_store::Store;

/// The catalogue and the geography, kept between requests while the hotline's data version
/// holds (a city's geography is thousands of areas).
pub fn reference(s: &mut Store) -> Result<std::sync::Arc<(Vec<Category>, Geography)>> {
    static REFERENCE: crate::cache::Versioned<(Vec<Category>, Geography)> =
        crate::cache::Versioned::new();
    REFERENCE.get_hotline(s, "", |s| {
        Ok((s.hotline_categories()?, s.hotline_geography()?))
    })
}

/// The catalogue and the geography, as owned copies.
pub fn setup(s: &mut Store) -> Result<(Vec<Category>, Geography)> {
    Ok((*reference(s)?).clone())
}

/// The client an API key belongs to, as an actor; `None` for an unknown or revoked key.
pub fn client(s: &mut Store, key: &str) -> Result<Option<Actor>> {
    Ok(s.hotline_check_api_key(key)?
        .map(|name| Actor::client(&name)))
}

/// The most requests one answer lists.
pub const MAX_REQUESTS: usize = 1000;

/// Up to [`MAX_REQUESTS`] requests matching the filter and any of `codes` (all services when
/// empty), newest first, each with what its Open311 client sent beyond the case. Without an API
/// key (the public) each is redacted ([`redact`]).
pub fn requests(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    geo: &Geography,
    f: &CaseFilter,
    codes: &[String],
) -> Result<Vec<(Case, RequestDetails)>> {
    require(actor, Act::ReadOpen311)?;
    let found = if codes.is_empty() {
        s.hotline_case_page(f, MAX_REQUESTS, None)?.0
    } else {
        let mut all = Vec::new();
        for code in codes {
            let one = CaseFilter {
                category: Some(code.clone()),
                ..f.clone()
            };
            all.extend(s.hotline_case_page(&one, MAX_REQUESTS, None)?.0);
        }
        all.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| a.id.cmp(&b.id)));
        all.dedup_by(|a, b| a.id == b.id);
        all.truncate(MAX_REQUESTS);
        all
    };
    with_details(s, settings, actor, geo, found)
}

fn with_details(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    geo: &Geography,
    cases: Vec<Case>,
) -> Result<Vec<(Case, RequestDetails)>> {
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut details = s.open311_details(&ids)?;
    Ok(cases
        .into_iter()
        .map(|mut c| {
            let mut d = details.remove(&c.id).unwrap_or_default();
            if actor.is_public() {
                redact(&mut c, &mut d, geo, settings.open311_public);
            }
            (c, d)
        })
        .collect())
}

/// What the public sees of a request (12345 complaints are not public): the service, status
/// and dates, and the location coarsened to the centre of its grid cell (or of its street when
/// the cell has none); the description, the address, the exact point, the photo and the
/// attributes only where the office made them public (`open311_public_fields`). The contact is
/// never shown through Open311.
pub fn redact(
    c: &mut Case,
    d: &mut RequestDetails,
    geo: &Geography,
    public: crate::settings::Open311Public,
) {
    c.contact = None;
    if !public.description {
        c.description.clear();
    }
    if !public.address {
        c.address.clear();
    }
    if !public.media_url {
        d.media_url = None;
    }
    if !public.attributes {
        d.attributes.clear();
    }
    if public.exact_point {
        return;
    }
    let centre = [c.grid.as_deref(), c.unit.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|id| geo.get(id))
        .find_map(|a| a.lat.zip(a.lon));
    c.lat = centre.map(|p| p.0);
    c.lon = centre.map(|p| p.1);
}

/// One request, if it is within `jurisdiction` (a district id) when one is named.
pub fn request(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    geo: &Geography,
    id: &str,
    jurisdiction: Option<&str>,
) -> Result<Option<(Case, RequestDetails)>> {
    require(actor, Act::ReadOpen311)?;
    let found: Vec<Case> = s
        .hotline_case(id)?
        .into_iter()
        .filter(|c| {
            jurisdiction.is_none_or(|j| {
                c.unit
                    .as_deref()
                    .and_then(|u| geo.ancestor(u, Level::District))
                    .is_some_and(|d| d.id == j)
            })
        })
        .collect();
    Ok(with_details(s, settings, actor, geo, found)?.pop())
}

/// The most attributes one request may carry, and values of one multi-valued attribute.
pub const MAX_ATTRIBUTES: usize = 50;
/// The longest media_url accepted.
pub const MAX_URL: usize = 2_000;

/// A request as the client sent it, already parsed and checked for form.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub service_code: String,
    /// (lat, long) in decimal degrees.
    pub point: Option<(f64, f64)>,
    pub address: Option<String>,
    /// A grid cell id.
    pub address_id: Option<String>,
    pub description: String,
    /// Name and phone or e-mail, as one text.
    pub contact: Option<String>,
    /// Only streets of this district (a jurisdiction).
    pub jurisdiction: Option<String>,
    /// A photo of the problem, as an http(s) URL the client hosts.
    pub media_url: Option<String>,
    /// `attribute[code]=value` pairs, in the order sent.
    pub attributes: Vec<(String, String)>,
}

/// Stores a submitted request and returns its id. Dispatched at once to the street of the grid
/// cell, or to the street whose boundary holds the point (see [`Geography::locate`]); a point
/// outside every district, or outside the named jurisdiction, is refused; an address alone
/// waits for the hotline to dispatch it.
pub fn submit(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    geo: &Geography,
    r: &NewRequest,
) -> Result<String> {
    require(actor, Act::SubmitCase)?;
    crate::text::paragraphs("description", &r.description, crate::text::DESCRIPTION)?;
    crate::text::line("service_code", &r.service_code, crate::text::ID)?;
    for (field, value, max) in [
        ("address_string", &r.address, crate::text::ADDRESS),
        ("address_id", &r.address_id, crate::text::ID),
        ("contact", &r.contact, crate::text::ADDRESS),
    ] {
        if let Some(v) = value {
            crate::text::line(field, v, max)?;
        }
    }
    if let Some(url) = &r.media_url {
        media_url(url)?;
    }
    if r.attributes.len() > MAX_ATTRIBUTES {
        return Err(AppError::Invalid(format!(
            "{} attribute values; at most {MAX_ATTRIBUTES} are accepted",
            r.attributes.len()
        )));
    }
    for (code, value) in &r.attributes {
        crate::text::line("attribute code", code, crate::text::ID)?;
        if !code
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
        {
            return Err(AppError::Invalid(format!(
                "attribute code `{code}` may hold only letters, digits, `_`, `-` and `.`"
            )));
        }
        crate::text::line(&format!("attribute[{code}]"), value, crate::text::ADDRESS)?;
    }
    if let Some(g) = &r.address_id {
        if geo
            .get(g)
            .is_none_or(|a| a.level != Level::Grid || !a.in_force(None))
        {
            return Err(AppError::Invalid(format!(
                "unknown address_id `{g}` (a grid cell id)"
            )));
        }
    }
    let now = Utc::now();
    // A point is placed by the geography's boundaries: its district, street and, where the
    // geography knows them, community and grid cell.
    let placed = match r.point {
        Some((lat, lon)) if r.address_id.is_none() => {
            let area = geo.locate(lat, lon).ok_or_else(|| {
                AppError::Invalid(format!(
                    "the point (lat {lat}, long {lon}) is outside the jurisdiction: no district of this hotline holds it"
                ))
            })?;
            if let Some(j) = &r.jurisdiction {
                let district = geo.ancestor(&area.id, Level::District);
                if district.is_none_or(|d| &d.id != j) {
                    return Err(AppError::Invalid(format!(
                        "the point (lat {lat}, long {lon}) lies in {}, not in jurisdiction `{j}`",
                        district.map_or("another district", |d| d.name.as_str())
                    )));
                }
            }
            Some(area)
        }
        _ => None,
    };
    let street = match (&r.address_id, placed) {
        (Some(g), _) => geo.ancestor(g, Level::Street).map(|a| a.id.clone()),
        (None, Some(area)) => geo.ancestor(&area.id, Level::Street).map(|a| a.id.clone()),
        _ => None,
    };
    // The grid cell the point fell in, when the geography goes that deep.
    let cell = r.address_id.clone().or_else(|| {
        placed
            .filter(|a| a.level == Level::Grid)
            .map(|a| a.id.clone())
    });
    let id = format!(
        "O{}{:06}",
        now.format("%Y%m%d%H%M%S"),
        now.timestamp_subsec_micros()
    );
    let mut c = Case::received(&id, Channel::Open311, now, r.service_code.clone());
    c.description = r.description.clone();
    c.address = r.address.clone().unwrap_or_default();
    c.grid = cell;
    c.lat = r.point.map(|p| p.0);
    c.lon = r.point.map(|p| p.1);
    c.contact = r.contact.clone();
    if let Some((due_response, due_completion)) =
        settings.hotline.deadlines(&r.service_code, c.urgency, now)
    {
        c.response_due = Some(due_response);
        c.completion_due = Some(due_completion);
    }
    if let Some(st) = street {
        c.unit = Some(st);
        c.stage = Stage::Dispatched;
        c.dispatched = Some(now);
    }
    let details = RequestDetails {
        media_url: r.media_url.clone(),
        attributes: r.attributes.clone(),
    };
    s.hotline_submit(c, &details, &settings.hotline, &actor.id)?;
    Ok(id)
}

/// A media_url is an absolute http(s) URL with a host, without spaces or control characters.
fn media_url(url: &str) -> Result<()> {
    crate::text::line("media_url", url, MAX_URL)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(|h| h.is_empty()) || url.chars().any(char::is_whitespace) {
        return Err(AppError::Invalid(format!(
            "media_url `{url}` is not an http or https address"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Open311Public;

    fn case(geo: &Geography) -> Case {
        let street = geo
            .areas
            .iter()
            .find(|a| a.level == Level::Street && a.lat.is_some())
            .expect("a street with a centre");
        let mut c = Case::received("C1", Channel::Open311, Utc::now(), "0301");
        c.description = "小区门口乱停车".into();
        c.address = "东城区某小区".into();
        c.contact = Some("王 13800001234".into());
        c.unit = Some(street.id.clone());
        c.lat = Some(39.929_1);
        c.lon = Some(116.417);
        c
    }

    #[test]
    fn the_public_sees_only_what_the_office_made_public() {
        let geo = jixiao_hotline::geography::beijing(2, 2);
        let mut c = case(&geo);
        let mut d = RequestDetails {
            media_url: Some("https://example.org/p.jpg".into()),
            attributes: vec![("floor".into(), "3".into())],
        };
        redact(&mut c, &mut d, &geo, Open311Public::default());
        assert!(c.description.is_empty() && c.address.is_empty() && c.contact.is_none());
        assert_eq!(
            d,
            RequestDetails::default(),
            "photo and attributes are requester data"
        );
        assert_ne!(c.lat, Some(39.929_1), "coarsened to the street's centre");
        assert!(c.lat.is_some());

        let mut c = case(&geo);
        let some = Open311Public::parse(&["description", "exact_point", "media_url"]).unwrap();
        let mut d = RequestDetails {
            media_url: Some("https://example.org/p.jpg".into()),
            attributes: vec![("floor".into(), "3".into())],
        };
        redact(&mut c, &mut d, &geo, some);
        assert_eq!(d.media_url.as_deref(), Some("https://example.org/p.jpg"));
        assert!(d.attributes.is_empty());
        assert_eq!(c.description, "小区门口乱停车");
        assert!(c.address.is_empty() && c.contact.is_none());
        assert_eq!(c.lat, Some(39.929_1));
        assert!(Open311Public::parse(&["phone"]).is_err());
    }

    #[test]
    fn a_media_url_is_an_http_address() {
        assert!(media_url("https://photos.example.org/a.jpg").is_ok());
        assert!(media_url("http://10.0.0.1/x?y=1").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x/y",
            "https://",
            "https:// x",
            "data:image/png;base64,AA",
        ] {
            assert!(media_url(bad).is_err(), "{bad}");
        }
        assert!(media_url(&format!("https://x/{}", "a".repeat(MAX_URL))).is_err());
    }
}
