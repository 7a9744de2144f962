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
    let hour = chrono::Utc::now().format("%Y-%m-%dT%H").to_string();
    Ok(lock_periods(state).await?
        + send_reminders(state).await?
        + send_notices(state, &hour).await?
        + erase_contacts(state).await?)
}

/// Erases expired requester contacts if this instance claims the day; returns 1 if it did.
/// Each batch is a write of its own: logins and saved values are served between them, however
/// many contacts expired (the first run on years of imported cases erases millions).
pub async fn erase_contacts(state: &AppState) -> Result<usize, AppError> {
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    let a = actor.clone();
    let claimed = state
        .write(move |s, settings| {
            jixiao_app::jobs::claim_contact_retention(s, settings, &a, &instance)
        })
        .await?;
    let Some(before) = claimed else {
        return Ok(0);
    };
    let mut erased = 0;
    loop {
        let a = actor.clone();
        let (n, finished) = state
            .write(move |s, _| jixiao_app::jobs::erase_contacts_batch(s, &a, before))
            .await?;
        erased += n;
        if finished {
            break;
        }
    }
    if erased > 0 {
        tracing::info!(erased, "hotline contacts past retention erased");
    }
    Ok(1)
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
    if state.config.smtp_host.is_none() {
        return Ok(0);
    }
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    let a = actor.clone();
    let mails = state
        .write(move |s, settings| jixiao_app::jobs::reminder_mails(s, settings, &a, &instance))
        .await?;
    let Some(mails) = mails.filter(|m| !m.is_empty()) else {
        return Ok(0);
    };
    let sent = deliver(state, mails).await?;
    state
        .write(move |s, _| jixiao_app::jobs::reminders_sent(s, &actor, &sent))
        .await?;
    Ok(1)
}

/// Sends the hour's notification digests if this instance claims `hour` (an hour of UTC such
/// as `2020-12-21T09`); returns 1 if it did.
pub async fn send_notices(state: &AppState, hour: &str) -> Result<usize, AppError> {
    if state.config.smtp_host.is_none() {
        return Ok(0);
    }
    let (actor, instance) = (job_actor(state), state.config.instance.clone());
    let (a, hour, url) = (actor.clone(), hour.to_string(), state.config.public_url());
    let digests = state
        .write(move |s, _| jixiao_app::jobs::notice_mails(s, &a, &instance, &hour, &url))
        .await?;
    let Some(digests) = digests else {
        return Ok(0);
    };
    let newest: std::collections::HashMap<String, i64> = digests
        .iter()
        .map(|d| (d.mail.user.clone(), d.newest))
        .collect();
    let sent = deliver(state, digests.into_iter().map(|d| d.mail).collect()).await?;
    let sent: Vec<(String, i64)> = sent
        .into_iter()
        .filter_map(|u| newest.get(&u).map(|n| (u, *n)))
        .collect();
    state
        .write(move |s, _| jixiao_app::jobs::notices_mailed(s, &actor, &sent))
        .await?;
    Ok(1)
}

/// The relay as configured: plain, STARTTLS or TLS, with the account when one is set.
fn transport(config: &crate::config::Config, host: &str) -> Result<lettre::SmtpTransport, String> {
    use crate::config::SmtpSecurity;
    let builder = match config.smtp_security {
        SmtpSecurity::None => lettre::SmtpTransport::builder_dangerous(host),
        SmtpSecurity::StartTls => lettre::SmtpTransport::starttls_relay(host)
            .map_err(|e| format!("smtp_host `{host}`: {e}"))?,
        SmtpSecurity::Tls => {
            lettre::SmtpTransport::relay(host).map_err(|e| format!("smtp_host `{host}`: {e}"))?
        }
    };
    let builder = builder.port(config.smtp_port);
    let builder = match (&config.smtp_user, &config.smtp_password.0) {
        (Some(user), Some(password)) => {
            builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                password.clone(),
            ))
        }
        _ => builder,
    };
    Ok(builder.build())
}

/// Sends the mails through the relay; answers the users whose mail was accepted (a refused one
/// is logged and tried again with the next slot's mail).
async fn deliver(
    state: &AppState,
    mails: Vec<jixiao_app::jobs::Mail>,
) -> Result<Vec<String>, AppError> {
    let Some(host) = state.config.smtp_host.clone() else {
        return Ok(Vec::new());
    };
    let config = state.config.clone();
    tokio::task::spawn_blocking(move || {
        use lettre::Transport;
        let transport = transport(&config, &host)?;
        let from = config.smtp_from.clone();
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
                Err(e) => tracing::warn!(user = %m.user, error = %e, "mail not sent"),
            }
        }
        Ok::<_, String>(sent)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Secret, SmtpSecurity};

    /// Each security setting makes its kind of relay (STARTTLS and TLS need a TLS library at
    /// hand, which a build without one would only find out when the first mail is due).
    #[test]
    fn every_smtp_security_setting_builds_its_relay() {
        for security in [
            SmtpSecurity::None,
            SmtpSecurity::StartTls,
            SmtpSecurity::Tls,
        ] {
            let config = Config {
                smtp_host: Some("mail.example.gov.cn".into()),
                smtp_port: 587,
                smtp_security: security,
                smtp_user: Some("jixiao".into()),
                smtp_password: Secret(Some("secret".into())),
                ..Config::default()
            };
            assert!(
                transport(&config, "mail.example.gov.cn").is_ok(),
                "{security:?}"
            );
        }
    }
}
