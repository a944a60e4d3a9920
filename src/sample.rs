//! The deterministic sample generator behind `sample-data/` and the import benchmark: one payer
//! with 40 named linked accounts, every line item type of SPEC 4.2, tags and cost categories,
//! in the legacy CUR CSV layout (about 100 columns). Same spec in, same bytes out.
//!
//! The reseller profile (issue 10) scales the same generator: several payers (one legacy CUR
//! delivery per payer and month), any number of linked accounts split among them, a chosen
//! cardinality of the `user:cost-center` tag, and [`config_toml`] writes a billing configuration
//! of many groups, rules and custom line items over those accounts. The defaults reproduce the
//! demo sample byte for byte.

use crate::cur::LineItemType;
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const PAYER: &str = "210987654321";

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    pub seed: u64,
    pub first_period: BillingPeriod,
    pub months: u32,
    /// Usage-like rows per month, all payers together (split evenly, the first payers taking
    /// the remainder); month-end rows (tax, fees, discounts) come on top.
    pub lines_per_month: u64,
    /// Payer (management) accounts; each has its own delivery per month. The first is
    /// [`PAYER`]. At least 1.
    pub payers: u32,
    /// Linked accounts of all payers together, split into contiguous blocks, one per payer;
    /// the first 40 carry the demo's names. At least one per payer.
    pub accounts: usize,
    /// Distinct values of the `user:cost-center` tag, drawn per line; `None` keeps the demo's
    /// rule (one value per four accounts, fixed per account). At least 1.
    pub tag_values: Option<u32>,
}

impl Default for SampleSpec {
    fn default() -> Self {
        Self {
            seed: 20_261_001,
            first_period: BillingPeriod::new(2026, 9)
                .unwrap_or_else(|| unreachable!("2026-09 is valid")),
            months: 2,
            lines_per_month: 12_000,
            payers: 1,
            accounts: ACCOUNTS.len(),
            tag_values: None,
        }
    }
}

impl SampleSpec {
    /// Checks the counts: at least one payer, one account per payer and one tag value.
    /// The error names the field and the reason.
    pub fn check(&self) -> Result<(), String> {
        if self.payers == 0 {
            return Err("--payers must be at least 1".into());
        }
        if self.accounts > MAX_ACCOUNTS {
            return Err(format!(
                "--accounts {} is more than {MAX_ACCOUNTS}: the generated account ids must stay \
                 12 digits",
                self.accounts
            ));
        }
        if self.accounts < self.payers as usize {
            return Err(format!(
                "--accounts {} is fewer than --payers {}: every payer needs a linked account",
                self.accounts, self.payers
            ));
        }
        if self.tag_values == Some(0) {
            return Err("--tag-values must be at least 1".into());
        }
        Ok(())
    }

    /// The linked accounts (indexes for [`account_id`]) of payer `payer` (0-based).
    pub fn payer_accounts(&self, payer: u32) -> std::ops::Range<usize> {
        let (n, p, k) = (self.accounts, self.payers.max(1) as usize, payer as usize);
        n * k / p..n * (k + 1) / p
    }

    /// Usage-like rows per month of payer `payer` (0-based).
    pub fn payer_lines(&self, payer: u32) -> u64 {
        let (n, p, k) = (
            self.lines_per_month,
            u64::from(self.payers.max(1)),
            u64::from(payer),
        );
        n * (k + 1) / p - n * k / p
    }
}

/// The id of payer `payer` (0-based): [`PAYER`] first, then ids below every linked account's.
pub fn payer_id(payer: u32) -> String {
    if payer == 0 {
        PAYER.to_string()
    } else {
        format!("{:012}", 210_987_654_321u64 + u64::from(payer) * 1_000_003)
    }
}

/// Teams of the accounts beyond the named 40, in turn.
const TEAMS: [&str; 8] = [
    "retail",
    "media",
    "fintech",
    "labs",
    "health",
    "logistics",
    "shared",
    "sandbox",
];

/// Name and team of linked account `index`: the demo's 40 names, then `<team>-<index>`.
pub fn account_name(index: usize) -> (String, &'static str) {
    match ACCOUNTS.get(index) {
        Some((name, team)) => ((*name).to_string(), team),
        None => {
            let team = TEAMS[index % TEAMS.len()];
            (format!("{team}-{index:05}"), team)
        }
    }
}

/// SplitMix64: small, fast and the same on every platform, which is all a sample needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A decimal in [lo, hi) with `scale` decimals.
    fn amount(&mut self, lo: u64, hi: u64, scale: u32) -> Decimal {
        let unit = 10u64.pow(scale);
        let v = lo * unit + self.below((hi - lo).max(1) * unit);
        Decimal::new(v as i64, scale)
    }
}

/// The linked accounts: (name, team). Ids are derived from the position.
const ACCOUNTS: [(&str, &str); 40] = [
    ("retail-web-prod", "retail"),
    ("retail-web-staging", "retail"),
    ("retail-data", "retail"),
    ("retail-mobile", "retail"),
    ("retail-search", "retail"),
    ("retail-payments", "retail"),
    ("retail-shared", "retail"),
    ("retail-dev", "retail"),
    ("media-streaming-prod", "media"),
    ("media-transcode", "media"),
    ("media-cdn", "media"),
    ("media-analytics", "media"),
    ("media-dev", "media"),
    ("media-archive", "media"),
    ("media-ads", "media"),
    ("fintech-core-prod", "fintech"),
    ("fintech-ledger", "fintech"),
    ("fintech-risk", "fintech"),
    ("fintech-dev", "fintech"),
    ("fintech-reporting", "fintech"),
    ("fintech-kyc", "fintech"),
    ("labs-ml-research", "labs"),
    ("labs-iot", "labs"),
    ("labs-genai", "labs"),
    ("labs-prototypes", "labs"),
    ("health-portal", "health"),
    ("health-records", "health"),
    ("health-dev", "health"),
    ("health-imaging", "health"),
    ("logistics-tracking", "logistics"),
    ("logistics-routing", "logistics"),
    ("logistics-dev", "logistics"),
    ("shared-networking", "shared"),
    ("shared-security", "shared"),
    ("shared-logging", "shared"),
    ("sandbox-alice", "sandbox"),
    ("sandbox-bob", "sandbox"),
    ("sandbox-carol", "sandbox"),
    ("legacy-erp", "legacy"),
    ("legacy-mail", "legacy"),
];

/// The most linked accounts [`account_id`] spreads over 12-digit ids.
pub const MAX_ACCOUNTS: usize = 87_000;

pub fn account_id(index: usize) -> String {
    // Spread the ids so they look like real ones, yet stay 12 digits and unique.
    format!("{:012}", 304_857_112_600u64 + index as u64 * 7_919_417)
}

/// Accounts file of the demo sample, in the shape of `aws organizations list-accounts`.
pub fn accounts_json() -> String {
    accounts_json_for(&SampleSpec::default())
}

