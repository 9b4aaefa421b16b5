//! ShelfSync's scanner layer.
//!
//! Bird's-eye view: bytes from any transport (USB HID POS, serial/USB-CDC, a boot keyboard)
//! go through one pipeline: framing, prefix/suffix stripping, AIM symbology identifier,
//! duplicate-read suppression, GS1 parsing, and come out as a [`Scan`] that names its device,
//! workstation and time.
//!
//! Architecture invariant: the pure parts ([`gs1`], [`framing`], [`dedup`], [`hidpos`],
//! [`command`]) take time as an argument and never touch devices, so they are tested without
//! hardware or sleeping. Only [`serial`], [`hid`] and [`devices`] do I/O.

pub mod backoff;
pub mod cli;
pub mod command;
pub mod dedup;
pub mod devices;
mod error;
pub mod framing;
pub mod gs1;
pub mod hid;
pub mod hidpos;
pub mod pipeline;
pub mod serial;

pub use cli::{CliParse, parse_cli};
pub use command::{Classified, Command, CommandConfig, Mode, classify};
pub use devices::{DeviceInfo, DeviceKind, list_devices};
pub use error::{Result, ScanError};
pub use hid::{HidConfig, listen_hid};
pub use pipeline::{PipelineConfig, Scan, ScanPipeline};
pub use serial::{SerialConfig, listen_serial};

/// The longest scan accepted. A 2D symbol holds at most ~3 kB; anything longer is a stuck key or
/// line noise, and refusing it keeps every buffer bounded.
pub const MAX_SCAN_LEN: usize = 4096;
