//! Scheduled jobs on a timer: each pass asks the application to do the slots that are due
//! ([`jixiao_app::jobs`]: period locks, reminder e-mails, hotline retention), claimed in the
//! database so that with several instances each slot runs once. Sending the e-mails is this
//! crate's part.

use crate::state::AppState;
use jixiao_app::{Actor, AppError};

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

/// The office as the author of what scheduled jobs write.
fn job_actor(state: &AppState) -> Actor {
    Actor::office(&format!("job:{}", state.config.instance))
}

/// One pass over every job; returns how many slots this instance ran.
pub async fn tick(state: &AppState) -> Result<usize, AppError> {
    Ok(lock_periods(state).await? + send_reminders(state).await? + erase_contacts(state).await?)
}

/// Erases expired requester contacts if this instance claims the day; returns 1 if it did.
pub async fn erase_contacts(state: &AppState) -> Result<usize, AppError> {
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    let ran = state
        .write(move |s, settings| jixiao_app::jobs::erase_contacts(s, settings, &actor, &instance))
        .await?;
    Ok(ran as usize)
}

/// Records each period whose deadline has passed, once.
pub async fn lock_periods(state: &AppState) -> Result<usize, AppError> {
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    state
        .write(move |s, settings| jixiao_app::jobs::lock_periods(s, settings, &actor, &instance))
        .await
}

/// Sends the day's reminder e-mails if this instance claims the day; returns 1 if it did.
pub async fn send_reminders(state: &AppState) -> Result<usize, AppError> {
    let Some(host) = state.config.smtp_host.clone() else {
        return Ok(0);
    };
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    let a = actor.clone();
    let mails = state
        .write(move |s, settings| jixiao_app::jobs::reminder_mails(s, settings, &a, &instance))
        .await?;
    let Some(mails) = mails.filter(|m| !m.is_empty()) else {
        return Ok(0);
    };
    let (port, from) = (state.config.smtp_port, state.config.smtp_from.clone());
    let sent = tokio::task::spawn_blocking(move || {
        use lettre::Transport;
        let transport = lettre::SmtpTransport::builder_dangerous(&host)
            .port(port)
            .build();
        let mut sent = Vec::new();
        for m in mails {
            let message = lettre::Message::builder()
                .from(
                    from.parse()
                        .map_err(|e| format!("smtp_from `{from}`: {e}"))?,
                )
                .to(m
                    .to
                    .parse()
                    .map_err(|e| format!("the e-mail address of {}: {e}", m.user))?)
                .subject(m.subject)
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(m.body)
                .map_err(|e| e.to_string())?;
            match transport.send(&message) {
                Ok(_) => sent.push(m.user),
                Err(e) => tracing::warn!(user = %m.user, error = %e, "reminder not sent"),
            }
        }
        Ok::<_, String>(sent)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)?;
    state
        .write(move |s, _| jixiao_app::jobs::reminders_sent(s, &actor, &sent))
        .await?;
    Ok(1)
}