/// Accounts file of a spec's payers and linked accounts, in the shape of
/// `aws organizations list-accounts`: each payer (the management account, named
/// `org-management`, then `org-management-2`, ...) followed by its linked accounts, whose ARNs
/// name their payer.
pub fn accounts_json_for(spec: &SampleSpec) -> String {
    let mut list = Vec::with_capacity(spec.accounts + spec.payers as usize);
    for p in 0..spec.payers {
        let payer = payer_id(p);
        let (email, name) = if p == 0 {
            (
                "aws-billing@example.com".to_string(),
                "org-management".to_string(),
            )
        } else {
            (
                format!("aws-billing+{}@example.com", p + 1),
                format!("org-management-{}", p + 1),
            )
        };
        list.push(serde_json::json!({
            "Id": payer,
            "Arn": format!("arn:aws:organizations::{payer}:account/o-example123/{payer}"),
            "Email": email,
            "Name": name,
            "Status": "ACTIVE",
            "JoinedMethod": "CREATED",
            "JoinedTimestamp": "2019-04-01T09:00:00.000000+00:00"
        }));
        for i in spec.payer_accounts(p) {
            let id = account_id(i);
            let (name, _) = account_name(i);
            list.push(serde_json::json!({
                "Id": id,
                "Arn": format!("arn:aws:organizations::{payer}:account/o-example123/{id}"),
                "Email": format!("aws+{name}@example.com"),
                "Name": name,
                "Status": "ACTIVE",
                "JoinedMethod": "INVITED",
                "JoinedTimestamp": "2021-06-15T10:30:00.000000+00:00"
            }));
        }
    }
    let doc = serde_json::json!({ "Accounts": list });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// One priced thing: (product code, product name, usage type, operation, unit, public rate,
/// relative weight, typical amount range).
struct Sku {
    code: &'static str,
    name: &'static str,
    usage_type: &'static str,
    operation: &'static str,
    unit: &'static str,
    rate: &'static str,
    weight: u64,
    amount: (u64, u64),
    family: &'static str,
    /// Free tier: the bill shows 0 at rate 0 while the public cost is not 0.
    free: bool,
    marketplace: bool,
}

// A positional constructor keeps the SKU table one line per SKU.
#[allow(clippy::too_many_arguments)]
const fn sku(
    code: &'static str,
    name: &'static str,
    usage_type: &'static str,
    operation: &'static str,
    unit: &'static str,
    rate: &'static str,
    weight: u64,
    amount: (u64, u64),
    family: &'static str,
) -> Sku {
    Sku {
        code,
        name,
        usage_type,
        operation,
        unit,
        rate,
        weight,
        amount,
        family,
        free: false,
        marketplace: false,
    }
}

const EC2: &str = "Amazon Elastic Compute Cloud";
const SKUS: [Sku; 24] = [
    sku(
        "AmazonEC2",
        EC2,
        "BoxUsage:m5.large",
        "RunInstances",
        "Hrs",
        "0.096",
        14,
        (1, 24),
        "Compute Instance",
    ),
    sku(
        "AmazonEC2",
        EC2,
        "BoxUsage:t3.medium",
        "RunInstances",
        "Hrs",
        "0.0416",
        12,
        (1, 24),
        "Compute Instance",
    ),
    sku(
        "AmazonEC2",
        EC2,
        "BoxUsage:c5.xlarge",
        "RunInstances",
        "Hrs",
        "0.17",
        8,
        (1, 24),
        "Compute Instance",
    ),
    sku(
        "AmazonEC2",
        EC2,
        "EBS:VolumeUsage.gp3",
        "CreateVolume-Gp3",
        "GB-Mo",
        "0.08",
        10,
        (1, 40),
        "Storage",
    ),
    sku(
        "AmazonEC2",
        EC2,
        "DataTransfer-Out-Bytes",
        "RunInstances",
        "GB",
        "0.09",
        6,
        (0, 30),
        "Data Transfer",
    ),
    sku(
        "AmazonEC2",
        EC2,
        "NatGateway-Hours",
        "NatGateway",
        "Hrs",
        "0.045",
        4,
        (1, 24),
        "NAT Gateway",
    ),
    sku(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "TimedStorage-ByteHrs",
        "PutObject",
        "GB-Mo",
        "0.023",
        9,
        (1, 500),
        "Storage",
    ),
    sku(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "Requests-Tier1",
        "PutObject",
        "Requests",
        "0.000005",
        6,
        (100, 90000),
        "API Request",
    ),
    sku(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "Requests-Tier2",
        "GetObject",
        "Requests",
        "0.0000004",
        6,
        (100, 900000),
        "API Request",
    ),
    sku(
        "AmazonRDS",
        "Amazon Relational Database Service",
        "InstanceUsage:db.m5.large",
        "CreateDBInstance:0002",
        "Hrs",
        "0.171",
        6,
        (1, 24),
        "Database Instance",
    ),
    sku(
        "AmazonRDS",
        "Amazon Relational Database Service",
        "RDS:GP2-Storage",
        "CreateDBInstance:0002",
        "GB-Mo",
        "0.115",
        4,
        (1, 20),
        "Database Storage",
    ),
    sku(
        "AWSLambda",
        "AWS Lambda",
        "Lambda-GB-Second",
        "Invoke",
        "Lambda-GB-Second",
        "0.0000166667",
        7,
        (100, 400000),
        "Serverless",
    ),
    sku(
        "AWSLambda",
        "AWS Lambda",
        "Request",
        "Invoke",
        "Requests",
        "0.0000002",
        5,
        (100, 900000),
        "Serverless",
    ),
    sku(
        "AmazonDynamoDB",
        "Amazon DynamoDB",
        "TimedStorage-ByteHrs",
        "PayPerRequestThroughput",
        "GB-Mo",
        "0.25",
        3,
        (1, 30),
        "Database Storage",
    ),
    sku(
        "AmazonDynamoDB",
        "Amazon DynamoDB",
        "ReadRequestUnits",
        "PayPerRequestThroughput",
        "ReadRequestUnits",
        "0.00000025",
        3,
        (1000, 900000),
        "Amazon DynamoDB PayPerRequest Throughput",
    ),
    sku(
        "AmazonCloudFront",
        "Amazon CloudFront",
        "DataTransfer-Out-Bytes",
        "GET",
        "GB",
        "0.085",
        4,
        (1, 200),
        "Data Transfer",
    ),
    sku(
        "AmazonCloudWatch",
        "AmazonCloudWatch",
        "CW:MetricMonitorUsage",
        "MetricStorage",
        "Metrics",
        "0.3",
        4,
        (1, 50),
        "Metric",
    ),
    sku(
        "awskms",
        "AWS Key Management Service",
        "KMS-Keys",
        "CreateKey",
        "Keys",
        "0.0333333333",
        2,
        (1, 5),
        "Encryption Key",
    ),
    sku(
        "AmazonVPC",
        "Amazon Virtual Private Cloud",
        "VpcEndpoint-Hours",
        "VpcEndpoint",
        "Hrs",
        "0.01",
        3,
        (1, 24),
        "VpcEndpoint",
    ),
    sku(
        "AmazonSNS",
        "Amazon Simple Notification Service",
        "Requests-Tier1",
        "Publish",
        "Requests",
        "0.0000005",
        2,
        (100, 90000),
        "API Request",
    ),
    Sku {
        free: true,
        ..sku(
            "AWSCloudTrail",
            "AWS CloudTrail",
            "FreeEventsRecorded",
            "None",
            "Events",
            "0.00002",
            3,
            (100, 50000),
            "Management Tools - AWS CloudTrail Free Events Recorded",
        )
    },
    Sku {
        free: true,
        ..sku(
            "AWSQueueService",
            "Amazon Simple Queue Service",
            "Requests-Tier1",
            "SendMessage",
            "Requests",
            "0.0000004",
            3,
            (100, 90000),
            "API Request",
        )
    },
    Sku {
        marketplace: true,
        ..sku(
            "prod-7x2kfirewall",
            "Acme NextGen Firewall",
            "MP:Hours",
            "Hourly",
            "Hrs",
            "0.35",
            2,
            (1, 24),
            "Software",
        )
    },
    Sku {
        marketplace: true,
        ..sku(
            "prod-3q9dobserve",
            "Observo APM",
            "MP:HostHours",
            "Hourly",
            "Hrs",
            "0.12",
            2,
            (1, 24),
            "Software",
        )
    },
];

/// Reserved instances: (owner account index, covered account indexes). The first is owned
/// inside the retail team, the second by a shared account outside every team group.
const RESERVATIONS: [(usize, &[usize]); 2] = [(6, &[0, 1, 4]), (32, &[8, 9, 11])];
/// Savings plans: (owner index or None for the payer, covered account indexes).
const SAVINGS_PLANS: [(Option<usize>, &[usize]); 2] =
    [(Some(15), &[15, 16, 17]), (None, &[21, 22, 23])];

/// The header: the columns of a real legacy CUR, about 100 of them.
pub const HEADER: [&str; 101] = [
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/InvoicingEntity",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/NormalizationFactor",
    "lineItem/NormalizedUsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/BlendedRate",
    "lineItem/BlendedCost",
    "lineItem/LineItemDescription",
    "lineItem/TaxType",
    "lineItem/LegalEntity",
    "product/ProductName",
    "product/availability",
    "product/clockSpeed",
    "product/currentGeneration",
    "product/databaseEngine",
    "product/deploymentOption",
    "product/description",
    "product/durability",
    "product/ecu",
    "product/fromLocation",
    "product/fromLocationType",
    "product/group",
    "product/groupDescription",
    "product/instanceFamily",
    "product/instanceType",
    "product/licenseModel",
    "product/location",
    "product/locationType",
    "product/memory",
    "product/networkPerformance",
    "product/operatingSystem",
    "product/operation",
    "product/physicalProcessor",
    "product/processorArchitecture",
    "product/productFamily",
    "product/region",
    "product/regionCode",
    "product/servicecode",
    "product/servicename",
    "product/sku",
    "product/storage",
    "product/storageClass",
    "product/storageMedia",
    "product/tenancy",
    "product/toLocation",
    "product/toLocationType",
    "product/transferType",
    "product/usagetype",
    "product/vcpu",
    "product/version",
    "product/volumeType",
    "pricing/LeaseContractLength",
    "pricing/OfferingClass",
    "pricing/PurchaseOption",
    "pricing/RateCode",
    "pricing/RateId",
    "pricing/currency",
    "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate",
    "pricing/term",
    "pricing/unit",
    "reservation/AmortizedUpfrontCostForUsage",
    "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/EffectiveCost",
    "reservation/EndTime",
    "reservation/ModificationStatus",
    "reservation/NumberOfReservations",
    "reservation/RecurringFeeForUsage",
    "reservation/ReservationARN",
    "reservation/StartTime",
    "reservation/SubscriptionId",
    "reservation/UnusedQuantity",
    "reservation/UnusedRecurringFee",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanRate",
    "savingsPlan/UsedCommitment",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
    "resourceTags/user:team",
    "resourceTags/user:env",
    "resourceTags/user:cost-center",
    "costCategory/BusinessUnit",
];

fn col(name: &str) -> usize {
    HEADER
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| unreachable!("{name} is in HEADER"))
}

