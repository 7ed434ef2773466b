//! Attachment checks: sniffing, extensions, and every attachment code from a one-line case.
use lapor_core::attachment::{
    check_attachments, claimed_kind, extension, sniff, AttachmentInfo, FileKind, NameClaim,
    SNIFF_LEN,
};
use lapor_core::{AttachmentLimits, Code, Field, FieldError};
use proptest::prelude::*;

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JF";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const PDF: &[u8] = b"%PDF-1.7";
const GIF: &[u8] = b"GIF89a\0\0";
const MB: u64 = 1024 * 1024;

fn limits() -> AttachmentLimits {
    AttachmentLimits::default()
}

fn images_only() -> AttachmentLimits {
    AttachmentLimits {
        types: vec!["image/jpeg".into(), "image/png".into()],
        ..limits()
    }
}

fn file<'a>(name: &'a str, size: u64, head: &'a [u8]) -> AttachmentInfo<'a> {
    AttachmentInfo { name, size, head }
}

/// One file, checked alone: the code it gets, if any (the set's codes are left to other tests).
#[track_caller]
fn check_one(
    name: &str,
    size: u64,
    head: &[u8],
    limits: &AttachmentLimits,
    expected: Option<Code>,
) {
    let mut got = check_attachments(&[file(name, size, head)], limits);
    got.retain(|e| e.field == Field::Attachment(0));
    let expected: Vec<FieldError> = expected
        .map(|code| FieldError::new(Field::Attachment(0), code))
        .into_iter()
        .collect();
    assert_eq!(got, expected, "{name:?} size {size} head {head:?}");
}

#[test]
fn one_file_one_code() {
    let l = &limits();
    // Accepted.
    check_one("foto.jpg", 1000, JPEG, l, None);
    check_one("FOTO.JPEG", 1000, JPEG, l, None);
    check_one("foto.jfif", 1000, JPEG, l, None);
    check_one("foto.Jpe", 1000, JPEG, l, None);
    check_one("layar.png", 1000, PNG, l, None);
    check_one("surat.PDF", 1000, PDF, l, None);
    check_one("C:\\fakepath\\foto.jpg", 1000, JPEG, l, None);
    check_one("foto", 1000, JPEG, l, None); // no extension: the name claims nothing
    check_one("foto.", 1000, PNG, l, None);
    check_one(".foto", 1000, PNG, l, None);
    check_one("", 1000, PDF, l, None);
    check_one("foto.jpg", 2 * MB, JPEG, l, None); // exactly the limit
                                                  // file_empty comes first, whatever else is wrong.
    check_one("foto.jpg", 0, JPEG, l, Some(Code::FileEmpty));
    check_one("kosong.exe", 0, b"", l, Some(Code::FileEmpty));
    // file_type: content none of ours, or not accepted by this configuration.
    check_one("animasi.gif", 1000, GIF, l, Some(Code::FileType));
    check_one("foto.jpg", 1000, GIF, l, Some(Code::FileType));
    check_one("foto.jpg", 1000, b"", l, Some(Code::FileType));
    check_one("foto.jpg", 1000, b"\xFF\xD8", l, Some(Code::FileType)); // too short to tell
    check_one("surat.pdf", 1000, PDF, &images_only(), Some(Code::FileType));
    check_one("besar.gif", 5 * MB, GIF, l, Some(Code::FileType)); // type before size
                                                                  // file_type_mismatch: the extension names another type than the content.
    check_one("foto.jpeg", 1000, PNG, l, Some(Code::FileTypeMismatch));
    check_one("foto.png", 1000, JPEG, l, Some(Code::FileTypeMismatch));
    check_one("surat.pdf", 1000, JPEG, l, Some(Code::FileTypeMismatch));
    check_one("foto.heic", 1000, JPEG, l, Some(Code::FileTypeMismatch));
    check_one("surat.docx", 1000, PDF, l, Some(Code::FileTypeMismatch));
    check_one("foto.jpg.exe", 1000, JPEG, l, Some(Code::FileTypeMismatch));
    check_one(
        "foto.pdf",
        1000,
        PNG,
        &images_only(),
        Some(Code::FileTypeMismatch),
    );
    check_one("besar.png", 5 * MB, JPEG, l, Some(Code::FileTypeMismatch)); // mismatch before size
                                                                           // file_too_large.
    check_one("foto.jpg", 2 * MB + 1, JPEG, l, Some(Code::FileTooLarge));
    check_one("surat.pdf", u64::MAX, PDF, l, Some(Code::FileTooLarge));
}

