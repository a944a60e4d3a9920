//! The committed sample (see sample-data/README.md), embedded in the binary at build time:
//! what `proforma demo` imports, and what exports re-read when a delivery came from it
//! (its recorded path is `embedded:<name>`).

use crate::cur::Source;

/// The sample files by name, with their bytes.
pub const SAMPLE_FILES: [(&str, &[u8]); 6] = [
    (
        "sample-data/accounts.json",
        include_bytes!("../sample-data/accounts.json"),
    ),
    (
        "sample-data/cur-2026-09.csv.gz",
        include_bytes!("../sample-data/cur-2026-09.csv.gz"),
    ),
    (
        "sample-data/cur-2026-10.csv.gz",
        include_bytes!("../sample-data/cur-2026-10.csv.gz"),
    ),
    (
        "sample-data/transfer-accounts.json",
        include_bytes!("../sample-data/transfer-accounts.json"),
    ),
    (
        "sample-data/transfers-2026-09.csv.gz",
        include_bytes!("../sample-data/transfers-2026-09.csv.gz"),
    ),
    (
        "sample-data/transfers-2026-10.csv.gz",
        include_bytes!("../sample-data/transfers-2026-10.csv.gz"),
    ),
];

/// The embedded sample file recorded as `name` (`sample-data/cur-2026-10.csv.gz`), if any.
pub fn embedded(name: &str) -> Option<Source> {
    SAMPLE_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, bytes)| Source::Embedded {
            name: (*n).to_string(),
            bytes,
        })
}
