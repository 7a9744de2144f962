//! Server configuration: defaults, then a TOML file (`--config FILE`), then `JIXIAO_*`
//! environment variables (docs/configuration.md lists every key).

use std::time::Duration;

/// A secret from the configuration: never shown by `Debug` (logs, error reports).
#[derive(Clone, PartialEq, Default)]
pub struct Secret(pub Option<String>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Secret(set)"
        } else {
            "Secret(none)"
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `database_url` / JIXIAO_DATABASE_URL.
    pub database_url: String,
    /// `database_read_url` / JIXIAO_DATABASE_READ_URL: a streaming replica of the PostgreSQL
    /// primary for the reads that may lag a moment (hotline dashboard, public pages, report
    /// downloads). Unset: every read goes to `database_url`.
    pub database_read_url: Option<String>,
    /// `audit_key` / JIXIAO_AUDIT_KEY: keys the audit log and the row seals (HMAC), so that
    /// someone who can write to the database cannot forge them. Kept out of the database.
    pub audit_key: Secret,
    /// `bind` / JIXIAO_BIND.
    pub bind: String,
    /// `secure_cookies` / JIXIAO_SECURE_COOKIES: mark cookies Secure (set when served behind TLS).
    pub secure_cookies: bool,
    /// `session_hours` / JIXIAO_SESSION_HOURS.
    pub session_hours: i64,
    /// `login_max_failures` / JIXIAO_LOGIN_MAX_FAILURES within `login_window_minutes`.
    pub login_max_failures: usize,
    pub login_window_minutes: i64,
    /// `login_max_delay_seconds` / JIXIAO_LOGIN_MAX_DELAY_SECONDS: the longest wait between
    /// attempts on an account under attack.
    pub login_max_delay_seconds: i64,
    /// `login_client_max_failures` / JIXIAO_LOGIN_CLIENT_MAX_FAILURES: failures from one client
    /// address within the window before it is refused.
    pub login_client_max_failures: usize,
    /// `trusted_proxies` / JIXIAO_TRUSTED_PROXIES: addresses (or CIDR blocks) of the reverse
    /// proxies in front of jixiao, comma-separated; only requests from them have their
    /// X-Forwarded-For read.
    pub trusted_proxies: Vec<crate::context::Cidr>,
    /// `open311_cors_origins` / JIXIAO_OPEN311_CORS_ORIGINS: web origins whose browser clients may
    /// call the Open311 API (`https://map.example.gov.cn`, or `*`), comma-separated.
    pub open311_cors_origins: Vec<String>,
    /// `open311_rate_per_minute` / JIXIAO_OPEN311_RATE_PER_MINUTE: Open311 requests per API key
    /// (or, without one, per client address) and minute on each instance; 0 for no limit.
    pub open311_rate_per_minute: u32,
    /// `open311_public_fields` / JIXIAO_OPEN311_PUBLIC_FIELDS: what Open311 answers without a key
    /// hold beyond service, status, dates and the grid cell: any of description, address,
    /// exact_point (none by default).
    pub open311_public: jixiao_app::settings::Open311Public,
    /// `password_min_length` / JIXIAO_PASSWORD_MIN_LENGTH: characters a new password needs.
    pub password_min_length: usize,
    /// `password_min_score` / JIXIAO_PASSWORD_MIN_SCORE: zxcvbn strength (0–4) a new password needs.
    pub password_min_score: u8,
    /// `upload_max_bytes` / JIXIAO_UPLOAD_MAX_BYTES: largest request body accepted.
    pub upload_max_bytes: usize,
    /// `evidence_max_bytes` / JIXIAO_EVIDENCE_MAX_BYTES: largest evidence file accepted.
    pub evidence_max_bytes: usize,
    /// `job_interval_seconds` / JIXIAO_JOB_INTERVAL_SECONDS: how often scheduled jobs look for work.
    pub job_interval: Duration,
    /// `instance` / JIXIAO_INSTANCE: this instance's name in job records and logs.
    pub instance: String,
    /// `reminder_days` / JIXIAO_REMINDER_DAYS: values due within this many days are reminded.
    pub reminder_days: i64,
    /// `smtp_host` / JIXIAO_SMTP_HOST: reminders go out by e-mail when set (plain SMTP relay).
    pub smtp_host: Option<String>,
    /// `smtp_port` / JIXIAO_SMTP_PORT.
    pub smtp_port: u16,
    /// `smtp_from` / JIXIAO_SMTP_FROM: the sender address.
    pub smtp_from: String,
    /// `smtp_security` / JIXIAO_SMTP_SECURITY: `none` (a relay inside the office network),
    /// `starttls` (upgrade the connection, usually port 587) or `tls` (TLS from the start,
    /// usually port 465).
    pub smtp_security: SmtpSecurity,
    /// `smtp_user` / JIXIAO_SMTP_USER: log in to the relay as this account (with the password).
    pub smtp_user: Option<String>,
    /// `smtp_password` / JIXIAO_SMTP_PASSWORD.
    pub smtp_password: Secret,
    /// `public_url` / JIXIAO_PUBLIC_URL: the address users reach jixiao at, for the links in
    /// e-mails (default `http://` and `bind`).
    pub public_url: Option<String>,
    /// `today` / JIXIAO_TODAY: the date deadlines are judged against (default: the real date).
    /// For demonstrations and tests of past cycles only.
    pub today: Option<chrono::NaiveDate>,
    /// `report_wording` / JIXIAO_REPORT_WORDING: a wording file for generated reports (TOML;
    /// the keys it sets replace the defaults, see crates/jixiao-report/wording/zh-CN.toml).
    pub report_wording: Option<std::path::PathBuf>,
    /// `hotline_rules` / JIXIAO_HOTLINE_RULES: the 接诉即办 rules (TOML; weights, deadlines, time
    /// zone, retention). Default: the built-in rules.
    pub hotline_rules: Option<std::path::PathBuf>,
    /// `claims_units` / JIXIAO_CLAIMS_UNITS: units of measure for report checking (TOML
    /// `[[unit]]` tables added to crates/jixiao-claims/data/units.toml). Default: the built-in.
    pub claims_units: Option<std::path::PathBuf>,
    /// `file_max_unpacked_bytes`, `file_max_parts`, `sheet_max_cells` (and JIXIAO_…): what an
    /// uploaded xlsx or docx may unpack to, hold, and span before it is refused unopened.
    pub files: jixiao_files::Limits,
    /// `database_readers` / JIXIAO_DATABASE_READERS: connections (threads) that serve reads at
    /// once; writes have one connection of their own.
    pub database_readers: usize,
    /// `database_write_wait_ms` / JIXIAO_DATABASE_WRITE_WAIT_MS: how long a write may wait for
    /// another writer (an import, another instance) before it answers 503 "busy".
    pub database_write_wait: Duration,
}

