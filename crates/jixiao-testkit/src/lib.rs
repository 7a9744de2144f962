//! Test helpers shared by the test suites of jixiao (never compiled into the product).
//!
//! - [`db`]: the demo database (task book, values, ledger, demo accounts) built once per test
//!   binary and copied for each test; fresh SQLite files and PostgreSQL schemas.
//! - [`app`]: a real server on port 0 with its own database, stopped at the end of a test.
//! - [`client`]: clients of the JSON API and of the pages, logged in as each role.
//! - [`replica`]: a streaming replica of the tests' PostgreSQL server on a port of its own.

pub mod app;
pub mod client;
pub mod db;
pub mod replica;

pub use app::{
    config, spawn, spawn_hotline, spawn_on, spawn_with, TestApp, DAY_OF_WORK_CASES, TODAY,
};
pub use client::{Browser, Session};
pub use db::{demo_database, demo_postgres, postgres_url, DemoDb, PostgresDemo};
