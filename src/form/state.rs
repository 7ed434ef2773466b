//! The form's state: what the citizen typed and chose, what is shown of its check, and where
//! the sending is. Plain data with the queries the reducer and the view model ask of it.

use std::rc::Rc;

use lapor_core::attachment::{check_attachments, AttachmentInfo};
use lapor_core::error::sort_in_form_order;
use lapor_core::messages::Lang;
use lapor_core::region::is_known_location;
use lapor_core::validate::{validate_submission, Checked, Context};
use lapor_core::{Classification, Config, Date, Field, FieldError, Report, Reporter};

/// A text input of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Title,
    Content,
    IncidentDate,
    Province,
    Regency,
    District,
    Institution,
    Category,
    Name,
    Nik,
    Phone,
    Email,
}

impl Input {
    /// Every input, in the order of the form.
    pub const ALL: [Input; 12] = [
        Input::Title,
        Input::Content,
        Input::IncidentDate,
        Input::Province,
        Input::Regency,
        Input::District,
        Input::Institution,
        Input::Category,
        Input::Name,
        Input::Nik,
        Input::Phone,
        Input::Email,
    ];

    /// The id of the input's element: the one table of them (the view's places, the
    /// components and the take-over of the pre-rendered form all ask here).
    pub fn dom_id(self) -> &'static str {
        match self {
            Input::Title => "lapor-title",
            Input::Content => "lapor-content",
            Input::IncidentDate => "lapor-incident-date",
            Input::Province => "lapor-province",
            Input::Regency => "lapor-regency",
            Input::District => "lapor-district",
            Input::Institution => "lapor-institution",
            Input::Category => "lapor-category",
            Input::Name => "lapor-name",
            Input::Nik => "lapor-nik",
            Input::Phone => "lapor-phone",
            Input::Email => "lapor-email",
        }
    }

    /// The report field this input fills (the three location selects fill one).
    pub fn field(self) -> Field {
        match self {
            Input::Title => Field::Title,
            Input::Content => Field::Content,
            Input::IncidentDate => Field::IncidentDate,
            Input::Province | Input::Regency | Input::District => Field::LocationCode,
            Input::Institution => Field::InstitutionId,
            Input::Category => Field::CategoryId,
            Input::Name => Field::ReporterName,
            Input::Nik => Field::ReporterNik,
            Input::Phone => Field::ReporterPhone,
            Input::Email => Field::ReporterEmail,
        }
    }
}

/// A file the citizen picked, as far as the form needs to know it. The bytes stay in the
/// browser (the files hook keeps the blobs by [`Attachment::id`]). Its `Debug` leaves out the
/// file's name.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Unique within one page load; ties this entry to its browser blob.
    pub id: u32,
    pub name: String,
    /// The size of what will be sent (before preparation: of what was picked).
    pub size: u64,
    /// The size of the file as picked.
    pub original_size: u64,
    /// The leading bytes, for core's type sniffing.
    pub head: Vec<u8>,
    /// False while a photo is being made to fit and cleaned of its metadata.
    pub ready: bool,
    /// How far that is, in percent.
    pub progress: u8,
}

/// Why a picked file was not attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// One of core's rules (type, size, count, total).
    Rule(FieldError),
    /// An image the browser cannot decode (a HEIC photo, a damaged file).
    Undecodable,
    /// An image that stays over the limit even at the smallest size tried.
    CannotFit,
}

/// A picked file that was not attached, and why (never dropped silently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub name: String,
    pub size: u64,
    pub why: Refusal,
}

/// What the citizen types and chooses in the form's text fields and selects, all but the NIK.
/// Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Fields {
    pub title: String,
    pub content: String,
    pub incident_date: String,
    pub province: String,
    pub regency: String,
    pub district: String,
    pub institution: String,
    pub category: String,
    pub name: String,
    pub phone: String,
    pub email: String,
}

