//! Scheduled jobs. Each run claims its slot in the database first, so with several instances on
//! one database every job runs once, not once per instance.
//!
//! - `period.lock`: when a period's deadline has passed, its values lock (the lock itself is
//!   judged from the date on every write); the job records the moment in the audit log once.
//! - `reminders.email`: once a day, when an SMTP server is configured, every reporter with an
//!   e-mail address whose unit has values due soon or overdue gets a list of them.
//! - `hotline.retention`: once a day, requester contacts of hotline cases closed longer ago than
//!   the rules' retention period are erased (Personal Information Protection Law).

use crate::state::AppState;

pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&state).await {
            tracing::warn!(error = %e, "scheduled job failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(state.config.job_interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One pass over every job; returns how many slots this instance ran.
pub async fn tick(state: &AppState) -> Result<usize, crate::error::AppError> {
    Ok(lock_periods(state).await? + send_reminders(state).await? + erase_contacts(state).await?)
}

/// Erases expired requester contacts if this instance claims the day; returns 1 if it did.
pub async fn erase_contacts(state: &AppState) -> Result<usize, crate::error::AppError> {
    let today = state.config.today();
    let instance = state.config.instance.clone();
    let days = state.hotline.retention_days;
    state
        .db(move |s| {
            if !s.claim_job("hotline.retention", &today.to_string(), &instance)? {
                return Ok(0);
            }
            let before = chrono::TimeZone::from_utc_datetime(
                &chrono::Utc,
                &(today - chrono::Duration::days(days))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight"),
            );
            let n = s.hotline_erase_contacts(before, &format!("job:{instance}"))?;
            if n > 0 {
                tracing::info!(erased = n, "hotline contacts past retention erased");
            }
            Ok(1)
        })
        .await
}

/// Sends the day's reminder e-mails if this instance claims the day; returns 1 if it did.
pub async fn send_reminders(state: &AppState) -> Result<usize, crate::error::AppError> {
    let Some(host) = state.config.smtp_host.clone() else {
        return Ok(0);
    };
    let today = state.config.today();
    let (instance, days) = (state.config.instance.clone(), state.config.reminder_days);
    let mails = state
        .db(move |s| {
            if !s.claim_job("reminders.email", &today.to_string(), &instance)? {
                return Ok(Vec::new());
            }
            let users = s.users()?;
            let mut mails = Vec::new();
            for (cycle, _) in s.cycles()? {
                let fw = s.load_cycle(&cycle)?;
                let values = s.values(&cycle)?;
                for r in crate::view::reminders(&fw, &values, today, days) {
                    for u in users.iter().filter(|u| {
                        u.active
                            && u.role == "reporter"
                            && u.unit_id.as_deref() == Some(r.unit_id.as_str())
                    }) {
                        if let Some(to) = &u.email {
                            mails.push((
                                u.id.clone(),
                                to.clone(),
                                format!("[jixiao] {} 绩效填报提醒 ({cycle})", r.unit_name),
                                crate::view::reminder_text(&cycle, &r),
                            ));
                        }
                    }
                }
            }
            Ok(mails)
        })
        .await?;
    if mails.is_empty() {
        return Ok(0);
    }
    let (port, from) = (state.config.smtp_port, state.config.smtp_from.clone());
    let sent = tokio::task::spawn_blocking(move || {
        use lettre::Transport;
        let transport = lettre::SmtpTransport::builder_dangerous(&host)
            .port(port)
            .build();
        let mut sent = Vec::new();
        for (user, to, subject, body) in mails {
            let message = lettre::Message::builder()
                .from(
                    from.parse()
                        .map_err(|e| format!("smtp_from `{from}`: {e}"))?,
                )
                .to(to
                    .parse()
                    .map_err(|e| format!("the e-mail address of {user}: {e}"))?)
                .subject(subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(body)
                .map_err(|e| e.to_string())?;
            match transport.send(&message) {
                Ok(_) => sent.push(user),
                Err(e) => tracing::warn!(user = %user, error = %e, "reminder not sent"),
            }
        }
        Ok::<_, String>(sent)
    })
    .await
    .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
    .map_err(crate::error::AppError::Internal)?;
    let actor = format!("job:{}", state.config.instance);
    state
        .db(move |s| {
            for user in &sent {
                s.record_event(&actor, "reminder.sent", &format!("user/{user}"), None)?;
            }
            Ok(())
        })
        .await?;
    Ok(1)
}

/// Records each period whose deadline has passed, once.
pub async fn lock_periods(state: &AppState) -> Result<usize, crate::error::AppError> {
    let today = state.config.today();
    let instance = state.config.instance.clone();
    state
        .db(move |s| {
            let mut ran = 0;
            for (cycle, _) in s.cycles()? {
                let fw = s.load_cycle(&cycle)?;
                for p in fw.cycle.periods.iter().filter(|p| p.deadline < today) {
                    let slot = format!("{cycle}/{}", p.id);
                    if s.claim_job("period.lock", &slot, &instance)? {
                        s.record_event(
                            &format!("job:{instance}"),
                            "period.lock",
                            &format!("cycle/{cycle}/period/{}", p.id),
                            Some(format!("{{\"deadline\":\"{}\"}}", p.deadline)),
                        )?;
                        ran += 1;
                    }
                }
            }
            Ok(ran)
        })
        .await
}
