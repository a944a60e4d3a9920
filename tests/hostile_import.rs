//! Issue 8 items 8, 9 (import half) and 11: hostile and odd inputs to `proforma import`.
//! Bad values are refused naming file, line, column and value; the same file given twice is
//! counted once; standard input, pipes, FIFOs, devices and directories are refused at once;
//! accounts files are read with a size limit; a workspace of a newer schema is named.
//! Every refusal exits 1 and leaves the workspace byte-identical.

mod common;

use common::{bin, workspace};
use predicates::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bad-values")
        .join(name)
}

/// The workspace's bytes and its non-empty WAL: equal means nothing was written.
fn bytes_of(ws: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let wal = PathBuf::from(format!("{}-wal", ws.display()));
    (
        std::fs::read(ws).unwrap(),
        std::fs::read(&wal).ok().filter(|w| !w.is_empty()),
    )
}

/// Runs `import WS files...`, expects exit 1 within 20 s with every `expect` on stderr, and
/// checks the workspace is byte-identical.
fn refused(ws: &Path, files: &[&Path], expect: &[&str]) -> String {
    let before = bytes_of(ws);
    let out = bin()
        .arg("import")
        .arg(ws)
        .args(files)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "expected exit 1: {err}");
    assert!(out.stdout.is_empty(), "printed a summary: {:?}", out.stdout);
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert_eq!(
        bytes_of(ws),
        before,
        "a refused import wrote to the workspace"
    );
    err
}

const HEADER: &str = "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,product/ProductName\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn account_ids_that_are_not_12_digits_are_refused() {
    let (dir, ws) = workspace();
    refused(
        &ws,
        &[&data("bad_account_ids.csv")],
        &[
            "bad_account_ids.csv: line 2, column 7 (bill/PayerAccountId): ''; DROP TABLE payers;--' is not a 12-digit account id",
        ],
    );
    for (id, shown) in [
        ("12345678901", "'12345678901'"),
        ("1234567890123", "'1234567890123'"),
        ("12345678901a", "'12345678901a'"),
    ] {
        let f = write(
            dir.path(),
            "ids.csv",
            format!(
                "{HEADER}111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,EC2\n111122223333,{id},2026-10-01T00:00:00Z,Usage,AmazonEC2,1,EC2\n"
            )
            .as_bytes(),
        );
        refused(
            &ws,
            &[&f],
            &[&format!(
                "ids.csv: line 3, column 2 (lineItem/UsageAccountId): {shown} is not a 12-digit account id"
            )],
        );
    }
}

#[test]
fn a_number_beyond_decimal_is_out_of_range_not_not_a_number() {
    let (dir, ws) = workspace();
    let err = refused(
        &ws,
        &[&data("cost_1e400.csv")],
        &["cost_1e400.csv: line 2, column 24 (lineItem/UnblendedCost): '1e400' is out of range"],
    );
    assert!(!err.contains("not a number"), "{err}");
    for (value, reason) in [
        ("1e400", "is out of range"),
        ("-1E+61", "is out of range"),
        ("123456789012345678901234567890", "is out of range"),
        ("12e", "is not a number"),
        ("1.2.3", "is not a number"),
        ("abc", "is not a number"),
    ] {
        let f = write(
            dir.path(),
            "n.csv",
            format!("{HEADER}111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,{value},EC2\n")
                .as_bytes(),
        );
        refused(
            &ws,
            &[&f],
            &[&format!(
                "n.csv: line 2, column 6 (lineItem/UnblendedCost): '{value}' {reason}"
            )],
        );
    }
}