/// One row under construction; unset cells stay empty.
struct Row {
    cells: Vec<String>,
}

impl Row {
    fn new() -> Self {
        Self {
            cells: vec![String::new(); HEADER.len()],
        }
    }
    fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.cells[col(name)] = value.into();
        self
    }
}

/// Decimal text as CUR writes it: plain, or scientific for tiny values now and then
/// (`8.85E-8`, a trap real files hold).
fn num(d: Decimal, rng: &mut Rng) -> String {
    let d = d.round_dp(10).normalize();
    if !d.is_zero() && d.abs() < Decimal::new(1, 4) && rng.chance(50) {
        let scale = d.scale() as i32;
        let digits = d.mantissa().unsigned_abs().to_string();
        let exp = digits.len() as i32 - 1 - scale;
        let (head, tail) = digits.split_at(1);
        let sign = if d.is_sign_negative() { "-" } else { "" };
        let tail = tail.trim_end_matches('0');
        let mantissa = if tail.is_empty() {
            head.to_string()
        } else {
            format!("{head}.{tail}")
        };
        return format!("{sign}{mantissa}E{exp}");
    }
    d.to_string()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

fn line_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..52)
        .map(|_| ALPHABET[rng.below(32) as usize] as char)
        .collect()
}

/// Days in the period (BillingPeriod's own count, as u32 for the day arithmetic here).
fn days_in(p: BillingPeriod) -> u32 {
    u32::try_from(p.days()).unwrap_or(30)
}

/// Per period: rows written.
#[derive(Debug, Default, Clone)]
pub struct SampleStats {
    pub rows: BTreeMap<BillingPeriod, u64>,
}

/// Writes the first payer's CSV for the given period (the header first); returns the rows.
pub fn write_month<W: Write>(spec: &SampleSpec, period: BillingPeriod, out: W) -> io::Result<u64> {
    write_payer_month(spec, 0, period, out)
}

/// Writes payer `payer`'s (0-based) CSV for the given period (the header first): its
/// legacy CUR delivery; returns the rows.
pub fn write_payer_month<W: Write>(
    spec: &SampleSpec,
    payer: u32,
    period: BillingPeriod,
    out: W,
) -> io::Result<u64> {
    let mut month = MonthGen::new(spec, payer, period);
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADER)?;
    let mut rows = 0u64;
    for row in month.rows() {
        w.write_record(&row.cells)?;
        rows += 1;
    }
    w.flush()?;
    Ok(rows)
}

