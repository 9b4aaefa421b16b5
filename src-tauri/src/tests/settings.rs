//! Settings: roles, bad input, secrets stored and never returned, the channel form.

use shelfsync_store::testing;

use crate::commands;
use crate::ipc::*;
use crate::state::AppState;

use super::{fresh_demo, shopify_request};

/// Settings: admins only where the brief says so, bad input refused with nothing changed,
/// and a channel's secret stored but never returned.
#[test]
fn settings_roles_bad_input_and_secrets() {
    let (dir, state) = fresh_demo();
    // SAFETY of the test: the file backend is chosen per Secrets; force it for this database.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    for error in [
        crate::admin::thresholds(&state).unwrap_err(),
        crate::admin::users(&state).unwrap_err(),
        crate::admin::channels(&state).unwrap_err(),
        crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap_err(),
    ] {
        assert!(error.to_string().contains("may not"), "{error}");
    }
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert!(crate::admin::thresholds(&state).is_ok(), "supervisors read thresholds");
    let error = crate::admin::set_threshold(&state, "queue_depth".into(), 5.0).unwrap_err();
    assert!(error.to_string().contains("may not change alert thresholds"), "{error}");
    let error = crate::admin::add_location(
        &state,
        NewLocationRequest { code: "WH9".into(), name: "x".into(), parent: None },
    )
    .unwrap_err();
    assert!(error.to_string().contains("may not add locations"), "{error}");

    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    let depth = |state: &AppState| {
        crate::admin::thresholds(state).unwrap().into_iter().find(|t| t.rule == "queue_depth").unwrap().value
    };
    for (rule, value, want) in [
        ("queue_depth", -1.0, "number of 0 or more"),
        ("queue_depth", f64::NAN, "number of 0 or more"),
        ("nope", 1.0, "unknown alert rule 'nope'"),
        ("business_end_hour", 6.0, "must start before they end"),
        ("business_start_hour", 7.5, "whole UTC hours"),
    ] {
        let error = crate::admin::set_threshold(&state, rule.into(), value).unwrap_err();
        assert!(error.to_string().contains(want), "{rule}={value}: {error}");
    }
    assert_eq!(depth(&state), 100.0, "nothing changed");
    crate::admin::set_threshold(&state, "queue_depth".into(), 0.0).unwrap();
    assert_eq!(depth(&state), 0.0);

    let bad_location = |code: &str, name: &str, parent: Option<&str>| {
        let request =
            NewLocationRequest { code: code.into(), name: name.into(), parent: parent.map(str::to_string) };
        crate::admin::add_location(&state, request).unwrap_err().to_string()
    };
    assert!(bad_location("WH 9", "x", None).contains("location"), "spaces");
    assert!(bad_location("WH9", " ", None).contains("name"));
    assert!(bad_location("WH9", "x", Some("WH9")).contains("its own parent"));
    assert!(bad_location("WH1", "x", None).contains("already exists"));
    assert!(bad_location("WH9", "x", Some("MOON")).contains("MOON"));
    let locations = crate::admin::add_location(
        &state,
        NewLocationRequest { code: "WH1-A01".into(), name: "Bin A01".into(), parent: Some("WH1".into()) },
    )
    .unwrap();
    assert!(locations.iter().any(|l| l.code == "WH1-A01" && l.parent.as_deref() == Some("WH1")));

    let error = crate::admin::add_user(&state, "ann".into(), RoleView::Staff, "12".into()).unwrap_err();
    assert!(error.to_string().contains("4 to 64"), "{error}");
    let users = crate::admin::add_user(&state, "ann".into(), RoleView::Staff, "4242".into()).unwrap();
    assert_eq!(users.len(), 4);

    let mut no_secret = shopify_request("shop", "x");
    no_secret.secrets.clear();
    let error = crate::admin::add_channel(&state, no_secret).unwrap_err();
    assert!(error.to_string().contains("missing secret 'access_token'"), "{error}");
    let mut wrong = shopify_request("shop", "x");
    wrong.secrets[0].name = "password".into();
    assert!(crate::admin::add_channel(&state, wrong).unwrap_err().to_string().contains("no secret called"));
    let error = crate::admin::add_channel(&state, shopify_request("my shop", "x")).unwrap_err();
    assert!(error.to_string().contains("invalid channel name"), "{error}");
    assert!(crate::admin::channels(&state).unwrap().is_empty(), "nothing was added");

    let token = "shpat_secret_value";
    let channels = crate::admin::add_channel(&state, shopify_request("shop", token)).unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].secrets, [SecretStatus { name: "access_token".into(), stored: true }]);
    assert!(!serde_json::to_string(&channels).unwrap().contains(token), "never echoed");
    assert!(!format!("{:?}", shopify_request("shop", token)).contains(token), "never logged");
    let stored = std::fs::read_to_string(dir.path().join("demo.db.secrets")).unwrap();
    assert!(stored.contains(token));

    let rule = RuleView {
        locations: vec!["WH1".into()],
        percent: 80,
        buffer: 2,
        cap: None,
        conflict: "flag".into(),
    };
    let mut bad_rule = rule.clone();
    bad_rule.percent = 120;
    assert!(
        crate::admin::set_rule(&state, "shop".into(), bad_rule).unwrap_err().to_string().contains("0 to 100")
    );
    let mut bad_rule = rule.clone();
    bad_rule.conflict = "mine".into();
    assert!(crate::admin::set_rule(&state, "shop".into(), bad_rule).is_err());
    let channels = crate::admin::set_rule(&state, "shop".into(), rule.clone()).unwrap();
    assert_eq!(channels[0].rule, rule);

    let error = crate::admin::set_tolerance(
        &state,
        ToleranceView {
            category: None,
            units: Some(-1),
            percent_bp: None,
            value_cents: None,
            auto_post: true,
        },
    )
    .unwrap_err();
    assert!(error.to_string().contains("cannot be negative"), "{error}");
    let saved = crate::admin::set_tolerance(
        &state,
        ToleranceView {
            category: Some("tools".into()),
            units: Some(2),
            percent_bp: None,
            value_cents: None,
            auto_post: true,
        },
    )
    .unwrap();
    assert_eq!((saved.category.as_deref(), saved.units), (Some("tools"), Some(2)));
}

