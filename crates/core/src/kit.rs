//! Kits (bundles): a SKU sold on the channels that is made of other SKUs and holds no stock of
//! its own. Its available-to-promise at a location is derived from its components' there; a
//! sale of a kit is booked on its components. Pure: the store reads the definitions and the
//! components' ATP and asks these functions what follows.
//!
//! One level only: a kit's components are plain items, never kits, and a kit is never a
//! component of another kit. That one rule makes a cycle impossible (a cycle needs a kit that
//! is a component), so no graph walk is needed and a refusal can say exactly which SKU is wrong.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Movement, Sku};

/// Largest quantity of one component in one kit. A gift set holds a few, a multipack up to a
/// few dozen; a thousand is a case or a pallet, not a kit. The bound also keeps a kit sale's
/// expansion (line quantity x component quantity) inside one event's limit ([`crate::MAX_QTY`])
/// for any order of up to 1,000 kits.
pub const MAX_COMPONENT_QTY: u32 = 1_000;

/// Most components one kit may have. Real bundles have two to a dozen; fifty bounds the work a
/// kit adds to every ATP derivation and the events one kit sale books in its transaction.
pub const MAX_COMPONENTS: usize = 50;

/// One component of a kit: `qty` units of `sku` go into one kit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitComponent {
    pub sku: Sku,
    pub qty: u32,
}

/// Why a kit definition (or one component of it) is refused. One line each, naming the SKU.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum KitFault {
    #[error("'{0}' is not SKU:QTY (for example MUG-1:2)")]
    NotSkuQty(String),
    #[error("component '{sku}': qty '{qty}' must be a whole number from 1 to {MAX_COMPONENT_QTY}")]
    QtyOutOfRange { sku: String, qty: String },
    #[error("kit '{0}' needs at least one component")]
    NoComponents(String),
    #[error("kit '{kit}' has more than {MAX_COMPONENTS} components")]
    TooManyComponents { kit: String },
    #[error("kit '{0}' cannot be a component of itself")]
    ContainsItself(String),
    #[error("kit '{kit}' lists component '{component}' twice")]
    DuplicateComponent { kit: String, component: String },
    #[error(
        "component '{component}' is itself a kit; a kit's components must be plain items (one level, so no cycle)"
    )]
    ComponentIsKit { component: String },
    #[error(
        "'{kit}' is a component of kit '{parent}'; a kit cannot be a component of another kit (one level, so no cycle)"
    )]
    KitIsComponent { kit: String, parent: String },
}

/// Parses one `SKU:QTY` (the CLI's `--component`). The quantity follows the last colon.
pub fn parse_component(raw: &str) -> Result<KitComponent, KitFault> {
    let Some((sku, qty)) = raw.rsplit_once(':') else {
        return Err(KitFault::NotSkuQty(crate::error::printable(raw)));
    };
    let sku = Sku::new(sku).map_err(|_| KitFault::NotSkuQty(crate::error::printable(raw)))?;
    Ok(KitComponent { qty: component_qty(sku.as_str(), qty)?, sku })
}

/// A component quantity as text (CLI or CSV): 1 to [`MAX_COMPONENT_QTY`].
pub fn component_qty(sku: &str, raw: &str) -> Result<u32, KitFault> {
    match raw.trim().parse::<u32>() {
        Ok(qty) if (1..=MAX_COMPONENT_QTY).contains(&qty) => Ok(qty),
        _ => Err(KitFault::QtyOutOfRange { sku: sku.to_string(), qty: crate::error::printable(raw) }),
    }
}

