//! The report as it travels from the widget to the gateway: the `report` part of
//! `POST /api/v1/reports`, field for field.

use serde::{Deserialize, Serialize};

/// The three kinds of report. LAPOR!'s own ids: 1 Pengaduan, 2 Permintaan Informasi, 3 Aspirasi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Pengaduan,
    Aspirasi,
    PermintaanInformasi,
}

impl Classification {
    pub const ALL: [Classification; 3] = [
        Classification::Pengaduan,
        Classification::Aspirasi,
        Classification::PermintaanInformasi,
    ];

    /// The wire name (`permintaan_informasi`).
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Pengaduan => "pengaduan",
            Classification::Aspirasi => "aspirasi",
            Classification::PermintaanInformasi => "permintaan_informasi",
        }
    }

    pub fn parse(s: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// LAPOR!'s `classification_id`.
    pub fn lapor_id(self) -> u8 {
        match self {
            Classification::Pengaduan => 1,
            Classification::PermintaanInformasi => 2,
            Classification::Aspirasi => 3,
        }
    }

    /// Whether this kind of report has an incident date and an incident location
    /// (otherwise the location is where the reporter is from).
    pub fn is_incident(self) -> bool {
        self == Classification::Pengaduan
    }
}

/// A report as received, before validation. Fields the contract allows to be absent or null
/// are `Option`; text fields absent from the JSON become empty (and then `required`), so that a
/// client missing a field gets a translated field error rather than a bare `400`. Unknown
/// fields are refused: a typo must not pass silently.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Kept as text so an unknown value is a field error (`unknown_classification`).
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub incident_date: Option<String>,
    #[serde(default)]
    pub location_code: String,
    #[serde(default)]
    pub location_detail: Option<String>,
    #[serde(default)]
    pub institution_id: Option<String>,
    #[serde(default)]
    pub category_id: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub reporter: Reporter,
    /// `id` or `en`: the language the reporter wrote in and wants answers in.
    #[serde(default)]
    pub lang: Option<String>,
}

/// Who reports. Identity is personal data (Indonesia's PDP law): never logged, never in a URL.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub nik: Option<String>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
}

// Debug output must not leak the citizen's words or identity into logs: only what says which
// kind of report it is.
impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("classification", &self.classification)
            .field("anonymous", &self.anonymous)
            .field("secret", &self.secret)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

// Debug output must not leak identity into logs.
impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reporter { .. }")
    }
}
