//! `lineItem/LineItemType` (`line_item_line_item_type`): the charge type of a CUR row, which
//! decides how proforma treats the row (SPEC 4.2, 4.5; `reference/cur_formats.md` §1.4).
//! Every comparison with a line item type goes through [`LineItemType`]; its spelling is the
//! CUR's, so parsing then printing gives back the text read.

use std::fmt;
use std::str::FromStr;

/// A CUR line item type. Known values are variants; any other text is kept in
/// [`LineItemType::Other`] so unknown types survive a round trip through the workspace and can
/// be listed (the engine counts them in its diagnostics, SPEC 4.2 "any other type").
///
/// Equality, ordering and hashing follow the CUR spelling ([`LineItemType::as_str`]), so an
/// `Other` that happens to hold a known spelling still equals the known variant, and sorted
/// output is in the same (alphabetical) order as when the type was a plain string.
#[derive(Debug, Clone, Copy)]
pub enum LineItemType {
    /// `Usage`: on-demand usage. Pro forma base: public cost; a row free on the bill stays 0
    /// while the free tier is on for it and takes its public cost when a TIERING rule turns the
    /// free tier off; custom SKU tiers replace the public price. Pricing rules apply (SPEC 4.2).
    Usage,
    /// `DiscountedUsage`: usage covered by a reserved instance. Commitment owner in the group:
    /// the row's unblended cost (the RI benefit holds); owner outside: public cost, priced by
    /// the plan's rules (SPEC 4.2).
    DiscountedUsage,
    /// `SavingsPlanCoveredUsage`: usage covered by a Savings Plan, at public cost, priced by
    /// the plan's rules (SPEC 4.2).
    SavingsPlanCoveredUsage,
    /// `SavingsPlanNegation`: offsets covered usage. Owner in the group: minus the pro forma of
    /// the covered usage with the same (account, service, usage type, operation, owner), so the
    /// two net to zero; owner outside: 0. Never its own public cost (SPEC 4.2). A percentage
    /// custom line item's filter can leave these rows out of its base (SPEC 2.4).
    SavingsPlanNegation,
    /// `RIFee`: the monthly reserved instance fee. Unblended cost, on the owner's row; no rule
    /// applies (SPEC 4.2).
    RIFee,
    /// `SavingsPlanRecurringFee`: the Savings Plan commitment fee. Unblended cost; no rule
    /// applies (SPEC 4.2).
    SavingsPlanRecurringFee,
    /// `SavingsPlanUpfrontFee`: a Savings Plan's one-time upfront fee. Unblended cost; no rule
    /// applies (SPEC 4.2).
    SavingsPlanUpfrontFee,
    /// `Fee`: one-time fees (RI upfront, Marketplace, domains, support). Unblended cost, except
    /// support fees (product code starting with `AWS` and containing `Support`): 0; no rule
    /// applies (SPEC 4.2). Also the type of a custom line item FEE in reports grouped by line
    /// item type (ABC's pro forma CUR).
    Fee,
    /// `Credit`: promotional, SLA and other credits. Counts in AWSCost, 0 in pro forma (ABC
    /// leaves credits out, SPEC 4.2). Also the type of a custom line item CREDIT in reports.
    Credit,
    /// `Refund`: counts in AWSCost, 0 in pro forma (SPEC 4.2).
    Refund,
    /// `Tax`: never in AWSCost (billable) nor in pro forma; reported on its own (SPEC 4.5: the
    /// invoice total is the groups' AWSCost + unmonitored billable + tax).
    Tax,
    /// `BundledDiscount`: "free because you use X" discounts. AWSCost, 0 in pro forma (SPEC 4.2).
    BundledDiscount,
    /// `EdpDiscount`: Enterprise Discount Program. AWSCost, 0 in pro forma (SPEC 4.2).
    EdpDiscount,
    /// `PrivateRateDiscount`: private pricing discounts. AWSCost, 0 in pro forma (SPEC 4.2).
    PrivateRateDiscount,
    /// `RiVolumeDiscount`: RI volume tier discounts. AWSCost, 0 in pro forma (SPEC 4.2).
    RiVolumeDiscount,
    /// `SppDiscount`: Solution Provider Program discounts. AWSCost, 0 in pro forma (SPEC 4.2).
    SppDiscount,
    /// `DistributorDiscount`: partner discounts (unverified in AWS docs, cur_formats §1.4).
    /// AWSCost, 0 in pro forma (SPEC 4.2).
    DistributorDiscount,
    /// `Discount`: generic discounts. AWSCost, 0 in pro forma (SPEC 4.2).
    Discount,
    /// `Proforma_Fee`: a custom line item FEE as ABC's own pro forma CUR shows it under another
    /// service (cur_formats §1.4). Not a type of a billable CUR: if one is met there it is
    /// kept at its unblended cost and counted as unknown in the diagnostics, like `Other`.
    ProformaFee,
    /// `Proforma_Credit`: a custom line item CREDIT in ABC's pro forma CUR; treated as
    /// `ProformaFee` is.
    ProformaCredit,
    /// Any other text, kept as read. A type ending in `Discount` is treated as a discount
    /// (AWSCost, 0 in pro forma); any other is kept at its unblended cost in pro forma and
    /// counted in the diagnostics as an unknown line item type (SPEC 4.2). Never holds a known
    /// spelling when made by [`LineItemType::parse`].
    Other(ustr::Ustr),
}

