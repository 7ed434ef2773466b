//! The view-model step: the form's state and its texts become what the page shows, as plain
//! data (every message worded, every hint filled in). The Yew components in `ui/` only render
//! these models, so everything the citizen reads is tested natively.

use lapor_core::attachment::{sniff, FileKind};
use lapor_core::messages::{field_error_message, format_bytes, message, Lang};
use lapor_core::{Classification, Code, Field, FieldError};

use super::state::{Attachment, Failure, FormState, Input, Phase, Refusal};
use crate::i18n::{fill, texts, type_name, Texts};

/// Where a field is shown on the page and what it is called there: the id of the element an
/// error of the field is shown at (and that the summary focuses), and its visible label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub id: &'static str,
    pub label: &'static str,
}

/// The one table of the form's places, keyed by core's [`Field`]. The location is shown at
/// the first select still to choose: the province, or the regency once a province is chosen.
pub fn place(field: Field, province_chosen: bool, t: &'static Texts) -> Place {
    let (input, label) = match field {
        Field::Classification => {
            return Place {
                id: "lapor-classification",
                label: t.classification_legend,
            }
        }
        Field::Attachment(_) | Field::Attachments => {
            return Place {
                id: "lapor-attachments",
                label: t.attachments_label,
            }
        }
        Field::Title => (Input::Title, t.title_label),
        Field::Content => (Input::Content, t.content_label),
        Field::IncidentDate => (Input::IncidentDate, t.incident_date_label),
        Field::LocationCode | Field::LocationDetail if !province_chosen => {
            (Input::Province, t.province_label)
        }
        Field::LocationCode | Field::LocationDetail => (Input::Regency, t.regency_label),
        Field::InstitutionId => (Input::Institution, t.institution_label),
        Field::CategoryId => (Input::Category, t.category_label),
        Field::ReporterName => (Input::Name, t.name_label),
        Field::ReporterNik => (Input::Nik, t.nik_label),
        Field::ReporterPhone => (Input::Phone, t.phone_label),
        Field::ReporterEmail => (Input::Email, t.email_label),
    };
    Place {
        id: input.dom_id(),
        label,
    }
}

/// The errors shown at the element with this id.
pub fn errors_at<'a>(state: &'a FormState, id: &str) -> Vec<&'a FieldError> {
    let (chosen, t) = (!state.fields.province.is_empty(), texts(state.lang));
    state
        .errors
        .iter()
        .filter(|e| place(e.field, chosen, t).id == id)
        .collect()
}

/// The messages under one field: its errors, then its warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// One problem in the error summary: the id of its field and its sentence, which names the
/// field ("Bagian ini wajib diisi" alone would not say where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    pub target: &'static str,
    pub message: String,
}

/// One kind of report offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub value: Classification,
    pub label: &'static str,
    pub hint: &'static str,
}

/// One attached file as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub id: u32,
    pub name: String,
    /// Its type as a citizen calls it ("foto JPEG"); empty when unknown.
    pub kind: &'static str,
    /// The size that will be sent.
    pub size: String,
    /// What became of the file, or how far its preparation is.
    pub note: Option<String>,
    pub ready: bool,
    /// A ready JPEG or PNG, drawn as a thumbnail.
    pub thumbnail: bool,
    /// The accessible name of its remove button ("Hapus foto.jpg").
    pub remove_label: String,
}

