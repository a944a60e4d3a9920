//! FOCUS 1.0–1.2 (FinOps Open Cost & Usage Specification; AWS Data Exports tables
//! `FOCUS_1_0_AWS`, `FOCUS_1_2_AWS`, and the exports of other clouds): PascalCase columns
//! (`BilledCost`, `ChargeCategory`, `SubAccountId`, ...), AWS's own `x_` columns
//! (`x_ServiceCode`, `x_UsageType`, `x_Operation`, `x_CostCategories`), tags as one JSON
//! object (`Tags`). Reference: `cur_formats.md` sections 1.4 and 3.
//!
//! The file's columns are mapped onto the same aggregate as a CUR's (SPEC 1.1). Columns that
//! carry a CUR value as they are are located directly ([`column_map`]); the values FOCUS
//! spreads over several columns are presented to the fold as *derived cells* past the header,
//! as `cur::cur2` does for CUR 2.0's maps: [`with_row`] computes them once per row.
//!
//! Direct: payer = `BillingAccountId`; billing period = `BillingPeriodStart`; unblended =
//! `BilledCost`; public on-demand cost = `ListCost`; product name = `ServiceName`; usage type
//! = `x_UsageType`; operation = `x_Operation`; usage day = `ChargePeriodStart`; currency =
//! `BillingCurrency`.
//!
//! Derived cells, in order from `base = header.len()`:
//! - `base`: usage account: `SubAccountId`, else `BillingAccountId`;
//! - `base + 1`: line item type, from `ChargeCategory`, `CommitmentDiscountStatus`,
//!   `CommitmentDiscountType` (else the kind the `CommitmentDiscountId` names) and
//!   `ChargeFrequency` ([`line_item_type`]); `ChargeClass = Correction` keeps its category's type;
//! - `base + 2`: service (product) code: `x_ServiceCode`, else `ServiceName` without its
//!   non-alphanumeric characters ([`service_code_of`]: rules' service codes are alphanumeric);
//! - `base + 3`: billing entity ([`billing_entity`]);
//! - `base + 4`: region: `RegionId`, else `RegionName`;
//! - `base + 5`: usage amount: `ConsumedQuantity`, else `PricingQuantity`;
//! - `base + 6`, `base + 7`: reservation ARN, savings plan ARN: `CommitmentDiscountId` by
//!   commitment kind;
//! - `base + 8`, `base + 9`: savings plan and reservation effective cost: `EffectiveCost` on
//!   the rows whose type is `SavingsPlanCoveredUsage`, `DiscountedUsage`;
//! - `base + 10`, `base + 11`: the row's `Tags` and `x_CostCategories` entries, each as one
//!   label-set cell ([`ColumnMap::label_sets`], `fold::encode_label_set`): the keys are not
//!   in the header and vary by row, so the cell carries keys and values together and the file
//!   is read once.
//!
//! `NULL` (any case), `\N` and empty cells are null everywhere.

use super::CurError;
use super::columns::{ColumnMap, LabelKind};
use super::fold::Cells;
use super::source::Compression;
use std::cell::RefCell;
use std::path::Path;

/// The FOCUS version a header tells (by the columns a version added), or `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FocusVersion {
    V1_0,
    V1_1,
    V1_2,
    /// A subset of columns that no version can be told from.
    Unknown,
}

/// Columns FOCUS 1.2 added (FOCUS_Spec changelog; `cur_formats.md` 3.1).
const ADDED_1_2: [&str; 7] = [
    "InvoiceId",
    "BillingAccountType",
    "SubAccountType",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
];
/// Columns FOCUS 1.1 added.
const ADDED_1_1: [&str; 7] = [
    "CapacityReservationId",
    "CapacityReservationStatus",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "ServiceSubcategory",
    "SkuMeter",
    "SkuPriceDetails",
];
/// FOCUS 1.0 columns an export of the whole 1.0 table holds (a subset export cannot be told).
const IN_1_0: [&str; 10] = [
    "ChargeClass",
    "ChargeFrequency",
    "CommitmentDiscountStatus",
    "PricingCategory",
    "ContractedCost",
    "EffectiveCost",
    "ListCost",
    "ConsumedQuantity",
    "RegionId",
    "InvoiceIssuerName",
];

impl FocusVersion {
    /// The version a header's columns tell.
    pub fn of<S: AsRef<str>>(header: &[S]) -> Self {
        let has = |n: &str| header.iter().any(|h| h.as_ref().trim() == n);
        if ADDED_1_2.iter().any(|n| has(n)) {
            FocusVersion::V1_2
        } else if ADDED_1_1.iter().any(|n| has(n)) {
            FocusVersion::V1_1
        } else if IN_1_0.iter().all(|n| has(n)) {
            FocusVersion::V1_0
        } else {
            FocusVersion::Unknown
        }
    }
}

/// The name an import shows for a FOCUS file: `FOCUS 1.2 CSV (gzip)`, `FOCUS Parquet`, ...
/// (`compression` is `None` for Parquet).
pub fn format_name(version: FocusVersion, compression: Option<Compression>) -> &'static str {
    use Compression::{Gzip, None as Plain, Zip};
    use FocusVersion::*;
    match (version, compression) {
        (V1_0, Some(Plain)) => "FOCUS 1.0 CSV",
        (V1_0, Some(Gzip)) => "FOCUS 1.0 CSV (gzip)",
        (V1_0, Some(Zip)) => "FOCUS 1.0 CSV (zip)",
        (V1_0, None) => "FOCUS 1.0 Parquet",
        (V1_1, Some(Plain)) => "FOCUS 1.1 CSV",
        (V1_1, Some(Gzip)) => "FOCUS 1.1 CSV (gzip)",
        (V1_1, Some(Zip)) => "FOCUS 1.1 CSV (zip)",
        (V1_1, None) => "FOCUS 1.1 Parquet",
        (V1_2, Some(Plain)) => "FOCUS 1.2 CSV",
        (V1_2, Some(Gzip)) => "FOCUS 1.2 CSV (gzip)",
        (V1_2, Some(Zip)) => "FOCUS 1.2 CSV (zip)",
        (V1_2, None) => "FOCUS 1.2 Parquet",
        (Unknown, Some(Plain)) => "FOCUS CSV",
        (Unknown, Some(Gzip)) => "FOCUS CSV (gzip)",
        (Unknown, Some(Zip)) => "FOCUS CSV (zip)",
        (Unknown, None) => "FOCUS Parquet",
    }
}

