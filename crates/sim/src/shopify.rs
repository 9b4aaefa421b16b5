//! Shopify's GraphQL endpoint, for the two operations the engine uses. No GraphQL parser: the
//! operation is recognised by its root field, the idempotency key read from its directive, and
//! everything else comes from the variables, as the real client sends them.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Sim;
use crate::faults::Fault;
use crate::state::{AppliedEntry, KeyRecord, SimState};

/// Most quantities in one set, as Shopify enforces.
const MAX_QUANTITIES: usize = 250;

/// Most levels in one read (aliases); the client sends at most 100.
const MAX_READ: usize = 250;

enum Operation {
    Set {
        key: Option<String>,
    },
    Read,
    /// `inventoryItems(first:, after:)`: the catalogue, cursor-paged.
    Items,
    /// `shop { ... }` and/or `locations(first:, after:)`.
    Shop {
        shop: bool,
        locations: bool,
    },
    Unknown,
}

fn operation(query: &str) -> Operation {
    if query.contains("inventorySetQuantities") {
        return Operation::Set { key: idempotency_key(query) };
    }
    if query.contains("inventoryItems(") {
        return Operation::Items;
    }
    let (shop, locations) =
        (query.contains("shop {") || query.contains("shop{"), query.contains("locations("));
    if shop || locations {
        return Operation::Shop { shop, locations };
    }
    if query.contains("inventoryLevel") {
        return Operation::Read;
    }
    Operation::Unknown
}

/// The literal in `@idempotent(key: "...")`.
fn idempotency_key(query: &str) -> Option<String> {
    let after = &query[query.find("@idempotent")?..];
    let open = after.find('"')? + 1;
    let close = after[open..].find('"')? + open;
    Some(after[open..close].to_string())
}

pub(crate) async fn graphql(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = sim.with(|s| {
        s.stats.requests += 1;
        if s.retry_not_before.is_some_and(|t| std::time::Instant::now() < t) {
            s.stats.retry_after_ignored += 1;
        }
        s.faults.draw(&mut s.rng)
    });
    if let Some(refusal) = sim.with(|s| check_token(s, &headers)) {
        return refusal;
    }
    match fault {
        Fault::ServerError => {
            sim.with(|s| s.stats.server_errors += 1);
            return (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response();
        }
        Fault::TooManyRequests(wait) => {
            sim.with(|s| {
                s.stats.too_many_requests += 1;
                s.retry_not_before = Some(std::time::Instant::now() + wait);
            });
            let seconds = format!("{:.3}", wait.as_secs_f64());
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", seconds)], "Exceeded call limit")
                .into_response();
        }
        Fault::DropBeforeApply => {
            sim.with(|s| s.stats.drops += 1);
            return dropped_connection();
        }
        Fault::Throttle => sim.with(|s| s.bucket.available = s.bucket.available.min(1.0)),
        _ => {}
    }
    let answer = sim.with(|s| execute(s, &body));
    match fault {
        Fault::TimeoutAfterApply(hold) => {
            sim.with(|s| s.stats.timeouts += 1);
            tokio::time::sleep(hold).await;
        }
        Fault::Slow(delay) => {
            sim.with(|s| s.stats.slow += 1);
            tokio::time::sleep(delay).await;
        }
        Fault::DropAfterApply => {
            sim.with(|s| s.stats.drops += 1);
            return dropped_connection();
        }
        _ => {}
    }
    Json(answer).into_response()
}

fn check_token(state: &SimState, headers: &HeaderMap) -> Option<Response> {
    let expected = state.config.access_token.as_deref()?;
    let given = headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok());
    (given != Some(expected)).then(|| {
        (StatusCode::UNAUTHORIZED, Json(json!({ "errors": "[API] Invalid API key or access token" })))
            .into_response()
    })
}

/// Headers go out, then the body fails: the client sees the connection close mid-answer.
pub(crate) fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated drop",
        ))
    });
    Response::builder().status(StatusCode::OK).body(Body::from_stream(failing)).expect("static response")
}