/// How the pro forma base of a line of this type is chosen (SPEC 4.2), one class per row of
/// its table. The engine's `price` matches on this, the one place the table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingClass {
    /// `Usage`.
    Usage,
    /// `DiscountedUsage`.
    RiCovered,
    /// `SavingsPlanCoveredUsage`.
    SpCovered,
    /// `SavingsPlanNegation`.
    SpNegation,
    /// `RIFee`, `SavingsPlanRecurringFee`, `SavingsPlanUpfrontFee`: unblended cost.
    CommitmentFee,
    /// `Fee`: unblended cost, support fees 0.
    Fee,
    /// `Tax`: left out.
    Tax,
    /// `Credit`: left out.
    Credit,
    /// `Refund`: left out.
    Refund,
    /// Every discount type (any type ending in `Discount`): left out.
    Discount,
    /// Any other type: unblended cost, and listed as unknown.
    Unknown,
}

impl LineItemType {
    /// Every known type (not `Other`), in the order of SPEC 4.2's table.
    pub const KNOWN: [LineItemType; 20] = [
        LineItemType::Usage,
        LineItemType::DiscountedUsage,
        LineItemType::SavingsPlanCoveredUsage,
        LineItemType::SavingsPlanNegation,
        LineItemType::RIFee,
        LineItemType::SavingsPlanRecurringFee,
        LineItemType::SavingsPlanUpfrontFee,
        LineItemType::Fee,
        LineItemType::Credit,
        LineItemType::Refund,
        LineItemType::Tax,
        LineItemType::BundledDiscount,
        LineItemType::EdpDiscount,
        LineItemType::PrivateRateDiscount,
        LineItemType::RiVolumeDiscount,
        LineItemType::SppDiscount,
        LineItemType::DistributorDiscount,
        LineItemType::Discount,
        LineItemType::ProformaFee,
        LineItemType::ProformaCredit,
    ];

    /// The CUR spelling (`SavingsPlanNegation`, `Proforma_Fee`, or an `Other`'s own text).
    pub fn as_str(&self) -> &str {
        match self {
            LineItemType::Usage => "Usage",
            LineItemType::DiscountedUsage => "DiscountedUsage",
            LineItemType::SavingsPlanCoveredUsage => "SavingsPlanCoveredUsage",
            LineItemType::SavingsPlanNegation => "SavingsPlanNegation",
            LineItemType::RIFee => "RIFee",
            LineItemType::SavingsPlanRecurringFee => "SavingsPlanRecurringFee",
            LineItemType::SavingsPlanUpfrontFee => "SavingsPlanUpfrontFee",
            LineItemType::Fee => "Fee",
            LineItemType::Credit => "Credit",
            LineItemType::Refund => "Refund",
            LineItemType::Tax => "Tax",
            LineItemType::BundledDiscount => "BundledDiscount",
            LineItemType::EdpDiscount => "EdpDiscount",
            LineItemType::PrivateRateDiscount => "PrivateRateDiscount",
            LineItemType::RiVolumeDiscount => "RiVolumeDiscount",
            LineItemType::SppDiscount => "SppDiscount",
            LineItemType::DistributorDiscount => "DistributorDiscount",
            LineItemType::Discount => "Discount",
            LineItemType::ProformaFee => "Proforma_Fee",
            LineItemType::ProformaCredit => "Proforma_Credit",
            LineItemType::Other(s) => s,
        }
    }

    /// The type a CUR cell spells, exactly as written (case matters, as in AWS's files); any
    /// text that is no known spelling becomes `Other` with that text. Never fails.
    pub fn parse(s: &str) -> Self {
        Self::known(s).unwrap_or_else(|| LineItemType::Other(ustr::ustr(s)))
    }