#[test]
fn a_duplicated_header_column_is_refused() {
    let (dir, ws) = workspace();
    refused(
        &ws,
        &[&data("dup_header.csv")],
        &[
            "dup_header.csv: line 1, column 102 (lineItem/UnblendedCost): the header names this column twice (also column 24)",
        ],
    );
    // Two spellings of one column proforma reads are the same column.
    let f = write(
        dir.path(),
        "two.csv",
        b"bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,line_item_unblended_cost\n111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,2\n",
    );
    refused(
        &ws,
        &[&f],
        &[
            "two.csv: line 1, column 7 (line_item_unblended_cost): the header names this column twice (also column 6)",
        ],
    );
    // Tags differing in case are distinct tags, as in real CURs.
    let ok = write(
        dir.path(),
        "tags.csv",
        b"bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,resourceTags/user:Team,resourceTags/user:team\n111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,a,b\n",
    );
    bin().arg("import").arg(&ws).arg(&ok).assert().success();
}

#[test]
fn invalid_utf8_is_refused_with_line_column_and_value() {
    let (dir, ws) = workspace();
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,\"multi\nline\"\n",
    );
    bytes.extend_from_slice(b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,Elastic \xff\xfe Compute\n");
    let f = write(dir.path(), "latin.csv", &bytes);
    refused(
        &ws,
        &[&f],
        &[
            "latin.csv: line 4, column 7 (product/ProductName): 'Elastic \u{FFFD}\u{FFFD} Compute' is not valid UTF-8",
        ],
    );
    // In a quoted field, in a required column, and in a gzip file too.
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,\"Amazon\xc3\",1,EC2\n",
    );
    let f = write(dir.path(), "quoted.csv", &bytes);
    refused(
        &ws,
        &[&f],
        &[
            "quoted.csv: line 2, column 5 (lineItem/ProductCode):",
            "is not valid UTF-8",
        ],
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let f = write(dir.path(), "quoted.csv.gz", &gz.finish().unwrap());
    refused(
        &ws,
        &[&f],
        &["quoted.csv.gz: line 2, column 5", "is not valid UTF-8"],
    );
}

#[test]
fn a_header_only_file_says_no_data_rows_and_writes_nothing() {
    let (dir, ws) = workspace();
    let f = write(dir.path(), "header.csv", HEADER.as_bytes());
    let before = bytes_of(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("header.csv: no data rows"));
    assert_eq!(bytes_of(&ws), before);
}

fn good(dir: &Path, name: &str) -> PathBuf {
    write(
        dir,
        name,
        format!(
            "{HEADER}111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1.25,EC2\n111122223333,444455556667,2026-10-01T00:00:00Z,Usage,AmazonS3,2,S3\n"
        )
        .as_bytes(),
    )
}

#[test]
fn the_same_file_given_twice_is_counted_once() {
    let (dir, ws) = workspace();
    let f = good(dir.path(), "cur.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&f, &copy).unwrap();
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&f, &hard).unwrap();

    for (others, says) in [
        (vec![f.clone()], "is the same file as"),
        (vec![link.clone()], "is the same file as"),
        (vec![hard.clone()], "is the same file as"),
        (vec![copy.clone()], "has the same content as"),
    ] {
        let (_d2, ws2) = workspace();
        let out = bin()
            .arg("import")
            .arg(&ws2)
            .arg(&f)
            .args(&others)
            .output()
            .unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("imported, 2 rows, billable 3.25 USD"),
            "counted twice? {stdout}"
        );
        assert!(stderr.contains(says), "{stderr}");
        assert!(
            stderr.contains(&*others[0].to_string_lossy())
                && stderr.contains(&*f.to_string_lossy()),
            "the warning names both paths: {stderr}"
        );
        // One file recorded, as after importing it alone.
        let conn = rusqlite::Connection::open(&ws2).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM delivery_files", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
    // Overlapping globs: the shell hands the same names twice.
    bin()
        .current_dir(dir.path())
        .arg("import")
        .arg(&ws)
        .args(["cur.csv", "copy.csv", "cur.csv", "copy.csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported, 2 rows, billable 3.25 USD",
        ));
}

