//! The command line (SPEC 6): one module per subcommand. Exit codes: 0 success, 1 failure,
//! 2 usage error (clap's own).

mod compare;
mod comparison_export;
mod config;
mod cube_sql;
mod customer;
mod demo;
mod export;
mod generate;
mod import;
mod init;
mod proforma_cur;
mod progress;
pub mod reconcile;
pub mod report;
mod scenario;
mod solve;
mod statement;
pub mod table;

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "proforma",
    version,
    about = "A local, instant, exact AWS Billing Conductor",
    long_about = None,
    allow_external_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    /// Markdown: `report --compare-to` only (refused elsewhere before any work).
    Md,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the sample workspace from the built-in sample data (if absent) and show it
    Demo {
        /// Where the demo workspace lives (default: the user data directory)
        #[arg(long)]
        workspace: Option<PathBuf>,
        /// Rebuild it from the embedded sample even if it exists (earlier edits are lost)
        #[arg(long)]
        reset: bool,
    },
    /// Open the terminal UI on a workspace (also: proforma WORKSPACE)
    Open { workspace: PathBuf },
    /// Create an empty workspace (refuses to overwrite)
    Init { workspace: PathBuf },
    /// Import cost files (legacy CUR CSV/.gz/.zip and Parquet, CUR 2.0 CSV and Parquet, FOCUS
    /// CSV and Parquet, manifests, cubes from `cube-sql`) and accounts files, detected by
    /// content
    Import {
        workspace: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The files are AWS's pro forma CUR of this billing group (name or ARN), exported by
        /// Billing Conductor: kept beside proforma's own pro forma for comparison, never as
        /// billable data
        #[arg(long, value_name = "GROUP")]
        proforma_of: Option<String>,
    },
    /// Cost report of a billing period: per billing group, or of a billing view
    Report {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// One billing group (by name or ARN)
        #[arg(long, conflicts_with = "view")]
        group: Option<String>,
        /// Billing view: primary, primary:<payer id>, group:<name>, custom:<name>,
        /// transfer:<source payer id> ("my view") or showback:<source payer id>
        #[arg(long)]
        view: Option<String>,
        /// LINKED_ACCOUNT, PRODUCT_NAME, SERVICE_CODE, USAGE_TYPE, LINE_ITEM_TYPE or BILLING_PERIOD
        #[arg(long)]
        group_by: Option<crate::engine::GroupBy>,
        /// Report a scenario's draft of the period instead of the baseline (by name)
        #[arg(long)]
        scenario: Option<String>,
        /// Compare with another period (YYYY-MM: month over month), the period's `baseline`
        /// (with --scenario) or a scenario of the period (by name): per billing group and
        /// per group x service code, sorted by the change in pro forma
        #[arg(long, value_name = "P0|S0", conflicts_with_all = ["view", "group_by"])]
        compare_to: Option<String>,
        /// Who reads it: `internal` (default: AWS cost, pro forma, margin, tax, plans) or
        /// `customer` (pro forma only: no AWS cost, margin or pricing plan names)
        #[arg(long, value_enum, default_value_t = export::Audience::Internal)]
        audience: export::Audience,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The month-end checks of a period: the invoice tie-out, accounts in no group and new
    /// accounts, rows without a public price, unknown line item types, explanations, the
    /// delivery in force and whether AWS may still restate the month, configuration changes
    /// since the last close, month-over-month movements. Exit 1 when a check fails
    Reconcile {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// AWS's invoice total for the period (tax included; the period's only payer), to the
        /// cent: 28424.39
        #[arg(long, value_name = "AMOUNT", value_parser = reconcile::amount_arg, conflicts_with = "invoices")]
        invoice_total: Option<rust_decimal::Decimal>,
        /// A CSV of AWS's invoices: header InvoiceId, InvoicingEntity (optional),
        /// PayerAccountId (optional with one payer), Amount, Currency; one invoice per line
        #[arg(long, value_name = "FILE")]
        invoices: Option<PathBuf>,
        /// List billing groups whose pro forma moved by at least this percent since the
        /// month before (and by --min-change)
        #[arg(long, value_name = "PCT", default_value = "20", value_parser = reconcile::non_negative_arg)]
        threshold: rust_decimal::Decimal,
        /// ... and by at least this amount
        #[arg(long, value_name = "AMOUNT", default_value = "100", value_parser = reconcile::non_negative_arg)]
        min_change: rust_decimal::Decimal,
        /// An account knowingly left in no billing group (repeatable, or comma-separated)
        #[arg(long, value_name = "ACCOUNT", value_delimiter = ',')]
        unmonitored: Vec<String>,
        #[arg(long, value_enum, default_value_t = reconcile::ReconcileFormat::Table)]
        format: reconcile::ReconcileFormat,
    },
    /// Files for customers and downstream tools: statements (what a billing group's customer
    /// receives: pro forma only, never AWS cost or margin), AWS's pro forma CUR layout, and
    /// comparisons of two states of a period (`--kind comparison --scenario A --compare-to B`)
    Export {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// One billing group (name or ARN)
        #[arg(long, conflicts_with = "all", required_unless_present_any = ["all", "compare_to"])]
        group: Option<String>,
        /// Every billing group of the period, one file each (--out is then a directory; a
        /// comparison: every group in one file)
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum)]
        kind: export::ExportKind,
        /// The file to write (a directory with --all)
        #[arg(long)]
        out: PathBuf,
        /// Statement or comparison format (the pro forma CUR is CSV, gzip when --out ends in
        /// .gz)
        #[arg(long, value_enum)]
        format: Option<export::ExportFormat>,
        /// Who receives it: `customer` (pro forma only) or `internal`
        #[arg(long, value_enum)]
        audience: Option<export::Audience>,
        /// Statements: pass the tax of the group's rows on, as its own line
        #[arg(long)]
        with_tax: bool,
        /// Replace files that exist at the target paths (default: refuse, writing nothing)
        #[arg(long)]
        force: bool,
        /// Comparison: the state exported, a scenario of the period (default: its baseline)
        #[arg(long)]
        scenario: Option<String>,
        /// Comparison: what it is compared with: `baseline`, a scenario of the period, or a
        /// period YYYY-MM
        #[arg(long, value_name = "S0|baseline|P0")]
        compare_to: Option<String>,
    },
    /// Close a billing period: its configuration and results are frozen until reopened
    Close {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// Why or by whom (kept in the audit log)
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reopen a closed billing period (the reason is required and audited)
    Reopen {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        #[arg(long)]
        reason: String,
    },
    /// Explain how a billing group's (or a billing view's) pro forma was made: base, rule,
    /// factor and result of its lines, what was left out and why, and its custom line items
    Explain {
        workspace: PathBuf,
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// Billing group (name or ARN)
        #[arg(long, required_unless_present = "view", conflicts_with = "view")]
        group: Option<String>,
        /// Billing view: primary, primary:<payer id>, group:<name>, custom:<name>,
        /// transfer:<source payer id> ("my view") or showback:<source payer id>
        #[arg(long)]
        view: Option<String>,
        /// Explain a scenario's draft of the period instead of the baseline (by name)
        #[arg(long)]
        scenario: Option<String>,
        /// Explain only the part under one attribute value (with --value)
        #[arg(long, requires = "value")]
        group_by: Option<crate::engine::GroupBy>,
        #[arg(long, requires = "group_by")]
        value: Option<String>,
        /// Only `internal`: an explanation shows AWS cost and pricing rules (a customer
        /// receives a statement: `export --kind statement`)
        #[arg(long, value_enum, default_value_t = export::Audience::Internal)]
        audience: export::Audience,
    },
    /// Import or export the billing configuration (groups, plans, rules, custom line items, views)
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print the SQL that computes proforma's aggregate where a large CUR lives (Athena, Trino,
    /// Spark, DuckDB); save its result as CSV (or Parquet) and `import` it as a delivery
    CubeSql {
        /// A workspace: also carry the tags and cost categories its billing views filter on
        workspace: Option<PathBuf>,
        /// The query engine
        #[arg(long, value_enum)]
        dialect: cube_sql::SqlDialect,
        /// The CUR table's layout
        #[arg(long, value_enum, default_value_t = cube_sql::CurFormat::Legacy)]
        format: cube_sql::CurFormat,
        /// The CUR table (`db.table` allowed)
        #[arg(long, default_value = "cur")]
        table: String,
        /// A tag key to carry, spelled as the configuration spells it (`user:team`); repeatable
        #[arg(long = "tag", value_name = "KEY")]
        tags: Vec<String>,
        /// A cost category name to carry (`BusinessUnit`); repeatable
        #[arg(long = "cost-category", value_name = "NAME")]
        cost_categories: Vec<String>,
        /// The period whose configuration names the keys (default: the latest with data)
        #[arg(long, requires = "workspace")]
        period: Option<crate::period::BillingPeriod>,
        /// An optional column the table lacks (`savings_plan_savings_plan_a_r_n`), read as
        /// empty; repeatable
        #[arg(long, value_name = "COLUMN")]
        absent: Vec<String>,
    },
    #[command(external_subcommand)]
    External(Vec<OsString>),
    /// Write the deterministic sample CUR and accounts file (the demo's source and the
    /// import benchmark's input)
    GenerateSample {
        /// Directory to write cur-YYYY-MM.csv[.gz] (or .parquet) and accounts.json into
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 12_000)]
        lines_per_month: u64,
        #[arg(long, default_value_t = 2)]
        months: u32,
        #[arg(long, default_value = "2026-09")]
        first_period: crate::period::BillingPeriod,
        #[arg(long, default_value_t = 20_261_001)]
        seed: u64,
        /// Write plain CSV instead of gzip
        #[arg(long)]
        plain: bool,
        /// Payer accounts, each with its own delivery per month (cur-YYYY-MM-<payer>.csv when
        /// more than one); --lines-per-month is split among them
        #[arg(long, default_value_t = 1)]
        payers: u32,
        /// Linked accounts of all payers together (the first 40 carry the demo's names)
        #[arg(long, default_value_t = 40)]
        accounts: usize,
        /// Distinct values of the user:cost-center tag, drawn per line (default: one value per
        /// four accounts, fixed per account)
        #[arg(long)]
        tag_values: Option<u32>,
        /// Also write config.toml: this many billing groups over the accounts, with
        /// --config-rules pricing rules and --config-items custom line items
        #[arg(long)]
        config_groups: Option<usize>,
        /// Pricing rules of config.toml (default: five per group)
        #[arg(long, requires = "config_groups")]
        config_rules: Option<usize>,
        /// Custom line items of config.toml (default: two per group)
        #[arg(long, requires = "config_groups")]
        config_items: Option<usize>,
        /// Layout of the cost files: legacy CUR CSV, CUR 2.0 (Data Exports) CSV or Parquet,
        /// FOCUS 1.2 CSV or Parquet (cur-YYYY-MM.parquet); the same rows in each
        #[arg(long, value_enum, default_value_t = generate::SampleFormat::Legacy)]
        format: generate::SampleFormat,
        /// Also write the demo's billing transfer organisations (Globex, a reseller, and its
        /// customer Initech): transfers-YYYY-MM.csv[.gz] and transfer-accounts.json
        #[arg(long)]
        with_transfers: bool,
    },
    /// Scenarios (named drafts of a period's configuration): list, create, copy
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
    /// Solve a margin target: the percentage of a MARKUP/DISCOUNT rule (or a flat credit or
    /// fee on the group) that gives a billing group a margin of X % or a pro forma of Y,
    /// rounded to 2 decimals, with the group's numbers before -> after
    Solve {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        /// The billing group whose margin is the target (name or ARN)
        #[arg(long)]
        group: String,
        /// Solve for this rule's percentage (name or ARN; it keeps its type)
        #[arg(long, required_unless_present_any = ["credit", "fee"], conflicts_with_all = ["credit", "fee"])]
        rule: Option<String>,
        /// Solve for a new flat CREDIT on the group (this period only)
        #[arg(long, conflicts_with = "fee")]
        credit: bool,
        /// Solve for a new flat FEE on the group (this period only)
        #[arg(long)]
        fee: bool,
        /// Target margin percentage (Margin / AWS cost x 100), e.g. 25 or -3.5
        #[arg(
            long,
            value_name = "X",
            allow_hyphen_values = true,
            required_unless_present = "proforma",
            conflicts_with = "proforma"
        )]
        margin_pct: Option<rust_decimal::Decimal>,
        /// Target pro forma cost of the group
        #[arg(long, value_name = "Y", allow_hyphen_values = true)]
        proforma: Option<rust_decimal::Decimal>,
        /// Solve from a scenario's draft of the period instead of the baseline (by name)
        #[arg(long)]
        scenario: Option<String>,
        /// Write the solved change into this scenario of the period (created when absent);
        /// never into the baseline
        #[arg(long, value_name = "NAME")]
        apply_to_scenario: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// List the workspace's scenarios: name, period, objects changed
    List { workspace: PathBuf },
    /// Create an empty scenario over the baseline of a period
    New {
        workspace: PathBuf,
        /// Billing period, YYYY-MM
        #[arg(long)]
        period: crate::period::BillingPeriod,
        name: String,
    },
    /// Start a scenario as a copy of another: the same changes to the baseline, then edited
    /// independently
    Copy {
        workspace: PathBuf,
        /// The period of FROM (checked when given)
        #[arg(long)]
        period: Option<crate::period::BillingPeriod>,
        from: String,
        new: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Import a configuration (the project's TOML or an AWS bundle JSON, told from the content;
    /// FILE may be `-` for standard input); all or nothing. It becomes the configuration from
    /// --from-period on (default: the latest period with data, as for export). It lists the
    /// objects it removes and, per period, what it changes in periods other than its own
    Import {
        workspace: PathBuf,
        file: PathBuf,
        #[arg(long)]
        from_period: Option<crate::period::BillingPeriod>,
        /// Also change periods before --from-period (custom line items that start earlier)
        #[arg(long)]
        yes: bool,
        /// Accept an empty configuration: remove every billing group, plan, rule, custom line
        /// item and view from --from-period on
        #[arg(long)]
        remove_all: bool,
    },
    /// Print the configuration in force for a period (default: the latest period with data)
    Export {
        workspace: PathBuf,
        #[arg(long)]
        period: Option<crate::period::BillingPeriod>,
        #[arg(long, value_enum, default_value_t = config::ConfigFormat::Toml)]
        format: config::ConfigFormat,
    },
}

/// A command line that names no command and no workspace: exit code 2, like clap's own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What the binary does once a command has run: exit, or open the terminal UI on a workspace
/// (the CLI never starts the TUI itself: `main` does, so no module outside `app`/`tui` imports
/// them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Exit,
    OpenTui(std::path::PathBuf),
}