    /// The known type `s` spells, without allocating; `None` for any other text.
    pub fn known(s: &str) -> Option<Self> {
        // Matched on the text (compiled to length then byte comparisons), not by a scan of
        // `KNOWN`: this runs once per new aggregate key.
        Some(match s {
            "Usage" => LineItemType::Usage,
            "DiscountedUsage" => LineItemType::DiscountedUsage,
            "SavingsPlanCoveredUsage" => LineItemType::SavingsPlanCoveredUsage,
            "SavingsPlanNegation" => LineItemType::SavingsPlanNegation,
            "RIFee" => LineItemType::RIFee,
            "SavingsPlanRecurringFee" => LineItemType::SavingsPlanRecurringFee,
            "SavingsPlanUpfrontFee" => LineItemType::SavingsPlanUpfrontFee,
            "Fee" => LineItemType::Fee,
            "Credit" => LineItemType::Credit,
            "Refund" => LineItemType::Refund,
            "Tax" => LineItemType::Tax,
            "BundledDiscount" => LineItemType::BundledDiscount,
            "EdpDiscount" => LineItemType::EdpDiscount,
            "PrivateRateDiscount" => LineItemType::PrivateRateDiscount,
            "RiVolumeDiscount" => LineItemType::RiVolumeDiscount,
            "SppDiscount" => LineItemType::SppDiscount,
            "DistributorDiscount" => LineItemType::DistributorDiscount,
            "Discount" => LineItemType::Discount,
            "Proforma_Fee" => LineItemType::ProformaFee,
            "Proforma_Credit" => LineItemType::ProformaCredit,
            _ => return None,
        })
    }

    /// Whether `cell` (raw CUR text) spells this type: the import's hot path asks this per
    /// row without building a value.
    pub fn is_spelled(&self, cell: &[u8]) -> bool {
        self.as_str().as_bytes() == cell
    }

    /// Whether this is a known type (not `Other`).
    pub fn is_known(&self) -> bool {
        !matches!(self, LineItemType::Other(_)) || Self::known(self.as_str()).is_some()
    }

    /// `Tax`: its cost is tax, never billable (AWSCost) nor pro forma (SPEC 4.5).
    pub fn is_tax(&self) -> bool {
        self.pricing_class() == PricingClass::Tax
    }

    /// Every discount type: the known ones and any other type ending in `Discount` (SPEC 4.2).
    pub fn is_discount(&self) -> bool {
        self.pricing_class() == PricingClass::Discount
    }

    /// Which row of SPEC 4.2's table prices a line of this type.
    pub fn pricing_class(&self) -> PricingClass {
        use LineItemType as T;
        match self {
            T::Usage => PricingClass::Usage,
            T::DiscountedUsage => PricingClass::RiCovered,
            T::SavingsPlanCoveredUsage => PricingClass::SpCovered,
            T::SavingsPlanNegation => PricingClass::SpNegation,
            T::RIFee | T::SavingsPlanRecurringFee | T::SavingsPlanUpfrontFee => {
                PricingClass::CommitmentFee
            }
            T::Fee => PricingClass::Fee,
            T::Tax => PricingClass::Tax,
            T::Credit => PricingClass::Credit,
            T::Refund => PricingClass::Refund,
            T::BundledDiscount
            | T::EdpDiscount
            | T::PrivateRateDiscount
            | T::RiVolumeDiscount
            | T::SppDiscount
            | T::DistributorDiscount
            | T::Discount => PricingClass::Discount,
            T::ProformaFee | T::ProformaCredit => PricingClass::Unknown,
            T::Other(s) => match Self::known(s) {
                // Built by hand with a known spelling: treated as that type.
                Some(k) => k.pricing_class(),
                None if s.ends_with("Discount") => PricingClass::Discount,
                None => PricingClass::Unknown,
            },
        }
    }

    /// Splits a line's unblended cost into (billable, tax) by its type (SPEC 4.5): a `Tax`
    /// line's cost is tax, every other line's is billable (AWSCost).
    pub fn billable_and_tax(
        &self,
        cost: rust_decimal::Decimal,
    ) -> (rust_decimal::Decimal, rust_decimal::Decimal) {
        if self.is_tax() {
            (rust_decimal::Decimal::ZERO, cost)
        } else {
            (cost, rust_decimal::Decimal::ZERO)
        }
    }
}

