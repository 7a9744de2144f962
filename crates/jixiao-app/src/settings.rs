//! What the office configures that use cases need: the date deadlines are judged against,
//! limits, login throttling, the report wording and the hotline rules. The server builds it
//! from its configuration file; the command line from its options.

use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The date deadlines are judged against; `None` is the real date (a fixed date serves
    /// demonstrations and tests of past cycles).
    pub today: Option<NaiveDate>,
    /// Largest evidence file accepted.
    pub evidence_max_bytes: usize,
    /// Values due within this many days are reminded.
    pub reminder_days: i64,
    /// How long a login lasts.
    pub session_hours: i64,
    /// Failed logins of one account within the window before its further attempts slow down.
    pub login_max_failures: usize,
    pub login_window_minutes: i64,
    /// The longest wait between attempts on an account under attack.
    pub login_max_delay_seconds: i64,
    /// Failed logins from one client address within the window before it is refused.
    pub login_client_max_failures: usize,
    /// Passwords need at least this many characters.
    pub password_min_length: usize,
    /// and at least this zxcvbn strength (0 guessable at once … 4 very hard to guess).
    pub password_min_score: u8,
    /// What Open311 answers without an API key hold beyond the service, status, dates and the
    /// grid cell: nothing more by default (12345 complaints are not public).
    pub open311_public: Open311Public,
    /// Wording of generated reports.
    pub wording: jixiao_report::wording::Wording,
    /// The 接诉即办 rules.
    pub hotline: jixiao_hotline::HotlineConfig,
    /// The units of measure report checking reads (the built-in ones and the office's own).
    pub claims_units: jixiao_claims::units::Vocabulary,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            today: None,
            evidence_max_bytes: 5 * 1024 * 1024,
            reminder_days: 7,
            session_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            login_max_delay_seconds: 60,
            login_client_max_failures: 20,
            password_min_length: 10,
            password_min_score: 3,
            open311_public: Open311Public::default(),
            wording: jixiao_report::wording::Wording::default(),
            hotline: jixiao_hotline::HotlineConfig::default(),
            claims_units: jixiao_claims::units::built_in().clone(),
        }
    }
}

impl Settings {
    /// The date deadlines are judged against.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The instant hotline work is judged and recorded at: now, or, when the office's date is
    /// set (the demo's), that date at the present time of day in the hotline's time zone.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let real = chrono::Utc::now();
        let Some(day) = self.today else {
            return real;
        };
        let tz = self.hotline.timezone;
        let local = day.and_time(real.with_timezone(&tz).time());
        chrono::TimeZone::from_local_datetime(&tz, &local)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or(real)
    }
}

/// Fields of a hotline request the office makes public through Open311 (all off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Open311Public {
    /// The requester's description of the problem.
    pub description: bool,
    /// The address as the requester gave it.
    pub address: bool,
    /// The exact point instead of the grid cell's centre.
    pub exact_point: bool,
    /// The URL of the requester's photo.
    pub media_url: bool,
    /// The service attributes the requester filled in.
    pub attributes: bool,
}

impl Open311Public {
    /// From a list of field names: `description`, `address`, `exact_point`, `media_url`,
    /// `attributes`.
    pub fn parse(names: &[&str]) -> Result<Open311Public, String> {
        let mut p = Open311Public::default();
        for n in names {
            match *n {
                "description" => p.description = true,
                "address" => p.address = true,
                "exact_point" => p.exact_point = true,
                "media_url" => p.media_url = true,
                "attributes" => p.attributes = true,
                other => {
                    return Err(format!(
                        "`{other}` is not a field Open311 can make public; expected description, address, exact_point, media_url or attributes"
                    ))
                }
            }
        }
        Ok(p)
    }
}
