//! The form: one state and one transition function, plain Rust.
//!
//! Everything the citizen types, every error shown and the sending phase live in [`FormState`];
//! every change is an [`Action`] applied by [`reduce`]. Nothing here touches the browser, so the
//! whole behaviour of the form (validation on submit, live re-validation of fields in error,
//! the refusal of attachments, the one-send-at-a-time rule, the reuse of the idempotency key)
//! is unit-tested natively. The Yew `Reducible` impl in `app.rs` only adapts [`reduce`].

use lapor_core::attachment::{check_attachments, AttachmentInfo};
use lapor_core::error::sort_in_form_order;
use lapor_core::identity::Nik;
use lapor_core::messages::Lang;
use lapor_core::validate::{validate_submission, Context};
use lapor_core::{Classification, Code, Config, Date, Field, FieldError, Report, Reporter};

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

/// A file the citizen picked, as far as the form needs to know it. The bytes stay in the
/// browser (the files hook keeps the blobs by [`Attachment::id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
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

/// What a draft keeps of the form: everything but the NIK (drafts outlive the visit, and
/// computers in internet cafés are shared) and the attachments (kept as blobs beside it).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Draft {
    pub classification: String,
    pub fields: Fields,
    pub anonymous: bool,
    pub secret: bool,
}

impl Draft {
    /// Whether the citizen has typed or chosen anything worth keeping.
    pub fn is_empty(&self) -> bool {
        Draft {
            classification: self.classification.clone(),
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
    /// Counts the sends of this form ([`FormState::sends`]); the sending hook starts a
    /// request when it changes.
    pub attempt: u32,
    pub report: Report,
    /// The accepted attachments, in the order they are sent (`attachments[i]` in errors).
    pub attachment_ids: Vec<u32>,
    /// The `Idempotency-Key`: the same for every retry of the same report.
    pub idempotency_key: String,
}

/// The whole state of one widget instance.
#[derive(Debug, Clone, PartialEq)]
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
    /// Shown, never blocking (an unknown regency in the NIK).
    pub warnings: Vec<FieldError>,
    pub phase: Phase,
    /// The last send (or the one in flight).
    pub outgoing: Option<Outgoing>,
    /// Bumped whenever the error summary must take focus.
    pub summary_focus: u32,
    /// How many sends this form started, a new report included.
    pub sends: u32,
    /// A submit made while photos were still being prepared: it goes ahead, with this fresh
    /// key, once they are ready.
    pub submit_pending: Option<String>,
    /// The form was restored from a draft (the notice with "Hapus draf" shows).
    pub restored: bool,
}

/// Everything that can happen to the form.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    ConfigLoaded(Config),
    Classify(Classification),
    Edit(Input, String),
    SetAnonymous(bool),
    SetSecret(bool),
    FilesPicked(Vec<Attachment>),
    /// A photo made to fit: what will be sent instead of what was picked.
    FilePrepared {
        id: u32,
        name: String,
        size: u64,
        head: Vec<u8>,
    },
    /// How far the preparation of a photo is, in percent.
    FileProgress {
        id: u32,
        percent: u8,
    },
    /// A photo that could not be prepared: it is refused, with why.
    FileFailed {
        id: u32,
        why: Refusal,
    },
    RemoveFile(u32),
    /// Submit (or retry). `fresh_key` is used only if this report has no key yet.
    Submit {
        fresh_key: String,
    },
    Progress {
        loaded: u64,
        total: u64,
    },
    Sent {
        tracking_id: String,
    },
    /// A `422`: the gateway's field errors.
    ServerErrors(Vec<FieldError>),
    SendFailed(Failure),
    /// No answer, and the report is stored on this device to be sent later.
    Queued,
    /// Send a stored report again (the connection is back, or the citizen asked), same key.
    Retry,
    /// A report stored on this device at an earlier visit (its key): send it now.
    Resume {
        idempotency_key: String,
    },
    /// A draft found on this device, with its attachments.
    Restore(Draft, Vec<Attachment>),
    /// "Hapus draf": an empty form.
    DiscardDraft,
    /// "Buat laporan baru": an empty form, keeping the configuration.
    Reset,
}

