//! Attachments: the type from the leading bytes, the extension checked against it, the limits.
//!
//! The content decides what a file is; the name only has to agree with it. A name whose
//! extension says another type than the content (`foto.jpeg` holding a PNG, `surat.pdf` holding
//! a JPEG, `foto.heic` holding a JPEG) is `file_type_mismatch`, because whoever receives the file
//! downstream opens it by its name. A name with no extension at all (`foto`) claims nothing and
//! is accepted when the content is: some phones and share sheets hand out such names, and there
//! is nothing for the content to contradict.
use crate::{AttachmentLimits, Code, Field, FieldError};

/// The kinds of file LAPOR! accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    /// Every kind, in the contract's order.
    pub const ALL: [FileKind; 3] = [FileKind::Jpeg, FileKind::Png, FileKind::Pdf];

    /// `image/jpeg`, `image/png`, `application/pdf`.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
        }
    }

    /// The kind of a MIME type (ASCII case and surrounding blanks ignored, parameters such as
    /// `; charset=…` are not accepted); `None` for any other type.
    pub fn from_mime(mime: &str) -> Option<FileKind> {
        let mime = mime.trim();
        FileKind::ALL
            .into_iter()
            .find(|kind| kind.mime().eq_ignore_ascii_case(mime))
    }

    /// The file name extensions of this kind, lower case, without the dot, the usual one first.
    /// `jfif` and `jpe` are JPEG too: Windows and some browsers save JPEGs under those names.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["jpg", "jpeg", "jfif", "jpe"],
            FileKind::Png => &["png"],
            FileKind::Pdf => &["pdf"],
        }
    }

    /// The kind an extension (without the dot, any ASCII case) names; `None` for any other.
    pub fn from_extension(ext: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|kind| {
            kind.extensions()
                .iter()
                .any(|e| e.eq_ignore_ascii_case(ext))
        })
    }
}

/// What a file name says about its type, through its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameClaim {
    /// No extension (`foto`, `foto.`, `.profile`): the name says nothing.
    Nothing,
    /// An extension of one of the accepted kinds (`FOTO.JPG` → JPEG).
    Kind(FileKind),
    /// An extension of some other type (`foto.heic`, `surat.docx`).
    Other,
}

/// The extension of a file name: the text after the last dot of its last path component,
/// `None` when there is none or it is empty. Old browsers send `C:\fakepath\foto.jpg`, so both
/// kinds of slash end a path component.
pub fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        // A leading dot starts a hidden file's name, not an extension.
        Some(0) | None => None,
        Some(dot) => Some(&base[dot + 1..]).filter(|ext| !ext.is_empty()),
    }
}

/// What a file name's extension claims the file is (ASCII case ignored).
pub fn claimed_kind(name: &str) -> NameClaim {
    match extension(name) {
        None => NameClaim::Nothing,
        Some(ext) => FileKind::from_extension(ext).map_or(NameClaim::Other, NameClaim::Kind),
    }
}

/// How many leading bytes [`sniff`] needs at most.
pub const SNIFF_LEN: usize = 8;

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The kind of a file from its leading bytes, `None` if it is none of the accepted kinds.
pub fn sniff(head: &[u8]) -> Option<FileKind> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if head.starts_with(PNG_SIGNATURE) {
        Some(FileKind::Png)
    } else if head.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else {
        None
    }
}

/// What is known of one attachment before its bytes are all read.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentInfo<'a> {
    pub name: &'a str,
    pub size: u64,
    /// The first bytes (at least [`SNIFF_LEN`] when the file is that long).
    pub head: &'a [u8],
}

/// Checks every attachment and the set as a whole. Returns every problem: per file
/// (`attachments[i]`: `file_empty`, `file_type`, `file_type_mismatch`, `file_too_large`) and for
/// the set (`attachments`: `too_many_files`, `total_too_large`).
///
/// Each file gets at most one code, the first that applies in the order above: an empty file
/// has no type to speak of, and a file of the wrong type need not be told it is also too big.
/// The set's codes come after every file's, and both can appear together.
pub fn check_attachments(
    files: &[AttachmentInfo<'_>],
    limits: &AttachmentLimits,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, file) in files.iter().enumerate() {
        if let Some(code) = check_file(file, limits) {
            errors.push(FieldError::new(Field::Attachment(i), code));
        }
    }
    if files.len() > limits.max_files {
        errors.push(FieldError::new(Field::Attachments, Code::TooManyFiles));
    }
    // Saturating: sizes come from the client and could add up past u64.
    let total = files
        .iter()
        .fold(0u64, |sum, file| sum.saturating_add(file.size));
    if total > limits.max_total_bytes {
        errors.push(FieldError::new(Field::Attachments, Code::TotalTooLarge));
    }
    errors
}

/// The one problem of one file, if any.
fn check_file(file: &AttachmentInfo<'_>, limits: &AttachmentLimits) -> Option<Code> {
    if file.size == 0 {
        return Some(Code::FileEmpty);
    }
    let accepted = |kind: FileKind| {
        limits
            .types
            .iter()
            .any(|t| FileKind::from_mime(t) == Some(kind))
    };
    let kind = match sniff(file.head) {
        Some(kind) if accepted(kind) => kind,
        _ => return Some(Code::FileType),
    };
    match claimed_kind(file.name) {
        NameClaim::Nothing => {}
        NameClaim::Kind(claimed) if claimed == kind => {}
        NameClaim::Kind(_) | NameClaim::Other => return Some(Code::FileTypeMismatch),
    }
    if file.size > limits.max_file_bytes {
        return Some(Code::FileTooLarge);
    }
    None
}