#[test]
fn standard_input_pipes_fifos_devices_and_directories_are_refused_at_once() {
    let (dir, ws) = workspace();
    let good = good(dir.path(), "cur.csv");
    let dash = PathBuf::from("-");
    refused(
        &ws,
        &[&dash],
        &["-: reading from standard input is not supported"],
    );
    // Refused before any other file is read: nothing written even with a good file first.
    refused(&ws, &[&good, &dash], &["standard input is not supported"]);
    refused(
        &ws,
        &[Path::new("/dev/zero")],
        &["/dev/zero: not a regular file"],
    );
    refused(&ws, &[dir.path()], &["a directory"]);
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // Nobody writes to the FIFO: opening it would block forever; the refusal comes first.
    refused(&ws, &[&fifo], &["fifo: not a regular file"]);

    // /dev/stdin on a pipe is refused without waiting for the pipe to end.
    let before = bytes_of(&ws);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_proforma"))
        .arg("import")
        .arg(&ws)
        .arg("/dev/stdin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin_kept_open = child.stdin.take();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "import hung on a pipe"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("/dev/stdin: not a regular file"), "{err}");
    assert_eq!(bytes_of(&ws), before);

    // /dev/stdin redirected from a regular file is that file, and works.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proforma"))
        .arg("import")
        .arg(&ws)
        .arg("/dev/stdin")
        .stdin(std::fs::File::open(&good).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported, 2 rows"));
}

#[test]
fn accounts_files_are_read_with_a_size_limit() {
    let (dir, ws) = workspace();
    // 70 MB once decompressed, 70 KB on disk: the limit applies to what is read.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"{\"Accounts\": [").unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..70 {
        gz.write_all(&spaces).unwrap();
    }
    gz.write_all(b"]}").unwrap();
    let f = write(dir.path(), "accounts.json.gz", &gz.finish().unwrap());
    refused(
        &ws,
        &[&f],
        &["accounts.json.gz: the accounts file (decompressed) is larger than 64 MB"],
    );
}

#[test]
fn a_workspace_of_a_newer_schema_is_named() {
    let (_dir, ws) = workspace();
    {
        let conn = rusqlite::Connection::open(&ws).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = bytes_of(&ws);
    for args in [
        vec!["report", "--period", "2026-10"],
        vec!["import", "nothing.csv"],
    ] {
        let mut cmd = bin();
        cmd.arg(args[0]).arg(&ws).args(&args[1..]);
        cmd.assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "{}: the workspace was written by a newer proforma (schema 999",
                ws.display()
            )));
    }
    assert_eq!(bytes_of(&ws), before);
}

#[test]
fn accounts_files_without_accounts_or_with_a_duplicated_column() {
    let (dir, ws) = workspace();
    let empty = write(dir.path(), "accounts.json", br#"{"Accounts": []}"#);
    let before = bytes_of(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&empty)
        .assert()
        .success()
        .stderr(predicate::str::contains("accounts.json: no data rows"));
    assert_eq!(bytes_of(&ws), before);
    let dup = write(
        dir.path(),
        "accounts.csv",
        b"account_id,name,Name\n111122223333,web,other\n",
    );
    refused(
        &ws,
        &[&dup],
        &[
            "accounts.csv: line 1, column 3 (name): the header names this column twice (also column 2)",
        ],
    );
}

#[test]
fn a_quote_never_closed_does_not_buffer_the_whole_file() {
    let (dir, ws) = workspace();
    // 80 MB once decompressed after an opening quote: refused at the 64 MB record limit,
    // not read into memory to the end.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(HEADER.as_bytes()).unwrap();
    gz.write_all(b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,EC2\n")
        .unwrap();
    gz.write_all(b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,\"open")
        .unwrap();
    let filler = vec![b'x'; 1 << 20];
    for _ in 0..80 {
        gz.write_all(&filler).unwrap();
        gz.write_all(b"\n").unwrap();
    }
    let f = write(dir.path(), "open.csv.gz", &gz.finish().unwrap());
    refused(
        &ws,
        &[&f],
        &[
            "open.csv.gz: CSV is corrupt or truncated: line 3: a record longer than 64 MB (a quoted field that is never closed?)",
        ],
    );
}

#[test]
fn workspace_errors_name_the_workspace() {
    let (dir, ws) = workspace();
    let f = good(dir.path(), "cur.csv");
    // Another process holds the write lock past the busy timeout.
    let conn = rusqlite::Connection::open(&ws).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = bin().arg("import").arg(&ws).arg(&f).output().unwrap();
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: the workspace is busy: another process has been writing to it",
            ws.display()
        )),
        "{err}"
    );
}

