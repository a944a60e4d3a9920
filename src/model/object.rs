//! Configuration objects of any kind and the operations on a configuration that every layer
//! shares (SPEC 2): put, remove and find by ARN, the stored JSON form. `store` persists them,
//! `app` edits them; neither writes its own per-kind match.

use super::{
    BillingGroup, BillingTransfer, Config, CostAllocation, CustomLineItem, CustomView, Kind,
    PricingPlan, PricingRule,
};

/// One configuration object, of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    Group(BillingGroup),
    Plan(PricingPlan),
    Rule(PricingRule),
    Item(CustomLineItem),
    View(CustomView),
    Transfer(BillingTransfer),
    Allocation(CostAllocation),
}

/// A change to the configuration.
// Changes are few and short-lived; boxing the object would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create or replace (by ARN).
    Put(Object),
    Delete {
        kind: Kind,
        arn: String,
    },
}

/// A stored object that cannot be read back: an unknown kind or JSON that does not fit it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ObjectError(pub String);

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Group(_) => Kind::BillingGroup,
            Object::Plan(_) => Kind::PricingPlan,
            Object::Rule(_) => Kind::PricingRule,
            Object::Item(_) => Kind::CustomLineItem,
            Object::View(_) => Kind::BillingView,
            Object::Transfer(_) => Kind::BillingTransfer,
            Object::Allocation(_) => Kind::CostAllocation,
        }
    }

    pub fn arn(&self) -> &str {
        match self {
            Object::Group(x) => &x.arn,
            Object::Plan(x) => &x.arn,
            Object::Rule(x) => &x.arn,
            Object::Item(x) => &x.arn,
            Object::View(x) => &x.arn,
            Object::Transfer(x) => &x.arn,
            Object::Allocation(x) => &x.arn,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Object::Group(x) => &x.name,
            Object::Plan(x) => &x.name,
            Object::Rule(x) => &x.name,
            Object::Item(x) => &x.name,
            Object::View(x) => &x.name,
            Object::Transfer(x) => &x.name,
            Object::Allocation(x) => &x.name,
        }
    }

    /// The object as stored: the model's JSON.
    pub fn body_json(&self) -> String {
        // Serialising plain data structures to a String cannot fail.
        match self {
            Object::Group(x) => serde_json::to_string(x),
            Object::Plan(x) => serde_json::to_string(x),
            Object::Rule(x) => serde_json::to_string(x),
            Object::Item(x) => serde_json::to_string(x),
            Object::View(x) => serde_json::to_string(x),
            Object::Transfer(x) => serde_json::to_string(x),
            Object::Allocation(x) => serde_json::to_string(x),
        }
        .unwrap_or_default()
    }

    /// An object from its stored kind (the ARN resource type: `billinggroup`, ...) and JSON.
    ///
    /// Errors: an unknown kind, or JSON that is not an object of that kind.
    pub fn from_stored(kind: &str, body: &str) -> Result<Object, ObjectError> {
        let bad = |e: serde_json::Error| ObjectError(format!("{kind} configuration: {e}"));
        Ok(match kind.parse::<Kind>() {
            Ok(Kind::BillingGroup) => Object::Group(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::PricingPlan) => Object::Plan(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::PricingRule) => Object::Rule(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::CustomLineItem) => Object::Item(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::BillingView) => Object::View(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::BillingTransfer) => Object::Transfer(serde_json::from_str(body).map_err(bad)?),
            Ok(Kind::CostAllocation) => {
                Object::Allocation(serde_json::from_str(body).map_err(bad)?)
            }
            Err(()) => {
                return Err(ObjectError(format!("unknown configuration kind {kind}")));
            }
        })
    }

    /// Every object of a configuration, kind by kind.
    pub fn all(config: &Config) -> Vec<Object> {
        let mut v: Vec<Object> = Vec::new();
        v.extend(config.groups.iter().cloned().map(Object::Group));
        v.extend(config.plans.iter().cloned().map(Object::Plan));
        v.extend(config.rules.iter().cloned().map(Object::Rule));
        v.extend(config.items.iter().cloned().map(Object::Item));
        v.extend(config.views.iter().cloned().map(Object::View));
        v.extend(config.transfers.iter().cloned().map(Object::Transfer));
        v.extend(config.allocations.iter().cloned().map(Object::Allocation));
        v
    }
}

impl std::str::FromStr for Kind {
    type Err = ();

    /// A kind from its ARN resource type (`billinggroup`, `pricingplan`, `pricingrule`,
    /// `customlineitem`, `billingview`).
    fn from_str(text: &str) -> Result<Kind, ()> {
        Kind::ALL
            .into_iter()
            .find(|k| k.arn_type() == text)
            .ok_or(())
    }
}

