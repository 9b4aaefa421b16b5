//! The refusals of the supervisors' forms: a bulk decision or a count that is not ready. Like
//! `FloorRefusal`, each kind has a stable code and the values its sentence names, so the UI says
//! it in the supervisor's language; the English sentences are the ones these screens always
//! showed.

use crate::error::{Args, text};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisorRefusal {
    // ---- bulk decisions in the approvals inbox ----
    #[error("Give one reason for the decision (up to {max} characters).")]
    NoBulkReason { max: usize },
    #[error("A counter is assigned only to a recount.")]
    CounterOnlyForRecount,
    #[error("Select at least one item to decide.")]
    NothingSelected,
    #[error("At most {max} items at once; {selected} were selected.")]
    TooManySelected { max: usize, selected: usize },
    #[error("That user name is too long.")]
    CounterNameTooLong,
    #[error("{name} is deactivated and cannot recount.")]
    CounterDeactivated { name: String },
    #[error("No user is called '{name}': choose who recounts.")]
    NoSuchCounter { name: String },
    // ---- counts: starting and submitting ----
    #[error("Choose a due count to start.")]
    NoDueCountChosen,
    #[error("{plan} is not due at {location}: it has been started already, or has nothing to count.")]
    NotDue { plan: String, location: String },
    #[error(
        "{} in this full count {} not counted: tick \"count the rest as zero\" to submit them as zero.",
        if *.uncounted == 1 { "1 SKU".to_string() } else { format!("{} SKUs", .uncounted) },
        if *.uncounted == 1 { "was" } else { "were" }
    )]
    UncountedInFullCount { uncounted: usize },
    #[error("Choose the location to count.")]
    NoCountLocation,
    #[error("Count a SKU list, a class or the top N: one of them, not several.")]
    OneScopeOnly,
    #[error("A SKU list is at most {max} SKUs; {given} were given.")]
    TooManyScopeSkus { max: usize, given: usize },
    #[error("Class '{class}' must be A, B or C.")]
    BadClass { class: String },
    #[error("Top N must be between 1 and {max}, got {top}.")]
    TopOutOfRange { max: u32, top: u32 },
}

impl SupervisorRefusal {
    /// The stable code (the UI's catalogue key without `errors.`) and the sentence's values.
    pub fn code_and_args(&self) -> (&'static str, Args) {
        use SupervisorRefusal as S;
        match self {
            S::NoBulkReason { max } => ("bulk.noReason", vec![("max", (*max).into())]),
            S::CounterOnlyForRecount => ("bulk.counterOnlyForRecount", vec![]),
            S::NothingSelected => ("bulk.nothingSelected", vec![]),
            S::TooManySelected { max, selected } => {
                ("bulk.tooManySelected", vec![("max", (*max).into()), ("selected", (*selected).into())])
            }
            S::CounterNameTooLong => ("bulk.counterNameTooLong", vec![]),
            S::CounterDeactivated { name } => ("bulk.counterDeactivated", vec![("name", text(name))]),
            S::NoSuchCounter { name } => ("bulk.noSuchCounter", vec![("name", text(name))]),
            S::NoDueCountChosen => ("count.noDueCountChosen", vec![]),
            S::NotDue { plan, location } => {
                ("count.notDue", vec![("plan", text(plan)), ("location", text(location))])
            }
            S::UncountedInFullCount { uncounted } => {
                ("count.uncountedTick", vec![("uncounted", (*uncounted).into())])
            }
            S::NoCountLocation => ("count.noLocation", vec![]),
            S::OneScopeOnly => ("count.oneScopeOnly", vec![]),
            S::TooManyScopeSkus { max, given } => {
                ("count.tooManySkus", vec![("max", (*max).into()), ("given", (*given).into())])
            }
            S::BadClass { class } => ("count.badClass", vec![("class", text(class))]),
            S::TopOutOfRange { max, top } => {
                ("count.topOutOfRange", vec![("max", (*max).into()), ("top", (*top).into())])
            }
        }
    }
}
