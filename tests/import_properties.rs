//! No input makes the importer panic or hang: arbitrary bytes and mangled files for every
//! reader (CUR CSV plain, gzip and zip, Parquet, accounts JSON and CSV) either import or fail
//! with an error naming the file, within a time bound, and a failed import leaves the
//! workspace byte-identical.

mod common;

use proforma::cur::Source;
use proforma::import::{Quiet, import};
use proforma::store::Workspace;
use proptest::prelude::*;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static PANICKED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Panics on worker threads are turned into errors by the importer; record them anyway, since
/// any panic is a bug.
fn watch_panics() {
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Test threads carry the test's name; a failing assertion there is not the
            // importer's panic (and must not fail every other test).
            if std::thread::current().name().is_none() {
                PANICKED.store(true, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

/// A workspace holding one delivery (payer 999900001111, 2026-09) and its bytes, built once:
/// every refused import must leave a copy of it byte-identical.
fn base_workspace() -> &'static (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
    static BASE: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf, Vec<u8>)> =
        std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base.proforma");
        let data = dir.path().join("sep.csv");
        std::fs::write(&data, valid_csv().replace("2026-10-0", "2026-09-0")).unwrap();
        {
            let mut ws = Workspace::create(&path).unwrap();
            import(&mut ws, &[Source::File(data)], &Quiet).unwrap();
            ws.checkpoint().unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        (dir, path, bytes)
    })
}

/// Longest an import of these small inputs may take before it counts as a hang (debug build,
/// two busy cores).
const HANG: std::time::Duration = std::time::Duration::from_secs(60);

fn try_import(bytes: &[u8]) -> Result<(), String> {
    try_import_named(bytes, "input")
}

/// Imports `bytes` (as a file named `name`) into a copy of the base workspace on a worker
/// thread; fails the test on a panic, a hang, or a refusal that changed the workspace's bytes
/// or did not name the file.
fn try_import_named(bytes: &[u8], name: &str) -> Result<(), String> {
    watch_panics();
    let (_base_dir, base, base_bytes) = base_workspace();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let path = dir.path().join("w.proforma");
    std::fs::copy(base, &path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let ws_path = path.clone();
    std::thread::spawn(move || {
        let mut ws = Workspace::open(&ws_path).unwrap();
        let result = import(&mut ws, &[Source::File(file)], &Quiet).map(|_| ());
        drop(ws);
        let _ = tx.send(result.map_err(|e| e.to_string()));
    });
    let result = match rx.recv_timeout(HANG) {
        Ok(r) => r,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("the import did not finish within {HANG:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the importer panicked"),
    };
    assert!(!PANICKED.load(Ordering::SeqCst), "the importer panicked");
    match result {
        Ok(()) => Ok(()),
        Err(message) => {
            assert!(
                std::fs::read(&path).unwrap() == *base_bytes,
                "a refused import changed the workspace: {message}"
            );
            let wal = std::fs::read(format!("{}-wal", path.display())).unwrap_or_default();
            assert!(wal.is_empty(), "a refused import left a WAL: {message}");
            assert!(
                message.contains(name),
                "the error names the file: {message}"
            );
            Err(message)
        }
    }
}

const HEADER: &str = "identity/LineItemId,bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/UnblendedRate,lineItem/UsageAmount,pricing/publicOnDemandCost,pricing/publicOnDemandRate,lineItem/UsageStartDate,reservation/ReservationARN,resourceTags/user:team\n";

fn valid_csv() -> String {
    let mut s = HEADER.to_string();
    let rows = [
        "a1,999900001111,111100002222,2026-10-01T00:00:00Z,Usage,AmazonEC2,1.5,0.096,15.625,1.5,0.096,2026-10-02T00:00:00Z,,web",
        "a2,999900001111,111100002222,2026-10-01T00:00:00.000Z,DiscountedUsage,AmazonEC2,0,0,1,,0.096,2026-10-03 00:00:00,arn:aws:ec2:us-east-1:111100009999:reserved-instances/x,\"a, \"\"b\"\"\"",
        "a3,999900001111,111100003333,2026-10-01T00:00:00Z,Tax,AmazonEC2,8.85E-8,,,\\N,NULL,2026-10-01T00:00:00Z,,",
        "a4,999900001111,111100003333,2026-10-01T00:00:00Z,Usage,AWSLambda,0.0,0.0000000000,100,0.02,,2026-10-04T00:00:00Z,,",
    ];
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn the_valid_base_imports() {
    try_import(valid_csv().as_bytes()).unwrap();
}

/// Bytes that make CSV interesting: separators, quotes, line breaks, number and date parts.
fn mangle_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b','),
        Just(b'"'),
        Just(b'\n'),
        Just(b'\r'),
        Just(b'E'),
        Just(b'-'),
        Just(b'.'),
        Just(b'\\'),
        Just(b':'),
        Just(0xff),
        Just(0),
        (b'0'..=b'9'),
        any::<u8>(),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), mangle_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        3 => (any::<usize>(), mangle_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = base.to_vec();
    for e in edits {
        let n = v.len().max(1);
        match *e {
            Edit::Replace(i, b) if !v.is_empty() => v[i % n] = b,
            Edit::Insert(i, b) => v.insert(i % (v.len() + 1), b),
            Edit::Delete(i) if !v.is_empty() => {
                v.remove(i % n);
            }
            Edit::Truncate(i) => v.truncate(i % (v.len() + 1)),
            _ => {}
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = try_import(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_magic_numbers_never_panic(
        magic in prop_oneof![Just(&b"PAR1"[..]), Just(&b"PK\x03\x04"[..]), Just(&b"\x1f\x8b\x08\x00"[..]), Just(&b"{\"Accounts\":"[..])],
        body in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(body);
        bytes.extend_from_slice(b"PAR1");
        let _ = try_import(&bytes);
    }

    #[test]
    fn mangled_cur_csv_never_panics(edits in proptest::collection::vec(edit(), 1..12)) {
        let bytes = apply(valid_csv().as_bytes(), &edits);
        let _ = try_import(&bytes);
    }

    #[test]
    fn mangled_gzip_never_panics(edits in proptest::collection::vec(edit(), 1..6)) {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(valid_csv().as_bytes()).unwrap();
        let gz = e.finish().unwrap();
        let _ = try_import(&apply(&gz, &edits));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, .. ProptestConfig::default() })]

    #[test]
    fn mangled_zip_never_panics(edits in proptest::collection::vec(edit(), 1..6)) {
        let _ = try_import(&apply(&zip_of("cur.csv", valid_csv().as_bytes()), &edits));
    }

    #[test]
    fn mangled_zip_contents_never_panic(edits in proptest::collection::vec(edit(), 1..12)) {
        let inner = apply(valid_csv().as_bytes(), &edits);
        let _ = try_import(&zip_of("cur.csv", &inner));
    }

    #[test]
    fn mangled_parquet_never_panics(edits in proptest::collection::vec(edit(), 1..8)) {
        let _ = try_import(&apply(&valid_parquet(), &edits));
    }

    #[test]
    fn mangled_accounts_json_never_panics(edits in proptest::collection::vec(edit(), 1..12)) {
        let _ = try_import(&apply(ACCOUNTS_JSON.as_bytes(), &edits));
    }

    #[test]
    fn mangled_accounts_csv_never_panics(edits in proptest::collection::vec(edit(), 1..12)) {
        let _ = try_import(&apply(ACCOUNTS_CSV.as_bytes(), &edits));
    }

    /// Arbitrary values in every cell of a valid file: refused with the file, line and column,
    /// or imported; never a panic, never a partial write.
    #[test]
    fn arbitrary_cell_values_are_refused_with_their_place(
        row in 0usize..4,
        col in 1usize..14,
        value in proptest::collection::vec(any::<u8>(), 0..24),
    ) {
        let csv = valid_csv();
        let mut lines: Vec<Vec<u8>> = csv.lines().map(|l| l.as_bytes().to_vec()).collect();
        let cells: Vec<&[u8]> = lines[row + 1].split(|&b| b == b',').collect();
        prop_assume!(cells.len() == 14);
        // Values without separators, quotes or line breaks stay in their cell.
        let value: Vec<u8> = value.into_iter().filter(|b| !matches!(b, b',' | b'"' | b'\n' | b'\r' | 0)).collect();
        let mut new = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                new.push(b',');
            }
            new.extend_from_slice(if i == col { &value } else { c });
        }
        lines[row + 1] = new;
        let bytes = lines.join(&b'\n');
        if let Err(message) = try_import(&bytes) {
            prop_assert!(
                message.contains(&format!("line {}", row + 2)),
                "names the line: {}", message
            );
        }
    }
}

