//! Command-line arguments (clap derive; the doc comments are the help text).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// jixiao (绩效): government performance management — task books, scoring that explains every
/// number, rankings.
#[derive(Debug, Parser)]
#[command(name = "jixiao", version, about, long_about = None)]
pub struct Cli {
    /// Database URL: a SQLite file path or sqlite://PATH (default ./jixiao.sqlite), or
    /// postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "JIXIAO_DATABASE_URL")]
    pub database: Option<String>,
    /// Who is acting, recorded in the audit log.
    #[arg(long, global = true, env = "JIXIAO_ACTOR", default_value = "cli")]
    pub actor: String,
    /// Log more (repeat for debug output).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or bring its schema up to date).
    Init,
    /// Check a task book (.toml or .xlsx) and report every error with its location; with
    /// --values, also a value file against it (bounds of each task's values, jumps listed).
    Check {
        file: PathBuf,
        /// A value file (.csv or .xlsx) to check against the task book.
        #[arg(long)]
        values: Option<PathBuf>,
    },
    /// Import a task book, values or ledger entries. Every row is checked first; a file with
    /// any error writes nothing. Importing the same file twice changes nothing.
    #[command(subcommand)]
    Import(Import),
    /// Export a task book, or scores with their explanations.
    #[command(subcommand)]
    Export(Export),
    /// Score a cycle, keep the result, and print each unit's total, grade and rank.
    Score(ScoreArgs),
    /// Print the ranking, overall or within a group; with --robustness, how stable each rank is.
    Rank(RankArgs),
    /// Explain how a unit's score was reached: the total, or one task or indicator.
    Explain(ExplainArgs),
    /// The audit log.
    #[command(subcommand)]
    Audit(Audit),
    /// Kept score runs: list them, or compare two (figures and the inputs that moved them).
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Versions of a cycle's publication and their replay bundles.
    #[command(subcommand)]
    Publication(PublicationCommand),
    /// Check a publication's replay bundle (downloaded from /public/CYCLE/versions/N.json or
    /// written by `jixiao publication bundle`): its SHA-256, and every published figure
    /// recomputed from its inputs. Needs no database. Exits non-zero when anything differs.
    VerifyPublication {
        /// The bundle file (JSON).
        bundle: std::path::PathBuf,
    },
    /// Back up the database while servers keep running: a consistent copy of a SQLite
    /// database, or a pg_dump archive (custom format) of a PostgreSQL one.
    Backup {
        /// Where the copy goes; an existing file is not overwritten.
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Restore a backup into the database (--database). Stop the servers first. The backup is
    /// checked (a jixiao database whose audit log verifies) before anything is replaced.
    Restore {
        file: std::path::PathBuf,
        /// Replace a database that exists already.
        #[arg(long)]
        force: bool,
    },
    /// Build the Beijing 2020 demo cycle into a fresh database, score it, print the ranking and
    /// serve it with demo accounts.
    Demo(DemoArgs),
    /// Serve the web application and the JSON API.
    Serve(ServeArgs),
    /// Accounts of the web application.
    #[command(subcommand)]
    User(UserCommand),
    /// Quantitative claims of a narrative report.
    #[command(subcommand)]
    Claims(ClaimsCommand),
    /// The honours and external assessments register (荣誉和外部考核登记) that report checking
    /// compares ranks, streaks and honours with.
    #[command(subcommand)]
    Honours(HonoursCommand),
    /// 市民评议: a survey's questionnaire and the survey company's results, each unit's score with
    /// its margin of error entering the survey's task.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// 督查督办: supervision items with their warnings, the deductions the rules give, and
    /// carrying pending items into the next cycle.
    #[command(subcommand)]
    Supervision(SupervisionCommand),
    /// 网格化管理: the monthly grid figures of the patrol reports, and task A23-1 fed from them.
    #[command(subcommand)]
    Grid(GridCommand),
    /// Write a report: a unit's self-assessment report (self), the office's results report
    /// (results) or a unit's task self-check table (selfcheck).
    Report(ReportArgs),
    /// Publish a cycle's results on the public pages (or withdraw them with --withdraw).
    Publish {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long)]
        withdraw: bool,
        /// Why results already published are published again (更正原因): required when they
        /// changed; the new version shows it in its correction notice.
        #[arg(long)]
        reason: Option<String>,
        /// Publish this period's ranking (季度排名: the figures of the periods up to it) instead
        /// of the year's results.
        #[arg(long, conflicts_with = "withdraw")]
        period: Option<String>,
    },
    /// Cycles of assessment.
    #[command(subcommand)]
    Cycle(CycleCommand),
    /// 接诉即办: hotline cases, their monthly assessment, Open311 keys.
    #[command(subcommand)]
    Hotline(HotlineCommand),
}