/// Columns that tell a FOCUS header, spelled as FOCUS spells them (no CUR, CUR 2.0 or cube
/// column has these names).
const MARKERS: [&str; 11] = [
    "BilledCost",
    "ChargeCategory",
    "BillingAccountId",
    "SubAccountId",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "EffectiveCost",
    "ListCost",
    "ServiceName",
    "BillingCurrency",
    "ProviderName",
];

/// True when a header is FOCUS: it holds at least three of the FOCUS columns ([`MARKERS`]:
/// `BilledCost`, `ChargeCategory`, `BillingAccountId`, `SubAccountId`, ...), so a FOCUS
/// export missing a required column is still told FOCUS, and the column named.
pub fn is_focus_header<S: AsRef<str>>(header: &[S]) -> bool {
    MARKERS
        .iter()
        .filter(|m| header.iter().any(|h| h.as_ref().trim() == **m))
        .count()
        >= 3
}

/// A non-AWS billing or sub account id (an Azure subscription GUID or billing account id, a
/// Google Cloud `012345-6789AB-CDEF01` billing account or project id, an Oracle OCID): 1 to
/// 256 printable ASCII characters without spaces, quotes or commas. Accepted only on rows of
/// a FOCUS file whose provider is not AWS; AWS rows keep the 12-digit check.
pub fn is_other_account_id(text: &str) -> bool {
    (1..=256).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b',' | b'\\'))
}

/// Number of fixed derived cells (before the label cells).
const FIXED: usize = 10;
const D_ACCOUNT: usize = 0;
const D_TYPE: usize = 1;
const D_SERVICE: usize = 2;
const D_ENTITY: usize = 3;
const D_REGION: usize = 4;
const D_USAGE: usize = 5;
const D_RI_ARN: usize = 6;
const D_SP_ARN: usize = 7;
const D_SP_EFF: usize = 8;
const D_RI_EFF: usize = 9;

/// Where a FOCUS file's columns are, and the derived cells built from them.
#[derive(Debug, Clone)]
pub struct FocusColumns {
    /// Columns of the file's header; derived cells start here.
    pub base: usize,
    /// The version the columns tell.
    pub version: FocusVersion,
    billing_account: usize,
    sub_account: Option<usize>,
    charge_category: usize,
    charge_class: Option<usize>,
    charge_frequency: Option<usize>,
    commitment_status: Option<usize>,
    commitment_type: Option<usize>,
    commitment_id: Option<usize>,
    service_code: Option<usize>,
    service_name: Option<usize>,
    region_id: Option<usize>,
    region_name: Option<usize>,
    consumed_quantity: Option<usize>,
    pricing_quantity: Option<usize>,
    effective_cost: Option<usize>,
    provider: Option<usize>,
    publisher: Option<usize>,
    invoice_issuer: Option<usize>,
    /// The `Tags` column (a JSON object; a Parquet MAP is read as the same JSON).
    pub tags: Option<usize>,
    /// The `x_CostCategories` column (a JSON object).
    pub cost_categories: Option<usize>,
}

impl FocusColumns {
    /// The header columns the derived cells are read from (for readers that project).
    pub fn sources(&self) -> impl Iterator<Item = usize> + '_ {
        [
            Some(self.billing_account),
            self.sub_account,
            Some(self.charge_category),
            self.charge_class,
            self.charge_frequency,
            self.commitment_status,
            self.commitment_type,
            self.commitment_id,
            self.service_code,
            self.service_name,
            self.region_id,
            self.region_name,
            self.consumed_quantity,
            self.pricing_quantity,
            self.effective_cost,
            self.provider,
            self.publisher,
            self.invoice_issuer,
            self.tags,
            self.cost_categories,
        ]
        .into_iter()
        .flatten()
    }

    /// The header column derived cell `col` is read from, for errors that name a column
    /// (the derived cells' names, `SubAccountId (usage account)`, say which); None for a
    /// header column or a derived cell without one source.
    pub fn source_of(&self, col: usize) -> Option<usize> {
        let sources = [
            self.sub_account.or(Some(self.billing_account)),
            Some(self.charge_category),
            self.service_code.or(self.service_name),
            self.provider,
            self.region_id,
            self.consumed_quantity,
            self.commitment_id,
            self.commitment_id,
            self.effective_cost,
            self.effective_cost,
            self.tags,
            self.cost_categories,
        ];
        sources.get(col.checked_sub(self.base)?).copied().flatten()
    }

    /// The header columns only numeric derived cells are read from (usage amount,
    /// effective cost): value cells for `fold::memo`.
    pub fn value_sources(&self) -> impl Iterator<Item = usize> + '_ {
        [
            self.consumed_quantity,
            self.pricing_quantity,
            self.effective_cost,
        ]
        .into_iter()
        .flatten()
    }

    fn derived(&self) -> usize {
        FIXED + 2
    }
}

