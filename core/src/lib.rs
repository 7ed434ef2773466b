//! The domain of the LAPOR! widget.
//!
//! One set of rules compiled into both the browser (the widget, wasm32) and the server (the
//! gateway, native), so that the two can never disagree about a report. This crate reads no
//! clock, touches no file, network or browser API, and cannot fail for reasons outside its
//! input: "today" and the limits of `/config` are arguments.

pub mod attachment;
pub mod config;
pub mod date;
pub mod error;
pub mod identity;
pub mod messages;
pub mod region;
pub mod report;
pub mod strip;
pub mod tracking;
pub mod validate;

pub use config::{AttachmentLimits, Config, Limits, Named};
pub use date::Date;
pub use error::{Code, Field, FieldError};
pub use report::{Classification, Report, Reporter};
pub use validate::{
    validate_report, validate_submission, Checked, Context, ReportBody, ValidReport,
};
