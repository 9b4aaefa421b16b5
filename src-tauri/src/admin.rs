//! Settings commands: alert thresholds and business hours, users, locations, tolerances,
//! channels with their credentials and allocation rules, and the scanner device list.
//!
//! Who may do what is the role policy's (`shelfsync_core::may`), asked here (and again by the
//! store where it has its own check): admins change thresholds and business hours, users,
//! locations, channels and allocation rules; supervisors see and change tolerances and see
//! the channel list; anyone signed in sees the scanner device list.
//!
//! Secrets go to the keychain (or the 0600 file next to the database) through
//! `shelfsync_sync::credentials`; no command ever returns one, only whether it is stored.

use shelfsync_capture::alerts;
use shelfsync_channels::ChannelKind;
use shelfsync_core::Action;
use shelfsync_core::{Location, LocationCode, Tolerance};
use shelfsync_store::{By, Store};
use shelfsync_sync::config::{self, NewChannel, RuleChange};
use shelfsync_sync::credentials::{Secret, Secrets};

use crate::commands::{allowed, looking_user};
use crate::error::{AppError, Result};
use crate::ipc::{
    ChannelView, DeviceView, ManagedUser, NewChannelRequest, NewLocationRequest, RoleView, RuleView,
    SecretStatus, ThresholdView, ToleranceView,
};
use crate::state::AppState;

/// Business hours are two thresholds of the alert rules (UTC hours).
pub const BUSINESS_START: &str = "business_start_hour";
pub const BUSINESS_END: &str = "business_end_hour";
/// Longest location name accepted: a label printer's line.
pub const MAX_LOCATION_NAME: usize = 100;

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

// ---- thresholds and business hours -------------------------------------------------------------

pub fn thresholds(state: &AppState) -> Result<Vec<ThresholdView>> {
    allowed(state, Action::AlertThresholdView)?;
    let store = state.store()?;
    alerts::DEFAULTS
        .iter()
        .map(|(rule, _, meaning)| {
            Ok(ThresholdView {
                rule: rule.to_string(),
                value: alerts::threshold(&*store, rule)?,
                meaning: meaning.to_string(),
            })
        })
        .collect()
}

/// Sets one threshold. Business hours must stay a real window: whole hours, start before end.
pub fn set_threshold(state: &AppState, rule: String, value: f64) -> Result<Vec<ThresholdView>> {
    let admin = allowed(state, Action::AlertThresholdSet)?;
    let rule = rule.trim();
    if !value.is_finite() || value < 0.0 {
        return Err(bad(format!("A threshold is a number of 0 or more, not {value}.")));
    }
    {
        let store = state.store()?;
        let conn: &Store = &store;
        if rule == BUSINESS_START || rule == BUSINESS_END {
            let (start, end) = if rule == BUSINESS_START {
                (value, alerts::threshold(conn, BUSINESS_END)?)
            } else {
                (alerts::threshold(conn, BUSINESS_START)?, value)
            };
            check_business_hours(start, end)?;
        }
        alerts::set_threshold(conn, By::new(&admin.name, state.workstation()), rule, value)?;
    }
    thresholds(state)
}

fn check_business_hours(start: f64, end: f64) -> Result<()> {
    let whole = |h: f64| h.fract() == 0.0;
    if !whole(start) || !whole(end) || !(0.0..=23.0).contains(&start) || !(1.0..=24.0).contains(&end) {
        return Err(bad("Business hours are whole UTC hours: start 0 to 23, end 1 to 24."));
    }
    if start >= end {
        return Err(bad(format!("Business hours must start before they end (start {start}, end {end}).")));
    }
    Ok(())
}

// ---- users -------------------------------------------------------------------------------------

pub fn users(state: &AppState) -> Result<Vec<ManagedUser>> {
    allowed(state, Action::UserList)?;
    Ok(state.store()?.users()?.into_iter().map(ManagedUser::from).collect())
}