/// Locates a FOCUS header's columns. The required ones are `BillingAccountId`,
/// `BillingPeriodStart`, `ChargeCategory`, `BilledCost` and `ServiceName` or `x_ServiceCode`.
///
/// # Errors
/// A required column missing (named as FOCUS spells it), or a column proforma reads named
/// twice.
pub fn column_map(path: &Path, header: &[String]) -> Result<ColumnMap, CurError> {
    let find = |n: &str| header.iter().position(|h| h.trim() == n);
    let mut missing: Vec<String> = ["BillingAccountId", "BillingPeriodStart", "ChargeCategory"]
        .into_iter()
        .chain(["BilledCost"])
        .filter(|n| find(n).is_none())
        .map(String::from)
        .collect();
    if find("ServiceName").is_none() && find("x_ServiceCode").is_none() {
        missing.push("ServiceName (or x_ServiceCode)".into());
    }
    if !missing.is_empty() {
        return Err(CurError::MissingColumns {
            path: path.to_path_buf(),
            columns: missing,
        });
    }
    // A column proforma reads, named twice: which one holds the values cannot be told.
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if let Some(first) = header[..i].iter().position(|x| x.trim() == h)
            && READ.contains(&h)
        {
            return Err(CurError::DuplicateColumn {
                path: path.to_path_buf(),
                name: h.to_string(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    let req = |n: &str| find(n).unwrap_or(usize::MAX);
    let base = header.len();
    let f = FocusColumns {
        base,
        version: FocusVersion::of(header),
        billing_account: req("BillingAccountId"),
        sub_account: find("SubAccountId"),
        charge_category: req("ChargeCategory"),
        charge_class: find("ChargeClass"),
        charge_frequency: find("ChargeFrequency"),
        commitment_status: find("CommitmentDiscountStatus"),
        commitment_type: find("CommitmentDiscountType"),
        commitment_id: find("CommitmentDiscountId"),
        service_code: find("x_ServiceCode"),
        service_name: find("ServiceName"),
        region_id: find("RegionId"),
        region_name: find("RegionName"),
        consumed_quantity: find("ConsumedQuantity"),
        pricing_quantity: find("PricingQuantity"),
        effective_cost: find("EffectiveCost"),
        provider: find("ProviderName"),
        publisher: find("PublisherName"),
        invoice_issuer: find("InvoiceIssuerName"),
        tags: find("Tags"),
        cost_categories: find("x_CostCategories"),
    };
    let mut names = header.to_vec();
    names.extend(
        [
            "SubAccountId (usage account)",
            "ChargeCategory (line item type)",
            "x_ServiceCode (service code)",
            "ProviderName (billing entity)",
            "RegionId (region)",
            "ConsumedQuantity (usage amount)",
            "CommitmentDiscountId (reservation ARN)",
            "CommitmentDiscountId (savings plan ARN)",
            "EffectiveCost (savings plan)",
            "EffectiveCost (reservation)",
            "Tags",
            "x_CostCategories",
        ]
        .map(String::from),
    );
    let label_sets = [
        (f.tags, base + FIXED, LabelKind::Tag),
        (f.cost_categories, base + FIXED + 1, LabelKind::CostCategory),
    ]
    .into_iter()
    .filter_map(|(col, at, kind)| col.map(|_| (at, kind)))
    .collect();
    Ok(ColumnMap {
        payer: f.billing_account,
        account: base + D_ACCOUNT,
        period_start: req("BillingPeriodStart"),
        line_item_type: base + D_TYPE,
        product_code: base + D_SERVICE,
        unblended_cost: req("BilledCost"),
        billing_entity: Some(base + D_ENTITY),
        usage_type: find("x_UsageType"),
        operation: find("x_Operation"),
        usage_amount: Some(base + D_USAGE),
        unblended_rate: None,
        public_cost: find("ListCost"),
        public_rate: None,
        product_name: find("ServiceName"),
        region: Some(base + D_REGION),
        reservation_arn: Some(base + D_RI_ARN),
        savings_plan_arn: Some(base + D_SP_ARN),
        sp_effective_cost: Some(base + D_SP_EFF),
        ri_effective_cost: Some(base + D_RI_EFF),
        usage_start: find("ChargePeriodStart"),
        currency: find("BillingCurrency"),
        invoice_id: find("InvoiceId"),
        invoicing_entity: find("InvoiceIssuerName"),
        labels: Vec::new(),
        label_sets,
        cube: None,
        cur2: None,
        focus: Some(Box::new(f)),
        names,
    })
}

/// FOCUS columns proforma reads (a second column of the same name is refused).
const READ: [&str; 29] = [
    "BillingAccountId",
    "SubAccountId",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeFrequency",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountId",
    "BilledCost",
    "ListCost",
    "EffectiveCost",
    "ServiceName",
    "x_ServiceCode",
    "x_UsageType",
    "x_Operation",
    "RegionId",
    "RegionName",
    "ConsumedQuantity",
    "PricingQuantity",
    "ChargePeriodStart",
    "BillingCurrency",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "InvoiceId",
    "Tags",
    "x_CostCategories",
    "PricingCategory",
];

fn is_null(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    t.is_empty() || t == b"\\N" || t.eq_ignore_ascii_case(b"null")
}

/// A cell's text, empty when null.
fn value<R: Cells>(row: &R, col: Option<usize>) -> &[u8] {
    match col {
        Some(c) => {
            let v = row.cell(c);
            if is_null(v) { b"" } else { v.trim_ascii() }
        }
        None => b"",
    }
}

/// The first non-null of two cells.
fn first_of<R: Cells>(row: &R, a: Option<usize>, b: Option<usize>) -> &[u8] {
    let v = value(row, a);
    if v.is_empty() { value(row, b) } else { v }
}

/// Whether `hay` holds `needle` (ASCII case-insensitive; `needle` in lower case).
fn ci_contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether `hay` starts with `prefix` (ASCII case-insensitive).
fn ci_starts(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Whether a `ProviderName` names AWS. A file without the column, or a null cell, is AWS's
/// (AWS's export always fills it; the other clouds' exports too).
pub fn is_aws_provider(provider: &[u8]) -> bool {
    // ASCII case-insensitive, on the bytes: no allocation per row.
    let is_aws = |p: &[u8]| {
        p.is_empty()
            || p.eq_ignore_ascii_case(b"aws")
            || p.eq_ignore_ascii_case(b"amazon")
            || ci_starts(p, b"amazon web services")
    };
    let p = provider.trim_ascii();
    if p.is_ascii() {
        return is_aws(p);
    }
    // Other white space (`str::trim`'s) or bytes that are not UTF-8 (read lossily): rare.
    is_aws(String::from_utf8_lossy(p).trim().as_bytes())
}

/// What a commitment discount is: a Savings Plan, a reservation, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    None,
    SavingsPlan,
    Reservation,
}

/// The commitment a row names: by `CommitmentDiscountType` (`Savings Plan`, `Reserved
/// Instance`, Azure's `Reservation`, ...), else by its id (an AWS `savingsplan` ARN or any
/// other id: a reservation).
pub fn commitment_of(kind: &[u8], id: &[u8]) -> Commitment {
    if ci_contains(kind, b"savings") {
        Commitment::SavingsPlan
    } else if !kind.is_empty() {
        // `Reserved Instance`, Azure's `Reservation`, any other commitment type.
        Commitment::Reservation
    } else if id.is_empty() {
        Commitment::None
    } else if ci_contains(id, b"savingsplan") {
        Commitment::SavingsPlan
    } else {
        Commitment::Reservation
    }
}

/// The CUR line item type a FOCUS row maps to (README "Supported inputs", FOCUS):
/// - `Usage`: `Usage`; with a commitment `Used`: `DiscountedUsage` (reservation) or
///   `SavingsPlanCoveredUsage` (Savings Plan); `Unused`: `RIFee` / `SavingsPlanRecurringFee`
///   (the unused commitment is a fee of the owner, as in the CUR);
/// - `Purchase`: Savings Plan one-time `SavingsPlanUpfrontFee`, else
///   `SavingsPlanRecurringFee`; reservation recurring `RIFee`, one-time `Fee` (the CUR's RI
///   upfront fee is a `Fee`); no commitment `Fee`;
/// - `Tax`: `Tax`; `Credit`: `Credit`; `Adjustment`: `Refund` (either sign: both are counted
///   in AWSCost and left out of pro forma, SPEC 4.2);
/// - any other category is kept as written (an unknown type: unblended cost, listed in the
///   diagnostics). `ChargeClass = Correction` does not change the type.
pub fn line_item_type(
    category: &[u8],
    status: &[u8],
    commitment: Commitment,
    frequency: &[u8],
) -> Option<&'static str> {
    let eq = |a: &[u8], b: &str| a.eq_ignore_ascii_case(b.as_bytes());
    Some(if eq(category, "Usage") {
        let unused = eq(status, "Unused");
        match commitment {
            Commitment::None => "Usage",
            Commitment::SavingsPlan if unused => "SavingsPlanRecurringFee",
            Commitment::Reservation if unused => "RIFee",
            Commitment::SavingsPlan => "SavingsPlanCoveredUsage",
            Commitment::Reservation => "DiscountedUsage",
        }
    } else if eq(category, "Purchase") {
        let one_time = eq(frequency, "One-Time");
        match commitment {
            Commitment::SavingsPlan if one_time => "SavingsPlanUpfrontFee",
            Commitment::SavingsPlan => "SavingsPlanRecurringFee",
            Commitment::Reservation if eq(frequency, "Recurring") => "RIFee",
            Commitment::Reservation | Commitment::None => "Fee",
        }
    } else if eq(category, "Tax") {
        "Tax"
    } else if eq(category, "Credit") {
        "Credit"
    } else if eq(category, "Adjustment") {
        "Refund"
    } else {
        return None;
    })
}

/// The billing entity of a row: AWS rows `AISPL` when the invoice issuer is Amazon Internet
/// Services, `AWS Marketplace` when the publisher is not AWS (a Marketplace seller), else
/// `AWS`; rows of another provider: the provider's name as written (`Microsoft`, `Google
/// Cloud`, `Oracle`).
pub fn billing_entity<'a>(provider: &'a [u8], publisher: &[u8], issuer: &[u8]) -> &'a [u8] {
    if !is_aws_provider(provider) {
        return provider;
    }
    let (publisher, issuer) = (publisher.trim_ascii(), issuer.trim_ascii());
    if ci_contains(issuer, b"amazon internet services") || issuer.eq_ignore_ascii_case(b"aispl") {
        b"AISPL"
    } else if ci_contains(publisher, b"marketplace")
        || !(publisher.is_empty()
            || ci_starts(publisher, b"amazon")
            || publisher.eq_ignore_ascii_case(b"aws")
            || ci_starts(publisher, b"aws "))
    {
        b"AWS Marketplace"
    } else {
        b"AWS"
    }
}

/// The service code of a row: `x_ServiceCode` as written; without it, `ServiceName`'s
/// letters and digits (`Virtual Machines` -> `VirtualMachines`): a pricing rule's service
/// code is alphanumeric (SPEC 2.2), so rules can name every service.
pub fn service_code_of(code: &[u8], name: &[u8], out: &mut Vec<u8>) {
    if !code.is_empty() {
        out.extend_from_slice(code);
    } else {
        out.extend(name.iter().copied().filter(u8::is_ascii_alphanumeric));
    }
}

/// Per-thread scratch, reused row after row: the derived cells, and a tag object's entries
/// as byte ranges of a text buffer (for `fold::encode_label_set`).
#[derive(Default)]
struct Scratch {
    cells: Vec<Vec<u8>>,
    text: Vec<u8>,
    pairs: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A row with its derived cells.
pub struct FocusRow<'a, R> {
    row: &'a R,
    base: usize,
    extra: &'a [Vec<u8>],
    /// The header column a numeric derived cell was copied from (usage amount, effective
    /// costs), by derived position: its number is the source's (`Cells::decimal`).
    numbers: [Option<usize>; FIXED],
    /// Which effective cost the row's `EffectiveCost` feeds.
    effective: Effective,
}

/// Which effective cost column a FOCUS row's `EffectiveCost` feeds, by its line item type
/// (`SavingsPlanCoveredUsage`: the savings plan's, `DiscountedUsage`: the reservation's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effective {
    /// Neither: the row's line item type takes no effective cost.
    None,
    /// `savingsPlan/SavingsPlanEffectiveCost`.
    SavingsPlan,
    /// `reservation/EffectiveCost`.
    Reservation,
}

