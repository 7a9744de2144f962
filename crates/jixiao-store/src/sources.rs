//! Assessment sources made of many answers: surveys (questionnaire and results per unit and
//! item), rating rounds (definition, status) with their ballots, and the bases of the values they
//! write (`value_bases`). Definitions are kept as the domain's JSON; this module only stores them.
//!
//! Ballots are secret: the office's read models aggregate them; the audit log records that a
//! rater cast a ballot, never its scores.

use crate::conn::{Row, Val};
use crate::{json, now, t, ImportOutcome, Result, Store, StoreError, ValueRow};
use jixiao_core::basis::{Basis, ItemResult};
use jixiao_core::{Framework, NodeIdx, UnitIdx};
use std::collections::HashMap;

/// A stored survey: its definition (questionnaire and mapping, JSON) and the results file's name.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSurvey {
    pub id: String,
    pub definition: String,
    pub source: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// A stored rating round: its definition (JSON) and status (`open` or `closed`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRound {
    pub id: String,
    pub definition: String,
    pub status: String,
    pub updated_at: String,
}

/// A survey as it is kept: its id, definition (JSON), the results file's name and the results.
pub struct NewSurvey<'a> {
    pub id: &'a str,
    pub definition: &'a str,
    pub source: &'a str,
    pub results: &'a [ItemResult],
}

/// What a source writes when it is applied: the values (approved, with their source) and each
/// one's basis.
pub struct SourceValues<'a> {
    pub rows: &'a [ValueRow],
    pub bases: &'a [(String, String, Basis)],
}

fn result_from(r: &Row) -> Result<ItemResult> {
    Ok(ItemResult {
        unit: r.text("unit_id")?,
        item: r.text("item_id")?,
        mean: r.real("mean")?.unwrap_or_default(),
        sample: r
            .int("sample")?
            .and_then(|x| u32::try_from(x).ok())
            .unwrap_or_default(),
        sd: r.real("sd")?,
    })
}

impl Store {
    /// The cycle's surveys, by id.
    pub fn surveys(&mut self, cycle: &str) -> Result<Vec<StoredSurvey>> {
        self.conn
            .query(
                "SELECT id, definition, source, updated_by, updated_at FROM surveys WHERE cycle_id = $1 ORDER BY id",
                &[t(cycle)],
            )?
            .iter()
            .map(|r| {
                Ok(StoredSurvey {
                    id: r.text("id")?,
                    definition: r.text("definition")?,
                    source: r.text("source")?,
                    updated_by: r.text("updated_by")?,
                    updated_at: r.text("updated_at")?,
                })
            })
            .collect()
    }

    /// A survey's results, by unit and item.
    pub fn survey_results(&mut self, cycle: &str, survey: &str) -> Result<Vec<ItemResult>> {
        self.conn
            .query(
                "SELECT unit_id, item_id, mean, sample, sd FROM survey_results WHERE cycle_id = $1 AND survey_id = $2 ORDER BY unit_id, item_id",
                &[t(cycle), t(survey)],
            )?
            .iter()
            .map(result_from)
            .collect()
    }

