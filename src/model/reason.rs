//! AWS Billing Conductor reason codes (from the API model's ValidationExceptionReason and
//! ConflictExceptionReason), so an analyst who knows ABC recognises every refusal.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    FieldValidationFailed,
    ResourceNameConflict,
    PrimaryNotAssociated,
    PrimaryCannotDisassociate,
    AccountsAlreadyAssociated,
    AccountsNotAssociated,
    IllegalPrimaryAccount,
    IllegalAccountId,
    MissingBillinggroup,
    MissingPricingplan,
    PricingrulesNotExist,
    DuplicatePricingruleArns,
    PricingRuleInPricingPlanConflict,
    PricingPlanAttachedToBillingGroupDeleteConflict,
    PricingRuleAttachedToPricingPlanDeleteConflict,
    IllegalScope,
    IllegalService,
    IllegalBillingEntity,
    IllegalUsageType,
    IllegalOperation,
    InvalidSkuCombo,
    IllegalModifierPercentage,
    IllegalTieringInput,
    IllegalBillingGroupPricingPlan,
    TooManyAutoAssociateBillingGroups,
    IllegalChargeDetails,
    IllegalChildAssociateResource,
    IllegalLineItemFilter,
    IllegalBillingPeriodRange,
    IllegalComputationRule,
    IllegalCustomlineitemUpdate,
    IllegalResourceArns,
    InvalidArn,
    SourceViewNotFound,
    CyclicDependency,
    InvalidFilter,
}

impl Reason {
    pub fn code(self) -> &'static str {
        use Reason::*;
        match self {
            FieldValidationFailed => "FIELD_VALIDATION_FAILED",
            ResourceNameConflict => "RESOURCE_NAME_CONFLICT",
            PrimaryNotAssociated => "PRIMARY_NOT_ASSOCIATED",
            PrimaryCannotDisassociate => "PRIMARY_CANNOT_DISASSOCIATE",
            AccountsAlreadyAssociated => "ACCOUNTS_ALREADY_ASSOCIATED",
            AccountsNotAssociated => "ACCOUNTS_NOT_ASSOCIATED",
            IllegalPrimaryAccount => "ILLEGAL_PRIMARY_ACCOUNT",
            IllegalAccountId => "ILLEGAL_ACCOUNT_ID",
            MissingBillinggroup => "MISSING_BILLINGGROUP",
            MissingPricingplan => "MISSING_PRICINGPLAN",
            PricingrulesNotExist => "PRICINGRULES_NOT_EXIST",
            DuplicatePricingruleArns => "DUPLICATE_PRICINGRULE_ARNS",
            PricingRuleInPricingPlanConflict => "PRICING_RULE_IN_PRICING_PLAN_CONFLICT",
            PricingPlanAttachedToBillingGroupDeleteConflict => {
                "PRICING_PLAN_ATTACHED_TO_BILLING_GROUP_DELETE_CONFLICT"
            }
            PricingRuleAttachedToPricingPlanDeleteConflict => {
                "PRICING_RULE_ATTACHED_TO_PRICING_PLAN_DELETE_CONFLICT"
            }
            IllegalScope => "ILLEGAL_SCOPE",
            IllegalService => "ILLEGAL_SERVICE",
            IllegalBillingEntity => "ILLEGAL_BILLING_ENTITY",
            IllegalUsageType => "ILLEGAL_USAGE_TYPE",
            IllegalOperation => "ILLEGAL_OPERATION",
            InvalidSkuCombo => "INVALID_SKU_COMBO",
            IllegalModifierPercentage => "ILLEGAL_MODIFIER_PERCENTAGE",
            IllegalTieringInput => "ILLEGAL_TIERING_INPUT",
            IllegalBillingGroupPricingPlan => "ILLEGAL_BILLING_GROUP_PRICING_PLAN",
            TooManyAutoAssociateBillingGroups => "TOO_MANY_AUTO_ASSOCIATE_BILLING_GROUPS",
            IllegalChargeDetails => "ILLEGAL_CHARGE_DETAILS",
            IllegalChildAssociateResource => "ILLEGAL_CHILD_ASSOCIATE_RESOURCE",
            IllegalLineItemFilter => "ILLEGAL_LINE_ITEM_FILTER",
            IllegalBillingPeriodRange => "ILLEGAL_BILLING_PERIOD_RANGE",
            IllegalComputationRule => "ILLEGAL_COMPUTATION_RULE",
            IllegalCustomlineitemUpdate => "ILLEGAL_CUSTOMLINEITEM_UPDATE",
            IllegalResourceArns => "ILLEGAL_RESOURCE_ARNS",
            InvalidArn => "INVALID_ARN",
            SourceViewNotFound => "SOURCE_VIEW_NOT_FOUND",
            CyclicDependency => "CYCLIC_DEPENDENCY",
            InvalidFilter => "INVALID_FILTER",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One validation failure: the reason code, the field (a path such as
/// `billing group 'retail'.PrimaryAccountId`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub reason: Reason,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.reason, self.field, self.message)
    }
}

/// All violations of one check, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violations(pub Vec<Violation>);

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl Violations {
    pub fn has(&self, reason: Reason) -> bool {
        self.0.iter().any(|v| v.reason == reason)
    }
}
