//! What the gateway's `GET /api/v1/config` answers: the limits both sides validate with.

use serde::{Deserialize, Serialize};

/// The whole `/config` document. [`Config::default`] gives the contract's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub classifications: Vec<String>,
    pub attachments: AttachmentLimits,
    pub limits: Limits,
    pub require_nik: bool,
    pub institutions: Vec<Named>,
    pub categories: Vec<Named>,
    /// (Extension) The registered Pemda site the request came from; absent for any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<Site>,
}

/// The Pemda site whose page embeds the widget, as `/config` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// A province (2 digits) or regency (4 digits) code, which the form preselects.
    #[serde(default)]
    pub region_code: Option<String>,
}

/// Limits on attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentLimits {
    /// MIME types accepted, among `image/jpeg`, `image/png`, `application/pdf`.
    pub types: Vec<String>,
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_total_bytes: u64,
}

/// Length limits of the text fields, in characters (Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub title_min: usize,
    pub title_max: usize,
    pub content_min: usize,
    pub content_max: usize,
}

/// An institution or a category: an id and a display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            classifications: ["pengaduan", "aspirasi", "permintaan_informasi"]
                .map(String::from)
                .to_vec(),
            attachments: AttachmentLimits::default(),
            limits: Limits::default(),
            require_nik: true,
            institutions: Vec::new(),
            categories: Vec::new(),
            site: None,
        }
    }
}

impl Default for AttachmentLimits {
    fn default() -> AttachmentLimits {
        AttachmentLimits {
            types: ["image/jpeg", "image/png", "application/pdf"]
                .map(String::from)
                .to_vec(),
            max_file_bytes: 2 * 1024 * 1024,
            max_files: 5,
            max_total_bytes: 10 * 1024 * 1024,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            title_min: 10,
            title_max: 150,
            content_min: 30,
            content_max: 4000,
        }
    }
}

/// The longest `location_detail` accepted, in characters (an extension of the contract).
pub const LOCATION_DETAIL_MAX: usize = 200;

/// The longest reporter name accepted, in characters.
pub const NAME_MAX: usize = 100;