impl FromStr for LineItemType {
    type Err = std::convert::Infallible;
    /// Same as [`LineItemType::parse`]: unknown text is kept as `Other`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl From<&str> for LineItemType {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

impl fmt::Display for LineItemType {
    /// The CUR spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for LineItemType {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LineItemType {}

impl std::hash::Hash for LineItemType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

/// Lookups by CUR text in maps keyed by type (`unknown_types.get("Adjustment")`): sound
/// because equality, ordering and hashing are those of [`LineItemType::as_str`].
impl std::borrow::Borrow<str> for LineItemType {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialOrd for LineItemType {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LineItemType {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_type_round_trips_through_its_cur_spelling() {
        for t in LineItemType::KNOWN {
            let text = t.to_string();
            let back: LineItemType = text.parse().unwrap();
            assert_eq!(back, t);
            assert!(back.is_known(), "{text}");
            assert!(!matches!(back, LineItemType::Other(_)), "{text}");
            assert_eq!(back.to_string(), text);
        }
        // Spellings as in the CUR, not Rust's variant names.
        assert_eq!(LineItemType::RIFee.to_string(), "RIFee");
        assert_eq!(LineItemType::ProformaFee.to_string(), "Proforma_Fee");
        assert_eq!(LineItemType::ProformaCredit.as_str(), "Proforma_Credit");
        let spellings: std::collections::BTreeSet<&str> = LineItemType::KNOWN
            .iter()
            .map(LineItemType::as_str)
            .collect();
        assert_eq!(
            spellings.len(),
            LineItemType::KNOWN.len(),
            "no two share a spelling"
        );
    }

    #[test]
    fn unknown_types_survive_as_written() {
        for text in ["MysteryCharge", "tax", " Tax", "", "Usage\u{1b}[31m"] {
            let t = LineItemType::parse(text);
            assert_eq!(t, LineItemType::Other(text.into()));
            assert_eq!(t.to_string(), text);
            assert!(!t.is_known());
            assert!(!t.is_tax(), "{text:?} is not the CUR's Tax");
        }
        assert_eq!(
            LineItemType::parse("MysteryCharge").pricing_class(),
            PricingClass::Unknown
        );
    }

    #[test]
    fn a_hand_made_other_with_a_known_spelling_is_that_type() {
        let t = LineItemType::Other("Tax".into());
        assert_eq!(t, LineItemType::Tax);
        assert!(t.is_tax());
        assert!(t.is_known());
        let mut h1 = std::collections::hash_map::DefaultHasher::new();
        let mut h2 = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&t, &mut h1);
        std::hash::Hash::hash(&LineItemType::Tax, &mut h2);
        assert_eq!(
            std::hash::Hasher::finish(&h1),
            std::hash::Hasher::finish(&h2)
        );
    }

    #[test]
    fn classes_follow_spec_4_2() {
        use PricingClass as C;
        let cases = [
            ("Usage", C::Usage),
            ("DiscountedUsage", C::RiCovered),
            ("SavingsPlanCoveredUsage", C::SpCovered),
            ("SavingsPlanNegation", C::SpNegation),
            ("RIFee", C::CommitmentFee),
            ("SavingsPlanRecurringFee", C::CommitmentFee),
            ("SavingsPlanUpfrontFee", C::CommitmentFee),
            ("Fee", C::Fee),
            ("Tax", C::Tax),
            ("Credit", C::Credit),
            ("Refund", C::Refund),
            ("EdpDiscount", C::Discount),
            ("BundledDiscount", C::Discount),
            ("Discount", C::Discount),
            ("SomeNewDiscount", C::Discount),
            ("Proforma_Fee", C::Unknown),
            ("Adjustment", C::Unknown),
        ];
        for (text, class) in cases {
            assert_eq!(LineItemType::parse(text).pricing_class(), class, "{text}");
        }
        assert!(LineItemType::parse("SomeNewDiscount").is_discount());
        assert!(!LineItemType::Credit.is_discount());
    }

    #[test]
    fn order_and_spelling_checks_follow_the_text() {
        let mut v = [
            LineItemType::Usage,
            LineItemType::parse("Adjustment"),
            LineItemType::Tax,
            LineItemType::Credit,
        ];
        v.sort();
        let texts: Vec<&str> = v.iter().map(LineItemType::as_str).collect();
        assert_eq!(texts, ["Adjustment", "Credit", "Tax", "Usage"]);
        assert!(LineItemType::Tax.is_spelled(b"Tax"));
        assert!(!LineItemType::Tax.is_spelled(b"TaxX"));
    }

    #[test]
    fn tax_splits_off_billable() {
        let c = rust_decimal::Decimal::new(1234, 2);
        let z = rust_decimal::Decimal::ZERO;
        assert_eq!(LineItemType::Tax.billable_and_tax(c), (z, c));
        assert_eq!(LineItemType::Credit.billable_and_tax(c), (c, z));
    }
}
