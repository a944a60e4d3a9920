//! `proforma cube-sql`: prints the SQL that computes proforma's aggregate where a large CUR
//! lives (issue 10 item 6, SPEC 6). The tags and cost categories it carries come from
//! `--tag` / `--cost-category` and, with a workspace, from the keys its configuration's billing
//! views filter on (the only place a report reads labels).

use crate::cur::cube::{self, Dialect, SourceFormat, SqlSpec};
use crate::model::ViewFilter;
use crate::period::BillingPeriod;
use crate::store::Workspace;
use clap::ValueEnum;
use color_eyre::eyre::eyre;
use std::collections::BTreeSet;
use std::path::Path;

/// `--dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Athena,
    Trino,
    Spark,
    Duckdb,
}

/// `--format`: the CUR table's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurFormat {
    /// Legacy CUR, Athena column names (`line_item_unblended_cost`, `resource_tags_user_team`)
    Legacy,
    /// CUR 2.0 (Data Exports): `product`, `resource_tags` and `cost_category` maps
    Cur2,
}

/// What `cube-sql` was given on the command line.
#[derive(Debug)]
pub struct Args<'a> {
    pub workspace: Option<&'a Path>,
    pub period: Option<BillingPeriod>,
    pub dialect: SqlDialect,
    pub format: CurFormat,
    pub table: &'a str,
    pub tags: &'a [String],
    pub cost_categories: &'a [String],
    pub absent: &'a [String],
}

/// The tag keys and cost category names the configuration's billing views filter on, in the
/// configuration in force for `period` (default: the latest period with data, else the current
/// month, as `config export`).
fn view_keys(
    path: &Path,
    period: Option<BillingPeriod>,
) -> color_eyre::Result<(BTreeSet<String>, BTreeSet<String>)> {
    let ws = Workspace::open_for_reading(path)?;
    let period = match period {
        Some(p) => p,
        None => super::config::default_period(&ws)?,
    };
    let config = ws.config_at(period)?;
    let (mut tags, mut categories) = (BTreeSet::new(), BTreeSet::new());
    for view in &config.views {
        match &view.filter {
            ViewFilter::Tag { key, .. } => {
                tags.insert(key.clone());
            }
            ViewFilter::CostCategory { key, .. } => {
                categories.insert(key.clone());
            }
            ViewFilter::None | ViewFilter::Accounts { .. } => {}
        }
    }
    Ok((tags, categories))
}

/// Prints the SQL. Errors: the workspace cannot be read, a key or table name is unusable.
pub fn run(args: &Args<'_>) -> color_eyre::Result<()> {
    let mut tags: BTreeSet<String> = args.tags.iter().cloned().collect();
    let mut categories: BTreeSet<String> = args.cost_categories.iter().cloned().collect();
    if let Some(ws) = args.workspace {
        let (t, c) = view_keys(ws, args.period)?;
        tags.extend(t);
        categories.extend(c);
    }
    for text in tags
        .iter()
        .chain(&categories)
        .chain(args.absent)
        .map(String::as_str)
        .chain([args.table])
    {
        if text.chars().any(crate::text::is_unsafe) {
            return Err(eyre!(
                "'{}': control or invisible characters cannot be written into the SQL",
                crate::text::escape(text, crate::text::Keep::Nothing)
            ));
        }
    }
    let spec = SqlSpec {
        dialect: match args.dialect {
            SqlDialect::Athena => Dialect::Athena,
            SqlDialect::Trino => Dialect::Trino,
            SqlDialect::Spark => Dialect::Spark,
            SqlDialect::Duckdb => Dialect::DuckDb,
        },
        format: match args.format {
            CurFormat::Legacy => SourceFormat::Legacy,
            CurFormat::Cur2 => SourceFormat::Cur2,
        },
        table: args.table.to_string(),
        tags: tags.into_iter().collect(),
        cost_categories: categories.into_iter().collect(),
        absent: args.absent.to_vec(),
    };
    let sql = cube::sql(&spec)?;
    super::table::emit(&sql)?;
    Ok(())
}