/// Settings' channel form takes Amazon's and eBay's token endpoint (a sandbox, a simulator): it
/// is stored with the channel; on Shopify, or as a bad URL, it is refused and nothing is added.
#[test]
fn a_channel_form_stores_an_auth_endpoint_and_refuses_a_bad_one() {
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    let amazon = |name: &str, auth: Option<&str>| NewChannelRequest {
        name: name.into(),
        kind: "amazon".into(),
        endpoint: "https://sellingpartnerapi-na.amazon.com".into(),
        shop: None,
        seller_id: Some("A1SELLER".into()),
        marketplace_id: Some("ATVPDKIKX0DER".into()),
        auth_endpoint: auth.map(str::to_string),
        secrets: ["lwa_client_id", "lwa_client_secret", "lwa_refresh_token"]
            .iter()
            .map(|n| SecretField { name: (*n).into(), value: "x-value".into() })
            .collect(),
    };
    crate::admin::add_channel(&state, amazon("amz-sandbox", Some("https://api.amazon.com/auth/o2/token")))
        .unwrap();
    let stored: Option<String> = testing::connection(&state.store().unwrap())
        .query_row("SELECT auth_endpoint FROM channels WHERE name = 'amz-sandbox'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.as_deref(), Some("https://api.amazon.com/auth/o2/token"));
    let bad =
        crate::admin::add_channel(&state, amazon("amz-bad", Some("ftp://nowhere"))).unwrap_err().to_string();
    assert!(!bad.is_empty());
    let mut shop = shopify_request("shop-auth", "shpat_x");
    shop.auth_endpoint = Some("https://example.com/token".into());
    let refused = crate::admin::add_channel(&state, shop).unwrap_err().to_string();
    assert!(refused.contains("no separate token endpoint"), "{refused}");
    let names: Vec<String> = crate::admin::channels(&state).unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"amz-sandbox".to_string()));
    assert!(!names.iter().any(|n| n == "amz-bad" || n == "shop-auth"), "{names:?}");
}

/// Flash-sale mode from Settings: anyone signed in reads it, only an admin turns it on or off,
/// out-of-range numbers are refused in one line with nothing changed, and the view follows.
#[test]
fn flash_sale_mode_is_read_by_all_and_set_by_admins_within_its_limits() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let off = crate::flash_sale::flash_sale(&state).unwrap();
    assert!(!off.on && off.selling_fast.is_empty());
    assert_eq!((off.window_secs, off.trigger_sales), (600, 5), "the default rule is shown while off");
    let error = crate::flash_sale::set_flash_sale(&state, true, 600, 5).unwrap_err();
    assert!(error.to_string().contains("may not"), "{error}");
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let error = crate::flash_sale::set_flash_sale(&state, true, 600, 5).unwrap_err();
    assert!(error.to_string().contains("may not"), "{error}");

    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    for (window, trigger, want) in [
        (0, 5, "window must be between 1 second and 86400 seconds"),
        (86_401, 5, "window must be between 1 second and 86400 seconds"),
        (600, 0, "trigger must be between 1 and 10000 sales"),
        (600, 10_001, "trigger must be between 1 and 10000 sales"),
    ] {
        let error = crate::flash_sale::set_flash_sale(&state, true, window, trigger).unwrap_err().to_string();
        assert!(error.contains(want) && !error.contains('\n'), "{window}/{trigger}: {error}");
        assert!(!crate::flash_sale::flash_sale(&state).unwrap().on, "nothing changed");
    }
    let on = crate::flash_sale::set_flash_sale(&state, true, 300, 3).unwrap();
    assert!(on.on);
    assert_eq!((on.window_secs, on.trigger_sales), (300, 3));
    let off = crate::flash_sale::set_flash_sale(&state, false, 300, 3).unwrap();
    assert!(!off.on);
}