/// Everything the form shows, worded. The inline messages are by field, in the order of the
/// form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormView {
    pub kinds: Vec<Kind>,
    /// A Pengaduan: the incident date shows, and the location is the incident's.
    pub incident: bool,
    pub location_legend: &'static str,
    pub summary: Vec<SummaryLine>,
    pub classification: Messages,
    pub title: Messages,
    pub title_hint: String,
    pub content: Messages,
    pub content_hint: String,
    /// "123 / 5000 karakter".
    pub content_counter: String,
    pub incident_date: Messages,
    pub province: Messages,
    pub regency: Messages,
    pub institution: Messages,
    pub category: Messages,
    pub attachments: Messages,
    pub attachments_hint: String,
    /// The file picker's filter: MIME types and their usual extensions.
    pub accept: String,
    pub files: Vec<FileLine>,
    /// One line per refused file, with its reason.
    pub refused: Vec<String>,
    pub name: Messages,
    pub nik: Messages,
    pub phone: Messages,
    pub email: Messages,
    /// `Some((loaded, total))` while sending.
    pub progress: Option<(u64, u64)>,
    /// What went wrong with the last send.
    pub failure: Option<&'static str>,
    /// A submit waits for photos being prepared.
    pub waiting_files: bool,
}

/// The form's view model.
pub fn form_view(state: &FormState, t: &'static Texts) -> FormView {
    let lang = state.lang;
    let config = &state.config;
    let limits = &config.limits;
    let chosen = !state.fields.province.is_empty();
    let msg = |e: &FieldError| error_text(state, e);
    let at = |id: &str| Messages {
        errors: errors_at(state, id).into_iter().map(msg).collect(),
        warnings: Vec::new(),
    };
    let summary = state
        .errors
        .iter()
        .map(|e| {
            let place = place(e.field, chosen, t);
            SummaryLine {
                target: place.id,
                message: format!("{}: {}", place.label, msg(e)),
            }
        })
        .collect();
    let nik_warnings = state
        .warnings()
        .iter()
        .filter(|w| place(w.field, chosen, t).id == Input::Nik.dom_id())
        .map(|w| format!("{} {}", t.warning_prefix, message(w.code, lang)))
        .collect();
    let range = |template: &str, min: usize, max: usize| {
        fill(
            template,
            &[("min", &min.to_string()), ("max", &max.to_string())],
        )
    };
    let a = &config.attachments;
    let types: Vec<&str> = a.types.iter().map(|m| type_name(m)).collect();
    let attachments_hint = fill(
        t.attachments_hint,
        &[
            ("types", &join(&types, ", ")),
            ("size", &format_bytes(a.max_file_bytes, lang)),
            ("count", &a.max_files.to_string()),
            ("total", &format_bytes(a.max_total_bytes, lang)),
        ],
    );
    let incident = state.classification.is_incident();
    let (progress, failure) = match &state.phase {
        Phase::Sending { loaded, total } => (Some((*loaded, *total)), None),
        Phase::Failed(f) => (None, Some(failure_text(t, *f))),
        _ => (None, None),
    };
    FormView {
        kinds: state
            .classifications()
            .into_iter()
            .map(|value| kind(t, value))
            .collect(),
        incident,
        location_legend: if incident {
            t.location_incident_legend
        } else {
            t.location_origin_legend
        },
        summary,
        classification: at("lapor-classification"),
        title: at(Input::Title.dom_id()),
        title_hint: range(t.title_hint, limits.title_min, limits.title_max),
        content: at(Input::Content.dom_id()),
        content_hint: range(t.content_hint, limits.content_min, limits.content_max),
        content_counter: fill(
            t.content_counter,
            &[
                (
                    "count",
                    &state.fields.content.trim().chars().count().to_string(),
                ),
                ("max", &limits.content_max.to_string()),
            ],
        ),
        incident_date: at(Input::IncidentDate.dom_id()),
        province: at(Input::Province.dom_id()),
        regency: at(Input::Regency.dom_id()),
        institution: at(Input::Institution.dom_id()),
        category: at(Input::Category.dom_id()),
        attachments: at("lapor-attachments"),
        attachments_hint,
        accept: accept_attribute(&a.types),
        files: state
            .attachments
            .iter()
            .map(|f| file_line(f, t, lang))
            .collect(),
        refused: refused_lines(state, t),
        name: at(Input::Name.dom_id()),
        nik: Messages {
            warnings: nik_warnings,
            ..at(Input::Nik.dom_id())
        },
        phone: at(Input::Phone.dom_id()),
        email: at(Input::Email.dom_id()),
        progress,
        failure,
        waiting_files: state.submit_pending.is_some(),
    }
}