fn execute(state: &mut SimState, body: &[u8]) -> Value {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return top_level_error(state, "Parse error: body is not JSON", None);
    };
    let query = request.get("query").and_then(Value::as_str).unwrap_or_default();
    let variables = request.get("variables").cloned().unwrap_or(json!({}));
    match operation(query) {
        Operation::Set { key } => {
            let entries =
                variables.pointer("/input/quantities").and_then(Value::as_array).map_or(0, Vec::len);
            charged(
                state,
                state.config.set_cost,
                |s| set_quantities(s, key, &variables),
                entries > MAX_QUANTITIES,
            )
        }
        Operation::Read => {
            let count = read_count(&variables);
            let cost = 1.0 + state.config.read_cost_per_level * count as f64;
            charged(state, cost, |s| read_levels(s, &variables, count), count > MAX_READ)
        }
        Operation::Items => {
            let page = match page_args(&variables) {
                Ok(page) => page,
                Err(message) => return top_level_error(state, &message, Some("BAD_REQUEST")),
            };
            charged(state, 2.0 + page.0 as f64, |s| items_page(s, page), false)
        }
        Operation::Shop { shop, locations } => {
            let page = match page_args(&variables) {
                Ok(page) => page,
                Err(message) => return top_level_error(state, &message, Some("BAD_REQUEST")),
            };
            let cost = f64::from(u8::from(shop)) + if locations { 2.0 + page.0 as f64 } else { 0.0 };
            charged(state, cost, |s| shop_answer(s, shop, locations.then_some(page)), false)
        }
        Operation::Unknown => top_level_error(
            state,
            "the simulator knows only inventorySetQuantities, inventoryLevel reads, inventoryItems, shop and locations",
            None,
        ),
    }
}