impl<R> FocusRow<'_, R> {
    /// Which effective cost this row's `EffectiveCost` feeds.
    pub fn effective(&self) -> Effective {
        self.effective
    }
}

/// The header columns the numeric derived cells are read from (usage amount: the consumed
/// quantity when the row has one, else the pricing quantity; the effective cost as
/// `effective` says), by derived position.
fn value_sources<R: Cells>(
    c: &FocusColumns,
    row: &R,
    effective: Effective,
) -> [Option<usize>; FIXED] {
    let mut numbers = [None; FIXED];
    // A cell with a number is not empty (asked first: a Parquet DOUBLE's text is written
    // only when read).
    let consumed = c
        .consumed_quantity
        .is_some_and(|col| row.decimal(col).is_some() || !value(row, Some(col)).is_empty());
    numbers[D_USAGE] = if consumed {
        c.consumed_quantity
    } else {
        c.pricing_quantity
    };
    match effective {
        Effective::SavingsPlan => numbers[D_SP_EFF] = c.effective_cost,
        Effective::Reservation => numbers[D_RI_EFF] = c.effective_cost,
        Effective::None => {}
    }
    numbers
}

impl<R: Cells> Cells for FocusRow<'_, R> {
    fn cell(&self, index: usize) -> &[u8] {
        if index < self.base {
            return self.row.cell(index);
        }
        match self.numbers.get(index - self.base) {
            // A number copied from a header column: that cell, as `value` reads it.
            Some(Some(source)) => value(self.row, Some(*source)),
            _ => self
                .extra
                .get(index - self.base)
                .map(Vec::as_slice)
                .unwrap_or(b""),
        }
    }

    fn text(&self, index: usize) -> Option<&str> {
        // The reader's own cells as it answers them (validated once per block or array).
        if index < self.base {
            self.row.text(index)
        } else {
            std::str::from_utf8(self.cell(index)).ok()
        }
    }

    fn decimal(&self, index: usize) -> Option<rust_decimal::Decimal> {
        if index < self.base {
            self.row.decimal(index)
        } else {
            let source = (*self.numbers.get(index - self.base)?)?;
            self.row.decimal(source)
        }
    }
}