impl Fields {
    /// Whether any of the location's province, regency or kecamatan is chosen.
    pub fn has_location(&self) -> bool {
        !self.province.is_empty() || !self.regency.is_empty() || !self.district.is_empty()
    }

    /// Clears the location's province, regency and kecamatan.
    pub fn clear_location(&mut self) {
        self.province.clear();
        self.regency.clear();
        self.district.clear();
    }
}

/// What a draft keeps of the form: everything but the NIK (drafts outlive the visit, and
/// computers in internet cafés are shared) and the attachments (kept as blobs beside it).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Draft {
    pub classification: String,
    pub fields: Fields,
    pub anonymous: bool,
    pub secret: bool,
    /// The citizen chose the location (or cleared it): a site's preselection no longer
    /// applies. A draft keeps a preselected location only once it was chosen.
    pub location_chosen: bool,
}

impl Draft {
    /// Leaves out who the reporter is (name, phone, email), keeping what they reported.
    pub fn forget_identity(&mut self) {
        self.fields.name.clear();
        self.fields.phone.clear();
        self.fields.email.clear();
    }

    /// Whether the citizen has typed or chosen anything worth keeping.
    pub fn is_empty(&self) -> bool {
        Draft {
            classification: self.classification.clone(),
            location_chosen: self.location_chosen,
            ..Draft::default()
        } == *self
    }
}

/// Why a send failed, as the citizen is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer: network down, request blocked (ad-blocker, CORS, CSP), timeout.
    Network,
    /// A `5xx`, or an answer that is not the contract's.
    Server,
    /// `429`.
    RateLimited,
    /// `413`.
    TooLarge,
    /// `400`, `403`, `409`, or a `422` naming no field this version knows.
    Rejected,
}

/// Where the form is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Editing,
    /// One request in flight. `loaded`/`total`: upload progress in bytes (`total` 0: unknown).
    Sending {
        loaded: u64,
        total: u64,
    },
    Failed(Failure),
    /// No connection: the report is stored on this device and goes when the connection is
    /// back (while the page is open, or on the next visit to this site).
    Queued,
    /// The gateway confirmed with `201`/`200`.
    Done {
        tracking_id: String,
    },
}

/// What one send carries; built when the citizen submits a valid form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The form's report; `None` for a report stored at an earlier visit, which the outbox
    /// sends as it was stored.
    pub report: Option<Report>,
    /// The accepted attachments, in the order they are sent (`attachments[i]` in errors).
    pub attachment_ids: Vec<u32>,
    /// The `Idempotency-Key`: the same for every retry of the same report.
    pub idempotency_key: String,
}

/// The whole state of one widget instance. Its `Debug` shows where the form is, never what
/// the citizen typed, picked or who they are.
#[derive(Clone, PartialEq)]
pub struct FormState {
    pub lang: Lang,
    /// Today in Asia/Jakarta, fixed when the form was created.
    pub today: Date,
    pub config: Config,
    pub classification: Classification,
    pub fields: Fields,
    /// Kept apart from [`Fields`]: the NIK is never in a draft.
    pub nik: String,
    pub anonymous: bool,
    pub secret: bool,
    pub attachments: Vec<Attachment>,
    /// The files refused at the last pick.
    pub refused: Vec<Refused>,
    /// The errors shown, in the order of the form.
    pub errors: Vec<FieldError>,
    /// Core's check of the form as it is now, made once per change: the shown errors are
    /// taken from it, the warnings are its own, and a submit sends what it found valid. Shared:
    /// copying the state for a transition does not copy it.
    checked: Rc<Checked>,
    pub phase: Phase,
    /// The last send (or the one in flight).
    pub outgoing: Option<Outgoing>,
    /// A submit made while photos were still being prepared: it goes ahead, with this fresh
    /// key, once they are ready.
    pub submit_pending: Option<String>,
    /// The form was restored from a draft (the notice with "Hapus draf" shows).
    pub restored: bool,
    /// Waiting because an answer came that is not the gateway's (the network blocked the
    /// report), not because none came.
    pub blocked: bool,
    /// A report that waited on this device too long was deleted (the notice shows).
    pub expired: bool,
    /// The citizen chose (or cleared) a province, regency or kecamatan, here or in the
    /// restored draft: the site's region is no longer preselected.
    pub location_chosen: bool,
}