const ACCOUNTS_JSON: &str = r#"{"Accounts": [
  {"Id": "111100002222", "Arn": "arn:aws:organizations::999900001111:account/o-x/111100002222", "Email": "web@example.com", "Name": "web", "Status": "ACTIVE"},
  {"Id": "111100003333", "Email": "data@example.com", "Name": "data \u00e9", "Status": "SUSPENDED"}
]}"#;

const ACCOUNTS_CSV: &str = "account_id,name,email\n111100002222,web,web@example.com\n111100003333,\"data, \"\"team\"\"\",\n";

fn zip_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

#[path = "support/parquet_cur.rs"]
mod parquet_cur;

fn valid_parquet() -> Vec<u8> {
    parquet_cur::cur_parquet(&[
        (
            "999900001111",
            "111100002222",
            "2026-10",
            "Usage",
            "AmazonEC2",
            1.5,
            "USD",
        ),
        (
            "999900001111",
            "111100003333",
            "2026-10",
            "Tax",
            "AmazonEC2",
            8.85e-8,
            "USD",
        ),
        (
            "999900001111",
            "111100003333",
            "2026-10",
            "Usage",
            "AWSLambda",
            0.1,
            "USD",
        ),
    ])
}

#[test]
fn every_valid_base_imports() {
    for (bytes, name) in [
        (zip_of("cur.csv", valid_csv().as_bytes()), "cur.zip"),
        (valid_parquet(), "cur.parquet"),
        (ACCOUNTS_JSON.as_bytes().to_vec(), "accounts.json"),
        (ACCOUNTS_CSV.as_bytes().to_vec(), "accounts.csv"),
    ] {
        try_import_named(&bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn real_parquet_with_damage_never_panics() {
    let Some(path) = common::shared_data("Oct2018-WorkshopCUR-00001.snappy.parquet") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    // Damage the footer (schema and offsets), where readers trust what they read the most.
    let len = bytes.len();
    for (i, at) in [
        len - 100,
        len - 500,
        len - 2_000,
        len - 9_000,
        4,
        5_000,
        len / 2,
    ]
    .into_iter()
    .enumerate()
    {
        let mut damaged = bytes.clone();
        for b in damaged.iter_mut().skip(at).take(64) {
            *b ^= 0x5a ^ i as u8;
        }
        let _ = try_import(&damaged);
    }
}
