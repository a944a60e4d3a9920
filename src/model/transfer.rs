//! Billing transfers (SPEC 2.6, AWS Billing Transfer, GA November 2025): one organisation (the
//! bill source) hands the payment of its AWS invoice to another organisation's management
//! account (the bill-transfer account), which prices what the source sees through a
//! `TRANSFER_BILLING` billing group. Up to two levels: an end customer transfers to a
//! downstream seller, which transfers to a distributor.
//!
//! The shape follows AWS Organizations' `ResponsibilityTransfer` (Arn, Name, Source and Target
//! management account ids, Status, Start/EndTimestamp; Type is always `BILLING`); the group
//! names its transfer by `ResponsibilityTransferArn`, as Billing Conductor's `AccountGrouping`
//! does.

use super::{BadCode, BillingGroup, Config, GroupType};
use crate::period::BillingPeriod;
use serde::{Deserialize, Serialize};

/// Status of a transfer, as AWS Organizations spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransferStatus {
    /// Invited, not yet accepted: not in force.
    Requested,
    Declined,
    Canceled,
    Expired,
    /// In force from its start period.
    #[default]
    Accepted,
    /// Withdrawn by either party: in force until its end period (a withdrawal takes effect on
    /// the 1st of the next month), so a withdrawn transfer needs an end.
    Withdrawn,
}

aws_codes!(TransferStatus {
    Requested = "REQUESTED",
    Declined = "DECLINED",
    Canceled = "CANCELED",
    Expired = "EXPIRED",
    Accepted = "ACCEPTED",
    Withdrawn = "WITHDRAWN",
});

/// One billing transfer: `source_account` (the bill-source organisation's management account,
/// the payer of its CUR rows) has its invoice paid by `transfer_account` (the bill-transfer
/// account) from `start` through `end` (inclusive; none: open-ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingTransfer {
    /// `arn:aws:organizations::<transfer account>:transfer/o-<id>/billing/inbound/rt-<id>`.
    pub arn: String,
    /// The name the invitation gave it ("Company A"): 1-128 printable ASCII characters; it is
    /// the name of its views.
    pub name: String,
    /// Bill source: the management account of the organisation whose invoice is transferred.
    pub source_account: String,
    /// Bill-transfer account: the management account that receives and pays that invoice.
    pub transfer_account: String,
    /// First billing period billed through the transfer (a transfer starts on the 1st).
    pub start: BillingPeriod,
    /// Last billing period billed through the transfer (it ends at the end of a month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<BillingPeriod>,
    #[serde(default)]
    pub status: TransferStatus,
}

impl BillingTransfer {
    /// In force in `p`: accepted (or withdrawn, until its end) and `start <= p <= end`.
    pub fn active_in(&self, p: BillingPeriod) -> bool {
        matches!(
            self.status,
            TransferStatus::Accepted | TransferStatus::Withdrawn
        ) && self.start <= p
            && self.end.is_none_or(|e| p <= e)
    }
}

/// A transfer's ARN: `arn:aws:organizations::<transfer account>:transfer/o-<10>/billing/inbound/rt-<10>`,
/// derived from the source and the name so that it is reproducible.
pub fn transfer_arn(transfer_account: &str, source_account: &str, name: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let id = |seed: u64| -> String {
        let mut h = xxhash_rust::xxh3::xxh3_64_with_seed(
            format!("{transfer_account}:{source_account}:{name}").as_bytes(),
            seed,
        );
        (0..10)
            .map(|_| {
                let c = ALPHABET[(h % 36) as usize] as char;
                h /= 36;
                c
            })
            .collect()
    };
    format!(
        "arn:aws:organizations::{transfer_account}:transfer/o-{}/billing/inbound/rt-{}",
        id(1),
        id(2)
    )
}

/// The name of a transfer's own group: the transfer's name with every character a group
/// name cannot hold (SPEC 2) as `-`, cut to 128.
pub fn transfer_group_name(transfer: &str) -> String {
    let name: String = transfer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=.-@".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect();
    if name.is_empty() {
        "transfer".into()
    } else {
        name
    }
}

/// Whether `arn` has the shape of a transfer ARN (AWS's pattern, `inbound` or `outbound`).
pub fn transfer_arn_ok(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:organizations::") else {
        return false;
    };
    let parts: Vec<&str> = rest.split([':', '/']).collect();
    let lower_alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    matches!(parts.as_slice(),
        [acct, "transfer", org, "billing", dir, rt]
            if acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())
            && org.strip_prefix("o-").is_some_and(|o| (10..=32).contains(&o.len()) && lower_alnum(o))
            && matches!(*dir, "inbound" | "outbound")
            && rt.strip_prefix("rt-").is_some_and(|r| (8..=32).contains(&r.len()) && lower_alnum(r)))
}

