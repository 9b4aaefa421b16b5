//! Every Amazon and eBay exchange checked against the official schemas.

use super::*;

/// Validators for named definitions of one spec document (`#/definitions/X` for Swagger 2,
/// `#/components/schemas/X` for OpenAPI 3).
struct Spec {
    root: serde_json::Value,
    prefix: &'static str,
}

impl Spec {
    fn check(&self, name: &str, instance: &serde_json::Value) -> Result<(), String> {
        let mut schema = self.root.clone();
        schema.as_object_mut().unwrap().retain(|k, _| k == "definitions" || k == "components");
        schema["$ref"] = serde_json::json!(format!("{}{name}", self.prefix));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .map_err(|e| format!("schema {name}: {e}"))?;
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if errors.is_empty() { Ok(()) } else { Err(format!("{name}: {errors:?} in {instance}")) }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_amazon_and_ebay_exchange_matches_the_official_schemas() {
    let dir = spec_dir();
    let listings = Spec {
        root: serde_json::from_str(
            &std::fs::read_to_string(dir.join("amazon_listingsItems_2021-08-01.json")).unwrap(),
        )
        .unwrap(),
        prefix: "#/definitions/",
    };
    let ebay_spec = Spec {
        root: serde_json::from_str(
            &std::fs::read_to_string(dir.join("ebay_sell_inventory_v1_schemas.json")).unwrap(),
        )
        .unwrap(),
        prefix: "#/components/schemas/",
    };

    // The validators are not vacuous: a body that breaks its schema is caught.
    assert!(listings.check("ListingsItemSubmissionResponse", &serde_json::json!({ "sku": "X" })).is_err());
    assert!(
        listings
            .check(
                "ListingsItemPatchRequest",
                &serde_json::json!({ "productType": "PRODUCT", "patches": [{ "op": "swap" }] })
            )
            .is_err()
    );
    assert!(ebay_spec.check("BulkPriceQuantity", &serde_json::json!({ "requests": "all" })).is_err());

    let mut m = market(6, amazon_sim(11), ebay_sim(11), false).await;
    m.sim.traffic.start();
    // Cover every answer shape: ACCEPTED, INVALID (no such listing), 429; eBay 200, 207
    // (wrong offer id, 25025), getOffers, bulk reads, and a spent quota.
    m.sim.amazon.with_listing_removed("AMZ-S3");
    m.sim.amazon.set_faults(Faults::none(), AmazonFaults { quota_exceeded: 0.2, ..AmazonFaults::default() });
    m.sim.ebay.set_faults(Faults::none(), EbayFaults { concurrency: 0.2, ..EbayFaults::default() });
    config::map_one(
        &m.store,
        shelfsync_store::By::new("tester", "ws-test"),
        EBAY,
        &Mapping { sku: sku(5), location: None, remote_item: sku(5), remote_location: Some("77".into()) },
    )
    .unwrap();
    for i in 0..6 {
        receive(&mut m.store, i, "WH1", 3 + i as u32);
    }
    drain(&engine(&m, fast(11))).await;
    let listings_read: Vec<RemoteListing> =
        (0..6).map(|i| RemoteListing { item: sku(i), location: None }).collect();
    ebay_client(&m).read_levels(&listings_read).await.unwrap();
    let amazon_read: Vec<RemoteListing> =
        (0..6).map(|i| RemoteListing { item: format!("AMZ-{}", sku(i)), location: None }).collect();
    amazon_client(&m).read_levels(&amazon_read).await.unwrap();
    m.sim.ebay.set_faults(Faults::none(), EbayFaults { quota_exhaustion: 1.0, ..EbayFaults::default() });
    let _ = ebay_client(&m).read_levels(&listings_read).await;

    let exchanges = m.sim.traffic.take();
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for x in &exchanges {
        let mut check = |spec: &Spec, name: &str, value: Option<&serde_json::Value>| {
            let key =
                format!("{} {} -> {name}", x.method, x.path.split('/').take(4).collect::<Vec<_>>().join("/"));
            match value {
                Some(v) => {
                    if let Err(e) = spec.check(name, v) {
                        failures.push(e);
                    }
                    *checked.entry(key).or_default() += 1;
                }
                None => failures.push(format!("{key}: no JSON body")),
            }
        };
        let path = x.path.as_str();
        if path.starts_with("/listings/2021-08-01/items/") {
            let item = path.trim_start_matches("/listings/2021-08-01/items/").contains('/');
            match (x.method.as_str(), item, x.status) {
                ("PATCH", _, s) => {
                    check(&listings, "ListingsItemPatchRequest", x.request.as_ref());
                    check(
                        &listings,
                        if s == 200 { "ListingsItemSubmissionResponse" } else { "ErrorList" },
                        x.response.as_ref(),
                    );
                }
                ("GET", false, 200) => check(&listings, "ItemSearchResults", x.response.as_ref()),
                ("GET", true, 200) => check(&listings, "Item", x.response.as_ref()),
                (_, _, _) => check(&listings, "ErrorList", x.response.as_ref()),
            }
        } else if path.starts_with("/sell/inventory/v1/") {
            let op = path.trim_start_matches("/sell/inventory/v1/");
            if x.status == 429
                || x.status >= 400 && op != "bulk_update_price_quantity" && op != "bulk_get_inventory_item"
                || x.status == 400
            {
                for e in x.response.as_ref().and_then(|r| r["errors"].as_array().cloned()).unwrap_or_default()
                {
                    check(&ebay_spec, "Error", Some(&e));
                }
                continue;
            }
            match op {
                "bulk_update_price_quantity" => {
                    check(&ebay_spec, "BulkPriceQuantity", x.request.as_ref());
                    check(&ebay_spec, "BulkPriceQuantityResponse", x.response.as_ref());
                }
                "bulk_get_inventory_item" => {
                    check(&ebay_spec, "BulkGetInventoryItem", x.request.as_ref());
                    check(&ebay_spec, "BulkGetInventoryItemResponse", x.response.as_ref());
                }
                "offer" => check(&ebay_spec, "Offers", x.response.as_ref()),
                other => failures.push(format!("unexpected eBay call {other}")),
            }
        }
    }
    eprintln!("schema checks: {checked:#?}");
    assert!(failures.is_empty(), "{} schema failures: {failures:#?}", failures.len());
    let statuses: std::collections::BTreeSet<(String, u16)> =
        exchanges.iter().map(|x| (x.path.split('/').nth(1).unwrap_or("").to_string(), x.status)).collect();
    for want in [("listings", 200), ("listings", 429), ("sell", 200), ("sell", 207), ("sell", 429)] {
        assert!(statuses.contains(&(want.0.to_string(), want.1)), "no {want:?} exchange seen: {statuses:?}");
    }
    let invalid = exchanges.iter().any(|x| x.response.as_ref().is_some_and(|r| r["status"] == "INVALID"));
    assert!(invalid, "an INVALID answer was checked too");
}
