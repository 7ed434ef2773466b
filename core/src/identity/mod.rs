//! The reporter's identity as parsed types: a [`Nik`], a [`Phone`], an [`Email`], a [`Name`]
//! can only be built through their parsers, and carry what was parsed.

mod email;
mod name;
mod nik;
mod phone;

pub use email::Email;
pub use name::{Name, NAME_MAX};
pub use nik::{normalize_nik, Nik, Sex};
pub use phone::{normalize_phone, Phone};
