//! Scheduled jobs. Each run claims its slot in the database first, so with several instances on
//! one database every job runs once, not once per instance.
//!
//! - `period.lock`: when a period's deadline has passed, its values lock (the lock itself is
//!   judged from the date on every write); the job records the moment in the audit log once.

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
