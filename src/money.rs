//! Money on `rust_decimal`: exact parsing of every spelling real CUR files use, and the one
//! place where amounts are rounded for display (SPEC 5: 2 decimals, half away from zero).

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Why a number cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a number")]
pub struct NotANumber;

/// True for the cell spellings real CUR files use for "no value".
pub fn is_null(text: &str) -> bool {
    match text.len() {
        0 => true,
        2 => text == "\\N",
        4 => text.eq_ignore_ascii_case("null"),
        _ => text.trim().is_empty() || is_null_trimmed(text.trim()),
    }
}

fn is_null_trimmed(t: &str) -> bool {
    t == "\\N" || t.eq_ignore_ascii_case("null")
}

/// Parses a CUR number cell exactly. Empty, `\N` and `NULL` are `None`. Accepts plain decimals
/// and scientific notation (`8.85E-8`); values finer than Decimal's 28 fractional digits are
/// rounded to 28 digits rather than rejected, since they are far below any billable amount.
pub fn parse_decimal(text: &str) -> Result<Option<Decimal>, NotANumber> {
    if is_null(text) {
        return Ok(None);
    }
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.bytes().any(|b| b == b'e' || b == b'E') {
        return parse_scientific(t).map(Some);
    }
    // Not normalised: sums do not need it, and scale never changes a value's equality.
    match Decimal::from_str_exact(t) {
        Ok(d) => Ok(Some(d)),
        Err(_) => {
            // More fractional digits than Decimal holds: round instead of failing.
            if t.bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                && t.bytes().filter(|&b| b == b'.').count() <= 1
                && t.bytes().any(|b| b.is_ascii_digit())
            {
                Decimal::from_str(t)
                    .map(|d| Some(d.normalize()))
                    .map_err(|_| NotANumber)
            } else {
                Err(NotANumber)
            }
        }
    }
}

fn parse_scientific(t: &str) -> Result<Decimal, NotANumber> {
    let pos = t.find(['e', 'E']).ok_or(NotANumber)?;
    let (mantissa, exp) = (&t[..pos], &t[pos + 1..]);
    let exp: i64 = exp.parse().map_err(|_| NotANumber)?;
    if mantissa.is_empty() || exp > 60 {
        return Err(NotANumber);
    }
    let m = Decimal::from_str_exact(mantissa).map_err(|_| NotANumber)?;
    if exp < -60 {
        // Below 1e-28 however it is spelled: rounded away, as the same value written with its
        // 29th and later digits is (and as a DOUBLE's plain text is).
        return Ok(Decimal::ZERO);
    }
    let exp = exp as i32;
    let scaled = if exp >= 0 {
        let mut v = m;
        for _ in 0..exp {
            v = v.checked_mul(Decimal::TEN).ok_or(NotANumber)?;
        }
        v
    } else {
        shift_right(m, exp.unsigned_abs())
    };
    Ok(scaled.normalize())
}

/// Divides by 10^n exactly while Decimal's scale allows, then rounds to 28 places.
fn shift_right(m: Decimal, n: u32) -> Decimal {
    let mut v = m;
    let mut remaining = n;
    while remaining > 0 {
        let step = remaining.min(28 - v.scale().min(28));
        if step == 0 {
            // Scale is exhausted: the rest is below 1e-28, rounded away in one division (one
            // digit at a time would round twice: 7100.5 -> 7100 where 7100.53 -> 7101).
            let Some(divisor) = 10i128
                .checked_pow(remaining)
                .and_then(|p| Decimal::try_from_i128_with_scale(p, 0).ok())
            else {
                // Beyond 10^28 the quotient is below 8e-29 (|v| < 8 here): taken as zero.
                return Decimal::ZERO;
            };
            return v.checked_div(divisor).unwrap_or(Decimal::ZERO).round_dp(28);
        }
        // set_scale only fails when the scale exceeds 28, which `step` prevents.
        let mut next = v;
        if next.set_scale(v.scale() + step).is_err() {
            return v.round_dp(28);
        }
        v = next;
        remaining -= step;
    }
    v
}

/// Converts a Parquet DOUBLE to Decimal through its shortest round-trip decimal text
/// (SPEC 1.1), so `0.1` stays `0.1` instead of its binary expansion.
pub fn decimal_from_f64(x: f64) -> Result<Decimal, NotANumber> {
    if !x.is_finite() {
        return Err(NotANumber);
    }
    parse_decimal(&f64_text(x, &mut zmij::Buffer::new()))?.ok_or(NotANumber)
}