/// Adds a user (the store checks the name, the PIN's shape and the admin role again).
pub fn add_user(state: &AppState, name: String, role: RoleView, pin: String) -> Result<Vec<ManagedUser>> {
    let admin = allowed(state, Action::UserAdd)?;
    if pin.len() > crate::commands::MAX_CREDENTIAL_LEN {
        return Err(bad("A PIN has 4 to 64 characters."));
    }
    state.store()?.add_user(name.trim(), role.to_role(), &pin, Some(&admin), state.workstation())?;
    users(state)
}

/// Clears a user's lockout and failed PINs (admins; audited by the store).
pub fn unlock_user(state: &AppState, name: String) -> Result<Vec<ManagedUser>> {
    let admin = allowed(state, Action::UserUnlock)?;
    state.store()?.unlock_user(name.trim(), &admin, state.workstation())?;
    users(state)
}

/// Stops a user signing in, or lets them again; their name stays in the record (admins;
/// nobody deactivates themselves; audited by the store).
pub fn set_user_active(state: &AppState, name: String, active: bool) -> Result<Vec<ManagedUser>> {
    let admin = allowed(state, Action::UserDeactivate)?;
    state.store()?.set_user_active(name.trim(), active, &admin, state.workstation())?;
    users(state)
}

/// Sets another user's PIN (admins; the store checks the PIN's shape and audits it).
pub fn reset_user_pin(state: &AppState, name: String, pin: String) -> Result<Vec<ManagedUser>> {
    let admin = allowed(state, Action::UserResetPin)?;
    if pin.len() > crate::commands::MAX_CREDENTIAL_LEN {
        return Err(bad("A PIN has 4 to 64 characters."));
    }
    state.store()?.change_pin(name.trim(), &pin, &admin, state.workstation())?;
    users(state)
}

// ---- locations ---------------------------------------------------------------------------------

pub fn add_location(state: &AppState, request: NewLocationRequest) -> Result<Vec<crate::ipc::LocationView>> {
    let admin = allowed(state, Action::AddLocation)?;
    let code = LocationCode::new(request.code.trim())?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_LOCATION_NAME {
        return Err(bad(format!("Give the location a name (1 to {MAX_LOCATION_NAME} characters).")));
    }
    let parent = match request.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(LocationCode::new(p)?),
        None => None,
    };
    if parent.as_ref() == Some(&code) {
        return Err(bad("A location cannot be its own parent."));
    }
    let mut store = state.store()?;
    if store.location_exists(code.as_str())? {
        return Err(bad(format!("Location '{code}' already exists.")));
    }
    let by = By::new(&admin.name, state.workstation());
    store.add_location(by, &Location { code, name: name.to_string(), parent })?;
    drop(store);
    crate::commands::locations(state)
}

// ---- tolerances --------------------------------------------------------------------------------

pub fn tolerance(state: &AppState, category: Option<String>) -> Result<ToleranceView> {
    allowed(state, Action::ToleranceView)?;
    let category = category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let t = state.store()?.tolerance_for(category.as_deref().unwrap_or(""))?;
    Ok(ToleranceView {
        category,
        units: t.units,
        percent_bp: t.percent_bp,
        value_cents: t.value_cents,
        auto_post: t.auto_post,
    })
}

/// Sets a tolerance (the store refuses staff and negative limits again).
pub fn set_tolerance(state: &AppState, view: ToleranceView) -> Result<ToleranceView> {
    let user = allowed(state, Action::ToleranceSet)?;
    let category = view.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if category.as_ref().is_some_and(|c| c.chars().count() > shelfsync_core::MAX_TEXT_LEN) {
        return Err(bad("A category name has at most 200 characters."));
    }
    for (label, value) in [("units", view.units), ("percent", view.percent_bp), ("value", view.value_cents)] {
        if value.is_some_and(|v| v < 0) {
            return Err(bad(format!("The {label} limit cannot be negative.")));
        }
    }
    let limits = Tolerance {
        units: view.units,
        percent_bp: view.percent_bp,
        value_cents: view.value_cents,
        auto_post: view.auto_post,
    };
    state.store()?.set_tolerance(category.as_deref(), &limits, &user, state.workstation())?;
    tolerance(state, category)
}

// ---- channels and allocation rules -------------------------------------------------------------

