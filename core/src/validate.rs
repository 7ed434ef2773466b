//! Validation of a whole report: every problem at once, per the rules of the brief's table
//! (which fields each classification requires or forbids) and the limits of `/config`.

use crate::attachment::{check_attachments, AttachmentInfo};
use crate::config::LOCATION_DETAIL_MAX;
use crate::error::sort_in_form_order;
use crate::identity::{Email, Name, Nik, Phone};
use crate::messages::Lang;
use crate::{region, Classification, Code, Config, Date, Field, FieldError, Report};

/// What validation needs besides the report: the limits, and what "today" is (Asia/Jakarta).
/// Core reads no clock.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub config: &'a Config,
    pub today: Date,
}

/// What a valid report says besides who sent it: the part that is stored as the report and
/// forwarded as the complaint (the identity is kept and sent apart). Its `Debug` shows none of
/// the citizen's words.
#[derive(Clone, PartialEq, Eq)]
pub struct ReportBody {
    pub classification: Classification,
    /// Trimmed.
    pub title: String,
    /// Trimmed.
    pub content: String,
    /// Present for Pengaduan only.
    pub incident_date: Option<Date>,
    pub location_code: String,
    pub location_detail: Option<String>,
    pub institution_id: Option<String>,
    pub category_id: Option<String>,
    pub anonymous: bool,
    pub secret: bool,
    pub lang: Lang,
}

impl std::fmt::Debug for ReportBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportBody")
            .field("classification", &self.classification)
            .field("anonymous", &self.anonymous)
            .field("secret", &self.secret)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// A report that passed every rule, its fields parsed into their types: its body and the
/// reporter's identity. Its `Debug` shows neither the citizen's words nor the identity.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidReport {
    pub body: ReportBody,
    pub name: Name,
    /// Absent only when the configuration does not require a NIK and none was given.
    pub nik: Option<Nik>,
    pub phone: Phone,
    pub email: Option<Email>,
}

impl std::fmt::Debug for ValidReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidReport")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

/// What checking a submission yields: the valid report if nothing blocks it, every error,
/// every warning. Errors and warnings are in the order of the form
/// ([`crate::error::sort_in_form_order`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// `Some` exactly when `errors` is empty.
    pub report: Option<ValidReport>,
    pub errors: Vec<FieldError>,
    /// Problems the citizen is told of that do not block the report (an unknown regency code
    /// in the NIK). Found whether or not other fields are in error.
    pub warnings: Vec<FieldError>,
}

impl Checked {
    /// The valid report, or every error.
    pub fn into_result(self) -> Result<ValidReport, Vec<FieldError>> {
        match self.report {
            Some(report) if self.errors.is_empty() => Ok(report),
            _ => Err(self.errors),
        }
    }
}

/// Validates a report without attachments. On failure, returns every problem, in the order
/// of the form.
pub fn validate_report(report: &Report, ctx: &Context<'_>) -> Result<ValidReport, Vec<FieldError>> {
    validate_submission(report, &[], ctx).into_result()
}