/// Checks a kit definition against itself and the kits that exist: at least one and at most
/// [`MAX_COMPONENTS`] components, each listed once, none the kit itself, none a kit
/// (`is_kit`), and the kit not a component of another kit (`parent_of_kit`: a kit that lists
/// `kit` as a component, if any). Quantities are already in range ([`component_qty`]).
pub fn validate(
    kit: &Sku,
    components: &[KitComponent],
    is_kit: impl Fn(&Sku) -> bool,
    parent_of_kit: Option<&str>,
) -> Result<(), KitFault> {
    if components.is_empty() {
        return Err(KitFault::NoComponents(kit.to_string()));
    }
    if components.len() > MAX_COMPONENTS {
        return Err(KitFault::TooManyComponents { kit: kit.to_string() });
    }
    if let Some(parent) = parent_of_kit {
        return Err(KitFault::KitIsComponent { kit: kit.to_string(), parent: parent.to_string() });
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in components {
        if c.sku == *kit {
            return Err(KitFault::ContainsItself(kit.to_string()));
        }
        if !(1..=MAX_COMPONENT_QTY).contains(&c.qty) {
            return Err(KitFault::QtyOutOfRange { sku: c.sku.to_string(), qty: c.qty.to_string() });
        }
        if !seen.insert(c.sku.as_str()) {
            return Err(KitFault::DuplicateComponent { kit: kit.to_string(), component: c.sku.to_string() });
        }
        if is_kit(&c.sku) {
            return Err(KitFault::ComponentIsKit { component: c.sku.to_string() });
        }
    }
    Ok(())
}

/// One component as it enters a kit's ATP at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentAtp {
    pub sku: String,
    /// Units of it in one kit.
    pub qty: u32,
    /// Its ATP at the location (negative: oversold).
    pub atp: i64,
}

/// A kit's derived ATP at one location and the component that limits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitAtp {
    pub atp: i64,
    /// The component whose stock runs out first (the first such in the order given); `None`
    /// only for a kit without components.
    pub limiting_component: Option<String>,
}

/// One feeding location of a kit's listing as `sync explain` shows it: the kit's ATP there and
/// the component that limits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitLocation {
    pub location: String,
    pub atp: i64,
    pub limiting_component: Option<String>,
}

/// A kit's ATP: the minimum over its components of floor(component ATP / qty), a component
/// with ATP of zero or below giving 0. Never negative: an oversold component makes the kit
/// unavailable, it does not oversell the kit.
pub fn kit_atp(components: &[ComponentAtp]) -> KitAtp {
    let mut best: Option<(i64, &str)> = None;
    for c in components {
        let kits = if c.atp <= 0 || c.qty == 0 { 0 } else { c.atp / i64::from(c.qty) };
        if best.is_none_or(|(n, _)| kits < n) {
            best = Some((kits, &c.sku));
        }
    }
    KitAtp { atp: best.map_or(0, |(n, _)| n), limiting_component: best.map(|(_, sku)| sku.to_string()) }
}

/// The verb of the ledger's refusal of a movement of a kit's SKU: "'GIFT-1' is a kit: count
/// its components". Counting and correcting name counting, receiving names receiving, every
/// other movement (sales, cancellations, transfers, ...) booking.
pub fn refusal_verb(movement: &Movement) -> &'static str {
    match movement {
        Movement::CountPosting { .. } | Movement::Adjust { .. } => "count",
        Movement::Receive { .. } => "receive",
        _ => "book",
    }
}

/// The same commercial movement for one component of a kit: a sale, fulfilment, cancellation,
/// reservation, release or return of `kits` kits becomes one of `units` units of `component`
/// (see [`expand`]). `None` for every other movement: a kit is never received, counted,
/// adjusted, damaged, written off or moved, its components are.
pub fn component_movement(kit_movement: &Movement, component: &Sku, units: u32) -> Option<Movement> {
    let sku = component.clone();
    Some(match kit_movement {
        Movement::Sale { location, .. } => Movement::Sale { sku, location: location.clone(), qty: units },
        Movement::Fulfil { location, .. } => Movement::Fulfil { sku, location: location.clone(), qty: units },
        Movement::Cancel { location, .. } => Movement::Cancel { sku, location: location.clone(), qty: units },
        Movement::Reserve { location, .. } => {
            Movement::Reserve { sku, location: location.clone(), qty: units }
        }
        Movement::Release { location, .. } => {
            Movement::Release { sku, location: location.clone(), qty: units }
        }
        Movement::Return { location, to, .. } => {
            Movement::Return { sku, location: location.clone(), qty: units, to: *to }
        }
        _ => return None,
    })
}

