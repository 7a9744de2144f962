//! 接诉即办: the 12345 citizen hotline (DOMAIN.md §3).
//!
//! - [`case`]: a case and its lifecycle (received → dispatched → responded → handled → called
//!   back → closed, with returns, re-dispatch, reopening and closing without a fix);
//! - [`config`]: versioned rules (rate weights, deadlines per category and urgency, repeat window,
//!   retention), read from TOML;
//! - [`metrics`]: the rates as configuration (numerator and denominator counters, weights),
//!   Wilson intervals, shrinkage and the ranking rules (minimum cases, tie-breaking, 红黑榜);
//! - [`rollup`]: what a case adds to its unit × month × category counters, and the monthly rates,
//!   composite score and rankings computed from those counters only;
//! - [`problem`]: 每月一题, the month's designated problem, its action items and its measured effect
//!   (difference in differences);
//! - [`cluster`]: repeat complaints (same place and category within a window) and the month's most
//!   frequent themes;
//! - [`grid`]: 网格化管理, grid inspectors' patrol reports (部件/事件 after GB/T 30428) and the
//!   monthly grid figures (发现数, 自处率, 处置率, 按时处置率);
//! - [`summons`]: 吹哨报到, departments summoned to a street's case, each part with its own
//!   deadline;
//! - [`generate`]: realistic synthetic cases for demos and benchmarks;
//! - [`geography`] and [`shape`]: districts, streets, communities and grid cells with their
//!   boundaries, and placing a point in them.
//!
//! Nothing here does I/O: the store keeps cases and counters, the edges import and serve them.

pub mod case;
pub mod catalogue;
pub mod cluster;
pub mod config;
pub mod generate;
pub mod geography;
pub mod grid;
pub mod import;
pub mod metrics;
pub mod problem;
pub mod rollup;
pub mod shape;
pub mod summons;

pub use case::{Case, Channel, Closure, Event, LifecycleError, Satisfaction, Stage, Urgency};
pub use config::{HotlineConfig, RuleSet};
pub use rollup::{Counters, RollupKey};
