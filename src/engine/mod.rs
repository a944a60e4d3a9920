//! The computation: pure functions from aggregate lines and configuration to priced lines and
//! report view-models. No IO here.

pub mod allocate;
pub mod explain;
pub mod price;
pub mod reprice;
pub mod solve;
pub mod transfer;
pub mod view_report;
pub mod views;

pub use price::{Pricing, price};
pub use view_report::{Amounts, GroupBy, GroupCostRow, Selection, ViewInfo, ViewReport, ViewRow};