#[test]
fn a_header_that_is_not_utf8_names_its_column() {
    let (dir, ws) = workspace();
    let mut bytes = HEADER
        .replace("product/ProductName", "product/Product\u{1}Name")
        .into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xe9;
    bytes.extend_from_slice(
        b"111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,1,EC2\n",
    );
    let f = write(dir.path(), "h.csv", &bytes);
    refused(
        &ws,
        &[&f],
        &["h.csv: line 1, column 7 (header): 'product/Product\u{FFFD}Name' is not valid UTF-8"],
    );
}

#[test]
fn the_same_data_compressed_differently_is_counted_once() {
    let (dir, ws) = workspace();
    let f = good(dir.path(), "cur.csv");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&f).unwrap()).unwrap();
    let g = write(dir.path(), "cur.csv.gz", &gz.finish().unwrap());
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .arg(&g)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported, 2 rows, billable 3.25 USD",
        ))
        .stderr(predicate::str::contains(
            "cur.csv.gz holds the same data as",
        ));
    // Genuine parts of one delivery (different rows) still add up, also when their rows
    // aggregate alike (other line item ids and resources, same account, type, product and
    // cost): equal totals are not the same data.
    let (_d3, ws3) = workspace();
    let twin = |name: &str, id: &str, resource: &str| {
        write(
            dir.path(),
            name,
            format!(
                "identity/LineItemId,bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/ResourceId,lineItem/UnblendedCost,lineItem/CurrencyCode\n\
                 {id},111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,{resource},100,USD\n"
            )
            .as_bytes(),
        )
    };
    let p1 = twin("twin1.csv", "id-aaa", "i-111");
    let p2 = twin("twin2.csv", "id-bbb", "i-222");
    bin()
        .arg("import")
        .arg(&ws3)
        .arg(&p1)
        .arg(&p2)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported, 2 rows, billable 200.00 USD",
        ))
        .stderr("");
    let (_d2, ws2) = workspace();
    let part2 = write(
        dir.path(),
        "part2.csv",
        format!("{HEADER}111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,10,EC2\n")
            .as_bytes(),
    );
    bin()
        .arg("import")
        .arg(&ws2)
        .arg(&f)
        .arg(&part2)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported, 3 rows, billable 13.25 USD",
        ))
        .stderr("");
}

#[test]
fn an_impossible_usage_date_is_refused_with_its_line_and_column() {
    let (d, ws) = common::workspace();
    let csv = d.path().join("cur.csv");
    let good = common::cur_csv(&[(
        "999900001111",
        "111100002222",
        "2026-10-01T00:00:00Z",
        "Usage",
        "AmazonEC2",
        "1.5",
    )]);
    let bad = format!(
        "{good}999900001111,111100002222,2026-10-01T00:00:00Z,Usage,AmazonEC2,2,2026-10-32T00:00:00Z\n"
    );
    std::fs::write(&csv, bad).unwrap();
    let before = common::snapshot(&ws);
    common::bin()
        .arg("import")
        .arg(&ws)
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "line 3, column 7 (lineItem/UsageStartDate): '2026-10-32T00:00:00Z' is not a date",
        ));
    assert_eq!(common::snapshot(&ws), before);
}
