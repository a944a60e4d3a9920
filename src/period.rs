//! Billing periods: calendar months in UTC, written `YYYY-MM`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BillingPeriod {
    year: u16,
    month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a billing period (expected YYYY-MM, for example 2026-10)")]
pub struct BadPeriod(pub String);

impl BillingPeriod {
    pub fn new(year: u16, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// Number of days in the month (28-31, leap years counted).
    pub fn days(self) -> usize {
        let y = self.year();
        match self.month() {
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The period a CUR timestamp or date (`2023-11-01T00:00:00.000Z`, `2018-06-01 00:00:00`,
    /// `2023-11-01`) falls in.
    pub fn from_timestamp(text: &str) -> Option<Self> {
        if let Some(utc) = offset_utc(text) {
            use chrono::Datelike;
            return Self::new(
                u16::try_from(utc.year()).ok()?,
                u8::try_from(utc.month()).ok()?,
            );
        }
        let b = text.trim().as_bytes();
        if b.len() < 7 || b[4] != b'-' {
            return None;
        }
        let year = parse_digits(&b[0..4])?;
        let month = parse_digits(&b[5..7])?;
        Self::new(year, u8::try_from(month).ok()?)
    }

    /// `Nov 2023`: the value AWS prints for the `BILLING_PERIOD` attribute.
    pub fn aws_label(self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

/// The UTC instant of a timestamp written with a UTC offset other than zero
/// (`2026-09-30T22:00:00-02:00`, FOCUS's ISO 8601 allows one); None for every other text
/// (`Z`, `+00:00`, no offset, a date alone), which is read as written.
fn offset_utc(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = text.trim();
    let tail = t.get(19..)?;
    if !tail.contains(['+', '-']) || tail.ends_with("+00:00") || tail.ends_with("-00:00") {
        return None;
    }
    let parsed = chrono::DateTime::parse_from_rfc3339(t)
        .or_else(|_| chrono::DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .ok()?;
    Some(parsed.with_timezone(&chrono::Utc))
}

/// The UTC day (`YYYY-MM-DD`) of a timestamp: [`day_of`], or for a timestamp with a UTC
/// offset, the day of its UTC instant.
pub fn utc_day_of(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    match offset_utc(text) {
        Some(utc) => Some(std::borrow::Cow::Owned(utc.format("%Y-%m-%d").to_string())),
        None => day_of(text).map(std::borrow::Cow::Borrowed),
    }
}

fn parse_digits(b: &[u8]) -> Option<u16> {
    b.iter().try_fold(0u16, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
    })
}

impl FromStr for BillingPeriod {
    type Err = BadPeriod;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() != 7 {
            return Err(BadPeriod(s.to_string()));
        }
        Self::from_timestamp(s).ok_or_else(|| BadPeriod(s.to_string()))
    }
}

impl fmt::Display for BillingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The calendar day (`YYYY-MM-DD`) of a CUR timestamp in any of its spellings, if it has one
/// and it is a real day (`2026-10-32` and `2026-02-29` are not).
pub fn day_of(text: &str) -> Option<&str> {
    let t = text.trim();
    let b = t.as_bytes();
    let ok = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..10]
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (b.len() == 10 || b[10] == b'T' || b[10] == b' ');
    let day = ok.then(|| &t[..10])?;
    let (y, m, d) = (
        day[..4].parse().ok()?,
        day[5..7].parse().ok()?,
        day[8..10].parse().ok()?,
    );
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|_| day)
}

impl serde::Serialize for BillingPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BillingPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timestamp with a UTC offset counts in the period and on the day of its UTC instant
    /// (FOCUS writes ISO 8601, which allows one); `Z`, `+00:00` and plain texts as written.
    #[test]
    fn offsets_count_in_utc() {
        let p = |t: &str| BillingPeriod::from_timestamp(t).map(|p| p.to_string());
        assert_eq!(p("2026-09-30T22:00:00-02:00").as_deref(), Some("2026-10"));
        assert_eq!(p("2026-10-01T01:00:00+02:00").as_deref(), Some("2026-09"));
        assert_eq!(p("2026-10-01T00:00:00Z").as_deref(), Some("2026-10"));
        assert_eq!(p("2026-10-01T00:00:00+00:00").as_deref(), Some("2026-10"));
        assert_eq!(p("2026-10-01 00:00:00").as_deref(), Some("2026-10"));
        assert_eq!(p("2026-10").as_deref(), Some("2026-10"));
        let d = |t: &str| utc_day_of(t).map(|d| d.into_owned());
        assert_eq!(
            d("2026-10-05T23:30:00-01:00").as_deref(),
            Some("2026-10-06")
        );
        assert_eq!(d("2026-10-05T23:30:00.000Z").as_deref(), Some("2026-10-05"));
        assert_eq!(d("2026-10-05").as_deref(), Some("2026-10-05"));
        assert_eq!(d("not a day"), None);
    }

    #[test]
    fn parses_and_prints() {
        let p: BillingPeriod = "2026-10".parse().unwrap();
        assert_eq!(p.to_string(), "2026-10");
        assert_eq!(p.next().to_string(), "2026-11");
        assert_eq!(p.next().next().next().to_string(), "2027-01");
        assert_eq!(
            "2027-01"
                .parse::<BillingPeriod>()
                .unwrap()
                .prev()
                .to_string(),
            "2026-12"
        );
        assert!("2026-13".parse::<BillingPeriod>().is_err());
        assert!("2026-1".parse::<BillingPeriod>().is_err());
        assert!("26-10-01".parse::<BillingPeriod>().is_err());
        assert_eq!(p.aws_label(), "Oct 2026");
    }

    #[test]
    fn reads_every_timestamp_spelling() {
        for t in [
            "2023-11-01T00:00:00.000Z",
            "2023-11-01T00:00:00Z",
            "2023-11-01 00:00:00",
        ] {
            assert_eq!(
                BillingPeriod::from_timestamp(t).unwrap().to_string(),
                "2023-11"
            );
            assert_eq!(day_of(t), Some("2023-11-01"));
        }
        assert_eq!(day_of("2023-11-01"), Some("2023-11-01"));
        assert_eq!(day_of("2023/11/01"), None);
        assert_eq!(BillingPeriod::from_timestamp("x"), None);
    }
}