impl Config {
    /// The report wording: the defaults, with the configured file's keys replacing theirs.
    pub fn wording(&self) -> Result<jixiao_report::wording::Wording, String> {
        let Some(path) = &self.report_wording else {
            return Ok(jixiao_report::wording::Wording::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("report_wording {}: {e}", path.display()))?;
        jixiao_report::wording::Wording::with_overrides(&path.display().to_string(), &text)
            .map_err(|e| e.to_string())
    }

    /// The hotline rules: the configured file, or the built-in defaults.
    pub fn hotline(&self) -> Result<jixiao_hotline::HotlineConfig, String> {
        let Some(path) = &self.hotline_rules else {
            return Ok(jixiao_hotline::HotlineConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("hotline_rules {}: {e}", path.display()))?;
        jixiao_hotline::HotlineConfig::parse(&text, &path.display().to_string())
            .map_err(|e| e.to_string())
    }

    /// The units of measure report checking reads: the built-in ones and the configured file's.
    pub fn claims_units(&self) -> Result<jixiao_claims::units::Vocabulary, String> {
        let built_in = jixiao_claims::units::built_in();
        let Some(path) = &self.claims_units else {
            return Ok(built_in.clone());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("claims_units {}: {e}", path.display()))?;
        built_in.with(&text, &path.display().to_string())
    }

    /// What the use cases need of this configuration, with the wording and hotline rules read
    /// from their files.
    pub fn settings(&self) -> Result<jixiao_app::Settings, String> {
        Ok(jixiao_app::Settings {
            today: self.today,
            evidence_max_bytes: self.evidence_max_bytes,
            reminder_days: self.reminder_days,
            session_hours: self.session_hours,
            login_max_failures: self.login_max_failures,
            login_window_minutes: self.login_window_minutes,
            login_max_delay_seconds: self.login_max_delay_seconds,
            login_client_max_failures: self.login_client_max_failures,
            open311_public: self.open311_public,
            password_min_length: self.password_min_length,
            password_min_score: self.password_min_score,
            wording: self.wording()?,
            hotline: self.hotline()?,
            claims_units: self.claims_units()?,
        })
    }

    /// The database connections of this instance.
    pub fn pool(&self) -> jixiao_app::PoolConfig {
        jixiao_app::PoolConfig {
            readers: self.database_readers,
            write_wait: self.database_write_wait,
            replica: self.database_read_url.clone(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://jixiao.sqlite".into(),
            database_read_url: None,
            audit_key: Secret::default(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            session_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_max_delay_seconds: jixiao_app::Settings::default().login_max_delay_seconds,
            login_client_max_failures: jixiao_app::Settings::default().login_client_max_failures,
            trusted_proxies: Vec::new(),
            open311_cors_origins: Vec::new(),
            open311_rate_per_minute: 120,
            open311_public: Default::default(),
            password_min_length: jixiao_app::Settings::default().password_min_length,
            password_min_score: jixiao_app::Settings::default().password_min_score,
            upload_max_bytes: 10 * 1024 * 1024,
            evidence_max_bytes: 5 * 1024 * 1024,
            job_interval: Duration::from_secs(60),
            instance: format!("pid-{}", std::process::id()),
            today: None,
            report_wording: None,
            hotline_rules: None,
            claims_units: None,
            reminder_days: 7,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: "jixiao@localhost".into(),
            smtp_security: SmtpSecurity::None,
            smtp_user: None,
            smtp_password: Secret::default(),
            public_url: None,
            files: jixiao_files::Limits::default(),
            database_readers: jixiao_app::PoolConfig::default().readers,
            database_write_wait: Duration::from_secs(5),
        }
    }
}

/// How jixiao talks to its SMTP relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

impl Config {
    /// The address users reach jixiao at, for links in e-mails.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration {source_name}: `{key}`: {message}")]
pub struct ConfigError {
    pub source_name: String,
    pub key: String,
    pub message: String,
}

impl Config {
    /// Defaults, overridden by the file's keys, overridden by the environment.
    pub fn load(
        file: Option<(&str, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        if let Some((name, text)) = file {
            let doc: toml_edit::DocumentMut =
                text.parse()
                    .map_err(|e: toml_edit::TomlError| ConfigError {
                        source_name: name.into(),
                        key: String::new(),
                        message: e.to_string(),
                    })?;
            for (key, item) in doc.iter() {
                let value = match item.as_value() {
                    // A list (trusted_proxies = ["10.0.0.1", "10.0.1.0/24"]) as its items
                    // separated by commas, as the environment gives it.
                    Some(toml_edit::Value::Array(a)) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    Some(v) => v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string().trim().to_string()),
                    None => {
                        return Err(ConfigError {
                            source_name: name.into(),
                            key: key.into(),
                            message: "must be a plain value".into(),
                        })
                    }
                };
                c.set(key, &value).map_err(|message| ConfigError {
                    source_name: name.into(),
                    key: key.into(),
                    message,
                })?;
            }
        }
        for key in KEYS {
            let var = format!("JIXIAO_{}", key.to_uppercase());
            if let Some(v) = env(&var) {
                c.set(key, &v).map_err(|message| ConfigError {
                    source_name: "environment".into(),
                    key: var.clone(),
                    message,
                })?;
            }
        }
        Ok(c)
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        let int = |v: &str| {
            v.parse::<i64>()
                .map_err(|_| format!("`{v}` is not a whole number"))
                .and_then(|n| {
                    if n > 0 {
                        Ok(n)
                    } else {
                        Err("must be positive".into())
                    }
                })
        };
        match key {
            "database_url" => self.database_url = v.into(),
            "database_read_url" => {
                if !(v.starts_with("postgres://") || v.starts_with("postgresql://")) {
                    return Err(
                        "must be a postgres:// URL (a read replica of the PostgreSQL primary)"
                            .into(),
                    );
                }
                self.database_read_url = Some(v.into())
            }
            "audit_key" => {
                if v.len() < 16 {
                    return Err("must be at least 16 characters (a long random text)".into());
                }
                self.audit_key = Secret(Some(v.into()))
            }
            "bind" => self.bind = v.into(),
            "secure_cookies" => self.secure_cookies = matches!(v, "true" | "1" | "yes"),
            "session_hours" => self.session_hours = int(v)?,
            "login_max_failures" => self.login_max_failures = int(v)? as usize,
            "login_window_minutes" => self.login_window_minutes = int(v)?,
            "login_max_delay_seconds" => self.login_max_delay_seconds = int(v)?,
            "login_client_max_failures" => self.login_client_max_failures = int(v)? as usize,
            "trusted_proxies" => {
                self.trusted_proxies = v
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.parse()
                            .map_err(|_| format!("`{p}` is not an address or a CIDR block"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "open311_cors_origins" => {
                self.open311_cors_origins = v
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            }
            "open311_public_fields" => {
                let names: Vec<&str> = v
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect();
                self.open311_public = jixiao_app::settings::Open311Public::parse(&names)?
            }
            "open311_rate_per_minute" => {
                self.open311_rate_per_minute = v
                    .parse()
                    .map_err(|_| format!("`{v}` is not a whole number"))?
            }
            "password_min_length" => self.password_min_length = int(v)? as usize,
            "password_min_score" => {
                self.password_min_score = v
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 4)
                    .ok_or_else(|| format!("`{v}` is not a strength from 0 to 4"))?
            }
            "upload_max_bytes" => self.upload_max_bytes = int(v)? as usize,
            "evidence_max_bytes" => self.evidence_max_bytes = int(v)? as usize,
            "reminder_days" => self.reminder_days = int(v)?,
            "smtp_host" => self.smtp_host = Some(v.to_string()).filter(|h| !h.is_empty()),
            "smtp_port" => {
                self.smtp_port =
                    u16::try_from(int(v)?).map_err(|_| format!("`{v}` is not a port"))?
            }
            "smtp_from" => self.smtp_from = v.into(),
            "smtp_security" => {
                self.smtp_security = match v {
                    "none" => SmtpSecurity::None,
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    _ => return Err(format!("`{v}` is not one of none, starttls, tls")),
                }
            }
            "smtp_user" => self.smtp_user = Some(v.to_string()).filter(|u| !u.is_empty()),
            "smtp_password" => {
                self.smtp_password = Secret(Some(v.into()).filter(|p: &String| !p.is_empty()))
            }
            "public_url" => {
                let url = v.trim_end_matches('/');
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!("`{v}` is not an http:// or https:// address"));
                }
                self.public_url = Some(url.into())
            }
            "job_interval_seconds" => self.job_interval = Duration::from_secs(int(v)? as u64),
            "instance" => self.instance = v.into(),
            "today" => {
                self.today = Some(
                    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map_err(|_| format!("`{v}` is not a date like 2020-12-20"))?,
                )
            }
            "hotline_rules" => {
                self.hotline_rules =
                    Some(v.into()).filter(|p: &std::path::PathBuf| !p.as_os_str().is_empty())
            }
            "database_readers" => self.database_readers = int(v)? as usize,
            "file_max_unpacked_bytes" => self.files.max_unpacked_bytes = int(v)? as u64,
            "file_max_parts" => self.files.max_entries = int(v)? as usize,
            "sheet_max_cells" => self.files.max_cells = int(v)? as u64,
            "database_write_wait_ms" => {
                self.database_write_wait = Duration::from_millis(int(v)? as u64)
            }
            "claims_units" => {
                self.claims_units =
                    Some(v.into()).filter(|p: &std::path::PathBuf| !p.as_os_str().is_empty())
            }
            "report_wording" => {
                self.report_wording =
                    Some(v.into()).filter(|p: &std::path::PathBuf| !p.as_os_str().is_empty())
            }
            _ => return Err(format!("unknown key; expected one of: {}", KEYS.join(", "))),
        }
        Ok(())
    }
}

pub const KEYS: [&str; 37] = [
    "database_read_url",
    "open311_public_fields",
    "open311_cors_origins",
    "open311_rate_per_minute",
    "login_max_delay_seconds",
    "login_client_max_failures",
    "trusted_proxies",
    "password_min_length",
    "password_min_score",
    "file_max_unpacked_bytes",
    "file_max_parts",
    "sheet_max_cells",
    "database_readers",
    "database_write_wait_ms",
    "hotline_rules",
    "report_wording",
    "claims_units",
    "reminder_days",
    "smtp_host",
    "smtp_port",
    "smtp_from",
    "smtp_security",
    "smtp_user",
    "smtp_password",
    "public_url",
    "database_url",
    "audit_key",
    "bind",
    "secure_cookies",
    "session_hours",
    "login_max_failures",
    "login_window_minutes",
    "upload_max_bytes",
    "evidence_max_bytes",
    "job_interval_seconds",
    "instance",
    "today",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_which_overrides_the_defaults() {
        let file = "bind = \"0.0.0.0:9000\"\nsession_hours = 8\nsecure_cookies = true\n";
        let c = Config::load(Some(("jixiao.toml", file)), |k| {
            (k == "JIXIAO_SESSION_HOURS").then(|| "4".to_string())
        })
        .unwrap();
        assert_eq!(
            (c.bind.as_str(), c.session_hours, c.secure_cookies),
            ("0.0.0.0:9000", 4, true)
        );
        assert_eq!(c.login_max_failures, 5);
    }

    #[test]
    fn a_bad_key_or_value_is_named() {
        let e = Config::load(Some(("jixiao.toml", "sesion_hours = 3")), |_| None).unwrap_err();
        assert!(e.to_string().contains("`sesion_hours`: unknown key"), "{e}");
        let e = Config::load(None, |k| {
            (k == "JIXIAO_SESSION_HOURS").then(|| "many".to_string())
        })
        .unwrap_err();
        assert!(
            e.to_string().contains("JIXIAO_SESSION_HOURS")
                && e.to_string().contains("not a whole number"),
            "{e}"
        );
    }
}