pub fn channels(state: &AppState) -> Result<Vec<ChannelView>> {
    allowed(state, Action::ChannelView)?;
    let secrets = Secrets::for_database(state.db_path());
    let records = config::list_channels(&*state.store()?)?;
    Ok(records.into_iter().map(|c| channel_view(c, &secrets)).collect())
}

fn channel_view(c: config::ChannelRecord, secrets: &Secrets) -> ChannelView {
    let needed = ChannelKind::parse(&c.kind).map(config::required_secrets).unwrap_or(&[]);
    let statuses = needed
        .iter()
        .map(|name| SecretStatus {
            name: name.to_string(),
            // An unreadable keychain entry shows as missing: the engine could not read it either.
            stored: matches!(secrets.get(&c.name, name), Ok(Some(_))),
        })
        .collect();
    ChannelView {
        name: c.name,
        kind: c.kind,
        endpoint: c.endpoint,
        shop: c.shop,
        seller_id: c.seller_id,
        marketplace_id: c.marketplace_id,
        listings: c.listings,
        rule: c.rule.into(),
        secrets: statuses,
        secret_store: secrets.backend().as_str().to_string(),
    }
}

/// Adds a channel; its secrets go to the secret store, all or nothing.
pub fn add_channel(state: &AppState, request: NewChannelRequest) -> Result<Vec<ChannelView>> {
    let admin = allowed(state, Action::ChannelAdd)?;
    let kind = ChannelKind::parse(request.kind.trim()).ok_or_else(|| {
        bad(format!("Unknown channel kind '{}': choose shopify, amazon or ebay.", request.kind))
    })?;
    let needed = config::required_secrets(kind);
    let mut keys = Vec::new();
    for field in &request.secrets {
        let name = needed.iter().copied().find(|n| *n == field.name).ok_or_else(|| {
            bad(format!("A {} channel has no secret called '{}'.", kind.as_str(), field.name))
        })?;
        let secret = Secret::new(field.value.trim()).map_err(|_| {
            bad(format!("Enter the {name}: it goes to the secret store, never the database."))
        })?;
        keys.push((name, secret));
    }
    let trimmed =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let new = NewChannel {
        name: request.name.trim().to_string(),
        kind,
        endpoint: request.endpoint.trim().to_string(),
        shop: trimmed(&request.shop),
        seller_id: trimmed(&request.seller_id),
        marketplace_id: trimmed(&request.marketplace_id),
    };
    let auth_endpoint = trimmed(&request.auth_endpoint);
    if auth_endpoint.is_some() && kind == ChannelKind::Shopify {
        return Err(bad("A Shopify channel has no separate token endpoint: leave it empty.".to_string()));
    }
    let secrets = Secrets::for_database(state.db_path());
    {
        let store = state.store()?;
        let by = By::new(&admin.name, state.workstation());
        config::add_channel_with_auth(&store, by, &secrets, &new, auth_endpoint.as_deref(), &keys)?;
    }
    channels(state)
}

/// Replaces a channel's allocation rule; listings whose quantity moves are queued again.
pub fn set_rule(state: &AppState, channel: String, rule: RuleView) -> Result<Vec<ChannelView>> {
    let admin = allowed(state, Action::ChannelRule)?;
    let change = RuleChange {
        locations: Some(
            rule.locations.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect(),
        ),
        percent: Some(i64::from(rule.percent)),
        buffer: Some(rule.buffer),
        cap: Some(rule.cap),
        conflict: Some(rule.conflict.trim().to_string()),
    };
    {
        let store = state.store()?;
        config::set_rule(&store, By::new(&admin.name, state.workstation()), channel.trim(), &change)?;
    }
    channels(state)
}

// ---- scanners ----------------------------------------------------------------------------------

/// Scanner-like devices attached now (HID POS and serial ports).
pub fn scanner_devices(state: &AppState) -> Result<Vec<DeviceView>> {
    looking_user(state)?;
    Ok(shelfsync_scan::list_devices()
        .into_iter()
        .map(|d| DeviceView {
            kind: format!("{:?}", d.kind).to_lowercase(),
            path: d.path,
            product: d.product,
            vid_pid: d.vid.zip(d.pid).map(|(v, p)| format!("{v:04x}:{p:04x}")),
        })
        .collect())
}
