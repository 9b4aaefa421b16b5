//! The guide's playbook on screen (issue 20): business hours in the warehouse's time zone and
//! its peak days (the Alerts screen), and incidents resolved with a root-cause category beside
//! their free text, reviewed monthly by category (the Incidents screen).
//!
//! The rules stay where the CLI finds them too: what a zone, a time or a date is, and whether
//! an instant is in hours, is core's `business_hours`; checking a whole change before writing
//! any of it is capture's `hours`; the categories are core's `root_cause`. This module checks
//! the shape of what the window sends (which weekday, how many), asks the role policy, and
//! converts. Looking is for anyone signed in (as `shelfsync alerts hours` is open); changing
//! hours and peak days needs `BusinessHoursSet`, resolving `IncidentResolve` (supervisors and
//! admins, core's `may`).

use chrono::Utc;
use shelfsync_capture::hours::{self, HoursChange};
use shelfsync_capture::incidents;
use shelfsync_core::Action;
use shelfsync_core::business_hours::MAX_ZONE_LEN;
use shelfsync_core::root_cause::ROOT_CAUSES;
use shelfsync_store::By;

use crate::commands::{allowed, looking_user};
use crate::error::{AppError, Result};
use crate::ipc::{
    BusinessHoursChange, BusinessHoursView, CauseGroupView, IncidentReviewView, IncidentView, RootCauseView,
};
use crate::state::AppState;

/// The weekdays a change may name, as core spells them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Longest hours text accepted: `HH:MM-HH:MM` is 11; a little room for spaces.
const MAX_HOURS_LEN: usize = 16;
/// Longest incident id (an integer; 20 digits is i64's width).
const MAX_ID_LEN: usize = 20;

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

fn view(state: &AppState) -> Result<BusinessHoursView> {
    Ok(hours::view(&*state.store()?, Utc::now())?.into())
}

/// The hours in force, the peak days, and whether now is in hours and on a peak day.
pub fn business_hours(state: &AppState) -> Result<BusinessHoursView> {
    looking_user(state)?;
    view(state)
}

/// Sets the zone and the weekdays given (each once; the others keep their hours). Every value
/// is checked before anything is written: one bad zone, weekday or time refuses the whole change.
pub fn set_business_hours(state: &AppState, change: BusinessHoursChange) -> Result<BusinessHoursView> {
    let user = allowed(state, Action::BusinessHoursSet)?;
    let zone = change.zone.trim();
    if zone.is_empty() || zone.len() > MAX_ZONE_LEN {
        return Err(bad(format!(
            "Enter the warehouse's time zone as an IANA name such as America/New_York (1 to {MAX_ZONE_LEN} characters)."
        )));
    }
    if change.days.len() > WEEKDAYS.len() {
        return Err(bad(format!(
            "At most {} weekdays in one change, not {}.",
            WEEKDAYS.len(),
            change.days.len()
        )));
    }
    let mut specs = Vec::with_capacity(change.days.len());
    let mut seen = Vec::new();
    for d in &change.days {
        let day = d.day.trim().to_ascii_lowercase();
        if !WEEKDAYS.contains(&day.as_str()) {
            let shown: String = d.day.chars().take(12).collect();
            return Err(bad(format!("'{shown}' is not a weekday: expected one of {}.", WEEKDAYS.join(", "))));
        }
        if seen.contains(&day) {
            return Err(bad(format!("{day} is given twice.")));
        }
        let hours = match d.hours.as_deref().map(str::trim) {
            None => "closed".to_string(),
            Some(h) if h.len() > MAX_HOURS_LEN || h.contains('=') || h.eq_ignore_ascii_case("closed") => {
                let shown: String = h.chars().take(MAX_HOURS_LEN).collect();
                return Err(bad(format!(
                    "{day}: invalid hours '{shown}': expected OPEN-CLOSE such as 08:00-18:00 (22:00-06:00 crosses midnight)."
                )));
            }
            Some(h) => h.to_string(),
        };
        specs.push(format!("{day}={hours}"));
        seen.push(day);
    }
    let store = state.store()?;
    let change = HoursChange { zone: Some(zone.to_string()), days: specs, reset: false };
    hours::set(&*store, By::new(&user.name, state.workstation()), &change)?;
    drop(store);
    view(state)
}

/// Adds a peak day (a local date `YYYY-MM-DD`) with a note. A past date is accepted, as the
/// CLI's `alerts peak-add` accepts it: it tightens nothing, and removing it is one click.
pub fn add_peak_day(state: &AppState, day: String, note: String) -> Result<BusinessHoursView> {
    let user = allowed(state, Action::BusinessHoursSet)?;
    hours::add_peak(&*state.store()?, By::new(&user.name, state.workstation()), &day, &note)?;
    view(state)
}

/// Removes a peak day; refused when the date is not one.
pub fn remove_peak_day(state: &AppState, day: String) -> Result<BusinessHoursView> {
    let user = allowed(state, Action::BusinessHoursSet)?;
    hours::remove_peak(&*state.store()?, By::new(&user.name, state.workstation()), &day)?;
    view(state)
}

/// Core's root-cause categories, in order (`other` last).
pub fn root_causes(state: &AppState) -> Result<Vec<RootCauseView>> {
    looking_user(state)?;
    Ok(ROOT_CAUSES
        .iter()
        .map(|c| RootCauseView { key: c.key.into(), label: c.label.into(), guide: c.guide.into() })
        .collect())
}

/// Records the root cause (a category and free text beside it) and closes the incident.
pub fn resolve_incident_categorised(
    state: &AppState,
    id: String,
    category: String,
    cause: String,
) -> Result<IncidentView> {
    let user = allowed(state, Action::IncidentResolve)?;
    let id = id.trim();
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_digit()) {
        let shown: String = id.chars().take(MAX_ID_LEN).collect();
        return Err(bad(format!("'{shown}' is not an incident number.")));
    }
    let store = state.store()?;
    let by = By::new(&user.name, state.workstation());
    Ok(incidents::resolve_categorised(&*store, by, id, &category, &cause)?.into())
}

/// Incidents opened in `month` (`YYYY-MM`) grouped by category, most frequent first.
pub fn incident_review(state: &AppState, month: String) -> Result<IncidentReviewView> {
    looking_user(state)?;
    let month = month.trim();
    if month.len() != 7 {
        let shown: String = month.chars().take(10).collect();
        return Err(bad(format!("invalid month '{shown}': expected YYYY-MM")));
    }
    let groups = incidents::monthly_by_category(&*state.store()?, month)?;
    Ok(IncidentReviewView {
        month: month.into(),
        groups: groups.into_iter().map(CauseGroupView::from).collect(),
    })
}