struct MonthGen<'s> {
    spec: &'s SampleSpec,
    period: BillingPeriod,
    rng: Rng,
    start: String,
    end: String,
    /// Usage cost per (account index or payer, product code, billing entity): tax and EDP bases.
    cost_by_product: BTreeMap<(Option<usize>, &'static str, bool), Decimal>,
    invoice_id: String,
    /// This delivery's payer id.
    payer: String,
    /// This payer's linked accounts (never empty: [`SampleSpec::check`]).
    block: std::ops::Range<usize>,
    /// This payer's usage-like rows.
    lines: u64,
}

impl<'s> MonthGen<'s> {
    fn new(spec: &'s SampleSpec, payer: u32, period: BillingPeriod) -> Self {
        let seed = spec.seed
            ^ (u64::from(period.year()) * 100 + u64::from(period.month()))
                .wrapping_mul(0x2545_F491_4F6C_DD1D)
            ^ u64::from(payer).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let block = spec.payer_accounts(payer);
        let block = if block.is_empty() {
            block.start..block.start + 1
        } else {
            block
        };
        let next = period.next();
        Self {
            spec,
            period,
            rng: Rng(seed),
            start: format!("{period}-01T00:00:00Z"),
            end: format!("{next}-01T00:00:00Z"),
            cost_by_product: BTreeMap::new(),
            invoice_id: format!(
                "{}",
                1_000_000_000
                    + u64::from(payer) * 10_000_000
                    + u64::from(period.year()) * 13
                    + u64::from(period.month())
            ),
            payer: payer_id(payer),
            block,
            lines: spec.payer_lines(payer),
        }
    }

    fn account(&self, index: Option<usize>) -> String {
        index.map_or_else(|| self.payer.clone(), account_id)
    }

    /// The payer's `k`-th linked account (wrapping): the demo's fixed roles (reservation
    /// owners, credited accounts) land on the same positions in every payer's block.
    fn local(&self, k: usize) -> usize {
        self.block.start + k % self.block.len().max(1)
    }

    fn base(&mut self, account: Option<usize>, line_type: LineItemType, day: u32) -> Row {
        let mut r = Row::new();
        let id = line_id(&mut self.rng);
        let day_start = format!("{}-{:02}T00:00:00Z", self.period, day);
        let day_end = if day >= days_in(self.period) {
            self.end.clone()
        } else {
            format!("{}-{:02}T00:00:00Z", self.period, day + 1)
        };
        r.set("identity/LineItemId", id)
            .set("identity/TimeInterval", format!("{day_start}/{day_end}"))
            .set("bill/InvoiceId", self.invoice_id.clone())
            .set("bill/InvoicingEntity", "Amazon Web Services, Inc.")
            .set("bill/BillingEntity", "AWS")
            .set("bill/BillType", "Anniversary")
            .set("bill/PayerAccountId", self.payer.clone())
            .set("bill/BillingPeriodStartDate", self.start.clone())
            .set("bill/BillingPeriodEndDate", self.end.clone())
            .set("lineItem/UsageAccountId", self.account(account))
            .set("lineItem/LineItemType", line_type.as_str())
            .set("lineItem/UsageStartDate", day_start)
            .set("lineItem/UsageEndDate", day_end)
            .set("lineItem/CurrencyCode", "USD")
            .set("lineItem/LegalEntity", "Amazon Web Services, Inc.")
            .set("pricing/currency", "USD");
        if let Some(i) = account {
            let (_, team) = account_name(i);
            let envs = ["prod", "staging", "dev"];
            if !self.rng.chance(15) {
                r.set("resourceTags/user:team", team);
                let env = envs[self.rng.below(3) as usize];
                r.set("resourceTags/user:env", env);
            }
            if self.rng.chance(60) {
                let center = match self.spec.tag_values {
                    None => 100 + i as u64 / 4,
                    Some(n) => 100 + self.rng.below(u64::from(n)),
                };
                r.set("resourceTags/user:cost-center", format!("CC-{center}"));
            }
            r.set("costCategory/BusinessUnit", team_unit(team));
        }
        r
    }

    fn set_product(&mut self, r: &mut Row, s: &Sku) {
        let region =
            ["us-east-1", "us-east-1", "us-west-2", "eu-west-1"][self.rng.below(4) as usize];
        let location = match region {
            "us-west-2" => "US West (Oregon)",
            "eu-west-1" => "EU (Ireland)",
            _ => "US East (N. Virginia)",
        };
        r.set("lineItem/ProductCode", s.code)
            .set("lineItem/UsageType", s.usage_type)
            .set("lineItem/Operation", s.operation)
            .set(
                "lineItem/AvailabilityZone",
                format!("{region}{}", ["a", "b", "c"][self.rng.below(3) as usize]),
            )
            .set("product/ProductName", s.name)
            .set("product/productFamily", s.family)
            .set("product/region", region)
            .set("product/regionCode", region)
            .set("product/location", location)
            .set("product/locationType", "AWS Region")
            .set("product/servicecode", s.code)
            .set("product/servicename", s.name)
            .set("product/usagetype", s.usage_type)
            .set("product/operation", s.operation)
            .set(
                "product/sku",
                format!("{:016X}", self.rng.next())
                    .chars()
                    .take(16)
                    .collect::<String>(),
            )
            .set("pricing/unit", s.unit)
            .set("pricing/term", "OnDemand")
            .set(
                "pricing/RateCode",
                format!(
                    "{}.JRTCKXETXF.6YS6EN2CT7",
                    &format!("{:016X}", self.rng.next())[..16]
                ),
            )
            .set(
                "pricing/RateId",
                format!("{}", 100_000_000 + self.rng.below(900_000_000)),
            );
        if let Some(instance) = s
            .usage_type
            .split(':')
            .nth(1)
            .filter(|_| s.family.contains("Instance"))
        {
            r.set("product/instanceType", instance)
                .set("product/instanceFamily", "General purpose")
                .set("product/currentGeneration", "Yes")
                .set("product/vcpu", "2")
                .set("product/memory", "8 GiB")
                .set("product/networkPerformance", "Up to 10 Gigabit")
                .set("product/physicalProcessor", "Intel Xeon Platinum 8175")
                .set("product/processorArchitecture", "64-bit")
                .set("product/clockSpeed", "3.1 GHz")
                .set("product/tenancy", "Shared")
                .set("product/operatingSystem", "Linux")
                .set("product/licenseModel", "No License required")
                .set("lineItem/NormalizationFactor", "4");
        }
        if s.marketplace {
            r.set("bill/BillingEntity", "AWS Marketplace")
                .set("bill/InvoicingEntity", "Amazon Web Services, Inc.")
                .set("lineItem/LegalEntity", "Acme Software LLC");
        }
    }