/// The sentence of one error; an error about one attachment names its file.
fn error_text(state: &FormState, e: &FieldError) -> String {
    let text = field_error_message(e, state.lang, &state.config);
    let Field::Attachment(i) = e.field else {
        return text;
    };
    let file = state
        .outgoing
        .as_ref()
        .and_then(|o| o.attachment_ids.get(i))
        .and_then(|id| state.attachments.iter().find(|a| a.id == *id));
    match file {
        Some(a) => format!("{}: {text}", a.name),
        None => text,
    }
}

fn kind(t: &'static Texts, value: Classification) -> Kind {
    let (label, hint) = match value {
        Classification::Pengaduan => (t.pengaduan, t.pengaduan_hint),
        Classification::Aspirasi => (t.aspirasi, t.aspirasi_hint),
        Classification::PermintaanInformasi => {
            (t.permintaan_informasi, t.permintaan_informasi_hint)
        }
    };
    Kind { value, label, hint }
}

fn file_line(f: &Attachment, t: &'static Texts, lang: Lang) -> FileLine {
    let bytes = |n: u64| format_bytes(n, lang);
    let kind = sniff(&f.head);
    let image = matches!(kind, Some(FileKind::Jpeg | FileKind::Png));
    let note = if !f.ready {
        Some(fill(
            t.file_working,
            &[("percent", &f.progress.to_string())],
        ))
    } else if image && f.size != f.original_size {
        Some(format!(
            "{}; {}",
            fill(t.file_resized, &[("size", &bytes(f.original_size))]),
            t.file_cleaned
        ))
    } else if image {
        Some(t.file_cleaned.to_owned())
    } else {
        None
    };
    FileLine {
        id: f.id,
        name: f.name.clone(),
        kind: kind.map_or("", |k| type_name(k.mime())),
        size: bytes(f.size),
        note,
        ready: f.ready,
        thumbnail: image && f.ready,
        remove_label: fill(t.remove_file, &[("name", &f.name)]),
    }
}

fn refused_lines(state: &FormState, t: &'static Texts) -> Vec<String> {
    let lang = state.lang;
    state
        .refused
        .iter()
        .map(|r| {
            let reason = match &r.why {
                Refusal::Rule(e) => {
                    let advice = match e.code {
                        Code::FileTooLarge | Code::TotalTooLarge => t.advice_too_large,
                        Code::FileType | Code::FileTypeMismatch => t.advice_type,
                        _ => "",
                    };
                    format!("{} {advice}", field_error_message(e, lang, &state.config))
                }
                Refusal::Undecodable => t.refused_undecodable.to_owned(),
                Refusal::CannotFit => t.refused_cannot_fit.to_owned(),
            };
            let size = format_bytes(r.size, lang);
            format!("{} ({size}): {}", r.name, reason.trim_end())
        })
        .collect()
}

fn failure_text(t: &'static Texts, failure: Failure) -> &'static str {
    match failure {
        Failure::Network => t.failure_network,
        Failure::Server => t.failure_server,
        Failure::RateLimited => t.failure_rate_limited,
        Failure::TooLarge => t.failure_too_large,
        Failure::Rejected => t.failure_rejected,
    }
}

/// The file picker's filter: the MIME types and their usual extensions (some phones filter
/// only by extension).
fn accept_attribute(types: &[String]) -> String {
    let mut accept: Vec<&str> = Vec::new();
    for mime in types {
        accept.push(mime);
        match mime.as_str() {
            "image/jpeg" => accept.extend([".jpg", ".jpeg"]),
            "image/png" => accept.push(".png"),
            "application/pdf" => accept.push(".pdf"),
            _ => {}
        }
    }
    join(&accept, ",")
}

/// `parts.join(separator)`, by hand: `join` would add its generic machinery to the Wasm.
fn join(parts: &[&str], separator: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}
