//! ShelfSync's domain: what an item, a location, a stock bucket and a stock event are, and the
//! rules that hold between them.
//!
//! Architecture invariant: this crate does no I/O. It knows neither SQL nor HTTP nor Tauri, so
//! everything in it is deterministic and can be tested with plain values. The store decides
//! *when* rules run (inside its write transaction); this crate decides *what* they are.

mod balance;
mod error;
mod event;
mod gtin;
mod ident;
mod item;
mod money;
mod position;

pub use balance::{Balances, Bucket};
pub use error::DomainError;
pub use event::{
    Delta, Event, LOSS_REASON_CODES, Leg, MAX_QTY, MAX_TEXT_LEN, Movement, ReturnDestination, WriteOffSource,
    loss_reason,
};
pub use gtin::{Gtin14, normalise_gtin, with_check_digit};
pub use ident::{LocationCode, Sku};
pub use item::{Barcode, BarcodeKind, Item, Location};
pub use money::{format_cents, parse_cents};
pub use position::{BucketViolation, Position};

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

mod role;
pub use role::{Lockout, Role};

mod count;
pub use count::{Tolerance, VelocityClass, classify_velocity};

mod policy;
pub use policy::{Action, may};
