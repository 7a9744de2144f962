//! Benchmark: the case events the store sustains with many cases stored. New cases arrive and
//! are worked as the 12345 platform posts them: received, dispatched, accepted, handled, called
//! back, closed: six writes per case, each one transaction that updates the case row, its
//! month's rollups and grid counters, the event table and the audit log (as
//! `POST /api/v1/hotline/cases/{id}/events` does, without the HTTP around it).
//!
//! `cargo bench -p jixiao --bench hotline_events -- [--cases N] [--database URL]
//!  [--workflows W] [--label TEXT] [--write]`: a database without a hotline geography (a fresh
//! SQLite file when no `--database` is given, or an empty `postgres://…` one) is filled with N
//! generated cases (default 1,000,000) first; one with cases (e.g. the 25 M-case database
//! `scripts/bench-hotline.py` leaves) keeps them and the new cases are added beside them.
//! `--write` puts the row into the table of docs/benchmarks.md (section `bench-events`).

use chrono::{Duration, TimeZone, Utc};
use jixiao_hotline::case::{Closure, Satisfaction};
use jixiao_hotline::{Case, Channel, Event, HotlineConfig};
use jixiao_store::hotline::EventMeta;
use jixiao_store::Store;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let cases: u64 = arg("--cases").map_or(1_000_000, |v| v.parse().expect("--cases N"));
    let workflows: usize = arg("--workflows").map_or(2_000, |v| v.parse().expect("--workflows W"));
    let write = std::env::args().any(|a| a == "--write");
    let cfg = HotlineConfig::default();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = arg("--database")
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("events.sqlite").display()));
    {
        let mut s = Store::open(&url).expect("the database opens");
        if s.hotline_geography().unwrap().areas.is_empty() {
            // An empty database: the built-in geography and N generated cases first.
            let geo = jixiao_hotline::geography::beijing(2, 2);
            s.hotline_save_geography(&geo, "bench").unwrap();
            s.hotline_save_categories(&jixiao_hotline::catalogue::built_in())
                .unwrap();
            let started = Instant::now();
            let mut gen = jixiao_hotline::generate::Generator::new(&cfg, &geo, cases, 7, 2020);
            s.hotline_import(&mut gen, "bench", &cfg, "bench", &mut |_| {})
                .unwrap();
            eprintln!(
                "{cases} cases generated and imported in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let mut s = Store::open(&url).expect("the database opens");
    let stored = s.hotline_months().unwrap().len();
    let geo = s.hotline_geography().unwrap();
    let streets: Vec<String> = geo
        .at_level(jixiao_hotline::geography::Level::Street)
        .map(|a| a.id.clone())
        .collect();
    assert!(!streets.is_empty(), "the database has no hotline geography");
    let run = Utc::now().timestamp();
    let day = Utc.with_ymd_and_hms(2020, 12, 30, 1, 0, 0).unwrap();
    let started = Instant::now();
    let mut events = 0usize;
    let mut slowest = std::time::Duration::ZERO;
    let mut timed = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        slowest = slowest.max(t.elapsed());
    };
    for i in 0..workflows {
        let id = format!("E{run}{i:06}");
        let at = day + Duration::seconds(i as i64);
        let unit = streets[i * 7919 % streets.len()].clone();
        let mut c = Case::received(&id, Channel::Phone, at, "0301");
        c.description = "基准测试工单".into();
        c.contact = Some("13800138000".into());
        if let Some((r, d)) = cfg.deadlines("0301", c.urgency, at) {
            c.response_due = Some(r);
            c.completion_due = Some(d);
        }
        timed(&mut || {
            s.hotline_submit(c.clone(), &Default::default(), &cfg, "bench")
                .unwrap()
        });
        events += 1;
        let steps = [
            Event::Dispatch { unit },
            Event::Respond,
            Event::Handle,
            Event::Callback {
                solved: true,
                satisfaction: Satisfaction::Satisfied,
            },
            Event::Close {
                closure: Closure::Fixed,
            },
        ];
        for (k, e) in steps.iter().enumerate() {
            let meta = EventMeta {
                note: None,
                event_id: Some(format!("{id}-{k}")),
            };
            timed(&mut || {
                s.hotline_record(
                    &id,
                    e,
                    at + Duration::hours(k as i64 + 1),
                    &cfg,
                    "bench",
                    &meta,
                )
                .unwrap();
            });
            events += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = events as f64 / secs;
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let row = format!(
        "| {} | {backend} | {} months stored | {events} | {secs:.1} | **{rate:.0}** | {:.1} |\n",
        Utc::now().format("%Y-%m-%d"),
        stored,
        slowest.as_secs_f64() * 1000.0,
    );
    println!("{row}");
    if write {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
        let text = std::fs::read_to_string(&path).expect("docs/benchmarks.md");
        let end = "<!-- bench-events:end -->";
        let Some(at) = text.find(end) else {
            panic!("docs/benchmarks.md has no `{end}` marker");
        };
        let label = arg("--label").unwrap_or_else(|| format!("{cases} cases"));
        let row = row.replacen(
            &format!("{stored} months stored"),
            &format!("{label} ({stored} months)"),
            1,
        );
        std::fs::write(&path, format!("{}{row}{}", &text[..at], &text[at..])).unwrap();
        println!("written to {}", path.display());
    }
}
