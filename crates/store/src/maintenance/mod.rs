//! Reads that no owning module offered yet when the SQL moved out of the bench and CLI crates
//! (issue 18), kept together so the lead can regroup them under the modules that own their
//! tables.
//!
//! - [`measures`]: catalogue-wide totals and listing/push reads the benchmark scenarios score
//!   with (tables `balances` through `stock_atp`, `listings`, `pushes`).

pub mod measures;
