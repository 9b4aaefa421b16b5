//! The matching table and the Shopify location choice, on plain values.

use super::*;

/// `"A=gid1"`: their SKU A is item gid1.
fn theirs(spec: &[&str]) -> Vec<CatalogueEntry> {
    spec.iter()
        .map(|s| {
            let (sku, item) = s.split_once('=').unwrap();
            CatalogueEntry { sku: sku.into(), item: item.into() }
        })
        .collect()
}

/// The plan in one line per list, for table comparison.
fn render(plan: &LinkPlan) -> Vec<String> {
    let mut out = Vec::new();
    for m in &plan.matched {
        out.push(format!("match {}->{}{}", m.sku, m.remote_item, if m.exact { "" } else { " (loose)" }));
    }
    for a in &plan.ambiguous {
        let theirs: Vec<&str> = a.theirs.iter().map(|e| e.item.as_str()).collect();
        out.push(format!("ambiguous {}: {} / {}", a.key, a.ours.join(","), theirs.join(",")));
    }
    for sku in &plan.unmatched_ours {
        out.push(format!("ours {sku}"));
    }
    for e in &plan.unmatched_theirs {
        out.push(format!("theirs {}={}", e.sku, e.item));
    }
    for m in &plan.already_mapped {
        out.push(format!("mapped {}->{}", m.sku, m.remote_item));
    }
    out
}

#[test]
fn matching_table() {
    struct Case {
        name: &'static str,
        ours: &'static [&'static str],
        theirs: &'static [&'static str],
        mapped: &'static [(&'static str, &'static str)],
        want: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "exact matches and leftovers on both sides",
            ours: &["A-1", "B-1", "C-1"],
            theirs: &["A-1=g1", "B-1=g2", "Z-9=g9"],
            mapped: &[],
            want: &["match A-1->g1", "match B-1->g2", "ours C-1", "theirs Z-9=g9"],
        },
        Case {
            name: "case and spaces match loosely",
            ours: &["A-1", "b-1"],
            theirs: &[" a-1 =g1", "B-1=g2"],
            mapped: &[],
            want: &["match A-1->g1 (loose)", "match b-1->g2 (loose)"],
        },
        Case {
            name: "two items with our exact SKU are ambiguous",
            ours: &["A-1"],
            theirs: &["A-1=g1", "A-1=g2"],
            mapped: &[],
            want: &["ambiguous a-1: A-1 / g1,g2"],
        },
        Case {
            name: "two of ours one loose item of theirs is ambiguous",
            ours: &["ab", "AB"],
            theirs: &["Ab=g1"],
            mapped: &[],
            want: &["ambiguous ab: AB,ab / g1"],
        },
        Case {
            name: "exact wins over loose; the loose leftover stays unmatched",
            ours: &["A-1"],
            theirs: &["A-1=g1", "a-1=g2"],
            mapped: &[],
            want: &["match A-1->g1", "theirs a-1=g2"],
        },
        Case {
            name: "already mapped SKUs and taken items are left alone",
            ours: &["A-1", "B-1"],
            theirs: &["A-1=g1", "B-1=g2"],
            mapped: &[("A-1", "g1")],
            want: &["match B-1->g2", "mapped A-1->g1"],
        },
        Case {
            name: "items without a SKU are theirs unmatched",
            ours: &["A-1"],
            theirs: &["=g7", " =g8"],
            mapped: &[],
            want: &["ours A-1", "theirs =g7", "theirs  =g8"],
        },
        Case { name: "empty catalogue", ours: &["A-1"], theirs: &[], mapped: &[], want: &["ours A-1"] },
    ];
    for case in cases {
        let ours: Vec<String> = case.ours.iter().map(|s| s.to_string()).collect();
        let mapped: BTreeMap<String, (String, Option<String>)> =
            case.mapped.iter().map(|(s, i)| (s.to_string(), (i.to_string(), None))).collect();
        let taken: HashSet<String> = case.mapped.iter().map(|(_, i)| i.to_string()).collect();
        let plan = match_skus(&ours, &theirs(case.theirs), &mapped, &taken);
        assert_eq!(render(&plan), case.want, "{}", case.name);
    }
}

#[test]
fn shopify_locations_are_chosen_or_listed() {
    let one = [RemoteLocation { id: "gid://shopify/Location/1".into(), name: "Main".into() }];
    assert_eq!(choose_remote_location(&one, None).unwrap().id, "gid://shopify/Location/1");
    let two = [
        RemoteLocation { id: "gid://shopify/Location/1".into(), name: "Main".into() },
        RemoteLocation { id: "gid://shopify/Location/2".into(), name: "Annex".into() },
    ];
    let error = choose_remote_location(&two, None).unwrap_err().to_string();
    assert!(error.contains("--remote-location") && error.contains("Location/2 (Annex)"), "{error}");
    assert_eq!(choose_remote_location(&two, Some("gid://shopify/Location/2")).unwrap().name, "Annex");
    let error = choose_remote_location(&two, Some("gid://shopify/Location/3")).unwrap_err().to_string();
    assert!(error.contains("no location 'gid://shopify/Location/3'"), "{error}");
}