impl FormState {
    /// An empty form with the contract's default configuration.
    pub fn new(lang: Lang, today: Date) -> FormState {
        let mut state = FormState {
            lang,
            today,
            config: Config::default(),
            classification: Classification::Pengaduan,
            fields: Fields::default(),
            nik: String::new(),
            anonymous: false,
            secret: false,
            attachments: Vec::new(),
            refused: Vec::new(),
            errors: Vec::new(),
            checked: Rc::new(Checked {
                report: None,
                errors: Vec::new(),
                warnings: Vec::new(),
            }),
            phase: Phase::Editing,
            outgoing: None,
            submit_pending: None,
            restored: false,
            blocked: false,
            expired: false,
            location_chosen: false,
        };
        state.refresh();
        state
    }

    /// What a draft of the form as it is now keeps.
    pub fn draft(&self) -> Draft {
        let mut fields = self.fields.clone();
        if !self.location_chosen {
            // A preselection is the site's, not the citizen's: it is made again at the next
            // visit from that visit's `/config`, and alone it is no draft.
            fields.clear_location();
        }
        Draft {
            classification: self.classification.as_str().to_owned(),
            fields,
            anonymous: self.anonymous,
            secret: self.secret,
            location_chosen: self.location_chosen,
        }
    }

    /// Preselects the region of the site the widget is embedded in (`/config`'s `site`): its
    /// province, and its regency for a regency's site. Only while the location is empty and
    /// the citizen has chosen none, so a choice made before the configuration arrived, or a
    /// restored draft's, wins.
    pub(super) fn preselect(&mut self) {
        if self.location_chosen || self.fields.has_location() {
            return;
        }
        let code = match self
            .config
            .site
            .as_ref()
            .and_then(|s| s.region_code.as_deref())
        {
            Some(code) if matches!(code.len(), 2 | 4) && is_known_location(code) => code,
            _ => return,
        };
        self.fields.province = code[..2].to_owned();
        if code.len() == 4 {
            self.fields.regency = code.to_owned();
        }
    }

    /// Whether every attachment is ready to be sent.
    pub fn files_ready(&self) -> bool {
        self.attachments.iter().all(|a| a.ready)
    }

    /// The classifications offered: those of `/config` that this version knows, all three if
    /// the configuration names none of them.
    pub fn classifications(&self) -> Vec<Classification> {
        let offered: Vec<Classification> = Classification::ALL
            .into_iter()
            .filter(|c| self.config.classifications.iter().any(|s| s == c.as_str()))
            .collect();
        if offered.is_empty() {
            Classification::ALL.to_vec()
        } else {
            offered
        }
    }

    /// The report as it would be sent now.
    pub fn report(&self) -> Report {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let location = [&self.fields.district, &self.fields.regency]
            .into_iter()
            .find(|s| !s.is_empty());
        Report {
            classification: self.classification.as_str().to_owned(),
            title: self.fields.title.clone(),
            content: self.fields.content.clone(),
            incident_date: if self.classification.is_incident() {
                some(&self.fields.incident_date)
            } else {
                None
            },
            // The province alone is too coarse to route a report: without a regency the
            // location is missing, and core says so on the Kabupaten/Kota select.
            location_code: location.cloned().unwrap_or_default(),
            location_detail: None,
            institution_id: some(&self.fields.institution),
            category_id: some(&self.fields.category),
            anonymous: self.anonymous,
            secret: self.secret,
            reporter: Reporter {
                name: self.fields.name.clone(),
                nik: some(&self.nik),
                phone: self.fields.phone.clone(),
                email: some(&self.fields.email),
            },
            lang: Some(self.lang.as_str().to_owned()),
        }
    }

