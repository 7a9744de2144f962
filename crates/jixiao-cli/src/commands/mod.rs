//! One module per group of commands; each parses what the command line gave, calls the
//! application (`jixiao-app`) as the office, and prints. [`dispatch`] routes a parsed command.

mod audit;
mod backup;
mod claims;
mod demo;
mod grid;
mod honours;
mod hotline;
mod reports;
mod scores;
mod sources;
mod taskbook;
mod users;
mod values;

use crate::cli::*;
use crate::support::{open, DEFAULT_DATABASE};
use anyhow::Result;
use jixiao_app::Actor;
use std::process::ExitCode;

pub use scores::ranking_table;

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let db = cli.database.as_deref().unwrap_or(DEFAULT_DATABASE);
    // The command line is the office's own tool: it acts as the office, named by --actor.
    let actor = Actor::office(&cli.actor);
    match cli.command {
        Command::Init => {
            let store = open(db)?;
            println!("数据库已就绪 database ready ({}): {db}", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { file, values } => taskbook::check(&file, values.as_deref()),
        Command::Import(Import::Taskbook { file }) => taskbook::import(db, &actor, &file),
        Command::Import(Import::Values { file, cycle, state }) => {
            values::import_values(db, &actor, &file, &cycle, state)
        }
        Command::Import(Import::Ledger { file, cycle }) => {
            values::import_ledger(db, &actor, &file, &cycle)
        }
        Command::Export(Export::Taskbook {
            cycle,
            format,
            output,
        }) => taskbook::export(db, &cycle, format, &output),
        Command::Export(Export::Scores {
            cycle,
            format,
            output,
            lang,
        }) => scores::export(db, &cycle, format, &output, &lang),
        Command::Score(args) => scores::score(db, &actor, &args),
        Command::Rank(args) => scores::rank(db, &args),
        Command::Explain(args) => scores::explain(db, &args),
        Command::Audit(Audit::Verify { expect_head }) => {
            audit::verify(db, &actor, expect_head.as_deref())
        }
        Command::Audit(Audit::Head) => audit::head(db, &actor),
        Command::Publication(cmd) => reports::publication(db, &actor, cmd),
        Command::Runs(cmd) => scores::runs(db, &actor, cmd),
        Command::VerifyPublication { bundle } => reports::verify_publication(&bundle),
        Command::Backup { output } => backup::backup(db, &actor, &output),
        Command::Restore { file, force } => backup::restore(db, &actor, &file, force),
        Command::Audit(Audit::Log { entity }) => audit::log(db, &actor, entity),
        Command::Demo(args) => demo::run(&args, cli.database.as_deref(), &actor),
        Command::Report(args) => reports::report(db, &actor, args),
        Command::Publish {
            cycle,
            withdraw,
            reason,
            period,
        } => reports::publish(
            db,
            &actor,
            &cycle,
            withdraw,
            period.as_deref(),
            reason.as_deref(),
        ),
        Command::Hotline(cmd) => hotline::run(db, &actor, cmd),
        Command::Cycle(CycleCommand::Next { from, id, output }) => {
            taskbook::next(db, &actor, &from, id, &output)
        }
        Command::Cycle(CycleCommand::Visibility { cycle, units_see }) => {
            reports::visibility(db, &actor, &cycle, units_see.as_deref())
        }
        Command::Claims(ClaimsCommand::Extract {
            file,
            format,
            units,
        }) => claims::extract(&file, format, units.as_deref()),
        Command::Claims(ClaimsCommand::Check {
            unit,
            cycle,
            file,
            json,
            units,
        }) => claims::check(
            db,
            &actor,
            unit.as_deref(),
            &cycle,
            &file,
            json,
            units.as_deref(),
        ),
        Command::Claims(ClaimsCommand::Eval {
            gold,
            document,
            documents,
        }) => claims::eval(&gold, document, documents.as_deref()),
        Command::Honours(HonoursCommand::Import { file, cycle }) => {
            honours::import(db, &actor, &file, &cycle)
        }
        Command::Honours(HonoursCommand::List { cycle, unit, json }) => {
            honours::list(db, &actor, &cycle, unit.as_deref(), json)
        }
        Command::Survey(SurveyCommand::Import {
            questionnaire,
            results,
            cycle,
        }) => sources::import_survey(db, &actor, &questionnaire, &results, &cycle),
        Command::Survey(SurveyCommand::List { cycle, json }) => {
            sources::list_surveys(db, &actor, &cycle, json)
        }
        Command::Supervision(SupervisionCommand::Import { file, cycle }) => {
            sources::import_supervision(db, &actor, &file, &cycle)
        }
        Command::Supervision(SupervisionCommand::List { cycle, today, json }) => {
            sources::list_supervision(db, &actor, &cycle, today, json)
        }
        Command::Supervision(SupervisionCommand::Deductions { cycle, today }) => {
            sources::supervision_deductions(db, &actor, &cycle, today)
        }
        Command::Supervision(SupervisionCommand::Carry { from, to, deadline }) => {
            sources::carry_supervision(db, &actor, &from, &to, deadline)
        }
        Command::Grid(GridCommand::Feed { cycle, task }) => grid::feed(db, &actor, &cycle, &task),
        Command::Grid(GridCommand::Figures {
            month,
            level,
            district,
            json,
        }) => grid::figures(
            db,
            &actor,
            month.as_deref(),
            level.as_deref(),
            district.as_deref(),
            json,
        ),
        Command::Serve(args) => crate::serve::serve(&args, cli.database.as_deref()),
        Command::User(UserCommand::Add {
            id,
            name,
            role,
            unit,
            evaluator,
            email,
            organisation,
            password,
        }) => users::add(
            db,
            &actor,
            jixiao_app::accounts::NewUser {
                id,
                display_name: name,
                password,
                role,
                unit_id: unit,
                evaluator_id: evaluator,
                email,
                organisation,
            },
        ),
        Command::User(UserCommand::List) => users::list(db, &actor),
        Command::User(UserCommand::Deactivate { id }) => users::set_active(db, &actor, &id, false),
        Command::User(UserCommand::Activate { id }) => users::set_active(db, &actor, &id, true),
    }
}