#[test]
fn the_set_as_a_whole() {
    let l = &limits();
    let set = |n: usize, size: u64| vec![file("foto.jpg", size, JPEG); n];
    let codes = |files: &[AttachmentInfo<'_>]| -> Vec<FieldError> { check_attachments(files, l) };
    let whole = |code| FieldError::new(Field::Attachments, code);
    assert_eq!(codes(&[]), vec![]);
    assert_eq!(codes(&set(5, 2 * MB)), vec![]); // 5 files, 10 MiB: both exactly at the limit
    assert_eq!(codes(&set(6, 1000)), vec![whole(Code::TooManyFiles)]);
    assert_eq!(
        codes(
            &set(5, 2 * MB)
                .into_iter()
                .chain([file("a.pdf", 1, PDF)])
                .collect::<Vec<_>>()
        ),
        vec![whole(Code::TooManyFiles), whole(Code::TotalTooLarge)]
    );
    let over = AttachmentLimits {
        max_file_bytes: 8 * MB,
        ..limits()
    };
    assert_eq!(
        check_attachments(
            &[file("a.pdf", 6 * MB, PDF), file("b.pdf", 5 * MB, PDF)],
            &over
        ),
        vec![whole(Code::TotalTooLarge)]
    );
    // Sizes that would overflow a sum do not wrap around to something small.
    let huge = [file("a.pdf", u64::MAX, PDF), file("b.pdf", u64::MAX, PDF)];
    assert!(check_attachments(&huge, l).contains(&whole(Code::TotalTooLarge)));
}

#[test]
fn every_problem_is_returned_in_order() {
    let files = [
        file("ok.jpg", 1000, JPEG),
        file("kosong.png", 0, b""),
        file("virus.exe", 10, b"MZ\x90\0\x03\0\0\0"),
        file("foto.png", 10, JPEG),
        file("besar.pdf", 3 * MB, PDF),
        file("ok.png", 10, PNG),
        file("lagi.png", 8 * MB, PNG),
    ];
    let got: Vec<(String, &str)> = check_attachments(&files, &limits())
        .into_iter()
        .map(|e| (e.field.to_string(), e.code.as_str()))
        .collect();
    let expected = [
        ("attachments[1]", "file_empty"),
        ("attachments[2]", "file_type"),
        ("attachments[3]", "file_type_mismatch"),
        ("attachments[4]", "file_too_large"),
        ("attachments[6]", "file_too_large"),
        ("attachments", "too_many_files"),
        ("attachments", "total_too_large"),
    ];
    assert_eq!(got, expected.map(|(f, c)| (f.to_string(), c)));
}

#[test]
fn sniffing() {
    let cases: [(&[u8], Option<FileKind>); 12] = [
        (JPEG, Some(FileKind::Jpeg)),
        (b"\xFF\xD8\xFF", Some(FileKind::Jpeg)),
        (b"\xFF\xD8\xFE", None),
        (PNG, Some(FileKind::Png)),
        (b"\x89PNG\r\n\x1a", None),   // one byte short of the signature
        (b"\x89PNG\n\r\x1a\n", None), // line endings mangled by a text-mode transfer
        (PDF, Some(FileKind::Pdf)),
        (b"%PDF-", Some(FileKind::Pdf)),
        (b"%PDF", None),
        (b" %PDF-1.4", None),
        (GIF, None),
        (b"", None),
    ];
    for (head, expected) in cases {
        assert_eq!(sniff(head), expected, "{head:?}");
    }
    assert_eq!(SNIFF_LEN, 8);
}

#[test]
fn mime_types_and_extensions() {
    for kind in FileKind::ALL {
        assert_eq!(FileKind::from_mime(kind.mime()), Some(kind));
        assert!(!kind.extensions().is_empty());
        for ext in kind.extensions() {
            assert_eq!(FileKind::from_extension(ext), Some(kind));
            assert_eq!(FileKind::from_extension(&ext.to_uppercase()), Some(kind));
            assert_eq!(claimed_kind(&format!("x.{ext}")), NameClaim::Kind(kind));
        }
    }
    assert_eq!(FileKind::from_mime(" Image/JPEG "), Some(FileKind::Jpeg));
    assert_eq!(FileKind::from_mime("image/gif"), None);
    assert_eq!(FileKind::from_mime("image/jpg"), None);
    assert_eq!(FileKind::Jpeg.extensions()[0], "jpg");
    let claims = [
        ("foto.JPG", NameClaim::Kind(FileKind::Jpeg)),
        ("arsip.tar.pdf", NameClaim::Kind(FileKind::Pdf)),
        ("dir.png/foto", NameClaim::Nothing),
        ("foto", NameClaim::Nothing),
        ("foto.", NameClaim::Nothing),
        (".bashrc", NameClaim::Nothing),
        ("foto.gif", NameClaim::Other),
        ("foto.jpg ", NameClaim::Other), // a trailing blank is part of the extension
    ];
    for (name, expected) in claims {
        assert_eq!(claimed_kind(name), expected, "{name:?}");
    }
    assert_eq!(extension("a/b.c\\foto.Png"), Some("Png"));
    assert_eq!(extension("foto"), None);
}

#[test]
fn unknown_types_in_the_configuration_accept_nothing_more() {
    let l = AttachmentLimits {
        types: vec!["image/gif".into(), "IMAGE/PNG".into()],
        ..limits()
    };
    check_one("a.gif", 10, GIF, &l, Some(Code::FileType));
    check_one("a.png", 10, PNG, &l, None);
    check_one("a.jpg", 10, JPEG, &l, Some(Code::FileType));
}

proptest! {
    #[test]
    fn never_panics(
        names in proptest::collection::vec(any::<String>(), 0..8),
        sizes in proptest::collection::vec(any::<u64>(), 0..8),
        heads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 0..8),
        max_files in any::<usize>(),
        max_file_bytes in any::<u64>(),
        max_total_bytes in any::<u64>(),
    ) {
        let n = names.len().min(sizes.len()).min(heads.len());
        let files: Vec<_> = (0..n).map(|i| file(&names[i], sizes[i], &heads[i])).collect();
        let l = AttachmentLimits { max_files, max_file_bytes, max_total_bytes, ..limits() };
        let errors = check_attachments(&files, &l);
        // At most one code per file, plus at most two for the set.
        prop_assert!(errors.len() <= n + 2);
        for i in 0..n {
            prop_assert!(errors.iter().filter(|e| e.field == Field::Attachment(i)).count() <= 1);
        }
    }

    #[test]
    fn a_real_file_with_its_own_extension_passes(kind in 0usize..3, ext in 0usize..4, size in 1u64..=2 * MB) {
        let kind = FileKind::ALL[kind];
        let ext = kind.extensions()[ext % kind.extensions().len()];
        let head = match kind { FileKind::Jpeg => JPEG, FileKind::Png => PNG, FileKind::Pdf => PDF };
        let name = format!("lampiran.{ext}");
        prop_assert_eq!(check_attachments(&[file(&name, size, head)], &limits()), vec![]);
    }
}