    fn pick_sku(&mut self) -> usize {
        let total: u64 = SKUS.iter().map(|s| s.weight).sum();
        let mut x = self.rng.below(total);
        for (i, s) in SKUS.iter().enumerate() {
            if x < s.weight {
                return i;
            }
            x -= s.weight;
        }
        0
    }

    fn track(
        &mut self,
        account: Option<usize>,
        code: &'static str,
        marketplace: bool,
        cost: Decimal,
    ) {
        *self
            .cost_by_product
            .entry((account, code, marketplace))
            .or_default() += cost;
    }

    fn rows(&mut self) -> impl Iterator<Item = Row> + '_ {
        let mut out: Vec<Row> = Vec::new();
        let days = days_in(self.period);
        let usage_rows = self.lines;
        let mut emitted = 0u64;
        std::iter::from_fn(move || {
            if let Some(r) = out.pop() {
                return Some(r);
            }
            if emitted < usage_rows {
                let day = 1 + (emitted * u64::from(days) / usage_rows.max(1)) as u32;
                let batch = self.usage_rows(day);
                emitted += batch.len() as u64;
                out = batch;
                out.reverse();
                return out.pop();
            }
            if emitted != u64::MAX {
                emitted = u64::MAX;
                out = self.month_end_rows(days);
                out.reverse();
                return out.pop();
            }
            None
        })
    }

    /// One usage-like row (two for savings plan coverage: usage and its negation).
    fn usage_rows(&mut self, day: u32) -> Vec<Row> {
        let account = self.block.start + self.rng.below(self.block.len() as u64) as usize;
        let si = self.pick_sku();
        let s = &SKUS[si];
        let amount = {
            let (lo, hi) = s.amount;
            let scale = if s.unit == "Hrs" { 0 } else { 3 };
            self.rng.amount(lo, hi, scale).max(Decimal::new(1, 3))
        };
        let rate = dec(s.rate);
        let public = amount * rate;
        let ri = RESERVATIONS
            .iter()
            .find(|(_, covered)| covered.iter().any(|&k| self.local(k) == account));
        let sp = SAVINGS_PLANS
            .iter()
            .find(|(_, covered)| covered.iter().any(|&k| self.local(k) == account));
        let resource = format!(
            "i-{:017x}",
            ((account as u64) << 40) | (si as u64 * 1009 + self.rng.below(7))
        );

        if s.usage_type == "BoxUsage:m5.large" && ri.is_some() && self.rng.chance(70) {
            let (owner, _) = ri.copied().unwrap_or((0, &[]));
            let owner_id = account_id(self.local(owner));
            let mut r = self.base(Some(account), LineItemType::DiscountedUsage, day);
            self.set_product(&mut r, s);
            let arn = format!(
                "arn:aws:ec2:us-east-1:{owner_id}:reserved-instances/{:08x}-5e1d-4c6a-9f3b-{:012x}",
                owner,
                owner * 7
            );
            let effective = amount * dec("0.0602");
            r.set("lineItem/ResourceId", resource)
                .set("lineItem/UsageAmount", num(amount, &mut self.rng))
                .set("lineItem/UnblendedRate", "0.0000000000")
                .set("lineItem/UnblendedCost", "0.0")
                .set("lineItem/BlendedRate", "0.0602")
                .set("lineItem/BlendedCost", num(effective, &mut self.rng))
                .set(
                    "lineItem/LineItemDescription",
                    "USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), m5.large instance",
                )
                .set("pricing/publicOnDemandCost", num(public, &mut self.rng))
                .set("pricing/publicOnDemandRate", s.rate)
                .set("pricing/term", "Reserved")
                .set("pricing/LeaseContractLength", "1yr")
                .set("pricing/OfferingClass", "standard")
                .set("pricing/PurchaseOption", "No Upfront")
                .set("reservation/ReservationARN", arn)
                .set("reservation/EffectiveCost", num(effective, &mut self.rng))
                .set(
                    "reservation/RecurringFeeForUsage",
                    num(effective, &mut self.rng),
                )
                .set("reservation/AmortizedUpfrontCostForUsage", "0.0");
            return vec![r];
        }
        let sp_eligible = s.code == "AWSLambda" || s.usage_type.starts_with("BoxUsage");
        if sp_eligible && sp.is_some() && self.rng.chance(60) {
            let (owner, _) = sp.copied().unwrap_or((None, &[]));
            let arn = format!(
                "arn:aws:savingsplans::{}:savingsplan/{:08x}-aa17-4f0e-b1c2-{:012x}",
                self.account(owner.map(|k| self.local(k))),
                account,
                account * 31
            );
            let effective = public * dec("0.72");
            let mut covered = self.base(Some(account), LineItemType::SavingsPlanCoveredUsage, day);
            self.set_product(&mut covered, s);
            covered
                .set("lineItem/ResourceId", resource.clone())
                .set("lineItem/UsageAmount", num(amount, &mut self.rng))
                .set("lineItem/UnblendedRate", s.rate)
                .set("lineItem/UnblendedCost", num(public, &mut self.rng))
                .set(
                    "lineItem/LineItemDescription",
                    format!("{} covered by Compute Savings Plan", s.usage_type),
                )
                .set("pricing/publicOnDemandCost", num(public, &mut self.rng))
                .set("pricing/publicOnDemandRate", s.rate)
                .set("savingsPlan/SavingsPlanARN", arn.clone())
                .set(
                    "savingsPlan/SavingsPlanRate",
                    num(rate * dec("0.72"), &mut self.rng),
                )
                .set(
                    "savingsPlan/SavingsPlanEffectiveCost",
                    num(effective, &mut self.rng),
                );
            let mut negation = self.base(Some(account), LineItemType::SavingsPlanNegation, day);
            self.set_product(&mut negation, s);
            negation
                .set("lineItem/ResourceId", resource)
                .set("lineItem/UsageAmount", "0")
                .set("lineItem/UnblendedRate", format!("-{}", s.rate))
                .set("lineItem/UnblendedCost", num(-public, &mut self.rng))
                .set(
                    "lineItem/LineItemDescription",
                    format!(
                        "SavingsPlanNegation used by AccountId : {} and UsageSku : {}",
                        account_id(account),
                        s.usage_type
                    ),
                )
                // Real files carry a positive public cost on negation rows (SPEC 4.2).
                .set("pricing/publicOnDemandCost", num(public, &mut self.rng))
                .set("savingsPlan/SavingsPlanARN", arn);
            // Covered usage and its negation net to zero on the bill.
            return vec![covered, negation];
        }

        let mut r = self.base(Some(account), LineItemType::Usage, day);
        self.set_product(&mut r, s);
        r.set("lineItem/ResourceId", resource)
            .set("lineItem/UsageAmount", num(amount, &mut self.rng))
            .set(
                "lineItem/LineItemDescription",
                format!("{} per {} for {}", s.rate, s.unit, s.usage_type),
            );
        if s.free {
            r.set("lineItem/UnblendedRate", "0.0000000000")
                .set("lineItem/UnblendedCost", "0.0")
                .set("lineItem/BlendedRate", "0.0000000000")
                .set("lineItem/BlendedCost", "0.0")
                .set("pricing/publicOnDemandCost", num(public, &mut self.rng))
                .set("pricing/publicOnDemandRate", s.rate);
        } else {
            let cost = public;
            r.set("lineItem/UnblendedRate", s.rate)
                .set("lineItem/UnblendedCost", num(cost, &mut self.rng))
                .set("lineItem/BlendedRate", s.rate)
                .set("lineItem/BlendedCost", num(cost, &mut self.rng));
            // Some Marketplace listings carry no public price: the diagnostics count them.
            if !(s.marketplace && self.rng.chance(30)) {
                r.set("pricing/publicOnDemandCost", num(public, &mut self.rng))
                    .set("pricing/publicOnDemandRate", s.rate);
            }
            self.track(Some(account), s.code, s.marketplace, cost);
        }
        vec![r]
    }

    /// Fees, credits, refunds, discounts, support and tax, dated the first of the month.
    fn month_end_rows(&mut self, days: u32) -> Vec<Row> {
        let mut rows = Vec::new();
        let hours = Decimal::from(days * 24);
        for (owner, _) in RESERVATIONS {
            let at = self.local(owner);
            let mut r = self.base(Some(at), LineItemType::RIFee, 1);
            let fee = hours * dec("0.0602") * Decimal::from(3);
            let arn = format!(
                "arn:aws:ec2:us-east-1:{}:reserved-instances/{:08x}-5e1d-4c6a-9f3b-{:012x}",
                account_id(at),
                owner,
                owner * 7
            );
            r.set("lineItem/ProductCode", "AmazonEC2")
                .set("lineItem/UsageType", "HeavyUsage:m5.large")
                .set("lineItem/Operation", "RunInstances")
                .set(
                    "lineItem/UsageAmount",
                    (hours * Decimal::from(3)).to_string(),
                )
                .set("lineItem/UnblendedRate", "0.0602")
                .set("lineItem/UnblendedCost", fee.to_string())
                .set(
                    "lineItem/LineItemDescription",
                    "USD 0.0602 hourly fee per Linux/UNIX (Amazon VPC), m5.large instance",
                )
                .set("product/ProductName", EC2)
                .set("product/region", "us-east-1")
                .set("pricing/term", "Reserved")
                .set("reservation/ReservationARN", arn)
                .set("reservation/NumberOfReservations", "3")
                .set("reservation/UnusedQuantity", "0")
                .set("reservation/UnusedRecurringFee", "0");
            self.track(Some(at), "AmazonEC2", false, fee);
            rows.push(r);
        }
        for (owner, _) in SAVINGS_PLANS {
            let at = owner.map(|k| self.local(k));
            let mut r = self.base(at, LineItemType::SavingsPlanRecurringFee, 1);
            let commitment = hours * dec("1.25");
            let arn = format!(
                "arn:aws:savingsplans::{}:savingsplan/{:08x}-aa17-4f0e-b1c2-{:012x}",
                self.account(at),
                owner.unwrap_or(99),
                owner.unwrap_or(99) * 31
            );
            r.set("lineItem/ProductCode", "ComputeSavingsPlans")
                .set("lineItem/UsageType", "ComputeSP:1yrNoUpfront")
                .set("lineItem/Operation", "")
                .set("lineItem/UsageAmount", hours.to_string())
                .set("lineItem/UnblendedRate", "1.25")
                .set("lineItem/UnblendedCost", commitment.to_string())
                .set(
                    "lineItem/LineItemDescription",
                    "1 year No Upfront Compute Savings Plan",
                )
                .set("product/ProductName", "Savings Plans for AWS Compute usage")
                .set("savingsPlan/SavingsPlanARN", arn)
                .set(
                    "savingsPlan/RecurringCommitmentForBillingPeriod",
                    commitment.to_string(),
                );
            self.track(at, "ComputeSavingsPlans", false, commitment);
            rows.push(r);
        }
        // A domain registration: a Fee that is not support.
        let domain_owner = self.local(29);
        let mut fee = self.base(Some(domain_owner), LineItemType::Fee, 1);
        fee.set("lineItem/ProductCode", "AmazonRoute53")
            .set("lineItem/UsageType", "Domain-Registration:com")
            .set("lineItem/Operation", "RegisterDomain")
            .set("lineItem/UsageAmount", "1")
            .set("lineItem/UnblendedCost", "13")
            .set(
                "lineItem/LineItemDescription",
                "Registration of example-logistics.com",
            )
            .set("product/ProductName", "Amazon Route 53");
        self.track(Some(domain_owner), "AmazonRoute53", false, dec("13"));
        rows.push(fee);
        // Credits and a refund.
        for (account, amount, code) in [
            (2usize, "-150", "AmazonEC2"),
            (17, "-75.5", "AmazonRDS"),
            (23, "-40", "AWSLambda"),
        ] {
            let at = self.local(account);
            let mut r = self.base(Some(at), LineItemType::Credit, 1);
            r.set("lineItem/ProductCode", code)
                .set("lineItem/UsageAmount", "0")
                .set("lineItem/UnblendedCost", amount)
                .set("lineItem/LineItemDescription", "AWS Promotional Credit")
                .set(
                    "product/ProductName",
                    SKUS.iter().find(|s| s.code == code).map_or("", |s| s.name),
                );
            rows.push(r);
        }
        let refunded = self.local(9);
        let mut refund = self.base(Some(refunded), LineItemType::Refund, 1);
        refund
            .set("lineItem/ProductCode", "AmazonS3")
            .set("lineItem/UsageAmount", "0")
            .set("lineItem/UnblendedCost", "-12.34")
            .set(
                "lineItem/LineItemDescription",
                "Refund for service disruption",
            )
            .set("product/ProductName", "Amazon Simple Storage Service");
        rows.push(refund);

        // EDP discount and tax per (account, product) on what was billed.
        let bases: Vec<_> = self.cost_by_product.iter().map(|(k, v)| (*k, *v)).collect();
        let mut usage_total = Decimal::ZERO;
        for ((account, code, marketplace), cost) in &bases {
            usage_total += *cost;
            let name = SKUS
                .iter()
                .find(|s| s.code == *code)
                .map_or(*code, |s| s.name);
            if !marketplace {
                let mut edp = self.base(*account, LineItemType::EdpDiscount, 1);
                edp.set("lineItem/ProductCode", *code)
                    .set("lineItem/UsageAmount", "0")
                    .set(
                        "lineItem/UnblendedCost",
                        num(-(*cost * dec("0.03")), &mut self.rng),
                    )
                    .set(
                        "lineItem/LineItemDescription",
                        "Enterprise Discount Program discount",
                    )
                    .set("product/ProductName", name);
                rows.push(edp);
            }
            let mut tax = self.base(*account, LineItemType::Tax, 1);
            tax.set("lineItem/ProductCode", *code)
                .set("lineItem/UsageAmount", "1")
                .set(
                    "lineItem/UnblendedCost",
                    (*cost * dec("0.0825")).round_dp(2).to_string(),
                )
                .set("lineItem/TaxType", "Sales Tax")
                .set(
                    "lineItem/LineItemDescription",
                    format!("Tax for product code {code}"),
                )
                .set("product/ProductName", name);
            if *marketplace {
                tax.set("bill/BillingEntity", "AWS Marketplace");
            }
            rows.push(tax);
        }
        // Business support on the payer: 10% of usage, at least 100.
        let mut support = self.base(None, LineItemType::Fee, 1);
        let support_fee = (usage_total * dec("0.1"))
            .round_dp(2)
            .max(Decimal::from(100));
        support
            .set("lineItem/ProductCode", "AWSSupportBusiness")
            .set("lineItem/UsageType", "Dollar")
            .set("lineItem/UsageAmount", "1")
            .set("lineItem/UnblendedCost", support_fee.to_string())
            .set("lineItem/LineItemDescription", "AWS Support (Business)")
            .set("product/ProductName", "AWS Support (Business)");
        rows.push(support);
        rows
    }
}