#[derive(Debug, Args)]
pub struct RulesArg {
    /// Hotline rules (TOML: weights, deadlines, time zone, retention; see docs/hotline.md).
    /// Default: the built-in rules, whose figures DOMAIN.md marks as unconfirmed.
    #[arg(long, env = "JIXIAO_HOTLINE_RULES")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HotlineCommand {
    /// Store the geography (district → street → community → grid) and the category catalogue:
    /// from files, or the built-in Beijing ones (16 districts with their real boundaries, 343
    /// illustrative streets).
    Init {
        /// A GeoJSON FeatureCollection of areas with their boundaries (properties id, name,
        /// level, parent), or `id,name,level,parent[,lat,lon]` CSV (centres only).
        #[arg(long)]
        geography: Option<PathBuf>,
        /// The category catalogue: `code,name` CSV, two digits per level (default: the built-in one).
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// The month (YYYY-MM) the geography file comes into force: a re-division. Areas of the
        /// stored geography the file no longer has are retired from then (cases and reports of
        /// before keep their cells); new ones are in force from then. Without it the file
        /// replaces the geography.
        #[arg(long, requires = "geography", conflicts_with = "catalogue")]
        effective_from: Option<String>,
        /// Communities per street and grid cells per community of the built-in geography.
        #[arg(long, default_value_t = 4)]
        communities: usize,
        #[arg(long, default_value_t = 4)]
        grids: usize,
    },
    /// Write the stored geography (or, before `init`, the built-in one) as GeoJSON with every
    /// area's boundary: the file `init --geography` reads, a start for an office's own.
    Geography {
        /// The GeoJSON file to write.
        #[arg(long)]
        output: PathBuf,
    },
    /// Generate realistic synthetic Beijing cases, into a CSV file or straight into the database.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 2020)]
        seed: u64,
        #[arg(long, default_value_t = 2020)]
        year: i32,
        /// Write CSV (jixiao's export format) here instead of into the database.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Import a CSV or xlsx export through a mapping file: every row is checked first, then all
    /// are imported in one transaction; the same file twice changes nothing.
    Import {
        file: PathBuf,
        /// The mapping (examples/hotline/mappings/*.toml); default: jixiao's own export format.
        #[arg(long)]
        mapping: Option<PathBuf>,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// The monthly ranking by the three rates and the composite score.
    Rank {
        /// YYYY-MM (default: the latest month with cases).
        #[arg(long)]
        month: Option<String>,
        /// Rank districts instead of streets.
        #[arg(long)]
        districts: bool,
        /// Only the streets of this district.
        #[arg(long)]
        district: Option<String>,
        /// Only categories starting with this code.
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Give a task of a performance cycle its value from the hotline assessment: each district's
    /// mean monthly composite score over the cycle's year (approved, source noted).
    Feed {
        #[command(flatten)]
        cycle: CycleArg,
        /// The task the hotline score feeds, e.g. A22-1.
        #[arg(long)]
        task: String,
        /// A 每月一题 (e.g. P2020-07-0301): the task takes the districts' scores on its category
        /// from its month on, for the districts of its streets.
        #[arg(long)]
        problem: Option<String>,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Time the queries the dashboard makes (the month's district ranking, and a district's
    /// streets for one category), as JSON: median and slowest of `runs`, in milliseconds.
    QueryBench {
        #[arg(long)]
        month: String,
        #[arg(long, default_value = "dongcheng")]
        district: String,
        #[arg(long, default_value = "01")]
        category: String,
        #[arg(long, default_value_t = 30)]
        runs: usize,
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Recompute every rollup counter from the cases (from their packs, the compact copy of
    /// what the counters depend on; with --from-rows, from the case rows, rewriting the packs).
    Rebuild {
        /// Read every case row instead of the packs, and write the packs again (slow; repairs).
        #[arg(long)]
        from_rows: bool,
    },
    /// Erase requester contacts of cases closed longer ago than the retention period.
    EraseContacts {
        #[command(flatten)]
        rules: RulesArg,
    },
    /// Open311 API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key for a client (printed once; only its hash is stored).
    Create {
        #[arg(long)]
        name: String,
    },
    /// List the keys: id, client, made by, made at, revoked at (never the keys).
    List,
    /// Revoke a key by its id: its client is refused from the next request on.
    Revoke {
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CycleCommand {
    /// Write next year's task book from a stored cycle: the same indicators and tasks with dates
    /// moved a year on, targets carried over to be re-set, and each unit's rectification items
    /// (整改事项) as tasks of its own. The file is checked and written, not imported: review it,
    /// then `jixiao import taskbook FILE`.
    Next {
        /// The cycle to copy from.
        #[arg(long)]
        from: String,
        /// Id of the new cycle (default: the next year).
        #[arg(long)]
        id: Option<String>,
        /// Where to write the task book (.toml or .xlsx).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Print, or set, what units see of their own scores before publication: `status` (their
    /// tasks' status only, the default), `task_scores`, or `total_and_rank`.
    Visibility {
        #[command(flatten)]
        cycle: CycleArg,
        units_see: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportKind {
    #[value(name = "self")]
    SelfReport,
    Results,
    Selfcheck,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Docx,
    Html,
    Md,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    pub kind: ReportKind,
    #[command(flatten)]
    pub cycle: CycleArg,
    /// Unit id or name (self and selfcheck), e.g. 东城区.
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    #[arg(long, short)]
    pub output: PathBuf,
    /// A wording file replacing some of the default phrases (see docs/reports.md).
    #[arg(long, env = "JIXIAO_REPORT_WORDING")]
    pub wording: Option<PathBuf>,
    /// The date printed on the report (default: today).
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum GridCommand {
    /// Give a task of a performance cycle (A23-1 网格化管理问题处置率) each district's disposal
    /// rate (处置率: disposed ÷ found, %) over the cycle's year (approved, source noted).
    Feed {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long, default_value = "A23-1")]
        task: String,
    },
    /// A month's figures per area: found (发现数), disposed on the spot (自处率), disposed
    /// (处置率), on time (按时处置率).
    Figures {
        /// 2020-06; default: the newest month with reports.
        #[arg(long)]
        month: Option<String>,
        /// district (default), street, community or grid.
        #[arg(long)]
        level: Option<String>,
        /// Only this district's areas.
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SupervisionCommand {
    /// Import the office's item list (CSV or xlsx: 编号 id, 事项 title, 来源 source, 来源文件
    /// source_ref, 单位 unit, 办结期限 deadline, 销号所需材料 evidence); every row checked
    /// first, the same file twice changes nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        cycle: CycleArg,
    },
    /// Every item, most urgent first, with its warning and deduction on the office's date.
    List {
        #[command(flatten)]
        cycle: CycleArg,
        /// The date to judge deadlines on (default today).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Enter the deductions the rules give for overdue and failed items in the ledger (once).
    Deductions {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Carry the pending items of a cycle into the next one with a new deadline.
    Carry {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        deadline: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Import a questionnaire (TOML: items, weights, scale, the task, the columns of the results
    /// file) with the company's results (CSV or xlsx, one row per unit). Both are checked whole
    /// first; the same files twice change nothing.
    Import {
        questionnaire: PathBuf,
        results: PathBuf,
        #[command(flatten)]
        cycle: CycleArg,
    },
    /// The cycle's surveys: each unit's score, margin of error and sample.
    List {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HonoursCommand {
    /// Entries from CSV or xlsx: unit, name, issuer, period [, rank, scope, streak, note]
    /// (单位, 名称, 授予机关, 期间, 名次, 范围, 连续次数, 备注); every row checked first, the same
    /// file twice changes nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        cycle: CycleArg,
    },
    /// The register: every entry with its state.
    List {
        #[command(flatten)]
        cycle: CycleArg,
        /// Only this unit's entries.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// List every quantitative claim of a report (plain text, Markdown or Word .docx).
    Extract {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ClaimsFormat::Table)]
        format: ClaimsFormat,
        /// An office's units of measure (TOML [[unit]] tables, added to the built-in ones; see
        /// crates/jixiao-claims/data/units.toml).
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Check a report: every 项目支出绩效自评表 in it against its own arithmetic (执行率, 得分,
    /// totals; no database needed), and with --unit every claim against the unit's stored values
    /// (consistent, inconsistent with both numbers, or unmatched). Exits 1 when a 自评表 does not
    /// add up.
    Check {
        /// Unit id or name, e.g. 东城区: also check the claims against its stored values.
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        cycle: CycleArg,
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// An office's units of measure (as for `extract`).
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Measure extraction against a hand-annotated gold file: precision, recall, metric and kind
    /// agreement, and what was missed. A gold set (several documents, `documents` in the file) is
    /// measured per document and per shape.
    Eval {
        gold: PathBuf,
        /// The annotated report; by default the gold file's `document`, looked for beside the
        /// folders above the gold file.
        #[arg(long)]
        document: Option<PathBuf>,
        /// For a gold set: the folder holding its documents' texts as NAME.txt (they are not in
        /// the repository; each document's `source` says where it was published).
        #[arg(long)]
        documents: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClaimsFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
    #[arg(long)]
    pub bind: Option<String>,
    /// Configuration file (TOML; see docs/configuration.md). JIXIAO_* variables override it.
    #[arg(long, env = "JIXIAO_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (an existing id is refused). The password comes from
    /// JIXIAO_NEW_PASSWORD or --password and must pass the password policy.
    Add {
        /// Login name.
        #[arg(long)]
        id: String,
        /// Name shown on pages.
        #[arg(long)]
        name: String,
        /// admin, evaluator, reporter, centre (12345 hotline centre), handler (a street's
        /// hotline case handler), inspector (a grid inspector) or rater (评议人: scores units in
        /// the rating rounds that name it).
        #[arg(long)]
        role: String,
        /// The unit a reporter reports for; a handler's street or department (an area id of the
        /// hotline geography).
        #[arg(long)]
        unit: Option<String>,
        /// The evaluating unit an evaluator acts for.
        #[arg(long)]
        evaluator: Option<String>,
        /// Where reminders go.
        #[arg(long)]
        email: Option<String>,
        /// The organisation below the city the account belongs to (分级考评: a district
        /// office, its departments and streets work only in that organisation's cycles).
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long, env = "JIXIAO_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// List accounts.
    List,
    /// Deactivate an account: its sessions and API tokens end at once.
    Deactivate {
        #[arg(long)]
        id: String,
    },
    /// Activate a deactivated account again.
    Activate {
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Import {
    /// A task book (.toml or .xlsx); creates or updates its cycle.
    Taskbook { file: PathBuf },
    /// Values from CSV or xlsx: unit, task, period, value [, note, source, evidence, state].
    Values {
        file: PathBuf,
        #[command(flatten)]
        cycle: CycleArg,
        /// State of rows whose file gives none.
        #[arg(long, value_enum, default_value_t = StateArg::Approved)]
        state: StateArg,
    },
    /// Bonus and deduction entries from CSV or xlsx: unit, kind, points, reason, approver [, date].
    Ledger {
        file: PathBuf,
        #[command(flatten)]
        cycle: CycleArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateArg {
    Draft,
    Submitted,
    Approved,
}

#[derive(Debug, Subcommand)]
pub enum Export {
    /// The stored task book as TOML or xlsx.
    Taskbook {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long, value_enum, default_value_t = BookFormat::Toml)]
        format: BookFormat,
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Every unit's score of every node, with the explanation of each, as xlsx or CSV.
    Scores {
        #[command(flatten)]
        cycle: CycleArg,
        #[arg(long, value_enum, default_value_t = TableFormat::Xlsx)]
        format: TableFormat,
        #[arg(long, short)]
        output: PathBuf,
        #[command(flatten)]
        lang: LangArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BookFormat {
    Toml,
    Xlsx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TableFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct CycleArg {
    /// Cycle id (default: the newest cycle in the database).
    #[arg(long)]
    pub cycle: Option<String>,
}

#[derive(Debug, Args)]
pub struct LangArg {
    /// Language of explanations: zh (default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub cycle: CycleArg,
    /// Print the full result as JSON.
    #[arg(long)]
    pub json: bool,
    /// An in-year snapshot: count only the values of the periods up to this one (Q3 gives the
    /// 三季度 standing), and ledger entries dated by its end.
    #[arg(long, conflicts_with = "as_of")]
    pub period: Option<String>,
    /// Count only the periods that ended on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct RankArgs {
    #[command(flatten)]
    pub cycle: CycleArg,
    /// Rank within this group (id or name) instead of overall.
    #[arg(long)]
    pub group: Option<String>,
    /// Also show every group's ranking.
    #[arg(long, conflicts_with = "group")]
    pub by_group: bool,
    /// Perturb the weights many times and report each unit's rank range (OECD/JRC uncertainty
    /// analysis).
    #[arg(long)]
    pub robustness: bool,
    /// Number of perturbed draws.
    #[arg(long, default_value_t = 1000)]
    pub draws: usize,
    /// Seed of the draws: the same seed gives the same result.
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Each weight is multiplied by a factor in [1 − spread, 1 + spread].
    #[arg(long, default_value_t = 0.2)]
    pub spread: f64,
    /// Also draw the normalisation of normalised tasks.
    #[arg(long)]
    pub vary_normalisation: bool,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub cycle: CycleArg,
    /// Unit id or name, e.g. 东城区.
    #[arg(long)]
    pub unit: String,
    /// Task or indicator id or name; without it, the unit's total is explained.
    #[arg(long)]
    pub task: Option<String>,
    /// Output as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Subcommand)]
pub enum Audit {
    /// Check the hash chain and the data: fails if any entry was edited, removed or inserted,
    /// or any audited row (values, ledger, grades, accounts, texts, publications, hotline
    /// cases and events) disagrees with the log. With JIXIAO_AUDIT_KEY set, keyed marks are
    /// checked too.
    Verify {
        /// A head written down earlier (`jixiao audit head`, or a publication's audit head):
        /// entries removed from the end of the log since then are caught.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
    /// Print the head of the chain, `SEQ:HASH`: write it down (or publish it) to anchor the log.
    Head,
    /// Print the audit log, optionally only entries whose entity starts with a prefix.
    Log {
        #[arg(long)]
        entity: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's SQLite database (created; an existing demo database there is
    /// replaced); default `demo-data`. With `--database URL` instead, the demo is built in
    /// that database (PostgreSQL, or a SQLite file): loaded again when it is there already,
    /// which changes nothing. Give one or the other.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to serve the demo on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Only build the database and print the ranking.
    #[arg(long)]
    pub no_serve: bool,
    /// Generated 12345 hotline cases for the year (0 for none).
    #[arg(long, default_value_t = 1_000_000)]
    pub hotline_cases: u64,
    /// Grow the demo to a city's size for measuring: the task book's 17 units, then the 343
    /// streets of the demo geography, then municipal departments, up to this many units (420 is
    /// a city like Beijing), each with synthetic values for every period.
    #[arg(long)]
    pub units: Option<usize>,
}

#[derive(Subcommand, Debug)]
pub enum PublicationCommand {
    /// List a cycle's published versions: number, time, SHA-256, audit head, reason.
    List {
        #[command(flatten)]
        cycle: CycleArg,
        /// A period's ranking instead of the year's results.
        #[arg(long)]
        period: Option<String>,
    },
    /// Write a version's replay bundle (the newest without --version).
    Bundle {
        #[command(flatten)]
        cycle: CycleArg,
        /// A period's ranking instead of the year's results.
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        version: Option<i64>,
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum RunsCommand {
    /// Every kept run: number, cycle, time, who, what it counted.
    List {
        /// Only this cycle's runs.
        #[arg(long)]
        cycle: Option<String>,
    },
    /// What changed from run A to run B: each figure, and each input that differs.
    Diff { a: i64, b: i64 },
}