/// Splits `YYYY-MM-DD[Thh:mm:ss[.fff]Z]` into (period, day, time); `YYYY-MM` gives day 0.
fn date_parts(text: &str) -> Option<(BillingPeriod, u32, Option<&str>)> {
    let t = text.trim();
    if t.len() == 7 {
        return Some((t.parse().ok()?, 0, None));
    }
    let (date, time) = match t.split_once('T') {
        Some((d, rest)) => (d, Some(rest.strip_suffix('Z').unwrap_or(rest))),
        None => (t, None),
    };
    let period: BillingPeriod = date.get(..7)?.parse().ok()?;
    let day: u32 = date.get(8..)?.parse().ok()?;
    (date.as_bytes().get(7) == Some(&b'-')
        && date.len() == 10
        && (1..=period.days() as u32).contains(&day))
    .then_some((period, day, time))
}

/// Whether `time` (`hh:mm:ss[.fff]`) is exactly `hms`: a fraction of zeros only.
fn is_time(time: &str, hms: &str) -> bool {
    time == hms
        || time
            .strip_prefix(hms)
            .and_then(|f| f.strip_prefix('.'))
            .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b == b'0'))
}

/// The first period of a transfer from `YYYY-MM`, `YYYY-MM-01` or `YYYY-MM-01T00:00:00Z`
/// (AWS's StartTimestamp): a transfer starts on the 1st of a month at 00:00 UTC; any other
/// day or time is refused, saying so.
pub fn transfer_start(text: &str) -> Result<BillingPeriod, String> {
    let bad = || format!("'{text}' is not a month (YYYY-MM) or the 1st of one (YYYY-MM-01)");
    let (p, day, time) = date_parts(text).ok_or_else(bad)?;
    let midnight = time.is_none_or(|t| is_time(t, "00:00:00"));
    if day > 1 || !midnight {
        return Err(format!(
            "a billing transfer starts on the 1st of a month at 00:00 UTC, not {text} (use {p}-01)"
        ));
    }
    Ok(p)
}

/// The last period of a transfer from `YYYY-MM`, the last day of a month (`YYYY-MM-31`,
/// optionally `T23:59:59Z`), or AWS's EndTimestamp, the instant it ends: the 1st of the next
/// month at `T00:00:00Z`. A transfer ends at the end of a month; anything else is refused.
pub fn transfer_end(text: &str) -> Result<BillingPeriod, String> {
    let bad = || format!("'{text}' is not a month (YYYY-MM) or the last day of one");
    let (p, day, time) = date_parts(text).ok_or_else(bad)?;
    let at = |x: &str| time.is_some_and(|t| is_time(t, x));
    if day == 0 || (day as usize == p.days() && (time.is_none() || at("23:59:59"))) {
        return Ok(p);
    }
    if day == 1 && at("00:00:00") {
        return Ok(p.prev());
    }
    Err(format!(
        "a billing transfer ends at the end of a month, not {text} (use {p} or {p}-{:02})",
        p.days()
    ))
}

/// Where a transfer in force sits in its chain (SPEC 2.6, up to two levels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLevel {
    /// Index into `Config::transfers`.
    pub transfer: usize,
    /// Index into `Config::groups` of its `TRANSFER_BILLING` group, if it has one.
    pub group: Option<usize>,
    /// 1: the transfer account pays AWS; 2: the transfer account is itself the source of a
    /// transfer in force (`upstream`), so what it pays is that transfer's pro forma.
    pub level: u8,
    /// Level 2: index into `Config::transfers` of the transfer one level up.
    pub upstream: Option<usize>,
}

impl Config {
    /// The `TRANSFER_BILLING` group of transfer `t`: the one naming it by ARN, else (a group
    /// configured before transfers existed) the transfer billing group whose primary is the
    /// source account and that names no transfer.
    pub fn transfer_group(&self, t: &BillingTransfer) -> Option<usize> {
        let is_tb = |g: &BillingGroup| g.group_type == GroupType::TransferBilling;
        self.groups
            .iter()
            .position(|g| is_tb(g) && g.responsibility_transfer_arn.as_deref() == Some(&t.arn))
            .or_else(|| {
                self.groups.iter().position(|g| {
                    is_tb(g)
                        && g.responsibility_transfer_arn.is_none()
                        && g.primary_account == t.source_account
                })
            })
    }

    /// The transfers in force in `p`, each with its level and group, in `transfers` order.
    /// A source with two transfers in force keeps the first (validation refuses the second);
    /// a chain longer than two levels counts its deeper transfers as level 2 of their own
    /// upstream (validation refuses it).
    pub fn transfer_levels(&self, p: BillingPeriod) -> Vec<TransferLevel> {
        let active: Vec<usize> = (0..self.transfers.len())
            .filter(|&i| self.transfers[i].active_in(p))
            .collect();
        let by_source = |account: &str| {
            active
                .iter()
                .copied()
                .find(|&j| self.transfers[j].source_account == account)
        };
        active
            .iter()
            .copied()
            .filter(|&i| by_source(&self.transfers[i].source_account) == Some(i))
            .map(|i| {
                let t = &self.transfers[i];
                let upstream = by_source(&t.transfer_account).filter(|&j| j != i);
                TransferLevel {
                    transfer: i,
                    group: self.transfer_group(t),
                    level: if upstream.is_some() { 2 } else { 1 },
                    upstream,
                }
            })
            .collect()
    }

