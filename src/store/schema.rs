//! Versioned, up-only migrations. `PRAGMA user_version` holds how many have run; each runs in
//! its own transaction, so a workspace is always at one whole version.

use super::StoreError;
use rusqlite::Connection;

/// Marks a SQLite file as a proforma workspace ("prof").
pub const APPLICATION_ID: i32 = 0x7072_6f66;

const MIGRATIONS: &[&str] = &[
    // 1: payers, accounts, imports, deliveries and the aggregated cost data.
    r#"
    CREATE TABLE payers (
        payer_id TEXT PRIMARY KEY,
        name     TEXT
    );
    CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        payer_id   TEXT REFERENCES payers(payer_id),
        name       TEXT,
        email      TEXT,
        status     TEXT
    );
    -- One row per file that changed the workspace; the file stays re-readable from here for
    -- line-level drill-down and exports (path, size and hash tell whether it is unchanged).
    CREATE TABLE imports (
        import_id   INTEGER PRIMARY KEY,
        imported_at TEXT NOT NULL,
        source_path TEXT NOT NULL,
        size        INTEGER NOT NULL,
        hash        TEXT NOT NULL,
        format      TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('cost', 'accounts')),
        rows        INTEGER NOT NULL
    );
    -- The delivery currently in force for each (payer, period); replaced whole on re-import.
    CREATE TABLE deliveries (
        payer_id    TEXT NOT NULL REFERENCES payers(payer_id),
        period      TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        billable    TEXT NOT NULL,
        tax         TEXT NOT NULL,
        first_day   TEXT,
        last_day    TEXT,
        PRIMARY KEY (payer_id, period)
    );
    CREATE TABLE delivery_files (
        payer_id  TEXT NOT NULL,
        period    TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports(import_id),
        rows      INTEGER NOT NULL,
        PRIMARY KEY (payer_id, period, import_id),
        FOREIGN KEY (payer_id, period) REFERENCES deliveries(payer_id, period) ON DELETE CASCADE
    );
    -- Distinct combinations of tag and cost category values, shared by cost lines.
    CREATE TABLE label_sets (
        label_set_id INTEGER PRIMARY KEY,
        fingerprint  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE label_set_items (
        label_set_id INTEGER NOT NULL REFERENCES label_sets(label_set_id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('tag', 'cost_category')),
        key          TEXT NOT NULL,
        value        TEXT NOT NULL,
        PRIMARY KEY (label_set_id, kind, key)
    );
    -- The aggregate the engine reads: money as exact decimal text, never REAL.
    CREATE TABLE cost_lines (
        period               TEXT NOT NULL,
        payer_id             TEXT NOT NULL,
        account_id           TEXT NOT NULL,
        billing_entity       TEXT NOT NULL,
        product_code         TEXT NOT NULL,
        product_name         TEXT NOT NULL,
        usage_type           TEXT NOT NULL,
        operation            TEXT NOT NULL,
        line_item_type       TEXT NOT NULL,
        region               TEXT NOT NULL,
        owner_account_id     TEXT NOT NULL,
        free_on_bill         INTEGER NOT NULL,
        label_set_id         INTEGER REFERENCES label_sets(label_set_id),
        rows                 INTEGER NOT NULL,
        usage_amount         TEXT NOT NULL,
        unblended_cost       TEXT NOT NULL,
        public_cost          TEXT NOT NULL,
        no_public_price_rows INTEGER NOT NULL,
        sp_effective_cost    TEXT NOT NULL,
        ri_effective_cost    TEXT NOT NULL,
        FOREIGN KEY (payer_id, period) REFERENCES deliveries(payer_id, period) ON DELETE CASCADE
    );
    CREATE INDEX cost_lines_by_delivery ON cost_lines(payer_id, period);
    CREATE TABLE daily_costs (
        period      TEXT NOT NULL,
        payer_id    TEXT NOT NULL,
        account_id  TEXT NOT NULL,
        day         TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        billable    TEXT NOT NULL,
        tax         TEXT NOT NULL,
        public_cost TEXT NOT NULL,
        PRIMARY KEY (period, payer_id, account_id, day),
        FOREIGN KEY (payer_id, period) REFERENCES deliveries(payer_id, period) ON DELETE CASCADE
    ) WITHOUT ROWID;
    -- Every change, for history and undo (SPEC 3).
    CREATE TABLE audit_log (
        audit_id INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        period   TEXT,
        action   TEXT NOT NULL,
        object   TEXT NOT NULL,
        before   TEXT,
        after    TEXT,
        reason   TEXT
    );
    "#,
    // 2: configuration, versioned by billing period (SPEC 3).
    r#"
    -- One row per version of a configuration object: in force for periods in
    -- [valid_from, valid_to), valid_to NULL meaning "from valid_from on". The body is the
    -- object as JSON (the model's own serde form).
    CREATE TABLE config_versions (
        kind       TEXT NOT NULL,
        arn        TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to   TEXT,
        body       TEXT NOT NULL,
        PRIMARY KEY (kind, arn, valid_from),
        CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    CREATE INDEX config_versions_by_period ON config_versions(valid_from, valid_to);
    "#,
    // 3: undo/redo from the audit log, and closed periods (SPEC 3).
    r#"
    -- A configuration change keeps the object's whole version history before and after it,
    -- so undo and redo restore exactly, across restarts. Changes saved together share a batch.
    ALTER TABLE audit_log ADD COLUMN kind TEXT;
    ALTER TABLE audit_log ADD COLUMN arn TEXT;
    ALTER TABLE audit_log ADD COLUMN batch INTEGER;
    ALTER TABLE audit_log ADD COLUMN versions_before TEXT;
    ALTER TABLE audit_log ADD COLUMN versions_after TEXT;
    -- 0 applied, 1 undone (can be redone), 2 undone and then superseded by a new change.
    ALTER TABLE audit_log ADD COLUMN undo_state INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX audit_log_by_batch ON audit_log(batch);
    CREATE TABLE periods (
        period     TEXT PRIMARY KEY,
        closed     INTEGER NOT NULL,
        note       TEXT,
        changed_at TEXT NOT NULL
    );
    "#,
    // 4: scenarios: named drafts over the baseline configuration of one period (SPEC 3).
    r#"
    CREATE TABLE scenarios (
        scenario_id INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        period      TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    -- The scenario's objects that differ from the baseline; a NULL body deletes the object.
    CREATE TABLE scenario_objects (
        scenario_id INTEGER NOT NULL REFERENCES scenarios(scenario_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        arn         TEXT NOT NULL,
        body        TEXT,
        PRIMARY KEY (scenario_id, kind, arn)
    );
    "#,
    // 5 (import area): the currency of each delivery's amounts (SPEC 5), from the rows'
    // `lineItem/CurrencyCode`; deliveries imported before this read USD until re-imported.
    r#"
    ALTER TABLE deliveries ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
    "#,
    // 6 (multi-process, issue 8 item 5): who made each change, so undo and redo act on
    // one window's (session's) own changes; `undone_by` is the audit id of the undo entry.
    r#"
    ALTER TABLE audit_log ADD COLUMN session TEXT;
    ALTER TABLE audit_log ADD COLUMN origin TEXT;
    ALTER TABLE audit_log ADD COLUMN undone_by INTEGER;
    CREATE INDEX audit_log_by_object ON audit_log(kind, arn);
    "#,
    // 7 (issue 8 item 5): the newest audit entry when a scenario changed an object, so a
    // promote can tell that the baseline object changed since the scenario drafted it (NULL:
    // drafted before this was recorded; not checked).
    r#"
    ALTER TABLE scenario_objects ADD COLUMN base_audit INTEGER;
    "#,
    // 8 (issue 10): the aggregate as one chunk per (period, usage account, payer): its lines
    // column by column with their dimension values stored once (store/chunks.rs), so a period
    // reads in one blob per account and a billing group reads only its accounts. The lines of
    // `cost_lines` move into chunks in Rust (CONVERSIONS) and the old tables are dropped.
    r#"
    CREATE TABLE cost_chunks (
        period     TEXT NOT NULL,
        account_id TEXT NOT NULL,
        payer_id   TEXT NOT NULL,
        lines      INTEGER NOT NULL,
        format     INTEGER NOT NULL,
        data       BLOB NOT NULL,
        PRIMARY KEY (period, account_id, payer_id),
        FOREIGN KEY (payer_id, period) REFERENCES deliveries(payer_id, period) ON DELETE CASCADE
    );
    CREATE INDEX cost_chunks_by_delivery ON cost_chunks(payer_id, period);
    "#,
    // 9 (issue 10): per-group totals kept ready (store/totals.rs): a snapshot of a state's
    // group totals with the fingerprint of what they were computed from.
    r#"
    CREATE TABLE group_totals (
        period      TEXT NOT NULL,
        state       TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        body        TEXT NOT NULL,
        PRIMARY KEY (period, state)
    );
    "#,
    // 10 (issue 11 item 4): AWS's own pro forma of a billing group (the pro forma CUR that
    // Billing Conductor exports per group, `proforma import --proforma-of`), kept beside
    // proforma's computation for comparison, never as billable data: per (group, period) what
    // was imported, and its amounts by service and line item type (store/aws_proforma.rs).
    r#"
    CREATE TABLE aws_proforma (
        group_arn   TEXT NOT NULL,
        period      TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        source_path TEXT NOT NULL,
        size        INTEGER NOT NULL,
        hash        TEXT NOT NULL,
        format      TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        currency    TEXT NOT NULL,
        PRIMARY KEY (group_arn, period)
    );
    CREATE TABLE aws_proforma_lines (
        group_arn      TEXT NOT NULL,
        period         TEXT NOT NULL,
        product_code   TEXT NOT NULL,
        product_name   TEXT NOT NULL,
        line_item_type TEXT NOT NULL,
        rows           INTEGER NOT NULL,
        amount         TEXT NOT NULL,
        PRIMARY KEY (group_arn, period, product_code, product_name, line_item_type),
        FOREIGN KEY (group_arn, period) REFERENCES aws_proforma(group_arn, period) ON DELETE CASCADE
    );
    "#,
    // Statements issued (issue 12 item 4, store/statements.rs): one row per file written.
    // A (group, period) keeps the number of its first issue; the bytes' SHA-256 and the
    // configuration version say what was handed out. No index: a workspace issues a few
    // thousand statements at most, read whole (and an empty workspace stays small).
    r#"
    CREATE TABLE IF NOT EXISTS statements (
        issue_id       INTEGER PRIMARY KEY,
        number         TEXT NOT NULL,
        group_arn      TEXT NOT NULL,
        group_name     TEXT NOT NULL,
        period         TEXT NOT NULL,
        format         TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        issued_at      TEXT NOT NULL,
        config_version TEXT NOT NULL,
        draft          INTEGER NOT NULL,
        path           TEXT NOT NULL
    );
    "#,
    // 12 (issue 12 item 2): what a replaced delivery changed, per (account, service code),
    // recorded by the import that replaced it (store/restatements.rs). Amounts are decimal text.
    r#"
    CREATE TABLE IF NOT EXISTS restatements (
        payer_id        TEXT NOT NULL,
        period          TEXT NOT NULL,
        replaced_at     TEXT NOT NULL,
        account_id      TEXT NOT NULL,
        product_code    TEXT NOT NULL,
        billable_before TEXT NOT NULL,
        billable_after  TEXT NOT NULL,
        tax_before      TEXT NOT NULL,
        tax_after       TEXT NOT NULL,
        PRIMARY KEY (payer_id, period, replaced_at, account_id, product_code)
    ) WITHOUT ROWID;
    "#,
    // 13 (issue 12 item 1): billable and tax per invoice of the delivery in force (payer,
    // period), by `bill/InvoiceId` and `bill/InvoicingEntity` (store/invoices.rs); '' where the
    // rows carry none (an open month). Written and deleted with the delivery. Amounts are
    // decimal text. WITHOUT ROWID and no other index: a few rows per delivery.
    r#"
    CREATE TABLE IF NOT EXISTS invoice_totals (
        payer_id   TEXT NOT NULL,
        period     TEXT NOT NULL,
        invoice_id TEXT NOT NULL,
        entity     TEXT NOT NULL,
        rows       INTEGER NOT NULL,
        billable   TEXT NOT NULL,
        tax        TEXT NOT NULL,
        PRIMARY KEY (payer_id, period, invoice_id, entity)
    ) WITHOUT ROWID;
    "#,
    // 14 (issue 12 item 4): the account names as they were when a period was closed, so a
    // closed period's statements stay byte for byte the same when an accounts file renames
    // an account later (store/periods.rs writes it at close, drops it at reopen).
    r#"
    CREATE TABLE IF NOT EXISTS closed_names (
        period     TEXT NOT NULL,
        account_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        PRIMARY KEY (period, account_id)
    ) WITHOUT ROWID;
    "#,
];

/// Steps that SQL alone cannot do, run after the SQL of the migration numbered here, in the
/// same transaction.
type Conversion = fn(&rusqlite::Transaction<'_>) -> Result<(), StoreError>;
const CONVERSIONS: &[(usize, Conversion)] = &[(8, super::chunks::convert_cost_lines)];

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > latest_version() {
        // The caller, which knows the workspace's path, fills it in.
        return Err(StoreError::TooNew {
            path: std::path::PathBuf::new(),
            found: current,
            supported: latest_version(),
        });
    }
    if current == 0 {
        // A new workspace: every migration in one transaction, so the write-ahead log holds
        // each page once (an `init` on a nearly full disk needs about a dozen fewer pages).
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now == 0 {
            for (i, sql) in MIGRATIONS.iter().enumerate() {
                tx.execute_batch(sql)?;
                for (_, convert) in CONVERSIONS.iter().filter(|(v, _)| *v == i + 1) {
                    convert(&tx)?;
                }
            }
            tx.pragma_update(None, "user_version", latest_version())?;
            tx.commit()?;
            return Ok(());
        }
        // Another process began migrating meanwhile: go on one migration at a time.
        tx.commit()?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        // IMMEDIATE: take the write lock first (waiting out the busy timeout), then check the
        // version again, since another process may have migrated meanwhile.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        for (_, convert) in CONVERSIONS.iter().filter(|(v, _)| *v == i + 1) {
            convert(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    // A workspace that held its aggregate as rows (before migration 8) now holds it in chunks
    // a fifth of the size: give the freed pages back to the file system once. Best effort:
    // another process reading the file makes VACUUM wait or fail, and nothing depends on it.
    if current > 0 && current < 8 {
        if let Err(e) = conn.execute_batch("VACUUM") {
            tracing::debug!("VACUUM after converting the aggregate: {e}");
        }
    }
    Ok(())
}