/// The cost bucket: charged up front; too little left means THROTTLED, as HTTP 200.
fn charged(
    state: &mut SimState,
    cost: f64,
    run: impl FnOnce(&mut SimState) -> Value,
    too_large: bool,
) -> Value {
    if too_large {
        return top_level_error(
            state,
            "Input arguments that accept an array have a maximum size of 250",
            None,
        );
    }
    state.bucket.refill();
    if state.bucket.available < cost {
        state.stats.throttled += 1;
        return json!({
            "errors": [{ "message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }],
            "extensions": { "cost": {
                "requestedQueryCost": cost, "actualQueryCost": null, "throttleStatus": state.throttle_status() } },
        });
    }
    state.bucket.available -= cost;
    state.stats.points_spent += cost;
    let mut answer = run(state);
    answer["extensions"] = json!({ "cost": {
        "requestedQueryCost": cost, "actualQueryCost": cost, "throttleStatus": state.throttle_status() } });
    answer
}

fn top_level_error(state: &SimState, message: &str, code: Option<&str>) -> Value {
    json!({
        "errors": [{ "message": message, "extensions": { "code": code } }],
        "extensions": { "cost": { "requestedQueryCost": 0, "actualQueryCost": 0,
                                  "throttleStatus": state.throttle_status() } },
    })
}

fn set_payload(user_errors: Vec<Value>, group_id: Option<String>) -> Value {
    json!({ "data": { "inventorySetQuantities": {
        "inventoryAdjustmentGroup": group_id.map(|id| json!({ "id": id })),
        "userErrors": user_errors,
    } } })
}

fn user_error(code: &str, field: Vec<String>, message: &str) -> Value {
    json!({ "code": code, "field": field, "message": message })
}

fn set_quantities(state: &mut SimState, key: Option<String>, variables: &Value) -> Value {
    let Some(key) = key else {
        return top_level_error(
            state,
            "inventorySetQuantities requires @idempotent(key:) from 2026-04",
            Some("BAD_REQUEST"),
        );
    };
    if state.keys.contains_key(&key) {
        return replay(state, &key, variables);
    }
    let quantities =
        variables.pointer("/input/quantities").and_then(Value::as_array).cloned().unwrap_or_default();
    let errors = validate(state, &quantities);
    if !errors.is_empty() {
        state.stats.stale +=
            errors.iter().filter(|e| e["code"] == "CHANGE_FROM_QUANTITY_STALE").count() as u64;
        state.remember_key(&key, KeyRecord { variables: variables.clone(), response: None });
        return set_payload(errors, None);
    }
    apply(state, &key, &quantities);
    let answer = set_payload(
        vec![],
        Some(format!("gid://shopify/InventoryAdjustmentGroup/{}", state.stats.set_calls_applied)),
    );
    state.remember_key(&key, KeyRecord { variables: variables.clone(), response: Some(answer.clone()) });
    answer
}

/// A known key: the same variables get the original answer, never a second application.
fn replay(state: &mut SimState, key: &str, variables: &Value) -> Value {
    let record = &state.keys[key];
    if &record.variables != variables {
        state.stats.key_mismatches += 1;
        let error =
            user_error("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", vec![], "key reused with different parameters");
        return set_payload(vec![error], None);
    }
    state.stats.key_replays += 1;
    match &record.response {
        Some(answer) => answer.clone(),
        None => {
            let error = user_error(
                "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
                vec![],
                "the earlier attempt failed; use a new key",
            );
            set_payload(vec![error], None)
        }
    }
}

/// Every entry checked before any applies: a set is all or nothing.
fn validate(state: &SimState, quantities: &[Value]) -> Vec<Value> {
    let mut errors = Vec::new();
    for (i, entry) in quantities.iter().enumerate() {
        let field =
            |name: &str| vec!["input".to_string(), "quantities".to_string(), i.to_string(), name.to_string()];
        let item = entry.get("inventoryItemId").and_then(Value::as_str).unwrap_or_default();
        let location = entry.get("locationId").and_then(Value::as_str).unwrap_or_default();
        let quantity = entry.get("quantity").and_then(Value::as_i64);
        let current = state.level(item, location);
        if current.is_none() && state.config.strict_items {
            errors.push(user_error(
                "INVALID_INVENTORY_ITEM",
                field("inventoryItemId"),
                "unknown inventory item",
            ));
            continue;
        }
        match quantity {
            None => errors.push(user_error(
                "INVALID_QUANTITY_NEGATIVE",
                field("quantity"),
                "quantity is required",
            )),
            Some(q) if q < 0 => {
                errors.push(user_error("INVALID_QUANTITY_NEGATIVE", field("quantity"), "negative"))
            }
            Some(q) if q > 1_000_000_000 => {
                errors.push(user_error("INVALID_QUANTITY_TOO_HIGH", field("quantity"), "too high"))
            }
            Some(_) => {}
        }
        let Some(change_from) = entry.as_object().and_then(|o| o.get("changeFromQuantity")) else {
            errors.push(user_error(
                "COMPARE_QUANTITY_REQUIRED",
                field("changeFromQuantity"),
                "changeFromQuantity is required",
            ));
            continue;
        };
        if let Some(expected) = change_from.as_i64()
            && expected != current.unwrap_or(0)
        {
            let message = format!("The quantity was {} and not {expected}", current.unwrap_or(0));
            errors.push(user_error("CHANGE_FROM_QUANTITY_STALE", field("changeFromQuantity"), &message));
        }
    }
    errors
}

fn apply(state: &mut SimState, key: &str, quantities: &[Value]) {
    let times = state.applied_keys.entry(key.to_string()).or_default();
    *times += 1;
    if *times > 1 {
        state.stats.keys_applied_twice += 1;
    }
    for entry in quantities {
        let item = entry["inventoryItemId"].as_str().unwrap_or_default().to_string();
        let location = entry["locationId"].as_str().unwrap_or_default().to_string();
        let quantity = entry["quantity"].as_i64().unwrap_or_default();
        let previous = state.levels.insert((item.clone(), location.clone()), quantity).unwrap_or(0);
        state.log_applied(AppliedEntry { key: key.to_string(), item, location, quantity, previous });
    }
    state.stats.set_calls_applied += 1;
    state.stats.entries_applied += quantities.len() as u64;
}

/// `first` (1 to 250) and the position `after` names (cursors are `c<index>`).
fn page_args(variables: &Value) -> Result<(usize, usize), String> {
    let first = variables.get("first").and_then(Value::as_u64).unwrap_or(0) as usize;
    if !(1..=MAX_QUANTITIES).contains(&first) {
        return Err(format!("The 'first' argument must be 1 to {MAX_QUANTITIES}"));
    }
    let start = match variables.get("after").and_then(Value::as_str) {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| n + 1)
            .ok_or_else(|| format!("Invalid cursor '{cursor}'"))?,
    };
    Ok((first, start))
}

/// One page of a connection over `nodes`, in Shopify's `nodes` + `pageInfo` shape.
fn connection(nodes: Vec<Value>, (first, start): (usize, usize)) -> Value {
    let total = nodes.len();
    let end = (start + first).min(total);
    let page: Vec<Value> = nodes.into_iter().skip(start).take(end.saturating_sub(start)).collect();
    json!({
        "nodes": page,
        "pageInfo": {
            "hasNextPage": end < total,
            "endCursor": (end > start).then(|| format!("c{}", end - 1)),
        },
    })
}

fn items_page(state: &mut SimState, page: (usize, usize)) -> Value {
    state.stats.reads += 1;
    let nodes =
        state.inventory_items().into_iter().map(|(id, sku)| json!({ "id": id, "sku": sku })).collect();
    json!({ "data": { "inventoryItems": connection(nodes, page) } })
}

fn shop_answer(state: &mut SimState, shop: bool, locations: Option<(usize, usize)>) -> Value {
    state.stats.reads += 1;
    let mut data = serde_json::Map::new();
    if shop {
        data.insert(
            "shop".into(),
            json!({ "name": state.config.shop_name, "myshopifyDomain": state.config.shop_domain }),
        );
    }
    if let Some(page) = locations {
        let nodes =
            state.shop_locations().into_iter().map(|(id, name)| json!({ "id": id, "name": name })).collect();
        data.insert("locations".into(), connection(nodes, page));
    }
    json!({ "data": data })
}

fn read_count(variables: &Value) -> usize {
    (0..).take_while(|i| variables.get(format!("i{i}")).is_some()).count()
}

fn read_levels(state: &mut SimState, variables: &Value, count: usize) -> Value {
    state.stats.reads += 1;
    let mut data = serde_json::Map::new();
    for i in 0..count {
        let item = variables[format!("i{i}")].as_str().unwrap_or_default();
        let location = variables[format!("l{i}")].as_str().unwrap_or_default();
        let node = state.level(item, location).map(|available| {
            json!({ "inventoryLevel": { "quantities": [{ "name": "available", "quantity": available }] } })
        });
        data.insert(format!("l{i}"), node.unwrap_or(Value::Null));
    }
    json!({ "data": data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_and_keys_are_recognised() {
        let set = "mutation S($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: \"abc-1\") { userErrors { code } } }";
        assert!(matches!(operation(set), Operation::Set { key: Some(k) } if k == "abc-1"));
        let no_key = "mutation { inventorySetQuantities(input: $input) { userErrors { code } } }";
        assert!(matches!(operation(no_key), Operation::Set { key: None }));
        assert!(matches!(
            operation("query { l0: inventoryItem(id: $i0) { inventoryLevel(locationId: $l0) { id } } }"),
            Operation::Read
        ));
        assert!(matches!(
            operation("query { shop { name } }"),
            Operation::Shop { shop: true, locations: false }
        ));
        assert!(matches!(
            operation("query Items($first: Int!) { inventoryItems(first: $first) { nodes { id sku } } }"),
            Operation::Items
        ));
        assert!(matches!(operation("query { products { id } }"), Operation::Unknown));
    }

    #[test]
    fn connections_page_by_cursor() {
        let nodes: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let first = connection(nodes.clone(), (2, 0));
        assert_eq!(first["nodes"], json!([0, 1]));
        assert_eq!(first["pageInfo"], json!({ "hasNextPage": true, "endCursor": "c1" }));
        let (n, start) = page_args(&json!({ "first": 2, "after": "c3" })).unwrap();
        let last = connection(nodes.clone(), (n, start));
        assert_eq!(last["nodes"], json!([4]));
        assert_eq!(last["pageInfo"]["hasNextPage"], false);
        assert!(page_args(&json!({ "first": 251 })).is_err());
        assert!(page_args(&json!({ "first": 1, "after": "zz" })).is_err());
    }
}

/// Shopify's plans, as far as the GraphQL Admin cost bucket goes: each sets the points restored
/// per second and the bucket's size ([`SimConfig::bucket_size`](crate::SimConfig)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShopifyPlan {
    Standard,
    Advanced,
    Plus,
    Enterprise,
}

impl ShopifyPlan {
    pub const ALL: [ShopifyPlan; 4] =
        [ShopifyPlan::Standard, ShopifyPlan::Advanced, ShopifyPlan::Plus, ShopifyPlan::Enterprise];

    /// (points restored per second, bucket size in points), from Shopify's rate-limit page:
    /// Standard 100/2,000, Advanced 200/4,000, Plus 1,000/20,000, Enterprise (Commerce
    /// Components) 2,000. Shopify gives no Enterprise bucket size: 40,000 is inferred as 20
    /// times the restore rate, the ratio of every other plan.
    pub fn limits(self) -> (f64, f64) {
        match self {
            ShopifyPlan::Standard => (100.0, 2_000.0),
            ShopifyPlan::Advanced => (200.0, 4_000.0),
            ShopifyPlan::Plus => (1_000.0, 20_000.0),
            ShopifyPlan::Enterprise => (2_000.0, 40_000.0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ShopifyPlan::Standard => "standard",
            ShopifyPlan::Advanced => "advanced",
            ShopifyPlan::Plus => "plus",
            ShopifyPlan::Enterprise => "enterprise",
        }
    }
}

/// An unknown plan name: the four it could have been.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown Shopify plan {0:?}: expected standard, advanced, plus or enterprise")]
pub struct UnknownPlan(pub String);

impl std::str::FromStr for ShopifyPlan {
    type Err = UnknownPlan;

    fn from_str(text: &str) -> Result<ShopifyPlan, UnknownPlan> {
        let clipped: String = text.chars().take(40).collect();
        ShopifyPlan::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(text.trim()))
            .ok_or(UnknownPlan(clipped))
    }
}
