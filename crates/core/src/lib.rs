//! ShelfSync's domain: what an item, a location, a stock bucket and a stock event are, and the
//! rules that hold between them.
//!
//! Architecture invariant: this crate does no I/O. It knows neither SQL nor HTTP nor Tauri, so
//! everything in it is deterministic and can be tested with plain values. The store decides
//! *when* rules run (inside its write transaction); this crate decides *what* they are.

pub mod allocation;
mod balance;
pub mod business_hours;
mod error;
mod event;
pub mod flash;
mod gtin;
mod ident;
mod item;
pub mod listing_watch;
mod loss;
mod money;
mod movement;
mod position;
pub mod reports;
pub mod root_cause;
pub mod scorecard;

pub use balance::{Balances, Bucket};
pub use error::DomainError;
pub use error::printable;
pub use event::Event;
pub use gtin::{Gtin14, GtinFault, gs1_check_digit, gtin14, normalise_gtin, with_check_digit};
pub use ident::{LocationCode, Sku};
pub use item::{Barcode, BarcodeKind, Item, Location};
pub use loss::{LOSS_REASON_CODES, loss_reason};
pub use money::{format_cents, parse_cents};
pub use movement::{Delta, Leg, MAX_QTY, MAX_TEXT_LEN, Movement, ReturnDestination, WriteOffSource};
pub use position::{BucketViolation, Position};

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

mod role;
pub use role::{Lockout, Role};

mod count;
pub use count::{Tolerance, VelocityClass, classify_velocity};

mod policy;
pub use policy::{Action, may};

mod approval;
pub use approval::{
    DEFAULT_APPROVAL_CENTS, approval_threshold_cents, loss_day_start, loss_units, loss_value_cents,
    needs_approval,
};

mod station;
pub use station::{StationMode, StationRecord};

pub mod kit;
pub use kit::{KitComponent, KitFault};

pub mod lot;
pub use lot::{LotError, LotKind, LotStock, LotTag, Tracking};
