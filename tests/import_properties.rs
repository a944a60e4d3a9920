//! No input makes the importer panic: arbitrary bytes and mangled CUR CSV either import or
//! fail with an error, and a failed import writes nothing.

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
            PANICKED.store(true, Ordering::SeqCst);
            default(info);
        }));
    });
}

fn try_import(bytes: &[u8]) -> Result<(), String> {
    watch_panics();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input");
    std::fs::write(&file, bytes).unwrap();
    let path = dir.path().join("w.proforma");
    let mut ws = Workspace::create(&path).unwrap();
    let result = import(&mut ws, &[Source::File(file)], &Quiet);
    assert!(!PANICKED.load(Ordering::SeqCst), "the importer panicked");
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            assert!(
                ws.deliveries().unwrap().is_empty(),
                "a failed import wrote deliveries"
            );
            assert!(
                ws.accounts().unwrap().is_empty(),
                "a failed import wrote accounts"
            );
            let message = e.to_string();
            assert!(
                message.contains("input"),
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
