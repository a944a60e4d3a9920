//! The computation: pure functions from aggregate lines (and, with the engine issue,
//! configuration) to report view-models. No IO here.

pub mod view_report;

pub use view_report::{GroupBy, ViewInfo, ViewReport, ViewRow, ViewTotals};
