//! The guide's playbook on the Alerts and Incidents screens (issue 20): business hours in the
//! warehouse's time zone with its peak days, and incidents' root-cause categories with the
//! monthly review grouped by them.

wire! {
    /// One weekday's hours in local time.
    pub struct DayHoursView {
        /// `mon` .. `sun`.
        pub day: String,
        /// `HH:MM-HH:MM` (a close at or before the open is on the next day), `null` when closed.
        pub hours: Option<String>,
        pub crosses_midnight: bool,
    }

    /// A peak day (a flash sale, Black Friday): a local date on which the alert thresholds tighten.
    pub struct PeakDayView {
        /// `YYYY-MM-DD`.
        pub day: String,
        pub note: String,
    }

    /// The business hours in force (shelfsync_capture::hours::HoursView) and what they say now.
    pub struct BusinessHoursView {
        /// `calendar` (a zone and weekday hours are set) or `utc_thresholds` (the old whole UTC
        /// hours of business_start_hour/business_end_hour, until a zone is set).
        pub source: String,
        /// An IANA zone name, e.g. `America/New_York`.
        pub zone: String,
        /// Monday to Sunday.
        pub days: Vec<DayHoursView>,
        pub peak_days: Vec<PeakDayView>,
        /// Now in the zone's local time (RFC 3339 with its offset).
        pub local_now: String,
        pub open_now: bool,
        pub peak_now: bool,
    }

    /// One weekday's new hours: `hours` `HH:MM-HH:MM` (`22:00-06:00` crosses midnight) or
    /// `null` for closed.
    pub struct DayHoursInput {
        pub day: String,
        pub hours: Option<String>,
    }

    /// A change of the calendar: the zone and the weekdays given (others keep their hours).
    pub struct BusinessHoursChange {
        pub zone: String,
        pub days: Vec<DayHoursInput>,
    }

    /// A root-cause category of core's one list (shelfsync_core::root_cause::ROOT_CAUSES).
    pub struct RootCauseView {
        pub key: String,
        pub label: String,
        /// The guide's words for it.
        pub guide: String,
    }

    /// One group of the monthly review: incidents opened in the month with this category.
    pub struct CauseGroupView {
        /// The category key; `null` for open incidents (`open`) and for those resolved before
        /// categories existed.
        pub category: Option<String>,
        pub open: bool,
        #[ts(type = "number")]
        pub incidents: i64,
        #[ts(type = "number")]
        pub oversold_units: i64,
    }

    /// The monthly review: a month's incidents grouped by root-cause category.
    pub struct IncidentReviewView {
        /// `YYYY-MM`.
        pub month: String,
        pub groups: Vec<CauseGroupView>,
    }
}

impl From<shelfsync_capture::hours::HoursView> for BusinessHoursView {
    fn from(v: shelfsync_capture::hours::HoursView) -> BusinessHoursView {
        BusinessHoursView {
            source: v.source.to_string(),
            zone: v.zone,
            days: v
                .days
                .into_iter()
                .map(|d| DayHoursView {
                    day: d.day.to_string(),
                    hours: d.hours,
                    crosses_midnight: d.crosses_midnight,
                })
                .collect(),
            peak_days: v.peak_days.into_iter().map(|p| PeakDayView { day: p.day, note: p.note }).collect(),
            local_now: v.at.local,
            open_now: v.at.open,
            peak_now: v.at.peak,
        }
    }
}

impl From<shelfsync_capture::incidents::CategoryCount> for CauseGroupView {
    fn from(c: shelfsync_capture::incidents::CategoryCount) -> CauseGroupView {
        CauseGroupView {
            category: c.category,
            open: c.open,
            incidents: c.incidents,
            oversold_units: c.oversold_units,
        }
    }
}