/// The shortest decimal text that reads back as the same finite double (SPEC 1.1), written
/// into `buf` by zmij (a Schubfach shortest-digit writer, faster than ryu, which is several
/// times faster than `{}`: a CUR 2.0 or FOCUS Parquet's costs are doubles, millions per
/// file; zmij's text is ryu's, tie rule included, in the range used here). It is spelled so that [`parse_decimal`] gives the scale it
/// gives for `{}`'s text: an integral value has no `.0` (`{}` prints `100`, zmij `100.0`).
/// The digits are `{}`'s, except when the double lies exactly halfway between two shortest
/// texts (`0.50000762939453125`, 17 digits, between `…5312` and `…5313`): zmij takes the even
/// one, `{}` the upper; both read back as the same double, a difference below 1e-16 of it.
/// Outside [1e-5, 1e16) zmij writes an exponent, which reads back rounded differently than
/// plain digits when the value is finer than 28 places: `{}` writes those.
pub fn f64_text(x: f64, buf: &mut zmij::Buffer) -> std::borrow::Cow<'_, str> {
    if !(1e-5..1e16).contains(&x.abs()) {
        return std::borrow::Cow::Owned(format!("{x}"));
    }
    let t = buf.format(x);
    std::borrow::Cow::Borrowed(t.strip_suffix(".0").unwrap_or(t))
}

/// The Decimal [`parse_decimal`] gives for [`f64_text`]'s text of a finite `x`, the same value
/// and scale (SPEC 1.1: a Parquet DOUBLE is its shortest round-trip decimal), built from zmij's
/// digits without a general text parse: the column-wise Parquet reader converts millions of
/// costs per file. `buf` is zmij's scratch, as for [`f64_text`].
///
/// # Errors
/// `x` is NaN or infinite.
pub fn decimal_from_f64_digits(x: f64, buf: &mut zmij::Buffer) -> Result<Decimal, NotANumber> {
    if !x.is_finite() {
        return Err(NotANumber);
    }
    shortest_text_decimal(&f64_text(x, buf))
}

/// The Decimal of a text [`f64_text`] wrote (the same value and scale [`parse_decimal`]
/// gives): zmij's plain digits are read in one pass; any other spelling takes
/// [`parse_decimal`]. For a caller that keeps the text too (the Parquet reader shows it in
/// error messages).
///
/// # Errors
/// The text is not a number (never for a text of [`f64_text`]).
pub fn shortest_text_decimal(text: &str) -> Result<Decimal, NotANumber> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    // zmij's plain spelling in [1e-5, 1e16): at most 17 significant digits, one optional dot,
    // so the mantissa fits a u64 and the scale is at most 22. Anything else (exponents,
    // `{}`'s long texts outside that range) takes the general parse.
    let mut mantissa: u64 = 0;
    let mut scale: Option<u32> = None;
    let mut plain = !digits.is_empty() && digits.len() <= 40;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                match mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u64::from(b - b'0')))
                {
                    Some(m) => mantissa = m,
                    None => {
                        plain = false;
                        break;
                    }
                }
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => {
                plain = false;
                break;
            }
        }
    }
    let scale = scale.unwrap_or(0);
    if plain && scale <= 28 {
        // Low and middle 32 bits of the u64 mantissa; no high part.
        return Ok(Decimal::from_parts(
            mantissa as u32,
            (mantissa >> 32) as u32,
            0,
            negative,
            scale,
        ));
    }
    parse_decimal(text)?.ok_or(NotANumber)
}

/// Rounds for display: 2 decimals, half away from zero.
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `1234.5` -> `"1234.50"`: the form of the AWS CLI JSON and of CSV output.
pub fn fmt_plain(d: Decimal) -> String {
    let r = round2(d);
    // -0.00 reads as a sign error in a bill.
    let r = if r.is_zero() { Decimal::ZERO } else { r };
    format!("{r:.2}")
}