/// Validates a report and its attachments together: the one check of a submission, in the
/// browser and in the gateway. Each field is parsed once; the result keeps what was parsed.
pub fn validate_submission(
    report: &Report,
    files: &[AttachmentInfo<'_>],
    ctx: &Context<'_>,
) -> Checked {
    let (report, mut errors, warnings) = check_report(report, ctx);
    errors.extend(check_attachments(files, &ctx.config.attachments));
    sort_in_form_order(&mut errors);
    Checked {
        report: if errors.is_empty() { report } else { None },
        errors,
        warnings,
    }
}

/// The report's own fields: the valid report if they all pass, their errors, the warnings.
fn check_report(
    report: &Report,
    ctx: &Context<'_>,
) -> (Option<ValidReport>, Vec<FieldError>, Vec<FieldError>) {
    let mut errors = Errors::default();
    let config = ctx.config;

    let classification = match Classification::parse(&report.classification) {
        Some(c)
            if config
                .classifications
                .iter()
                .any(|allowed| allowed == c.as_str()) =>
        {
            Some(c)
        }
        _ if report.classification.trim().is_empty() => {
            errors.push(Field::Classification, Code::Required);
            None
        }
        _ => {
            errors.push(Field::Classification, Code::UnknownClassification);
            None
        }
    };

    let limits = &config.limits;
    let title = errors.text(
        Field::Title,
        &report.title,
        limits.title_min,
        limits.title_max,
    );
    let content = errors.text(
        Field::Content,
        &report.content,
        limits.content_min,
        limits.content_max,
    );

    let incident_date = match (
        classification,
        blank_to_none(report.incident_date.as_deref()),
    ) {
        (Some(c), None) if c.is_incident() => {
            errors.push(Field::IncidentDate, Code::Required);
            None
        }
        (Some(c), Some(_)) if !c.is_incident() => {
            errors.push(Field::IncidentDate, Code::NotAllowed);
            None
        }
        (_, Some(text)) => match Date::parse_iso(text) {
            None => errors.fail(Field::IncidentDate, Code::DateFormat),
            Some(date) if date > ctx.today => errors.fail(Field::IncidentDate, Code::DateFuture),
            Some(date) => Some(date),
        },
        (_, None) => None,
    };

    let location_code = report.location_code.trim();
    if location_code.is_empty() {
        errors.push(Field::LocationCode, Code::Required);
    } else if !region::is_known_location(location_code) {
        errors.push(Field::LocationCode, Code::UnknownLocation);
    }
    let location_detail = blank_to_none(report.location_detail.as_deref()).map(str::to_owned);
    if let Some(detail) = &location_detail {
        if detail.chars().count() > LOCATION_DETAIL_MAX {
            errors.push(Field::LocationDetail, Code::TooLong);
        }
    }

    let institution_id = blank_to_none(report.institution_id.as_deref()).map(str::to_owned);
    if let Some(id) = &institution_id {
        if !config.institutions.iter().any(|i| &i.id == id) {
            errors.push(Field::InstitutionId, Code::UnknownInstitution);
        }
    }
    let category_id = blank_to_none(report.category_id.as_deref()).map(str::to_owned);
    if let Some(id) = &category_id {
        if !config.categories.iter().any(|c| &c.id == id) {
            errors.push(Field::CategoryId, Code::UnknownCategory);
        }
    }

    let reporter = &report.reporter;
    let name = errors.parse(Field::ReporterName, Name::parse(&reporter.name));
    let mut warnings = Vec::new();
    let nik = match blank_to_none(reporter.nik.as_deref()) {
        None if config.require_nik => errors.fail(Field::ReporterNik, Code::Required),
        None => None,
        Some(text) => errors.parse(Field::ReporterNik, Nik::parse(text, ctx.today)),
    };
    if nik.as_ref().is_some_and(Nik::regency_unknown) {
        warnings.push(FieldError::new(Field::ReporterNik, Code::NikRegencyUnknown));
    }
    let phone = if reporter.phone.trim().is_empty() {
        errors.fail(Field::ReporterPhone, Code::Required)
    } else {
        errors.parse(Field::ReporterPhone, Phone::parse(&reporter.phone))
    };
    let email = match blank_to_none(reporter.email.as_deref()) {
        None => None,
        Some(text) => errors.parse(Field::ReporterEmail, Email::parse(text)),
    };

    if !errors.0.is_empty() {
        return (None, errors.0, warnings);
    }
    // Every `None` below had an error pushed above, so this cannot fail; still, no unwrap.
    match (classification, title, content, name, phone) {
        (Some(classification), Some(title), Some(content), Some(name), Some(phone)) => {
            let body = ReportBody {
                classification,
                title,
                content,
                incident_date,
                location_code: location_code.to_owned(),
                location_detail,
                institution_id,
                category_id,
                anonymous: report.anonymous,
                secret: report.secret,
                lang: report
                    .lang
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or_default(),
            };
            let valid = ValidReport {
                body,
                name,
                nik,
                phone,
                email,
            };
            (Some(valid), Vec::new(), warnings)
        }
        _ => (
            None,
            vec![FieldError::new(Field::Classification, Code::Required)],
            warnings,
        ),
    }
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: Field, code: Code) {
        self.0.push(FieldError::new(field, code));
    }

    fn fail<T>(&mut self, field: Field, code: Code) -> Option<T> {
        self.push(field, code);
        None
    }

    fn parse<T>(&mut self, field: Field, result: Result<T, Code>) -> Option<T> {
        result.map_err(|code| self.push(field, code)).ok()
    }

    /// A required text with a length in characters; returns it trimmed.
    fn text(&mut self, field: Field, text: &str, min: usize, max: usize) -> Option<String> {
        let text = text.trim();
        let len = text.chars().count();
        let code = if len == 0 {
            Code::Required
        } else if len < min {
            Code::TooShort
        } else if len > max {
            Code::TooLong
        } else {
            return Some(text.to_owned());
        };
        self.fail(field, code)
    }
}

fn blank_to_none(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}