/// How many kits a commercial movement of a kit moves ([`component_movement`]'s kinds).
pub fn kits_moved(kit_movement: &Movement) -> Option<u32> {
    match kit_movement {
        Movement::Sale { qty, .. }
        | Movement::Fulfil { qty, .. }
        | Movement::Cancel { qty, .. }
        | Movement::Reserve { qty, .. }
        | Movement::Release { qty, .. }
        | Movement::Return { qty, .. } => Some(*qty),
        _ => None,
    }
}

/// The units of each component a movement of `kits` kits moves: `kits` x the component's qty.
/// `None` when a product passes [`crate::MAX_QTY`] (the event would be refused anyway; the
/// caller names the line).
pub fn expand(kits: u32, components: &[KitComponent]) -> Option<Vec<(Sku, u32)>> {
    components
        .iter()
        .map(|c| kits.checked_mul(c.qty).filter(|n| *n <= crate::MAX_QTY).map(|n| (c.sku.clone(), n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sku(s: &str) -> Sku {
        Sku::new(s).unwrap()
    }

    fn comp(s: &str, qty: u32) -> KitComponent {
        KitComponent { sku: sku(s), qty }
    }

    fn at(s: &str, qty: u32, atp: i64) -> ComponentAtp {
        ComponentAtp { sku: s.into(), qty, atp }
    }

    #[test]
    fn kit_atp_is_the_scarcest_component_in_whole_kits() {
        let cases: &[(&[ComponentAtp], i64, Option<&str>)] = &[
            (&[at("A", 1, 10)], 10, Some("A")),
            (&[at("A", 2, 10), at("B", 1, 3)], 3, Some("B")),
            (&[at("A", 3, 10), at("B", 1, 5)], 3, Some("A")),
            (&[at("A", 3, 2), at("B", 1, 5)], 0, Some("A")),
            (&[at("A", 1, 5), at("B", 1, -4)], 0, Some("B")),
            (&[at("A", 1, 0), at("B", 1, 0)], 0, Some("A")),
            (&[at("A", 2, 4), at("B", 1, 2)], 2, Some("A")),
            (&[], 0, None),
        ];
        for (components, atp, limiting) in cases {
            let got = kit_atp(components);
            assert_eq!((got.atp, got.limiting_component.as_deref()), (*atp, *limiting), "{components:?}");
        }
    }

    #[test]
    fn bad_definitions_are_refused_by_name() {
        let k = sku("KIT");
        let none = |_: &Sku| false;
        let cases: Vec<(Vec<KitComponent>, Option<&str>, &str)> = vec![
            (vec![], None, "at least one component"),
            (vec![comp("KIT", 1)], None, "component of itself"),
            (vec![comp("A", 1), comp("A", 2)], None, "lists component 'A' twice"),
            (vec![comp("A", 0)], None, "from 1 to 1000"),
            (vec![comp("A", 1001)], None, "from 1 to 1000"),
            (vec![comp("SUB", 1)], None, "'SUB' is itself a kit"),
            (vec![comp("A", 1)], Some("BIG"), "component of kit 'BIG'"),
            ((0..51).map(|i| comp(&format!("C{i}"), 1)).collect(), None, "more than 50"),
        ];
        for (components, parent, want) in cases {
            let got = validate(&k, &components, |s| s.as_str() == "SUB", parent).unwrap_err().to_string();
            assert!(got.contains(want), "{components:?}: {got}");
        }
        assert!(validate(&k, &[comp("A", 2), comp("B", 1000)], none, None).is_ok());
    }

    #[test]
    fn components_parse_from_sku_colon_qty() {
        assert_eq!(parse_component("MUG-1:2").unwrap(), comp("MUG-1", 2));
        assert_eq!(parse_component("A:B:3").unwrap(), comp("A:B", 3));
        for (raw, want) in [
            ("MUG-1", "not SKU:QTY"),
            (":2", "not SKU:QTY"),
            ("MUG-1:0", "from 1 to 1000"),
            ("MUG-1:-1", "from 1 to 1000"),
            ("MUG-1:1001", "from 1 to 1000"),
            ("MUG-1:x", "qty 'x'"),
        ] {
            let got = parse_component(raw).unwrap_err().to_string();
            assert!(got.contains(want), "{raw}: {got}");
        }
    }

    #[test]
    fn expansion_multiplies_and_refuses_past_the_event_limit() {
        let parts = [comp("A", 2), comp("B", 1)];
        assert_eq!(expand(3, &parts).unwrap(), vec![(sku("A"), 6), (sku("B"), 3)]);
        assert_eq!(expand(1_000, &[comp("A", 1_000)]).unwrap(), vec![(sku("A"), 1_000_000)]);
        assert!(expand(1_001, &[comp("A", 1_000)]).is_none());
    }

    #[test]
    fn commercial_movements_map_to_components_and_stock_movements_do_not() {
        use crate::{LocationCode, ReturnDestination};
        let at = LocationCode::new("WH1").unwrap();
        let (kit, part) = (sku("KIT"), sku("A"));
        let commercial = [
            Movement::Sale { sku: kit.clone(), location: at.clone(), qty: 2 },
            Movement::Fulfil { sku: kit.clone(), location: at.clone(), qty: 2 },
            Movement::Cancel { sku: kit.clone(), location: at.clone(), qty: 2 },
            Movement::Reserve { sku: kit.clone(), location: at.clone(), qty: 2 },
            Movement::Release { sku: kit.clone(), location: at.clone(), qty: 2 },
            Movement::Return {
                sku: kit.clone(),
                location: at.clone(),
                qty: 2,
                to: ReturnDestination::Damaged,
            },
        ];
        for m in &commercial {
            assert_eq!(kits_moved(m), Some(2), "{m:?}");
            let c = component_movement(m, &part, 6).unwrap();
            assert_eq!((c.kind(), c.sku().as_str()), (m.kind(), "A"));
            assert_eq!(c.deltas().iter().map(|d| d.amount.abs()).max(), Some(6), "{c:?}");
        }
        let stock = [
            Movement::Receive { sku: kit.clone(), location: at.clone(), qty: 1 },
            Movement::Adjust { sku: kit.clone(), location: at.clone(), delta: 1 },
            Movement::Damage { sku: kit.clone(), location: at.clone(), qty: 1 },
        ];
        for m in &stock {
            assert_eq!((kits_moved(m), component_movement(m, &part, 1)), (None, None), "{m:?}");
        }
        assert_eq!(refusal_verb(&stock[0]), "receive");
        assert_eq!(refusal_verb(&stock[1]), "count");
        assert_eq!(refusal_verb(&commercial[0]), "book");
    }

    /// The model: the largest n such that n x qty <= atp for every component, found by counting.
    fn brute_force(components: &[ComponentAtp]) -> i64 {
        if components.is_empty() {
            return 0;
        }
        let mut n = 0;
        while components.iter().all(|c| (n + 1) * i64::from(c.qty) <= c.atp) {
            n += 1;
        }
        n
    }

    proptest! {
        #[test]
        fn kit_atp_matches_counting_up(
            parts in proptest::collection::vec((1u32..=20, -50i64..=400), 0..6)
        ) {
            let components: Vec<ComponentAtp> = parts
                .iter()
                .enumerate()
                .map(|(i, (qty, atp))| at(&format!("C{i}"), *qty, *atp))
                .collect();
            let got = kit_atp(&components);
            prop_assert_eq!(got.atp, brute_force(&components));
            prop_assert!(got.atp >= 0);
            if let Some(limiting) = &got.limiting_component {
                // The limiting component alone allows exactly the kit's ATP.
                let c = components.iter().find(|c| &c.sku == limiting).unwrap();
                prop_assert_eq!(brute_force(std::slice::from_ref(c)), got.atp);
            } else {
                prop_assert!(components.is_empty());
            }
        }
    }
}