fn bad(path: &Path, names: &[String], line: u64, col: usize, raw: &[u8], reason: &str) -> CurError {
    CurError::BadCell {
        path: path.to_path_buf(),
        line,
        column: col + 1,
        name: names.get(col).cloned().unwrap_or_default(),
        value: String::from_utf8_lossy(raw).chars().take(80).collect(),
        reason: reason.to_string(),
    }
}

/// Calls `f(key, value)` for each entry of a JSON-object cell (`Tags`, `x_CostCategories`);
/// values that are strings as written, numbers and booleans as their JSON text, null empty.
///
/// # Errors
/// A cell that is not null and not a JSON object (file, line, column, reason).
fn visit_object(
    path: &Path,
    names: &[String],
    line: u64,
    col: usize,
    raw: &[u8],
    mut f: impl FnMut(&str, &[u8]),
) -> Result<(), CurError> {
    if is_null(raw) {
        return Ok(());
    }
    let t = raw.trim_ascii();
    // The flat object of plain strings AWS writes, read in place (cur2's fast path); anything
    // else (escapes, numbers, bad JSON) goes through serde_json.
    if let Some(entries) = super::cur2::fast_entries(t)
        && entries.iter().all(|(k, _)| std::str::from_utf8(k).is_ok())
    {
        for (k, v) in entries {
            f(std::str::from_utf8(k).unwrap_or_default(), v);
        }
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(t) {
        Ok(serde_json::Value::Object(m)) => {
            let mut text = String::new();
            for (k, v) in &m {
                text.clear();
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => text.push_str(s),
                    other => text.push_str(&other.to_string()),
                }
                f(k, text.as_bytes());
            }
            Ok(())
        }
        Ok(_) => Err(bad(
            path,
            names,
            line,
            col,
            raw,
            "is not a JSON object: FOCUS tags hold {\"key\": \"value\", ...}",
        )),
        Err(e) => Err(bad(
            path,
            names,
            line,
            col,
            raw,
            &format!("is not valid JSON ({e}); FOCUS tags hold a JSON object"),
        )),
    }
}

/// A JSON-object cell (`Tags`, `x_CostCategories`) as one label-set cell
/// (`fold::encode_label_set`) appended to `out`; `text` and `pairs` are scratch.
///
/// # Errors
/// As [`visit_object`].
#[allow(clippy::too_many_arguments)]
pub(super) fn object_label_set(
    path: &Path,
    names: &[String],
    line: u64,
    col: usize,
    raw: &[u8],
    text: &mut Vec<u8>,
    pairs: &mut Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    out: &mut Vec<u8>,
) -> Result<(), CurError> {
    text.clear();
    pairs.clear();
    visit_object(path, names, line, col, raw, |k, v| {
        let k_at = text.len();
        text.extend_from_slice(k.as_bytes());
        let v_at = text.len();
        text.extend_from_slice(v);
        pairs.push((k_at..v_at, v_at..text.len()));
    })?;
    crate::cur::fold::encode_label_set(text, pairs, out);
    Ok(())
}