impl Config {
    /// Puts an object into the configuration, replacing the one with the same ARN, and keeps
    /// the configuration in its canonical order.
    pub fn put(&mut self, o: Object) {
        fn replace<T>(list: &mut Vec<T>, x: T, arn: impl Fn(&T) -> &String) {
            match list.iter().position(|y| arn(y) == arn(&x)) {
                Some(i) => list[i] = x,
                None => list.push(x),
            }
        }
        match o {
            Object::Group(x) => replace(&mut self.groups, x, |a| &a.arn),
            Object::Plan(x) => replace(&mut self.plans, x, |a| &a.arn),
            Object::Rule(x) => replace(&mut self.rules, x, |a| &a.arn),
            Object::Item(x) => replace(&mut self.items, x, |a| &a.arn),
            Object::View(x) => replace(&mut self.views, x, |a| &a.arn),
            Object::Transfer(x) => replace(&mut self.transfers, x, |a| &a.arn),
            Object::Allocation(x) => replace(&mut self.allocations, x, |a| &a.arn),
        }
        self.canonicalize();
    }

    /// Appends an object as it comes, without replacing or reordering: for reading a stored
    /// configuration that is already in order, one object per ARN.
    pub fn push(&mut self, o: Object) {
        match o {
            Object::Group(x) => self.groups.push(x),
            Object::Plan(x) => self.plans.push(x),
            Object::Rule(x) => self.rules.push(x),
            Object::Item(x) => self.items.push(x),
            Object::View(x) => self.views.push(x),
            Object::Transfer(x) => self.transfers.push(x),
            Object::Allocation(x) => self.allocations.push(x),
        }
    }

    /// Removes the object of `kind` with `arn`, if there is one.
    pub fn remove(&mut self, kind: Kind, arn: &str) {
        match kind {
            Kind::BillingGroup => self.groups.retain(|x| x.arn != arn),
            Kind::PricingPlan => self.plans.retain(|x| x.arn != arn),
            Kind::PricingRule => self.rules.retain(|x| x.arn != arn),
            Kind::CustomLineItem => self.items.retain(|x| x.arn != arn),
            Kind::BillingView => self.views.retain(|x| x.arn != arn),
            Kind::BillingTransfer => self.transfers.retain(|x| x.arn != arn),
            Kind::CostAllocation => self.allocations.retain(|x| x.arn != arn),
        }
    }

    /// The object of `kind` with `arn`, if there is one.
    pub fn find(&self, kind: Kind, arn: &str) -> Option<Object> {
        Object::all(self)
            .into_iter()
            .find(|o| o.kind() == kind && o.arn() == arn)
    }

    /// The object of `kind` named `name` (names are unique per kind, SPEC 2), if there is one.
    pub fn find_named(&self, kind: Kind, name: &str) -> Option<Object> {
        Object::all(self)
            .into_iter()
            .find(|o| o.kind() == kind && o.name() == name)
    }

    /// Applies a change (SPEC 3 edits): put or remove.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Put(o) => self.put(o.clone()),
            Change::Delete { kind, arn } => self.remove(*kind, arn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_arn_type() {
        for k in Kind::ALL {
            assert_eq!(k.arn_type().parse::<Kind>(), Ok(k));
        }
        assert_eq!("nonsense".parse::<Kind>(), Err(()));
    }

    #[test]
    fn put_replaces_by_arn_and_remove_and_find_follow_it() {
        let mut c = Config::default();
        let plan = PricingPlan {
            arn: "arn:aws:billingconductor::111122223333:pricingplan/AAAAAAAAAA".into(),
            name: "p".into(),
            description: String::new(),
            rules: Vec::new(),
        };
        c.put(Object::Plan(plan.clone()));
        let renamed = PricingPlan {
            name: "q".into(),
            ..plan.clone()
        };
        c.put(Object::Plan(renamed.clone()));
        assert_eq!(c.plans, vec![renamed.clone()]);
        assert_eq!(
            c.find(Kind::PricingPlan, &plan.arn),
            Some(Object::Plan(renamed))
        );
        let stored = c.find(Kind::PricingPlan, &plan.arn).unwrap();
        assert_eq!(
            Object::from_stored("pricingplan", &stored.body_json()).unwrap(),
            stored
        );
        c.remove(Kind::PricingPlan, &plan.arn);
        assert!(c.plans.is_empty());
        assert!(Object::from_stored("nonsense", "{}").is_err());
    }
}