fn team_unit(team: &str) -> &'static str {
    match team {
        "retail" | "logistics" => "Commerce",
        "media" => "Media",
        "fintech" | "health" => "Regulated",
        "labs" | "sandbox" => "Innovation",
        _ => "Platform",
    }
}

/// What [`config_toml`] generates: the reseller profile is 1,000 groups, 5,000 rules and
/// 2,000 custom line items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigSpec {
    /// Billing groups, at most one per account.
    pub groups: usize,
    /// Pricing rules, in plans of 25.
    pub rules: usize,
    /// Custom line items, spread over the groups in turn.
    pub items: usize,
}

impl ConfigSpec {
    /// `groups` groups with five rules and two custom line items per group.
    pub fn reseller(groups: usize) -> Self {
        Self {
            groups,
            rules: groups * 5,
            items: groups * 2,
        }
    }
}

/// Rules per generated pricing plan: one per distinct target (SPEC 2: two MARKUP/DISCOUNT
/// rules of one plan may not share a target), so every plan is valid.
const RULES_PER_PLAN: usize = 25;
/// Service codes of SERVICE rules, one target each.
const RULE_SERVICES: [&str; 11] = [
    "AmazonEC2",
    "AmazonS3",
    "AmazonRDS",
    "AWSLambda",
    "AmazonDynamoDB",
    "AmazonCloudFront",
    "AmazonCloudWatch",
    "awskms",
    "AmazonVPC",
    "AmazonSNS",
    "AWSCloudTrail",
];

