//! Custom hooks: every request, timer and browser side effect of the widget lives here, never
//! in view code. Each hook turns browser failures into a value the view can show.

mod use_config;
mod use_copy;
mod use_files;
mod use_form;
mod use_outbox;
mod use_persistence;
mod use_regions;
pub mod use_status;

pub use use_config::use_config;
pub use use_copy::{use_copy, CopyStatus};
pub use use_files::use_files;
pub use use_form::{Form, Seed};
pub use use_outbox::use_outbox;
pub use use_persistence::{use_history, use_persistence};
pub use use_regions::{use_regions, Regions};