    /// Core's check of the form as it is now.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The warnings shown, never blocking (an unknown regency in the NIK): core's, found as
    /// soon as the NIK parses.
    pub fn warnings(&self) -> &[FieldError] {
        &self.checked.warnings
    }

    /// Checks the form again, once, after a change of what the citizen typed, picked or of
    /// the limits.
    pub(super) fn refresh(&mut self) {
        let ctx = Context {
            config: &self.config,
            today: self.today,
        };
        let max = self.config.attachments.max_file_bytes;
        let infos: Vec<AttachmentInfo<'_>> =
            self.attachments.iter().map(|a| info(a, max)).collect();
        self.checked = Rc::new(validate_submission(&self.report(), &infos, &ctx));
    }

    /// Whether a request is in flight (the submit button stays enabled but does nothing).
    pub fn is_sending(&self) -> bool {
        matches!(self.phase, Phase::Sending { .. })
    }

    /// Re-validates the given fields, only where an error is already shown (GOV.UK: fields are
    /// checked live once they have been found wrong, not while the citizen is first typing).
    pub(super) fn revalidate(&mut self, fields: &[Field]) {
        let touched = |f: &Field| fields.iter().any(|g| same_field(*g, *f));
        if !self.errors.iter().any(|e| touched(&e.field)) {
            return;
        }
        let fresh = self.checked.errors.clone();
        let was_in_error: Vec<Field> = self
            .errors
            .iter()
            .map(|e| e.field)
            .filter(|f| touched(f))
            .collect();
        self.errors.retain(|e| !touched(&e.field));
        self.errors.extend(
            fresh.into_iter().filter(|e| {
                touched(&e.field) && was_in_error.iter().any(|f| same_field(*f, e.field))
            }),
        );
        sort_in_form_order(&mut self.errors);
    }

    /// Takes in picked files, refusing (with why) each that breaks one of core's rules alone
    /// or with those already attached.
    pub(super) fn accept_files(&mut self, picked: Vec<Attachment>) {
        self.refused.clear();
        let limits = &self.config.attachments;
        for file in picked {
            let head = info(&file, limits.max_file_bytes);
            // The file alone: its type and size.
            let own = check_attachments(&[head], limits);
            if let Some(error) = own.into_iter().find(|e| e.field == Field::Attachment(0)) {
                let error = FieldError::new(Field::Attachments, error.code);
                self.refused.push(Refused {
                    name: file.name,
                    size: file.size,
                    why: Refusal::Rule(error),
                });
                continue;
            }
            // The file with those already attached: the count and the total.
            let mut infos: Vec<AttachmentInfo<'_>> = self
                .attachments
                .iter()
                .map(|a| info(a, limits.max_file_bytes))
                .collect();
            infos.push(head);
            let set = check_attachments(&infos, limits);
            if let Some(error) = set.into_iter().find(|e| e.field == Field::Attachments) {
                self.refused.push(Refused {
                    name: file.name,
                    size: file.size,
                    why: Refusal::Rule(error),
                });
                continue;
            }
            self.attachments.push(file);
        }
    }
}

/// Two fields shown in the same place count as one for live re-validation.
fn same_field(a: Field, b: Field) -> bool {
    a == b || (a.is_attachment() && b.is_attachment())
}

/// What core checks of an attachment. A photo still being made to fit counts at the most it
/// will weigh, the per-file limit: its own size is not its final one.
fn info(a: &Attachment, max_file_bytes: u64) -> AttachmentInfo<'_> {
    AttachmentInfo {
        name: &a.name,
        size: if a.ready {
            a.size
        } else {
            a.size.min(max_file_bytes)
        },
        head: &a.head,
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fields { .. }")
    }
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("id", &self.id)
            .field("size", &self.size)
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FormState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormState")
            .field("classification", &self.classification)
            .field("phase", &self.phase)
            .field("errors", &self.errors)
            .field("attachments", &self.attachments)
            .finish_non_exhaustive()
    }
}