/// A billing configuration in proforma's TOML (README "Configuration files") over a spec's
/// accounts, deterministic:
/// - `groups` billing groups `bg-0001`...: each payer's accounts are cut into contiguous runs,
///   one per group (groups shared among payers like the accounts); a group holds its run but
///   the run's last account when the run has three or more, so about one account in ten (at
///   ten per group) stays unmonitored; the primary is the run's first account.
/// - `rules` pricing rules `rule-00001`... in plans `plan-0001`... of [`RULES_PER_PLAN`]
///   rules, each rule of a plan on its own target (global, a service, AWS Marketplace, a
///   SKU), MARKUP or DISCOUNT of 1-20 %; group `g` uses plan `g % plans`.
/// - `items` custom line items: per group in turn a flat FEE, then a 5 % FEE on the group and
///   that flat fee, then 2 % EC2 CREDITs; all from `first_period` on.
///
/// Errors (the CLI flag and the reason): more groups than accounts, or rules or items without
/// a group.
pub fn config_toml(
    spec: &SampleSpec,
    config: &ConfigSpec,
    first_period: BillingPeriod,
) -> Result<String, String> {
    use std::fmt::Write as _;
    let ConfigSpec {
        groups,
        rules,
        items,
    } = *config;
    if groups > spec.accounts {
        return Err(format!(
            "--config-groups {groups} is more than --accounts {}: every group needs an account",
            spec.accounts
        ));
    }
    if groups == 0 {
        // `config import` refuses a configuration without billing groups: never write one.
        return Err(
            "--config-groups must be at least 1 (a configuration without billing groups is empty)"
                .into(),
        );
    }
    let plans = rules.div_ceil(RULES_PER_PLAN);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by `proforma generate-sample --config-groups {groups}` (seed {}): {groups} \
         billing groups, {rules} pricing rules in {plans} plans, {items} custom line items.",
        spec.seed
    );
    let payers = spec.payers.max(1) as usize;
    let mut group = 0usize;
    for p in 0..spec.payers {
        let block = spec.payer_accounts(p);
        let here = groups * (p as usize + 1) / payers - groups * p as usize / payers;
        let len = block.len();
        if here > len {
            return Err(format!(
                "--config-groups {groups}: payer {} has {len} accounts for {here} groups",
                payer_id(p)
            ));
        }
        for k in 0..here {
            let run = block.start + len * k / here..block.start + len * (k + 1) / here;
            let members: Vec<String> = if run.len() >= 3 {
                run.clone().take(run.len() - 1).map(account_id).collect()
            } else {
                run.clone().map(account_id).collect()
            };
            group += 1;
            let plan = if plans == 0 {
                "BasicPricingPlan".to_string()
            } else {
                format!("plan-{:04}", (group - 1) % plans + 1)
            };
            let _ = writeln!(out, "\n[[billing_group]]");
            let _ = writeln!(out, "name = \"bg-{group:04}\"");
            let _ = writeln!(
                out,
                "description = \"Customer {group} of payer {}\"",
                payer_id(p)
            );
            let _ = writeln!(out, "primary_account = \"{}\"", account_id(run.start));
            let _ = writeln!(out, "accounts = [");
            for chunk in members.chunks(8) {
                let quoted: Vec<String> = chunk.iter().map(|a| format!("\"{a}\"")).collect();
                let _ = writeln!(out, "  {},", quoted.join(", "));
            }
            let _ = writeln!(out, "]");
            let _ = writeln!(out, "plan = \"{plan}\"");
        }
    }
    for plan in 0..plans {
        let first = plan * RULES_PER_PLAN;
        let names: Vec<String> = (first..rules.min(first + RULES_PER_PLAN))
            .map(|r| format!("\"rule-{:05}\"", r + 1))
            .collect();
        let _ = writeln!(out, "\n[[pricing_plan]]");
        let _ = writeln!(out, "name = \"plan-{:04}\"", plan + 1);
        let _ = writeln!(out, "rules = [{}]", names.join(", "));
    }
    for r in 0..rules {
        let slot = r % RULES_PER_PLAN;
        let kind = if r % 3 == 2 { "DISCOUNT" } else { "MARKUP" };
        let _ = writeln!(out, "\n[[pricing_rule]]");
        let _ = writeln!(out, "name = \"rule-{:05}\"", r + 1);
        match slot {
            0 => {
                let _ = writeln!(out, "scope = \"GLOBAL\"");
            }
            s if s <= RULE_SERVICES.len() => {
                let _ = writeln!(out, "scope = \"SERVICE\"");
                let _ = writeln!(out, "service = \"{}\"", RULE_SERVICES[s - 1]);
            }
            s if s == RULE_SERVICES.len() + 1 => {
                let _ = writeln!(out, "scope = \"BILLING_ENTITY\"");
                let _ = writeln!(out, "billing_entity = \"AWS Marketplace\"");
            }
            s => {
                let sku = &SKUS[(s - RULE_SERVICES.len() - 2) % SKUS.len()];
                let _ = writeln!(out, "scope = \"SKU\"");
                let _ = writeln!(out, "service = \"{}\"", sku.code);
                let _ = writeln!(out, "usage_type = \"{}\"", sku.usage_type);
                let _ = writeln!(out, "operation = \"{}\"", sku.operation);
            }
        }
        let _ = writeln!(out, "type = \"{kind}\"");
        let _ = writeln!(out, "percent = {}", 1 + (r * 7) % 20);
    }
    for i in 0..items {
        let g = i % groups.max(1) + 1;
        let round = i / groups.max(1);
        let _ = writeln!(out, "\n[[custom_line_item]]");
        match round {
            0 => {
                let _ = writeln!(out, "name = \"bg-{g:04}-fee\"");
                let _ = writeln!(out, "description = \"Monthly management fee\"");
                let _ = writeln!(out, "group = \"bg-{g:04}\"");
                let _ = writeln!(out, "type = \"FEE\"");
                let _ = writeln!(out, "flat = {}", 50 + (g * 37) % 450);
            }
            1 => {
                let _ = writeln!(out, "name = \"bg-{g:04}-support\"");
                let _ = writeln!(
                    out,
                    "description = \"Support: 5% of usage and the management fee\""
                );
                let _ = writeln!(out, "group = \"bg-{g:04}\"");
                let _ = writeln!(out, "type = \"FEE\"");
                let _ = writeln!(out, "percent = 5");
                let _ = writeln!(out, "associated = [\"bg-{g:04}\", \"bg-{g:04}-fee\"]");
            }
            n => {
                let _ = writeln!(out, "name = \"bg-{g:04}-ec2-credit-{}\"", n - 1);
                let _ = writeln!(out, "description = \"EC2 credit: 2% of EC2\"");
                let _ = writeln!(out, "group = \"bg-{g:04}\"");
                let _ = writeln!(out, "type = \"CREDIT\"");
                let _ = writeln!(out, "percent = 2");
                let _ = writeln!(out, "associated = [\"bg-{g:04}\"]");
                let _ = writeln!(
                    out,
                    "filter = {{ service = \"AmazonEC2\", match = \"EQUAL\" }}"
                );
            }
        }
        let _ = writeln!(out, "start = \"{first_period}\"");
    }
    Ok(out)
}