/// Builds the derived cells of `row` and calls `f` with the row that shows them.
///
/// # Errors
/// A null `ChargeCategory`, an AWS row whose account id is not 12 digits, a tag cell that is
/// not a JSON object (each named by file, line, column and reason), or what `f` returns.
pub fn with_row<R: Cells, T>(
    c: &FocusColumns,
    path: &Path,
    names: &[String],
    row: &R,
    line: u64,
    f: impl FnOnce(&FocusRow<'_, R>) -> Result<T, CurError>,
) -> Result<T, CurError> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch {
            cells: extra,
            text,
            pairs,
        } = &mut *scratch;
        extra.resize_with(c.derived(), Vec::new);
        for cell in extra.iter_mut() {
            cell.clear();
        }
        let provider = value(row, c.provider);
        let aws = is_aws_provider(provider);
        let payer = value(row, Some(c.billing_account));
        let account = first_of(row, c.sub_account, Some(c.billing_account));
        if aws {
            // AWS rows keep the CUR's check: 12-digit account ids.
            let twelve = |v: &[u8]| v.len() == 12 && v.iter().all(u8::is_ascii_digit);
            for (v, col) in [
                (payer, Some(c.billing_account)),
                (value(row, c.sub_account), c.sub_account),
            ] {
                if let Some(col) = col
                    && !v.is_empty()
                    && !twelve(v)
                {
                    return Err(bad(
                        path,
                        names,
                        line,
                        col,
                        v,
                        "is not a 12-digit account id (the row's provider is AWS)",
                    ));
                }
            }
        }
        extra[D_ACCOUNT].extend_from_slice(account);
        let category = value(row, Some(c.charge_category));
        if category.is_empty() {
            return Err(bad(
                path,
                names,
                line,
                c.charge_category,
                row.cell(c.charge_category),
                "is empty or null: a value is required here",
            ));
        }
        let id = value(row, c.commitment_id);
        let commitment = commitment_of(value(row, c.commitment_type), id);
        let lit = line_item_type(
            category,
            value(row, c.commitment_status),
            commitment,
            value(row, c.charge_frequency),
        );
        match lit {
            Some(t) => extra[D_TYPE].extend_from_slice(t.as_bytes()),
            None => extra[D_TYPE].extend_from_slice(category),
        }
        service_code_of(
            value(row, c.service_code),
            value(row, c.service_name),
            &mut extra[D_SERVICE],
        );
        extra[D_ENTITY].extend_from_slice(billing_entity(
            provider,
            value(row, c.publisher),
            value(row, c.invoice_issuer),
        ));
        extra[D_REGION].extend_from_slice(first_of(row, c.region_id, c.region_name));
        match commitment {
            Commitment::Reservation => extra[D_RI_ARN].extend_from_slice(id),
            Commitment::SavingsPlan => extra[D_SP_ARN].extend_from_slice(id),
            Commitment::None => {}
        }
        // The usage amount and effective costs are shown from their header cells (numbers).
        let effective = match lit {
            Some("SavingsPlanCoveredUsage") => Effective::SavingsPlan,
            Some("DiscountedUsage") => Effective::Reservation,
            _ => Effective::None,
        };
        let numbers = value_sources(c, row, effective);
        for (col, at) in [(c.tags, FIXED), (c.cost_categories, FIXED + 1)] {
            let Some(col) = col else { continue };
            // A Parquet MAP comes as its label set already (parquet_columns).
            if let Some(set) = row.label_set(col) {
                extra[at].extend_from_slice(set);
                continue;
            }
            object_label_set(
                path,
                names,
                line,
                col,
                row.cell(col),
                text,
                pairs,
                &mut extra[at],
            )?;
        }
        let adapted = FocusRow {
            row,
            base: c.base,
            extra,
            numbers,
            effective,
        };
        f(&adapted)
    })
}

/// Calls `f` with `row` showing only the value cells of its derived cells (usage amount,
/// the effective cost `effective` names): for a row whose key cells an earlier row had
/// (`fold::memo`), so nothing of the key is derived again.
pub(super) fn with_values<R: Cells, T>(
    c: &FocusColumns,
    row: &R,
    effective: Effective,
    f: impl FnOnce(&FocusRow<'_, R>) -> T,
) -> T {
    f(&FocusRow {
        row,
        base: c.base,
        extra: &[],
        numbers: value_sources(c, row, effective),
        effective,
    })
}

/// Text at `i` of a string array of any layout; `None` when null or not a string array.
#[cfg(test)]
fn string_at(a: &dyn arrow_array::Array, i: usize) -> Option<&str> {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(a.as_string_view().value(i)),
        _ => None,
    }
}