/// Runs a command line.
///
/// # Errors
/// What the command reports (a bad file, a refused change, a usage error: [`UsageError`]).
pub fn run(cli: Cli) -> color_eyre::Result<Next> {
    let done = match cli.command {
        Command::Open { workspace } => return Ok(Next::OpenTui(workspace)),
        Command::External(args) => match args.as_slice() {
            [one] if std::path::Path::new(one).is_file() => return Ok(Next::OpenTui(one.into())),
            [one, ..] => Err(UsageError(format!(
                "unrecognized subcommand '{}' (and no workspace file by that name)\n\nUsage: proforma <COMMAND>\n\nFor more information, try '--help'.",
                one.to_string_lossy()
            ))
            .into()),
            [] => Err(UsageError("a command is required; try '--help'".into()).into()),
        },
        Command::Demo { workspace, reset } => return demo::run(workspace, reset),
        Command::Init { workspace } => init::run(&workspace),
        Command::Import {
            workspace,
            files,
            proforma_of: None,
        } => import::run(&workspace, &files),
        Command::Import {
            workspace,
            files,
            proforma_of: Some(group),
        } => import::run_proforma_of(&workspace, &files, &group),
        Command::Report {
            compare_to: Some(_),
            audience: export::Audience::Customer,
            ..
        } => Err(UsageError(
            "--compare-to puts AWS cost and margin side by side: it is internal output (--audience internal)".into(),
        )
        .into()),
        Command::Report {
            compare_to: None,
            format: OutputFormat::Md,
            ..
        } => Err(UsageError(
            "--format md is for comparisons (--compare-to); reports print table, csv or json".into(),
        )
        .into()),
        Command::Report {
            workspace,
            period,
            group,
            view: _,
            group_by: _,
            scenario,
            compare_to: Some(compare_to),
            audience: _,
            format,
        } => compare::run(
            &workspace,
            period,
            scenario.as_deref(),
            &compare_to,
            group.as_deref(),
            format,
        ),
        Command::Report {
            workspace,
            period,
            group,
            view,
            group_by,
            scenario,
            compare_to: None,
            audience,
            format,
        } => report::run(
            &workspace,
            &report::Request {
                period,
                group: group.as_deref(),
                view: view.as_deref(),
                group_by,
                scenario: scenario.as_deref(),
                format,
                audience,
            },
        ),
        Command::Reconcile {
            workspace,
            period,
            invoice_total,
            invoices,
            threshold,
            min_change,
            unmonitored,
            format,
        } => reconcile::run(
            &workspace,
            &reconcile::Args {
                period,
                invoice_total,
                invoices: invoices.as_deref(),
                options: crate::month_end::Options {
                    threshold_pct: threshold,
                    min_change,
                    unmonitored: unmonitored.into_iter().map(|a| a.trim().to_string()).collect(),
                },
                format,
            },
        ),
        Command::Export {
            workspace,
            period,
            group,
            all,
            kind,
            out,
            format,
            audience,
            with_tax,
            force,
            scenario,
            compare_to,
        } => export::run(
            &workspace,
            &export::Args {
                period,
                group: group.as_deref(),
                all,
                kind,
                out: &out,
                format,
                audience,
                with_tax,
                force,
                scenario: scenario.as_deref(),
                compare_to: compare_to.as_deref(),
            },
        ),
        Command::Close {
            workspace,
            period,
            note,
        } => export::close(&workspace, period, &note),
        Command::Reopen {
            workspace,
            period,
            reason,
        } => export::reopen(&workspace, period, &reason),
        Command::Explain {
            audience: export::Audience::Customer,
            ..
        } => Err(UsageError(
            "explain shows AWS cost, factors and pricing rules: it is internal output; a customer receives a statement (export --kind statement)".into(),
        )
        .into()),
        Command::Explain {
            workspace,
            period,
            group,
            view,
            scenario,
            group_by,
            value,
            audience: export::Audience::Internal,
        } => report::explain(
            &workspace,
            period,
            group.as_deref(),
            view.as_deref(),
            scenario.as_deref(),
            group_by.zip(value.as_deref()),
        ),
        Command::Config {
            command:
                ConfigCommand::Import {
                    workspace,
                    file,
                    from_period,
                    yes,
                    remove_all,
                },
        } => config::import(
            &workspace,
            &file,
            config::ImportOptions {
                from: from_period,
                yes,
                remove_all,
            },
        ),
        Command::Config {
            command:
                ConfigCommand::Export {
                    workspace,
                    period,
                    format,
                },
        } => config::export(&workspace, period, format),
        Command::CubeSql {
            workspace,
            dialect,
            format,
            table,
            tags,
            cost_categories,
            period,
            absent,
        } => cube_sql::run(&cube_sql::Args {
            workspace: workspace.as_deref(),
            period,
            dialect,
            format,
            table: &table,
            tags: &tags,
            cost_categories: &cost_categories,
            absent: &absent,
        }),
        Command::GenerateSample {
            out,
            lines_per_month,
            months,
            first_period,
            seed,
            plain,
            payers,
            accounts,
            tag_values,
            config_groups,
            config_rules,
            config_items,
            format,
            with_transfers,
        } => {
            let spec = crate::sample::SampleSpec {
                seed,
                first_period,
                months,
                lines_per_month,
                payers,
                accounts,
                tag_values,
            };
            let config = config_groups.map(|groups| {
                let base = crate::sample::ConfigSpec::reseller(groups);
                crate::sample::ConfigSpec {
                    groups,
                    rules: config_rules.unwrap_or(base.rules),
                    items: config_items.unwrap_or(base.items),
                }
            });
            generate::run(&out, &spec, config.as_ref(), !plain, format).and_then(|()| {
                if with_transfers {
                    generate::transfers(&out, &spec, !plain)
                } else {
                    Ok(())
                }
            })
        }
        Command::Scenario {
            command: ScenarioCommand::List { workspace },
        } => scenario::list(&workspace),
        Command::Scenario {
            command:
                ScenarioCommand::New {
                    workspace,
                    period,
                    name,
                },
        } => scenario::new(&workspace, period, &name),
        Command::Scenario {
            command:
                ScenarioCommand::Copy {
                    workspace,
                    period,
                    from,
                    new,
                },
        } => scenario::copy(&workspace, period, &from, &new),
        Command::Solve {
            workspace,
            period,
            group,
            rule,
            credit,
            fee: _,
            margin_pct,
            proforma,
            scenario,
            apply_to_scenario,
        } => {
            let lever = match (rule, credit) {
                (Some(r), _) => crate::engine::solve::Lever::Rule(r),
                (None, true) => crate::engine::solve::Lever::Credit,
                (None, false) => crate::engine::solve::Lever::Fee,
            };
            let target = match (margin_pct, proforma) {
                (Some(x), _) => crate::engine::solve::Target::MarginPercent(x),
                (None, Some(y)) => crate::engine::solve::Target::Proforma(y),
                (None, None) => {
                    return Err(UsageError("give --margin-pct X or --proforma Y".into()).into());
                }
            };
            solve::run(
                &workspace,
                &solve::Args {
                    period,
                    group: &group,
                    lever,
                    target,
                    scenario: scenario.as_deref(),
                    apply_to_scenario: apply_to_scenario.as_deref(),
                },
            )
        }
    };
    done.map(|()| Next::Exit)
}