    /// The payers of `payers` that are no bill source of a transfer (accepted or withdrawn):
    /// those that pay AWS themselves, whose primary view `primary` names when there is one.
    pub fn paying_payers<'p>(
        &self,
        payers: &'p std::collections::BTreeSet<String>,
    ) -> Vec<&'p str> {
        payers
            .iter()
            .filter(|p| {
                !self.transfers.iter().any(|t| {
                    t.source_account == **p
                        && matches!(
                            t.status,
                            TransferStatus::Accepted | TransferStatus::Withdrawn
                        )
                })
            })
            .map(String::as_str)
            .collect()
    }

    /// A transfer by its name, ARN or source account id.
    pub fn transfer_by_key(&self, key: &str) -> Option<usize> {
        self.transfers
            .iter()
            .position(|t| t.arn == key || t.source_account == key)
            .or_else(|| self.transfers.iter().position(|t| t.name == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, source: &str, target: &str) -> BillingTransfer {
        BillingTransfer {
            arn: transfer_arn(target, source, name),
            name: name.into(),
            source_account: source.into(),
            transfer_account: target.into(),
            start: "2026-10".parse().unwrap(),
            end: None,
            status: TransferStatus::Accepted,
        }
    }

    #[test]
    fn arns_have_aws_shape_and_are_reproducible() {
        let a = transfer_arn("111111111111", "222222222222", "Company A");
        assert!(transfer_arn_ok(&a), "{a}");
        assert_eq!(a, transfer_arn("111111111111", "222222222222", "Company A"));
        assert_ne!(a, transfer_arn("111111111111", "333333333333", "Company A"));
        assert!(!transfer_arn_ok(
            "arn:aws:organizations::1:transfer/o-x/billing/inbound/rt-y"
        ));
    }

    #[test]
    fn transfers_start_on_the_first_and_end_at_the_end_of_a_month() {
        let p = |s: &str| s.parse::<BillingPeriod>().unwrap();
        assert_eq!(transfer_start("2026-10"), Ok(p("2026-10")));
        assert_eq!(transfer_start("2026-10-01"), Ok(p("2026-10")));
        assert_eq!(transfer_start("2026-10-01T00:00:00Z"), Ok(p("2026-10")));
        assert!(
            transfer_start("2026-10-15")
                .unwrap_err()
                .contains("1st of a month")
        );
        assert!(transfer_start("2026-10-01T12:00:00Z").is_err());
        assert!(transfer_start("2026-10-01T00:00:00.000Z").is_ok());
        assert!(transfer_start("2026-10-01T00:00:00.5Z").is_err());
        assert!(transfer_start("2026-13-01").is_err());
        assert_eq!(transfer_end("2026-12"), Ok(p("2026-12")));
        assert_eq!(transfer_end("2026-12-31"), Ok(p("2026-12")));
        assert_eq!(transfer_end("2026-02-28T23:59:59Z"), Ok(p("2026-02")));
        assert_eq!(transfer_end("2027-01-01T00:00:00Z"), Ok(p("2026-12")));
        assert!(
            transfer_end("2026-12-15")
                .unwrap_err()
                .contains("end of a month")
        );
        assert!(transfer_end("2027-01-01").is_err());
        assert!(transfer_end("tomorrow").is_err());
    }

    #[test]
    fn levels_follow_the_chain_and_the_periods() {
        let mut c = Config::default();
        c.transfers
            .push(t("reseller", "222222222222", "111111111111"));
        c.transfers
            .push(t("customer", "333333333333", "222222222222"));
        let p: BillingPeriod = "2026-10".parse().unwrap();
        let levels = c.transfer_levels(p);
        assert_eq!(levels.len(), 2);
        assert_eq!((levels[0].level, levels[0].upstream), (1, None));
        assert_eq!((levels[1].level, levels[1].upstream), (2, Some(0)));
        // The upstream transfer ends in October: in November the customer's is level 1.
        c.transfers[0].end = Some(p);
        c.transfers[0].status = TransferStatus::Withdrawn;
        let levels = c.transfer_levels(p.next());
        assert_eq!(levels.len(), 1);
        assert_eq!((levels[0].transfer, levels[0].level), (1, 1));
        // Not yet started, or only requested: not in force.
        assert!(c.transfer_levels(p.prev()).is_empty());
        c.transfers[1].status = TransferStatus::Requested;
        assert!(c.transfer_levels(p.next()).is_empty());
    }
}
