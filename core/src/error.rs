//! Error codes and field names of the gateway contract (`gateway-api.md`).
//!
//! Codes are data: the wording lives in [`crate::messages`], in every language.

use std::fmt;

/// One problem with one field of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub code: Code,
}

impl FieldError {
    /// The problem `code` with `field`.
    pub fn new(field: Field, code: Code) -> FieldError {
        FieldError { field, code }
    }
}

/// The error codes of the contract, plus the one warning core can raise.
///
/// The wire form is the snake_case name (`nik_birth_date`), see [`Code::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Required,
    NotAllowed,
    TooShort,
    TooLong,
    UnknownClassification,
    DateFormat,
    DateFuture,
    UnknownLocation,
    UnknownInstitution,
    UnknownCategory,
    NameFormat,
    NikFormat,
    NikProvince,
    NikBirthDate,
    NikSerial,
    PhoneFormat,
    EmailFormat,
    FileType,
    FileTypeMismatch,
    FileEmpty,
    FileTooLarge,
    TooManyFiles,
    TotalTooLarge,
    /// A PDF with JavaScript, embedded files or encryption: refused by the gateway, which
    /// cannot clean what it cannot read and does not pass on what could run or hide a file.
    FilePdfUnsafe,
    /// A warning, never an error: the NIK's regency code is not in the Kemendagri lists
    /// (current or historical). The citizen is told, the report is not blocked.
    NikRegencyUnknown,
}

impl Code {
    /// Every code, errors first, then the warning.
    pub const ALL: [Code; 25] = [
        Code::Required,
        Code::NotAllowed,
        Code::TooShort,
        Code::TooLong,
        Code::UnknownClassification,
        Code::DateFormat,
        Code::DateFuture,
        Code::UnknownLocation,
        Code::UnknownInstitution,
        Code::UnknownCategory,
        Code::NameFormat,
        Code::NikFormat,
        Code::NikProvince,
        Code::NikBirthDate,
        Code::NikSerial,
        Code::PhoneFormat,
        Code::EmailFormat,
        Code::FileType,
        Code::FileTypeMismatch,
        Code::FileEmpty,
        Code::FileTooLarge,
        Code::TooManyFiles,
        Code::TotalTooLarge,
        Code::FilePdfUnsafe,
        Code::NikRegencyUnknown,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::NotAllowed => "not_allowed",
            Code::TooShort => "too_short",
            Code::TooLong => "too_long",
            Code::UnknownClassification => "unknown_classification",
            Code::DateFormat => "date_format",
            Code::DateFuture => "date_future",
            Code::UnknownLocation => "unknown_location",
            Code::UnknownInstitution => "unknown_institution",
            Code::UnknownCategory => "unknown_category",
            Code::NameFormat => "name_format",
            Code::NikFormat => "nik_format",
            Code::NikProvince => "nik_province",
            Code::NikBirthDate => "nik_birth_date",
            Code::NikSerial => "nik_serial",
            Code::PhoneFormat => "phone_format",
            Code::EmailFormat => "email_format",
            Code::FileType => "file_type",
            Code::FileTypeMismatch => "file_type_mismatch",
            Code::FileEmpty => "file_empty",
            Code::FileTooLarge => "file_too_large",
            Code::TooManyFiles => "too_many_files",
            Code::TotalTooLarge => "total_too_large",
            Code::FilePdfUnsafe => "file_pdf_unsafe",
            Code::NikRegencyUnknown => "nik_regency_unknown",
        }
    }

    /// Parses a wire code; `None` for a code this version does not know.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom("unknown error code"))
    }
}

/// A field of a report, named on the wire as in the contract (`reporter.nik`, `attachments[2]`).
///
/// The variants are declared in the order of the form, top to bottom, so the derived `Ord`
/// agrees with [`Descriptor::order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Classification,
    Title,
    Content,
    IncidentDate,
    LocationCode,
    /// An extension of the contract: the free-text detail of the location.
    LocationDetail,
    InstitutionId,
    CategoryId,
    /// One attachment, counted from 0 in the order sent.
    Attachment(usize),
    /// The attachments as a whole (count and total size).
    Attachments,
    ReporterName,
    ReporterNik,
    ReporterPhone,
    ReporterEmail,
}

/// What every side knows of a field: its wire name and its place on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    /// The wire name. For [`Field::Attachment`], the name of the list (`attachments`); the
    /// index is added by [`Field::name`].
    pub name: &'static str,
    /// The field's place on the form, from the top. Errors are listed in this order: the
    /// attachments come before the reporter, as on the form.
    pub order: u8,
}

impl Field {
    /// Every field that has a fixed wire name, in the order of the form (one attachment,
    /// [`Field::Attachment`], comes before [`Field::Attachments`]).
    pub const NAMED: [Field; 13] = [
        Field::Classification,
        Field::Title,
        Field::Content,
        Field::IncidentDate,
        Field::LocationCode,
        Field::LocationDetail,
        Field::InstitutionId,
        Field::CategoryId,
        Field::Attachments,
        Field::ReporterName,
        Field::ReporterNik,
        Field::ReporterPhone,
        Field::ReporterEmail,
    ];

    /// The one table of the fields: wire name and place on the form.
    pub fn descriptor(self) -> Descriptor {
        let (name, order) = match self {
            Field::Classification => ("classification", 0),
            Field::Title => ("title", 1),
            Field::Content => ("content", 2),
            Field::IncidentDate => ("incident_date", 3),
            Field::LocationCode => ("location_code", 4),
            Field::LocationDetail => ("location_detail", 5),
            Field::InstitutionId => ("institution_id", 6),
            Field::CategoryId => ("category_id", 7),
            Field::Attachment(_) => ("attachments", 8),
            Field::Attachments => ("attachments", 9),
            Field::ReporterName => ("reporter.name", 10),
            Field::ReporterNik => ("reporter.nik", 11),
            Field::ReporterPhone => ("reporter.phone", 12),
            Field::ReporterEmail => ("reporter.email", 13),
        };
        Descriptor { name, order }
    }

    /// The wire name of the field.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self {
            Field::Attachment(i) => std::borrow::Cow::Owned(format!("attachments[{i}]")),
            field => std::borrow::Cow::Borrowed(field.descriptor().name),
        }
    }

    /// Parses a wire name; `None` for a name this version does not know.
    pub fn parse(s: &str) -> Option<Field> {
        if let Some(field) = Field::NAMED.into_iter().find(|f| f.descriptor().name == s) {
            return Some(field);
        }
        let index = s.strip_prefix("attachments[")?.strip_suffix(']')?;
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Field::Attachment(index.parse().ok()?))
    }

    /// Whether the field is one attachment or the attachments as a whole.
    pub fn is_attachment(self) -> bool {
        matches!(self, Field::Attachment(_) | Field::Attachments)
    }
}

/// Sorts errors in the order of the form ([`Descriptor::order`]; attachments by index).
/// The sort is stable: two errors of one field keep their order.
pub fn sort_in_form_order(errors: &mut [FieldError]) {
    // `Field`'s derived order is the form's (its variants are declared in that order, a test
    // checks it against the descriptors), and comparing it is less code than the table.
    errors.sort_by_key(|e| e.field);
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl serde::Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Field::parse(&s).ok_or_else(|| serde::de::Error::custom("unknown field name"))
    }
}