impl FormState {
    /// An empty form with the contract's default configuration.
    pub fn new(lang: Lang, today: Date) -> FormState {
        FormState {
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
            warnings: Vec::new(),
            phase: Phase::Editing,
            outgoing: None,
            summary_focus: 0,
            sends: 0,
            submit_pending: None,
            restored: false,
        }
    }

    /// What a draft of the form as it is now keeps.
    pub fn draft(&self) -> Draft {
        Draft {
            classification: self.classification.as_str().to_owned(),
            fields: self.fields.clone(),
            anonymous: self.anonymous,
            secret: self.secret,
        }
    }

    /// The submit made while photos were being prepared, once they all are.
    fn submit_if_pending(&mut self) {
        if self.files_ready() {
            if let Some(fresh_key) = self.submit_pending.take() {
                reduce(self, Action::Submit { fresh_key });
            }
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

    /// Every problem of the form as it is now: the report's and the attachments'.
    pub fn check(&self) -> Vec<FieldError> {
        let ctx = Context {
            config: &self.config,
            today: self.today,
        };
        let max = self.config.attachments.max_file_bytes;
        let infos: Vec<AttachmentInfo<'_>> =
            self.attachments.iter().map(|a| info(a, max)).collect();
        validate_submission(&self.report(), &infos, &ctx).errors
    }

    /// The errors shown for one field of the page (see [`dom_id`]).
    pub fn errors_at(&self, id: &str) -> Vec<&FieldError> {
        self.errors
            .iter()
            .filter(|e| dom_id(e.field, self) == id)
            .collect()
    }

    /// The warnings shown for one field of the page.
    pub fn warnings_at(&self, id: &str) -> Vec<&FieldError> {
        self.warnings
            .iter()
            .filter(|e| dom_id(e.field, self) == id)
            .collect()
    }

    /// Whether a request is in flight (the submit button stays enabled but does nothing).
    pub fn is_sending(&self) -> bool {
        matches!(self.phase, Phase::Sending { .. })
    }

    /// Re-validates the given fields, only where an error is already shown (GOV.UK: fields are
    /// checked live once they have been found wrong, not while the citizen is first typing).
    fn revalidate(&mut self, fields: &[Field]) {
        let touched = |f: &Field| fields.iter().any(|g| same_field(*g, *f));
        if !self.errors.iter().any(|e| touched(&e.field)) {
            return;
        }
        let fresh = self.check();
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

    /// The NIK warning, live: shown as soon as the NIK parses and its regency is unknown.
    fn update_warnings(&mut self) {
        let unknown_regency = Nik::parse(&self.nik, self.today)
            .map(|nik| nik.regency_unknown())
            .unwrap_or(false);
        self.warnings = if unknown_regency {
            vec![FieldError::new(Field::ReporterNik, Code::NikRegencyUnknown)]
        } else {
            Vec::new()
        };
    }

    fn accept_files(&mut self, picked: Vec<Attachment>) {
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

/// Applies one action to the state.
pub fn reduce(state: &mut FormState, action: Action) {
    match action {
        Action::ConfigLoaded(config) => {
            state.config = config;
            let offered = state.classifications();
            if !offered.contains(&state.classification) {
                if let Some(first) = offered.first() {
                    state.classification = *first;
                }
            }
        }
        Action::Classify(classification) => {
            state.classification = classification;
            state.revalidate(&[
                Field::Classification,
                Field::IncidentDate,
                Field::LocationCode,
            ]);
        }
        Action::Edit(input, value) => {
            let (slot, field) = match input {
                Input::Title => (&mut state.fields.title, Field::Title),
                Input::Content => (&mut state.fields.content, Field::Content),
                Input::IncidentDate => (&mut state.fields.incident_date, Field::IncidentDate),
                Input::Province => (&mut state.fields.province, Field::LocationCode),
                Input::Regency => (&mut state.fields.regency, Field::LocationCode),
                Input::District => (&mut state.fields.district, Field::LocationCode),
                Input::Institution => (&mut state.fields.institution, Field::InstitutionId),
                Input::Category => (&mut state.fields.category, Field::CategoryId),
                Input::Name => (&mut state.fields.name, Field::ReporterName),
                Input::Nik => (&mut state.nik, Field::ReporterNik),
                Input::Phone => (&mut state.fields.phone, Field::ReporterPhone),
                Input::Email => (&mut state.fields.email, Field::ReporterEmail),
            };
            *slot = value;
            // A choice higher in the cascade clears the choices below it.
            match input {
                Input::Province => {
                    state.fields.regency.clear();
                    state.fields.district.clear();
                }
                Input::Regency => state.fields.district.clear(),
                _ => {}
            }
            if input == Input::Nik {
                state.update_warnings();
            }
            state.revalidate(&[field]);
        }
        Action::SetAnonymous(on) => state.anonymous = on,
        Action::SetSecret(on) => state.secret = on,
        Action::FilesPicked(files) => {
            state.accept_files(files);
            state.revalidate(&[Field::Attachments]);
        }
        Action::FilePrepared {
            id,
            name,
            size,
            head,
        } => {
            if let Some(a) = state.attachments.iter_mut().find(|a| a.id == id) {
                a.name = name;
                a.size = size;
                a.head = head;
                a.ready = true;
            }
            state.revalidate(&[Field::Attachments]);
            state.submit_if_pending();
        }
        Action::FileProgress { id, percent } => {
            if let Some(a) = state
                .attachments
                .iter_mut()
                .find(|a| a.id == id && !a.ready)
            {
                a.progress = percent.min(100);
            }
        }
        Action::FileFailed { id, why } => {
            if let Some(i) = state.attachments.iter().position(|a| a.id == id) {
                let a = state.attachments.remove(i);
                state.refused.push(Refused {
                    name: a.name,
                    size: a.original_size,
                    why,
                });
            }
            state.revalidate(&[Field::Attachments]);
            state.submit_if_pending();
        }
        Action::RemoveFile(id) => {
            state.attachments.retain(|a| a.id != id);
            // Indices of `attachments[i]` errors changed: recompute them from the files left.
            state.errors.retain(|e| !e.field.is_attachment());
            let fresh = state.check();
            state
                .errors
                .extend(fresh.into_iter().filter(|e| e.field.is_attachment()));
            sort_in_form_order(&mut state.errors);
        }
        Action::Submit { fresh_key } => {
            if state.is_sending() || matches!(state.phase, Phase::Done { .. } | Phase::Queued) {
                // A double click, or a click while the first request runs: never a second send.
                return;
            }
            if !state.files_ready() {
                // Photos are still being made to fit: the submit waits for them.
                state.submit_pending = Some(fresh_key);
                return;
            }
            state.update_warnings();
            state.errors = state.check();
            if !state.errors.is_empty() {
                state.phase = Phase::Editing;
                state.summary_focus += 1;
                return;
            }
            let report = state.report();
            let attachment_ids: Vec<u32> = state.attachments.iter().map(|a| a.id).collect();
            state.sends += 1;
            let attempt = state.sends;
            // The same report keeps its key, so a retry after a lost answer is recognised by
            // the gateway (200, the first receipt) instead of filed twice. A changed report is
            // a new report: reusing the key would only earn a 409.
            let idempotency_key = match &state.outgoing {
                Some(o) if o.report == report && o.attachment_ids == attachment_ids => {
                    o.idempotency_key.clone()
                }
                _ => fresh_key,
            };
            state.outgoing = Some(Outgoing {
                attempt,
                report,
                attachment_ids,
                idempotency_key,
            });
            state.phase = Phase::Sending {
                loaded: 0,
                total: 0,
            };
        }
        Action::Progress { loaded, total } => {
            if state.is_sending() {
                state.phase = Phase::Sending { loaded, total };
            }
        }
        Action::Sent { tracking_id } => state.phase = Phase::Done { tracking_id },
        Action::ServerErrors(mut errors) => {
            sort_in_form_order(&mut errors);
            errors.dedup();
            state.errors = errors;
            state.phase = Phase::Editing;
            state.summary_focus += 1;
        }
        Action::SendFailed(failure) => state.phase = Phase::Failed(failure),
        Action::Queued => {
            if state.is_sending() {
                state.phase = Phase::Queued;
            }
        }
        Action::Retry => {
            if matches!(state.phase, Phase::Queued | Phase::Failed(_)) {
                if let Some(outgoing) = state.outgoing.as_mut() {
                    state.sends += 1;
                    outgoing.attempt = state.sends;
                    state.phase = Phase::Sending {
                        loaded: 0,
                        total: 0,
                    };
                }
            }
        }
        Action::Resume { idempotency_key } => {
            if state.phase == Phase::Editing && state.outgoing.is_none() {
                state.sends += 1;
                state.outgoing = Some(Outgoing {
                    attempt: state.sends,
                    report: state.report(),
                    attachment_ids: state.attachments.iter().map(|a| a.id).collect(),
                    idempotency_key,
                });
                state.phase = Phase::Sending {
                    loaded: 0,
                    total: 0,
                };
            }
        }
        Action::Restore(draft, attachments) => {
            if let Some(kind) = Classification::ALL
                .into_iter()
                .find(|c| c.as_str() == draft.classification)
            {
                state.classification = kind;
            }
            state.fields = draft.fields;
            state.anonymous = draft.anonymous;
            state.secret = draft.secret;
            state.attachments = attachments;
            state.restored = true;
        }
        Action::DiscardDraft => reduce(state, Action::Reset),
        Action::Reset => {
            let mut fresh = FormState::new(state.lang, state.today);
            fresh.config = std::mem::take(&mut state.config);
            // Counters keep counting, so the hooks keyed on them see every new event as new.
            fresh.summary_focus = state.summary_focus;
            fresh.sends = state.sends;
            *state = fresh;
        }
    }
}

/// The id of the element of the page where an error of `field` is shown and focused.
pub fn dom_id(field: Field, state: &FormState) -> &'static str {
    match field {
        Field::Classification => "lapor-classification",
        Field::Title => "lapor-title",
        Field::Content => "lapor-content",
        Field::IncidentDate => "lapor-incident-date",
        // The first select still to choose; the regency once a province is chosen.
        Field::LocationCode | Field::LocationDetail if state.fields.province.is_empty() => {
            "lapor-province"
        }
        Field::LocationCode | Field::LocationDetail => "lapor-regency",
        Field::InstitutionId => "lapor-institution",
        Field::CategoryId => "lapor-category",
        Field::ReporterName => "lapor-name",
        Field::ReporterNik => "lapor-nik",
        Field::ReporterPhone => "lapor-phone",
        Field::ReporterEmail => "lapor-email",
        Field::Attachment(_) | Field::Attachments => "lapor-attachments",
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

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'];
    const PDF: &[u8] = b"%PDF-1.7";

    fn today() -> Date {
        Date::new(2026, 11, 28).expect("a real date")
    }

    fn form() -> FormState {
        FormState::new(Lang::Id, today())
    }

    fn apply(state: &mut FormState, actions: impl IntoIterator<Item = Action>) {
        for action in actions {
            reduce(state, action);
        }
    }

    fn edit(input: Input, value: &str) -> Action {
        Action::Edit(input, value.to_owned())
    }

    fn submit() -> Action {
        Action::Submit {
            fresh_key: "key-1".to_owned(),
        }
    }

    /// A complete, valid Pengaduan.
    fn filled() -> FormState {
        let mut s = form();
        apply(
            &mut s,
            [
                edit(Input::Title, "Lampu jalan mati di Jl. Ahmad Yani"),
                edit(
                    Input::Content,
                    "Sudah dua minggu lampu jalan di depan sekolah mati total.",
                ),
                edit(Input::IncidentDate, "2026-11-20"),
                edit(Input::Province, "64"),
                edit(Input::Regency, "6474"),
                edit(Input::Name, "Siti Rahma"),
                edit(Input::Nik, "6474015708900003"),
                edit(Input::Phone, "0812 3456 7890"),
            ],
        );
        s
    }

    fn fields(errors: &[FieldError]) -> Vec<String> {
        errors
            .iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect()
    }

    /// The code of a file refused by one of core's rules.
    fn rule_code(r: &Refused) -> Code {
        match &r.why {
            Refusal::Rule(e) => e.code,
            other => panic!("{} refused for {other:?}, not by a rule", r.name),
        }
    }

    fn file(id: u32, name: &str, size: u64, head: &[u8]) -> Attachment {
        Attachment {
            id,
            name: name.to_owned(),
            size,
            original_size: size,
            head: head.to_vec(),
            ready: true,
            progress: 0,
        }
    }

    #[test]
    fn an_empty_submit_names_every_missing_field_in_page_order() {
        let mut s = form();
        reduce(&mut s, submit());
        assert_eq!(
            fields(&s.errors),
            [
                "title:required",
                "content:required",
                "incident_date:required",
                "location_code:required",
                "reporter.name:required",
                "reporter.nik:required",
                "reporter.phone:required",
            ]
        );
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(s.summary_focus, 1);
        assert_eq!(s.outgoing, None);
    }

    #[test]
    fn nothing_is_checked_before_the_first_submit() {
        let mut s = form();
        apply(&mut s, [edit(Input::Title, "x"), edit(Input::Nik, "123")]);
        assert!(s.errors.is_empty());
    }

    #[test]
    fn fields_in_error_are_checked_live_and_others_wait() {
        let mut s = form();
        reduce(&mut s, submit());
        reduce(&mut s, edit(Input::Title, "pendek"));
        assert!(fields(&s.errors).contains(&"title:too_short".to_owned()));
        reduce(&mut s, edit(Input::Title, "Jalan berlubang di depan pasar"));
        assert!(s.errors_at("lapor-title").is_empty());
        // Email was never in error: a wrong one shows nothing until the next submit.
        reduce(&mut s, edit(Input::Email, "bukan-email"));
        assert!(s.errors_at("lapor-email").is_empty());
        reduce(&mut s, submit());
        assert_eq!(
            fields(
                &s.errors_at("lapor-email")
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            ),
            ["reporter.email:email_format"]
        );
    }

    #[test]
    fn a_wrong_nik_is_named_with_its_reason() {
        let mut s = filled();
        apply(&mut s, [edit(Input::Nik, "6474013208900003"), submit()]);
        assert_eq!(fields(&s.errors), ["reporter.nik:nik_birth_date"]);
        reduce(&mut s, edit(Input::Nik, "6474 0157 0890 0000"));
        assert_eq!(fields(&s.errors), ["reporter.nik:nik_serial"]);
    }

    #[test]
    fn a_valid_form_is_sent_once_however_often_it_is_submitted() {
        let mut s = filled();
        apply(
            &mut s,
            [
                submit(),
                Action::Submit {
                    fresh_key: "key-2".to_owned(),
                },
            ],
        );
        let out = s.outgoing.clone().expect("a send");
        assert_eq!(
            out.attempt, 1,
            "the second click must not start a second send"
        );
        assert_eq!(out.idempotency_key, "key-1");
        assert_eq!(out.report.location_code, "6474");
        assert_eq!(out.report.incident_date.as_deref(), Some("2026-11-20"));
        assert_eq!(out.report.reporter.email, None);
        assert!(s.is_sending());
    }

    #[test]
    fn a_retry_reuses_the_key_and_a_changed_report_gets_a_new_one() {
        let mut s = filled();
        apply(&mut s, [submit(), Action::SendFailed(Failure::Network)]);
        assert_eq!(s.phase, Phase::Failed(Failure::Network));
        assert_eq!(
            s.fields.title, "Lampu jalan mati di Jl. Ahmad Yani",
            "everything is kept"
        );
        reduce(
            &mut s,
            Action::Submit {
                fresh_key: "key-2".to_owned(),
            },
        );
        let out = s.outgoing.clone().expect("a send");
        assert_eq!((out.attempt, out.idempotency_key.as_str()), (2, "key-1"));
        apply(
            &mut s,
            [
                Action::SendFailed(Failure::Server),
                edit(Input::Title, "Lampu jalan mati di Jl. Sudirman"),
                Action::Submit {
                    fresh_key: "key-3".to_owned(),
                },
            ],
        );
        assert_eq!(s.outgoing.expect("a send").idempotency_key, "key-3");
    }

    #[test]
    fn only_a_confirmation_ends_the_form_and_reset_starts_a_new_report() {
        let mut s = filled();
        apply(
            &mut s,
            [
                submit(),
                Action::Progress {
                    loaded: 5,
                    total: 10,
                },
            ],
        );
        assert_eq!(
            s.phase,
            Phase::Sending {
                loaded: 5,
                total: 10
            }
        );
        reduce(
            &mut s,
            Action::Sent {
                tracking_id: "LPR-7K2M-9QXA".to_owned(),
            },
        );
        assert_eq!(
            s.phase,
            Phase::Done {
                tracking_id: "LPR-7K2M-9QXA".to_owned()
            }
        );
        reduce(&mut s, submit());
        assert_eq!(
            s.outgoing.as_ref().map(|o| o.attempt),
            Some(1),
            "no send after the receipt"
        );
        reduce(&mut s, Action::Reset);
        assert_eq!(s.fields.title, "");
        assert_eq!(s.phase, Phase::Editing);
        reduce(&mut s, submit());
        assert!(!s.errors.is_empty());
        let mut again = filled();
        again.sends = s.sends;
        apply(
            &mut again,
            [Action::Submit {
                fresh_key: "key-9".to_owned(),
            }],
        );
        assert_eq!(
            again.outgoing.map(|o| (o.attempt, o.idempotency_key)),
            Some((2, "key-9".to_owned()))
        );
    }

    #[test]
    fn server_errors_land_on_the_same_fields() {
        let mut s = filled();
        apply(
            &mut s,
            [
                submit(),
                Action::ServerErrors(vec![
                    FieldError::new(Field::ReporterPhone, Code::PhoneFormat),
                    FieldError::new(Field::Attachment(0), Code::FileType),
                    FieldError::new(Field::Title, Code::TooLong),
                ]),
            ],
        );
        assert_eq!(
            fields(&s.errors),
            [
                "title:too_long",
                "attachments[0]:file_type",
                "reporter.phone:phone_format"
            ]
        );
        assert_eq!(s.errors_at("lapor-attachments").len(), 1);
        assert_eq!(s.phase, Phase::Editing);
        assert_eq!(s.summary_focus, 1);
        // Fixing the title locally clears the server's title error; the others stay.
        reduce(
            &mut s,
            edit(Input::Title, "Lampu jalan mati di Jl. Gatot Subroto"),
        );
        assert_eq!(
            fields(&s.errors),
            ["attachments[0]:file_type", "reporter.phone:phone_format"]
        );
    }

    #[test]
    fn aspirasi_has_no_incident_date() {
        let mut s = filled();
        apply(
            &mut s,
            [Action::Classify(Classification::Aspirasi), submit()],
        );
        let out = s.outgoing.expect("a send");
        assert_eq!(out.report.classification, "aspirasi");
        assert_eq!(
            out.report.incident_date, None,
            "the typed date is kept but not sent"
        );
        assert_eq!(s.fields.incident_date, "2026-11-20");
    }

    #[test]
    fn switching_kind_clears_an_incident_date_error() {
        let mut s = form();
        reduce(&mut s, submit());
        assert_eq!(s.errors_at("lapor-incident-date").len(), 1);
        reduce(
            &mut s,
            Action::Classify(Classification::PermintaanInformasi),
        );
        assert!(s.errors_at("lapor-incident-date").is_empty());
    }

    #[test]
    fn the_location_cascade_clears_lower_choices_and_points_at_the_missing_one() {
        let mut s = filled();
        apply(
            &mut s,
            [edit(Input::District, "647401"), edit(Input::Province, "63")],
        );
        assert_eq!(
            (s.fields.regency.as_str(), s.fields.district.as_str()),
            ("", "")
        );
        reduce(&mut s, submit());
        assert_eq!(fields(&s.errors), ["location_code:required"]);
        assert_eq!(
            s.errors_at("lapor-regency").len(),
            1,
            "the province is chosen, the regency is missing"
        );
        apply(&mut s, [edit(Input::Province, "")]);
        assert_eq!(s.errors_at("lapor-province").len(), 1);
    }

    #[test]
    fn the_district_is_sent_when_chosen() {
        let mut s = filled();
        apply(&mut s, [edit(Input::District, "647401"), submit()]);
        assert_eq!(s.outgoing.expect("a send").report.location_code, "647401");
    }

    #[test]
    fn refused_files_are_listed_with_their_reason_and_good_ones_kept() {
        let mut s = form();
        reduce(
            &mut s,
            Action::FilesPicked(vec![
                file(1, "foto.jpg", 500_000, JPEG),
                file(2, "besar.pdf", 3 * 1024 * 1024, PDF),
                file(3, "kosong.png", 0, &[]),
                file(4, "surat.docx", 10_000, b"PK\x03\x04abcd"),
            ]),
        );
        assert_eq!(s.attachments.iter().map(|a| a.id).collect::<Vec<_>>(), [1]);
        let refused: Vec<(&str, Code)> = s
            .refused
            .iter()
            .map(|r| (r.name.as_str(), rule_code(r)))
            .collect();
        assert_eq!(
            refused,
            [
                ("besar.pdf", Code::FileTooLarge),
                ("kosong.png", Code::FileEmpty),
                ("surat.docx", Code::FileType)
            ]
        );
    }

    #[test]
    fn the_sixth_file_is_refused_for_the_count() {
        let mut s = form();
        let picked = (1..=6)
            .map(|i| file(i, &format!("f{i}.pdf"), 1000, PDF))
            .collect();
        reduce(&mut s, Action::FilesPicked(picked));
        assert_eq!(s.attachments.len(), 5);
        assert_eq!(s.refused.len(), 1);
        assert_eq!(
            (s.refused[0].name.as_str(), rule_code(&s.refused[0])),
            ("f6.pdf", Code::TooManyFiles)
        );
        reduce(&mut s, Action::RemoveFile(3));
        assert_eq!(
            s.attachments.iter().map(|a| a.id).collect::<Vec<_>>(),
            [1, 2, 4, 5]
        );
    }

    #[test]
    fn the_nik_warning_shows_but_does_not_block() {
        let mut s = filled();
        // Province 64 exists; regency 6499 does not.
        reduce(&mut s, edit(Input::Nik, "6499015708900003"));
        assert_eq!(fields(&s.warnings), ["reporter.nik:nik_regency_unknown"]);
        reduce(&mut s, submit());
        assert!(s.errors.is_empty());
        assert!(s.is_sending());
    }

    #[test]
    fn config_limits_apply_and_an_unoffered_kind_is_replaced() {
        let mut s = filled();
        let mut config = Config {
            classifications: vec!["aspirasi".to_owned()],
            ..Config::default()
        };
        config.limits.title_max = 12;
        reduce(&mut s, Action::ConfigLoaded(config));
        assert_eq!(s.classifications(), [Classification::Aspirasi]);
        assert_eq!(s.classification, Classification::Aspirasi);
        reduce(&mut s, submit());
        assert_eq!(fields(&s.errors), ["title:too_long"]);
    }

    #[test]
    fn a_config_without_known_kinds_offers_all_three() {
        let mut s = form();
        let config = Config {
            classifications: vec!["lainnya".to_owned()],
            ..Config::default()
        };
        reduce(&mut s, Action::ConfigLoaded(config));
        assert_eq!(s.classifications(), Classification::ALL);
    }

    /// A 5 MB photo while it is being made to fit.
    fn photo_in_work(id: u32) -> Attachment {
        Attachment {
            ready: false,
            ..file(id, "IMG_2041.jpg", 5_000_000, JPEG)
        }
    }

    #[test]
    fn an_oversized_photo_is_taken_in_and_waits_to_be_made_to_fit() {
        let mut s = filled();
        apply(&mut s, [Action::FilesPicked(vec![photo_in_work(1)])]);
        assert!(s.refused.is_empty(), "{:?}", s.refused);
        assert_eq!(s.attachments.len(), 1);
        assert!(!s.files_ready());
        // A submit now waits for the photo instead of sending without it or refusing it.
        apply(&mut s, [submit()]);
        assert_eq!(s.phase, Phase::Editing);
        assert!(s.outgoing.is_none());
        apply(
            &mut s,
            [Action::FilePrepared {
                id: 1,
                name: "IMG_2041.jpg".into(),
                size: 900_000,
                head: JPEG.to_vec(),
            }],
        );
        assert!(
            s.is_sending(),
            "the waiting submit goes ahead once the photo is ready"
        );
        let o = s.outgoing.as_ref().unwrap();
        assert_eq!(
            (o.idempotency_key.as_str(), &o.attachment_ids[..]),
            ("key-1", &[1][..])
        );
        assert_eq!(s.attachments[0].size, 900_000);
        assert_eq!(s.attachments[0].original_size, 5_000_000);
    }

    #[test]
    fn a_photo_that_cannot_be_prepared_is_refused_with_why_and_the_submit_goes_on() {
        let mut s = filled();
        apply(
            &mut s,
            [
                Action::FilesPicked(vec![photo_in_work(1)]),
                submit(),
                Action::FileFailed {
                    id: 1,
                    why: Refusal::Undecodable,
                },
            ],
        );
        assert!(s.attachments.is_empty());
        assert_eq!(s.refused.len(), 1);
        assert_eq!(s.refused[0].why, Refusal::Undecodable);
        assert_eq!(s.refused[0].size, 5_000_000);
        assert!(s.is_sending());
    }

    #[test]
    fn no_answer_queues_the_report_and_a_retry_sends_it_with_the_same_key() {
        let mut s = filled();
        apply(&mut s, [submit(), Action::Queued]);
        assert_eq!(s.phase, Phase::Queued);
        // Submitting again while queued does nothing: the stored report goes, not a new one.
        apply(
            &mut s,
            [Action::Submit {
                fresh_key: "key-2".into(),
            }],
        );
        assert_eq!(s.phase, Phase::Queued);
        let attempt = s.outgoing.as_ref().unwrap().attempt;
        apply(&mut s, [Action::Retry]);
        assert!(s.is_sending());
        let o = s.outgoing.as_ref().unwrap();
        assert_eq!(o.idempotency_key, "key-1");
        assert!(o.attempt > attempt, "a retry is a new attempt");
        apply(
            &mut s,
            [Action::Sent {
                tracking_id: "LPR-1".into(),
            }],
        );
        assert_eq!(
            s.phase,
            Phase::Done {
                tracking_id: "LPR-1".into()
            }
        );
        // A retry after the receipt does nothing.
        apply(&mut s, [Action::Retry]);
        assert!(!s.is_sending());
    }

    #[test]
    fn a_report_stored_at_an_earlier_visit_is_resumed_with_its_key() {
        let mut s = form();
        apply(
            &mut s,
            [Action::Resume {
                idempotency_key: "stored-key".into(),
            }],
        );
        assert!(s.is_sending());
        assert_eq!(s.outgoing.as_ref().unwrap().idempotency_key, "stored-key");
        // Only once: a second resume while one runs changes nothing.
        let before = s.clone();
        apply(
            &mut s,
            [Action::Resume {
                idempotency_key: "other".into(),
            }],
        );
        assert_eq!(s, before);
    }

    #[test]
    fn a_draft_keeps_everything_but_the_nik_and_restores_it() {
        let s = filled();
        let draft = s.draft();
        assert!(!draft.is_empty());
        assert_eq!(draft.fields.title, s.fields.title);
        assert_eq!(draft.fields.regency, "6474");
        let kept = format!("{draft:?}");
        assert!(
            !kept.contains("6474015708900003"),
            "the NIK is never in a draft"
        );

        let mut restored = form();
        apply(
            &mut restored,
            [Action::Restore(
                draft.clone(),
                vec![file(7, "foto.jpg", 10, JPEG)],
            )],
        );
        assert!(restored.restored);
        assert_eq!(restored.draft(), draft);
        assert!(restored.nik.is_empty());
        assert_eq!(restored.attachments.len(), 1);
        // "Hapus draf": an empty form, no notice.
        apply(&mut restored, [Action::DiscardDraft]);
        assert!(restored.draft().is_empty());
        assert!(!restored.restored);
        assert!(restored.attachments.is_empty());
        assert!(form().draft().is_empty());
    }
}