    /// Keeps a survey's definition and results (replacing the survey's earlier ones) and writes
    /// the values it gives, with their bases, in one transaction. The same survey twice changes
    /// nothing: `None` then, else the values' counts.
    pub fn save_survey(
        &mut self,
        cycle: &str,
        survey: NewSurvey<'_>,
        values: SourceValues<'_>,
        actor: &str,
    ) -> Result<Option<ImportOutcome>> {
        let NewSurvey {
            id,
            definition,
            source,
            results,
        } = survey;
        self.load_cycle(cycle)?;
        self.tx(|s| {
            let before = s.surveys(cycle)?.into_iter().find(|x| x.id == id);
            let same = before
                .as_ref()
                .is_some_and(|b| b.definition == definition && b.source == source)
                && s.survey_results(cycle, id)? == sorted(results);
            if same && s.bases_hold(cycle, values.bases)? {
                return Ok(None);
            }
            let at = now();
            s.conn.exec(
                "INSERT INTO surveys (cycle_id, id, definition, source, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (cycle_id, id) DO UPDATE SET definition = excluded.definition, source = excluded.source, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[t(cycle), t(id), t(definition), t(source), t(actor), t(&at)],
            )?;
            s.conn.exec(
                "DELETE FROM survey_results WHERE cycle_id = $1 AND survey_id = $2",
                &[t(cycle), t(id)],
            )?;
            for r in results {
                s.conn.exec(
                    "INSERT INTO survey_results (cycle_id, survey_id, unit_id, item_id, mean, sample, sd) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        t(cycle),
                        t(id),
                        t(&r.unit),
                        t(&r.item),
                        Val::Real(Some(r.mean)),
                        Val::Int(Some(i64::from(r.sample))),
                        Val::Real(r.sd),
                    ],
                )?;
            }
            s.audit_append(
                &at,
                actor,
                "survey.import",
                &format!("cycle/{cycle}/surveys/{id}"),
                before.map(|b| b.definition),
                Some(format!(
                    "{{\"definition\":{definition},\"source\":{},\"results\":{}}}",
                    json(&source),
                    results.len()
                )),
            )?;
            let out = s.write_source_values(cycle, values, actor)?;
            Ok(Some(out))
        })
    }

    /// Whether every basis is stored as it is.
    fn bases_hold(&mut self, cycle: &str, bases: &[(String, String, Basis)]) -> Result<bool> {
        for (task, unit, b) in bases {
            let stored = self.conn.query(
                "SELECT basis FROM value_bases WHERE cycle_id = $1 AND task_id = $2 AND unit_id = $3",
                &[t(cycle), t(task), t(unit)],
            )?;
            if stored.first().map(|r| r.text("basis")).transpose()? != Some(json(b)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Writes a source's values and bases inside the open transaction; the cycle's scores get a
    /// new data version even when only a basis changed.
    fn write_source_values(
        &mut self,
        cycle: &str,
        values: SourceValues<'_>,
        actor: &str,
    ) -> Result<ImportOutcome> {
        let out = self.import_values_in_tx(cycle, values.rows, actor, &mut |_| {})?;
        for (task, unit, b) in values.bases {
            self.conn.exec(
                "INSERT INTO value_bases (cycle_id, task_id, unit_id, basis) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (cycle_id, task_id, unit_id) DO UPDATE SET basis = excluded.basis",
                &[t(cycle), t(task), t(unit), t(&json(b))],
            )?;
        }
        self.bump_cycle_version(cycle)?;
        Ok(out)
    }

    /// The bases of the cycle's values, by task and unit (rows of tasks or units no longer in
    /// the cycle, or that do not parse, are left out).
    pub fn value_bases(&mut self, fw: &Framework) -> Result<HashMap<(NodeIdx, UnitIdx), Basis>> {
        Ok(self
            .conn
            .query(
                "SELECT task_id, unit_id, basis FROM value_bases WHERE cycle_id = $1",
                &[t(&fw.cycle.id)],
            )?
            .iter()
            .filter_map(|r| {
                let task = fw.node_index(&r.text("task_id").ok()?)?;
                let unit = fw.unit_index(&r.text("unit_id").ok()?)?;
                let basis = serde_json::from_str(&r.text("basis").ok()?).ok()?;
                Some(((task, unit), basis))
            })
            .collect())
    }

    // ------------------------------------------------------------------------------ rounds

    pub fn rating_rounds(&mut self, cycle: &str) -> Result<Vec<StoredRound>> {
        self.conn
            .query(
                "SELECT id, definition, status, updated_at FROM rating_rounds WHERE cycle_id = $1 ORDER BY updated_at, id",
                &[t(cycle)],
            )?
            .iter()
            .map(|r| {
                Ok(StoredRound {
                    id: r.text("id")?,
                    definition: r.text("definition")?,
                    status: r.text("status")?,
                    updated_at: r.text("updated_at")?,
                })
            })
            .collect()
    }

    /// Opens a round with its definition; a round with the same id is refused (409).
    pub fn open_round(
        &mut self,
        cycle: &str,
        id: &str,
        definition: &str,
        actor: &str,
    ) -> Result<()> {
        self.load_cycle(cycle)?;
        self.tx(|s| {
            if s.rating_rounds(cycle)?.iter().any(|r| r.id == id) {
                return Err(StoreError::Conflict(format!(
                    "cycle {cycle} has a rating round `{id}` already"
                )));
            }
            let at = now();
            s.conn.exec(
                "INSERT INTO rating_rounds (cycle_id, id, definition, status, updated_by, updated_at) VALUES ($1, $2, $3, 'open', $4, $5)",
                &[t(cycle), t(id), t(definition), t(actor), t(&at)],
            )?;
            s.audit_append(
                &at,
                actor,
                "round.open",
                &format!("cycle/{cycle}/rounds/{id}"),
                None,
                Some(definition.to_string()),
            )
        })
    }

    /// A rater's ballot: the scores given, replacing the rater's earlier scores of these units.
    /// Refused (409) once the round is closed. The audit entry names the rater and how many
    /// units, not the scores.
    pub fn cast_ballot(
        &mut self,
        cycle: &str,
        round: &str,
        rater: &str,
        scores: &[(String, f64)],
    ) -> Result<()> {
        self.tx(|s| {
            let status = s
                .rating_rounds(cycle)?
                .into_iter()
                .find(|r| r.id == round)
                .map(|r| r.status)
                .ok_or_else(|| StoreError::NotFound(format!("rating round `{round}`")))?;
            if status != "open" {
                return Err(StoreError::Conflict(format!(
                    "rating round `{round}` is closed"
                )));
            }
            let at = now();
            for (unit, score) in scores {
                s.conn.exec(
                    "INSERT INTO ballots (cycle_id, round_id, user_id, unit_id, score, submitted_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (cycle_id, round_id, user_id, unit_id) DO UPDATE SET score = excluded.score, submitted_at = excluded.submitted_at",
                    &[t(cycle), t(round), t(rater), t(unit), Val::Real(Some(*score)), t(&at)],
                )?;
            }
            s.audit_append(
                &at,
                rater,
                "ballot.cast",
                &format!("cycle/{cycle}/rounds/{round}/ballots/{rater}"),
                None,
                Some(format!("{{\"units\":{}}}", scores.len())),
            )
        })
    }

    /// The scores one rater gave in a round, by unit.
    pub fn ballot_of(
        &mut self,
        cycle: &str,
        round: &str,
        rater: &str,
    ) -> Result<Vec<(String, f64)>> {
        self.conn
            .query(
                "SELECT unit_id, score FROM ballots WHERE cycle_id = $1 AND round_id = $2 AND user_id = $3 ORDER BY unit_id",
                &[t(cycle), t(round), t(rater)],
            )?
            .iter()
            .map(|r| Ok((r.text("unit_id")?, r.real("score")?.unwrap_or_default())))
            .collect()
    }

    /// Every score of a round as (rater, unit, score), for aggregation only: callers show
    /// aggregates and completion, never a rater's scores to anyone else.
    pub fn round_scores(&mut self, cycle: &str, round: &str) -> Result<Vec<(String, String, f64)>> {
        self.conn
            .query(
                "SELECT user_id, unit_id, score FROM ballots WHERE cycle_id = $1 AND round_id = $2 ORDER BY user_id, unit_id",
                &[t(cycle), t(round)],
            )?
            .iter()
            .map(|r| {
                Ok((
                    r.text("user_id")?,
                    r.text("unit_id")?,
                    r.real("score")?.unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// Closes an open round and writes the values it gives with their bases, in one transaction.
    pub fn close_round(
        &mut self,
        cycle: &str,
        round: &str,
        values: SourceValues<'_>,
        actor: &str,
    ) -> Result<ImportOutcome> {
        self.tx(|s| {
            let at = now();
            let n = s.conn.exec(
                "UPDATE rating_rounds SET status = 'closed', updated_by = $3, updated_at = $4 WHERE cycle_id = $1 AND id = $2 AND status = 'open'",
                &[t(cycle), t(round), t(actor), t(&at)],
            )?;
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "rating round `{round}` is not open"
                )));
            }
            s.audit_append(
                &at,
                actor,
                "round.close",
                &format!("cycle/{cycle}/rounds/{round}"),
                None,
                Some(format!("{{\"values\":{}}}", values.rows.len())),
            )?;
            s.write_source_values(cycle, values, actor)
        })
    }
}

fn sorted(results: &[ItemResult]) -> Vec<ItemResult> {
    let mut v = results.to_vec();
    v.sort_by(|a, b| (&a.unit, &a.item).cmp(&(&b.unit, &b.item)));
    v
}
