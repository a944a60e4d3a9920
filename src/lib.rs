//! proforma: a local, exact AWS Billing Conductor. See README.md and ../shared/SPEC.md.

pub mod analysis;
pub mod app;
pub mod aws_proforma;
pub mod checks;
pub mod cli;
pub mod cur;
pub mod engine;
pub mod footing;
pub mod import;
pub mod interop;
pub mod model;
pub mod money;
pub mod month_end;
pub mod period;
pub mod ready_totals;
pub mod sample;
pub mod sample_cur2;
pub mod sample_data;
pub mod sample_focus;
pub mod store;
pub mod text;
pub mod tui;