/// One organisation of the demo's transfers: (management account, name, linked accounts as
/// (id, name)).
pub type TransferOrg = (
    &'static str,
    &'static str,
    [(&'static str, &'static str); 3],
);

/// The demo's two other organisations (issue 13): Globex, a reseller whose bill the demo
/// payer pays (a billing transfer at level 1), and Initech, Globex's end customer (level 2),
/// as (management account, name, linked accounts with names).
pub const TRANSFER_ORGS: [TransferOrg; 2] = [
    (
        "410000000000",
        "globex-management",
        [
            ("410000000101", "globex-web"),
            ("410000000102", "globex-data"),
            ("410000000103", "globex-dev"),
        ],
    ),
    (
        "420000000000",
        "initech-management",
        [
            ("420000000201", "initech-app"),
            ("420000000202", "initech-analytics"),
            ("420000000203", "initech-sandbox"),
        ],
    ),
];

/// Writes the legacy CUR CSV of the demo's transfer organisations for `period` (the header
/// once, then one delivery per organisation): the generator's month for a small organisation
/// of three linked accounts, its ids replaced by the organisation's (in every cell, ARNs
/// included). Returns the rows.
pub fn write_transfer_orgs_month<W: Write>(period: BillingPeriod, out: W) -> io::Result<u64> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADER)?;
    let mut rows = 0u64;
    for (n, (payer, _, members)) in TRANSFER_ORGS.iter().enumerate() {
        let spec = SampleSpec {
            seed: 20_261_101 + n as u64,
            lines_per_month: 240,
            accounts: members.len(),
            ..SampleSpec::default()
        };
        let mut ids: Vec<(String, &str)> = vec![(PAYER.to_string(), *payer)];
        ids.extend(
            members
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (account_id(i), *id)),
        );
        let mut month = MonthGen::new(&spec, 0, period);
        // Each organisation is invoiced on its own: its own invoice id.
        let invoice = month.invoice_id.clone();
        let own_invoice = format!("{}{}", n + 4, &invoice[1..]);
        for row in month.rows() {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|c| {
                    let mut c = c.to_string();
                    if c == invoice {
                        return own_invoice.clone();
                    }
                    for (from, to) in &ids {
                        if c.contains(from.as_str()) {
                            c = c.replace(from.as_str(), to);
                        }
                    }
                    c
                })
                .collect();
            w.write_record(&cells)?;
            rows += 1;
        }
    }
    w.flush()?;
    Ok(rows)
}

/// Accounts file of the demo's transfer organisations ([`TRANSFER_ORGS`]), in the shape of
/// `aws organizations list-accounts`.
pub fn transfer_accounts_json() -> String {
    let mut list = Vec::new();
    for (payer, name, members) in TRANSFER_ORGS {
        list.push(serde_json::json!({
            "Id": payer,
            "Arn": format!("arn:aws:organizations::{payer}:account/o-{name}/{payer}"),
            "Email": format!("aws-billing@{name}.example.com"),
            "Name": name,
            "Status": "ACTIVE",
            "JoinedMethod": "CREATED",
            "JoinedTimestamp": "2020-02-01T09:00:00.000000+00:00"
        }));
        for (id, member) in members {
            list.push(serde_json::json!({
                "Id": id,
                "Arn": format!("arn:aws:organizations::{payer}:account/o-{name}/{id}"),
                "Email": format!("aws+{member}@example.com"),
                "Name": member,
                "Status": "ACTIVE",
                "JoinedMethod": "CREATED",
                "JoinedTimestamp": "2022-03-01T10:00:00.000000+00:00"
            }));
        }
    }
    let doc = serde_json::json!({ "Accounts": list });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