/// Whether an arrow type is one of the string layouts (a FOCUS tag map's keys and values).
pub(super) fn is_string_type(t: &arrow_schema::DataType) -> bool {
    use arrow_schema::DataType;
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Writes `s` as a JSON string (quoted, escaped).
#[cfg(test)]
fn push_json_string(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    // The usual tag text needs no escape: copied whole.
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes row `row` of a string or map-of-strings column as the JSON text a FOCUS CSV holds
/// (null: nothing). False for any other type. The reader hands a map over as its label set
/// (`Cells::label_set`); this is the tests' reference for that set.
#[cfg(test)]
pub(super) fn json_text(a: &dyn arrow_array::Array, row: usize, out: &mut String) -> bool {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    if is_string_type(a.data_type()) {
        if let Some(t) = string_at(a, row) {
            out.push_str(t);
        }
        return true;
    }
    if !matches!(a.data_type(), DataType::Map(..)) {
        return false;
    }
    if a.is_null(row) {
        return true;
    }
    let m = a.as_map();
    let (keys, values) = (m.keys().as_ref(), m.values().as_ref());
    if !is_string_type(keys.data_type()) || !is_string_type(values.data_type()) {
        return false;
    }
    let offsets = m.value_offsets();
    let (from, to) = (offsets[row] as usize, offsets[row + 1] as usize);
    out.push('{');
    for j in from..to {
        if j > from {
            out.push(',');
        }
        push_json_string(out, string_at(keys, j).unwrap_or_default());
        out.push(':');
        match string_at(values, j) {
            Some(v) => push_json_string(out, v),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        [
            "BillingAccountId",
            "SubAccountId",
            "BillingPeriodStart",
            "ChargePeriodStart",
            "ChargeCategory",
            "ChargeClass",
            "ChargeFrequency",
            "CommitmentDiscountId",
            "CommitmentDiscountType",
            "CommitmentDiscountStatus",
            "BilledCost",
            "ListCost",
            "EffectiveCost",
            "ServiceName",
            "x_ServiceCode",
            "ProviderName",
            "PublisherName",
            "RegionId",
            "ConsumedQuantity",
            "Tags",
        ]
        .map(String::from)
        .to_vec()
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        provider: &str,
        sub: &str,
        category: &str,
        freq: &str,
        cid: &str,
        ctype: &str,
        status: &str,
        tags: &str,
    ) -> Vec<String> {
        [
            "111111111111",
            sub,
            "2026-09-01T00:00:00Z",
            "2026-09-03T00:00:00Z",
            category,
            "NULL",
            freq,
            cid,
            ctype,
            status,
            "1.5",
            "2.0",
            "1.2",
            "Virtual Machines",
            "NULL",
            provider,
            "NULL",
            "eastus",
            "3",
            tags,
        ]
        .map(String::from)
        .to_vec()
    }

    fn derived(map: &ColumnMap, r: &Vec<String>) -> Result<Vec<String>, CurError> {
        let c = map.focus.as_deref().expect("focus");
        with_row(c, Path::new("f.csv"), &map.names, r, 2, |a| {
            Ok((c.base..c.base + c.derived())
                .map(|i| String::from_utf8_lossy(a.cell(i)).to_string())
                .collect())
        })
    }

    #[test]
    fn line_item_types_follow_category_commitment_and_frequency() {
        use Commitment::*;
        let t = |c: &str, s: &str, k, f: &str| {
            line_item_type(c.as_bytes(), s.as_bytes(), k, f.as_bytes())
        };
        assert_eq!(t("Usage", "", None, "Usage-Based"), Some("Usage"));
        assert_eq!(
            t("usage", "Used", SavingsPlan, ""),
            Some("SavingsPlanCoveredUsage")
        );
        assert_eq!(t("Usage", "Used", Reservation, ""), Some("DiscountedUsage"));
        assert_eq!(t("Usage", "Unused", Reservation, ""), Some("RIFee"));
        assert_eq!(
            t("Usage", "Unused", SavingsPlan, ""),
            Some("SavingsPlanRecurringFee")
        );
        assert_eq!(
            t("Purchase", "", SavingsPlan, "One-Time"),
            Some("SavingsPlanUpfrontFee")
        );
        assert_eq!(
            t("Purchase", "", SavingsPlan, "Recurring"),
            Some("SavingsPlanRecurringFee")
        );
        assert_eq!(t("Purchase", "", Reservation, "Recurring"), Some("RIFee"));
        assert_eq!(t("Purchase", "", Reservation, "One-Time"), Some("Fee"));
        assert_eq!(t("Purchase", "", None, "One-Time"), Some("Fee"));
        assert_eq!(t("Tax", "", None, ""), Some("Tax"));
        assert_eq!(t("Credit", "", None, ""), Some("Credit"));
        assert_eq!(t("Adjustment", "", None, ""), Some("Refund"));
        assert_eq!(t("Rebate", "", None, ""), Option::None);
        assert_eq!(
            commitment_of(b"", b"arn:aws:savingsplans::1:savingsplan/x"),
            SavingsPlan
        );
        assert_eq!(
            commitment_of(b"", b"arn:aws:ec2:us-east-1:1:reserved-instances/x"),
            Reservation
        );
        assert_eq!(commitment_of(b"Reservation", b"/providers/x"), Reservation);
        assert_eq!(commitment_of(b"NULL"[..0].as_ref(), b""), None);
    }

    #[test]
    fn billing_entity_and_service_code() {
        assert_eq!(
            billing_entity(b"AWS", b"Amazon Web Services, Inc.", b""),
            b"AWS"
        );
        assert_eq!(billing_entity(b"", b"", b""), b"AWS");
        assert_eq!(
            billing_entity(b"AWS", b"Acme Software LLC", b""),
            b"AWS Marketplace"
        );
        assert_eq!(
            billing_entity(b"AWS", b"AWS Marketplace", b""),
            b"AWS Marketplace"
        );
        assert_eq!(
            billing_entity(b"AWS", b"", b"Amazon Internet Services Pvt. Ltd."),
            b"AISPL"
        );
        assert_eq!(
            billing_entity(b"Microsoft", b"Microsoft", b""),
            b"Microsoft"
        );
        let code = |c: &[u8], n: &[u8]| {
            let mut out = Vec::new();
            service_code_of(c, n, &mut out);
            String::from_utf8(out).expect("utf-8")
        };
        assert_eq!(
            code(b"AmazonEC2", b"Amazon Elastic Compute Cloud"),
            "AmazonEC2"
        );
        assert_eq!(code(b"", b"Virtual Machines"), "VirtualMachines");
        assert_eq!(code(b"", b"Compute Engine"), "ComputeEngine");
        assert!(is_aws_provider(b"Amazon Web Services, Inc."));
        assert!(!is_aws_provider(b"Microsoft"));
    }

    #[test]
    fn derived_cells_of_an_azure_and_an_aws_row() {
        let h = header();
        let map = column_map(Path::new("f.csv"), &h).expect("focus");
        let azure = row(
            "Microsoft",
            "3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59",
            "Usage",
            "Usage-Based",
            "NULL",
            "NULL",
            "NULL",
            r#"{"team":"web","env":null}"#,
        );
        let base = map.focus.as_deref().expect("focus").base;
        assert_eq!(map.label_sets, vec![(base + FIXED, LabelKind::Tag)]);
        let d = derived(&map, &azure).expect("row");
        assert_eq!(d[D_ACCOUNT], "3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59");
        assert_eq!(d[D_TYPE], "Usage");
        assert_eq!(d[D_SERVICE], "VirtualMachines");
        assert_eq!(d[D_ENTITY], "Microsoft");
        assert_eq!(d[D_REGION], "eastus");
        assert_eq!(d[D_USAGE], "3");
        // The tags as one label set: `team` = `web` (the null `env` carries nothing).
        let mut want = Vec::new();
        crate::cur::fold::encode_label_set(b"teamweb", &mut [(0..4, 4..7)], &mut want);
        assert_eq!(d[FIXED].as_bytes(), want.as_slice());
        let sp = row(
            "AWS",
            "NULL",
            "Usage",
            "Usage-Based",
            "arn:aws:savingsplans::222222222222:savingsplan/abc",
            "Savings Plan",
            "Used",
            "",
        );
        let d = derived(&map, &sp).expect("row");
        // No sub account: the billing account.
        assert_eq!(d[D_ACCOUNT], "111111111111");
        assert_eq!(d[D_TYPE], "SavingsPlanCoveredUsage");
        assert_eq!(
            d[D_SP_ARN],
            "arn:aws:savingsplans::222222222222:savingsplan/abc"
        );
        assert_eq!(d[D_RI_ARN], "");
        assert_eq!(d[D_SP_EFF], "1.2");
        assert_eq!(d[D_RI_EFF], "");
        // An AWS row keeps the 12-digit check; a bad tag cell names line and column.
        let bad_id = row("AWS", "12345", "Usage", "", "", "", "", "");
        let e = derived(&map, &bad_id).expect_err("bad id").to_string();
        assert!(e.contains("line 2, column 2 (SubAccountId)"), "{e}");
        let bad_tags = row("AWS", "NULL", "Usage", "", "", "", "", "{team:");
        let e = derived(&map, &bad_tags).expect_err("bad tags").to_string();
        assert!(e.contains("line 2, column 20 (Tags)"), "{e}");
        assert!(e.contains("not valid JSON"), "{e}");
    }

    #[test]
    fn a_parquet_tag_map_reads_as_the_json_object_a_csv_holds() {
        use arrow_array::builder::{MapBuilder, StringBuilder};
        let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        b.keys().append_value("user:team");
        b.values().append_value("we\"b\\");
        b.keys().append_value("env");
        b.values().append_null();
        b.append(true).expect("row");
        b.append(false).expect("null row");
        let a = b.finish();
        let mut text = String::new();
        assert!(json_text(&a, 0, &mut text));
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v, serde_json::json!({"user:team": "we\"b\\", "env": null}));
        text.clear();
        assert!(json_text(&a, 1, &mut text));
        assert_eq!(text, "");
    }

    #[test]
    fn versions_and_required_columns() {
        let mut h = header();
        assert_eq!(FocusVersion::of(&h), FocusVersion::Unknown);
        let mut full: Vec<String> = h.clone();
        full.extend(IN_1_0.map(String::from));
        assert_eq!(FocusVersion::of(&full), FocusVersion::V1_0);
        full.push("SkuMeter".into());
        assert_eq!(FocusVersion::of(&full), FocusVersion::V1_1);
        assert_eq!(format_name(FocusVersion::V1_1, None), "FOCUS 1.1 Parquet");
        h.push("InvoiceId".into());
        assert_eq!(FocusVersion::of(&h), FocusVersion::V1_2);
        assert_eq!(
            format_name(FocusVersion::V1_2, Some(Compression::Gzip)),
            "FOCUS 1.2 CSV (gzip)"
        );
        assert!(is_focus_header(&h));
        let without: Vec<String> = h.iter().filter(|n| *n != "BilledCost").cloned().collect();
        assert!(is_focus_header(&without));
        let e = column_map(Path::new("f.csv"), &without).expect_err("missing");
        assert!(
            e.to_string().contains("missing required column BilledCost"),
            "{e}"
        );
        assert!(!is_focus_header(&[
            "BilledCost",
            "line_item_unblended_cost",
            "ChargeCategory2"
        ]));
        let mut no_cost = header();
        no_cost[10] = "Cost".into();
        let mut with_cc = no_cost.clone();
        with_cc.push("BilledCost".into());
        with_cc.retain(|n| n != "BillingPeriodStart");
        let e = column_map(Path::new("f.csv"), &with_cc).expect_err("missing");
        assert!(
            e.to_string()
                .contains("missing required column BillingPeriodStart"),
            "{e}"
        );
        assert!(is_other_account_id("012345-6789AB-CDEF01"));
        assert!(is_other_account_id("ocid1.tenancy.oc1..aaaa"));
        assert!(!is_other_account_id("a b"));
        assert!(!is_other_account_id(""));
    }
}