/// `-1234567.891` -> `"-1,234,567.89"`: the form of terminal tables.
pub fn fmt_grouped(d: Decimal) -> String {
    let plain = fmt_plain(d);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn parses_cur_spellings() {
        assert_eq!(parse_decimal("").unwrap(), None);
        assert_eq!(parse_decimal("\\N").unwrap(), None);
        assert_eq!(parse_decimal("NULL").unwrap(), None);
        assert_eq!(parse_decimal("0.0").unwrap(), Some(d("0")));
        assert_eq!(parse_decimal("8.85E-8").unwrap(), Some(d("0.0000000885")));
        assert_eq!(parse_decimal("1.5e3").unwrap(), Some(d("1500")));
        assert_eq!(parse_decimal("-2.5E+2").unwrap(), Some(d("-250")));
        assert_eq!(parse_decimal(" 12.3400 ").unwrap(), Some(d("12.34")));
        assert_eq!(
            parse_decimal("0.00000000000000000000000000001234").unwrap(),
            Some(d("0"))
        );
        assert!(parse_decimal("12,5").is_err());
        assert!(parse_decimal("abc").is_err());
        assert!(parse_decimal("1e").is_err());
        assert!(parse_decimal("e5").is_err());
        assert!(parse_decimal("1e999").is_err());
        assert!(parse_decimal("-").is_err());
        assert!(parse_decimal(".").is_err());
    }

    /// Digits past the 28th place are rounded once, not digit by digit.
    #[test]
    fn tiny_exponents_round_once() {
        assert_eq!(
            parse_decimal("7.100532164112103e-25").unwrap().unwrap(),
            d("0.0000000000000000000000007101")
        );
        assert_eq!(
            parse_decimal("7.100532164112103e-25").unwrap(),
            parse_decimal("0.0000000000000000000000007100532164112103").unwrap()
        );
        assert_eq!(parse_decimal("5e-60").unwrap().unwrap(), Decimal::ZERO);
    }

    /// A value below 1e-28 reads as zero however it is spelled (a CSV's exponent or plain
    /// digits, a Parquet DOUBLE's text): never refused in one spelling and taken in another.
    #[test]
    fn tiny_values_read_as_zero_in_every_spelling() {
        for text in [
            "1e-29",
            "1e-300",
            "-4.5E-61",
            "0.00000000000000000000000000001",
        ] {
            assert_eq!(parse_decimal(text).unwrap(), Some(Decimal::ZERO), "{text}");
        }
        assert_eq!(decimal_from_f64(1e-300).unwrap(), Decimal::ZERO);
        assert_eq!(
            shortest_text_decimal(&f64_text(1e-300, &mut zmij::Buffer::new())).unwrap(),
            Decimal::ZERO
        );
        // Large stays refused: it cannot be held.
        assert!(parse_decimal("1e61").is_err());
        assert!(parse_decimal("1e29").is_err());
        assert!(parse_decimal("1e-x").is_err());
    }

    #[test]
    fn tiny_exponents_round_instead_of_failing() {
        assert_eq!(parse_decimal("1.234E-30").unwrap(), Some(Decimal::ZERO));
        assert_eq!(
            parse_decimal("5E-28").unwrap(),
            Some(d("0.0000000000000000000000000005"))
        );
    }

    #[test]
    fn doubles_go_through_shortest_text() {
        assert_eq!(decimal_from_f64(0.1).unwrap(), d("0.1"));
        assert_eq!(decimal_from_f64(4064.483132).unwrap(), d("4064.483132"));
        assert_eq!(decimal_from_f64(8.85e-8).unwrap(), d("0.0000000885"));
        assert!(decimal_from_f64(f64::NAN).is_err());
    }

    /// `f64_text` is a shortest round-trip text: the double again, `{}`'s length and scale,
    /// its digits but for a halfway tie, over doubles of every magnitude a cost column holds
    /// (and beyond), including integers and exponents.
    #[test]
    fn shortest_text_is_rusts_but_for_halfway_ties() {
        let mut buf = zmij::Buffer::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            100.0,
            1e21,
            1e-7,
            8.85e-8,
            0.1,
            4064.483132,
            1e15,
            1e16,
            123456789012345680.0,
        ];
        for _ in 0..200_000 {
            // xorshift: random bit patterns (every exponent), and random cents.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() && f.abs() < 7.9e28 && (f == 0.0 || f.abs() > 1e-28) {
                values.push(f);
            }
            values.push((x % 10_000_000) as f64 / 100.0);
            values.push((x % 1_000_000_000) as f64 / 1e10);
        }
        // The documented tie, 0.50000762939453125 exactly: the even neighbour (zmij's, as ryu's), `{}`'s
        // upper one.
        let half_tie = 0.5 + 1.0 / 131_072.0;
        assert_eq!(f64_text(half_tie, &mut buf), "0.5000076293945312");
        assert_eq!(format!("{half_tie}"), "0.5000076293945313");
        for f in values {
            let text = f64_text(f, &mut buf);
            assert_eq!(text.parse::<f64>().unwrap(), f, "{f:e}: round trip");
            let ours = parse_decimal(&text);
            let display = parse_decimal(&format!("{f}"));
            match (ours, display) {
                (Ok(Some(a)), Ok(Some(b))) => {
                    // Same length; the digits differ only on a halfway double, by one unit
                    // in the last place.
                    assert_eq!(a.scale(), b.scale(), "{f:e}");
                    let unit = Decimal::new(1, a.scale());
                    assert!((a - b).abs() <= unit, "{f:e}: {a} vs {b}");
                }
                (a, b) => assert_eq!(a.is_err(), b.is_err(), "{f:e}"),
            }
        }
    }

    /// zmij's text is ryu's (which the Parquet readers used before) over the plain range,
    /// the halfway tie included: a double imports as the same Decimal as it did.
    #[test]
    fn zmij_writes_ryus_text() {
        let (mut z, mut r) = (zmij::Buffer::new(), ryu::Buffer::new());
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut check = |f: f64| {
            if f.is_finite() && (1e-5..1e16).contains(&f.abs()) {
                assert_eq!(z.format(f), r.format(f), "{f:e}");
            }
        };
        check(0.5 + 1.0 / 131_072.0);
        for e in 0..2047u64 {
            for m in [0u64, 1, 2, (1 << 51), (1 << 52) - 1] {
                check(f64::from_bits((e << 52) | m));
            }
        }
        for _ in 0..300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check(f64::from_bits(x));
            check((x % 10_000_000) as f64 / 100.0);
            check(-((x % 1_000_000_000_000) as f64) / 1e6);
            check((x >> 11) as f64 / (1u64 << 53) as f64 * 1e16);
        }
    }

    /// The digit-built Decimal is the parsed text's, value and scale, over the same doubles as
    /// the shortest-text test (every magnitude, cents, integers, the halfway tie, signs).
    #[test]
    fn digits_give_the_parsed_texts_decimal() {
        let mut buf = zmij::Buffer::new();
        let mut text_buf = zmij::Buffer::new();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            100.0,
            1e-5,
            9.999e-6,
            1e15,
            1e16,
            9_999_999_999_999_998.0,
            -4064.483132,
            0.5 + 1.0 / 131_072.0,
            1e21,
            8.85e-8,
        ];
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() && f.abs() < 7.9e28 && (f == 0.0 || f.abs() > 1e-28) {
                values.push(f);
            }
            values.push((x % 10_000_000) as f64 / 100.0);
            values.push(-((x % 1_000_000_000) as f64) / 1e10);
        }
        for f in values {
            let want = parse_decimal(&f64_text(f, &mut text_buf));
            let got = decimal_from_f64_digits(f, &mut buf);
            match (want, got) {
                (Ok(Some(a)), Ok(b)) => {
                    assert_eq!(a, b, "{f:e}");
                    assert_eq!(a.scale(), b.scale(), "{f:e}");
                    assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{f:e}");
                }
                (a, b) => assert_eq!(a.is_err(), b.is_err(), "{f:e}"),
            }
        }
        assert_eq!(decimal_from_f64_digits(0.1, &mut buf), Ok(d("0.1")));
        assert_eq!(
            decimal_from_f64_digits(0.5 + 1.0 / 131_072.0, &mut buf).map(|d| d.to_string()),
            Ok("0.5000076293945312".to_string())
        );
        assert!(decimal_from_f64_digits(f64::NAN, &mut buf).is_err());
        assert!(decimal_from_f64_digits(f64::INFINITY, &mut buf).is_err());
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(fmt_plain(d("117.935")), "117.94");
        assert_eq!(fmt_plain(d("-117.935")), "-117.94");
        assert_eq!(fmt_plain(d("-0.001")), "0.00");
        assert_eq!(fmt_plain(d("5")), "5.00");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(fmt_grouped(d("1234567.891")), "1,234,567.89");
        assert_eq!(fmt_grouped(d("-1000")), "-1,000.00");
        assert_eq!(fmt_grouped(d("999.999")), "1,000.00");
        assert_eq!(fmt_grouped(d("0")), "0.00");
        assert_eq!(fmt_grouped(d("123")), "123.00");
    }
}
