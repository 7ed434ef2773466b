//! The view models: what the citizen reads, worded from the state and the texts.

use std::rc::Rc;

use lapor_core::messages::Lang;
use lapor_core::{Classification, Code, Config, Field, FieldError};

use super::tests::{apply, edit, file, filled, form, submit, JPEG, PDF};
use super::view::{form_view, place, FileLine, SummaryLine};
use super::*;
use crate::i18n::{EN, ID};

#[test]
fn the_summary_names_each_field_and_points_at_it_in_form_order() {
    let mut s = form();
    apply(&mut s, [edit(Input::Phone, "12"), submit()]);
    let v = form_view(&s, &ID);
    let targets: Vec<&str> = v.summary.iter().map(|l| l.target).collect();
    assert_eq!(
        targets,
        [
            "lapor-title",
            "lapor-content",
            "lapor-incident-date",
            "lapor-province",
            "lapor-name",
            "lapor-nik",
            "lapor-phone",
        ]
    );
    assert_eq!(
        v.summary[0],
        SummaryLine {
            target: "lapor-title",
            message: "Judul Laporan: Bagian ini wajib diisi".into(),
        }
    );
    assert!(
        v.summary[6].message.starts_with("Nomor Telepon: "),
        "{}",
        v.summary[6].message
    );
    // Each inline message is the summary's without the label.
    assert_eq!(v.title.errors, ["Bagian ini wajib diisi"]);
    assert_eq!(v.province.errors.len(), 1);
    assert!(v.regency.errors.is_empty());
    assert!(v.email.errors.is_empty());
}

#[test]
fn the_location_error_moves_to_the_regency_once_a_province_is_chosen() {
    let mut s = form();
    apply(&mut s, [submit(), edit(Input::Province, "64")]);
    let v = form_view(&s, &ID);
    assert!(v.province.errors.is_empty());
    assert_eq!(v.regency.errors.len(), 1);
    let location = v
        .summary
        .iter()
        .find(|l| l.target == "lapor-regency")
        .expect("the location in the summary");
    assert!(location.message.starts_with("Kabupaten/Kota: "));
    assert_eq!(
        place(Field::LocationCode, false, &ID).label,
        ID.province_label
    );
}

#[test]
fn every_field_has_one_place_and_a_label() {
    for field in Field::NAMED.into_iter().chain([Field::Attachment(3)]) {
        for chosen in [false, true] {
            let p = place(field, chosen, &EN);
            assert!(p.id.starts_with("lapor-"), "{field}");
            assert!(!p.label.is_empty(), "{field}");
        }
    }
}

#[test]
fn the_nik_warning_is_worded_under_the_nik_only() {
    let mut s = filled();
    apply(&mut s, [edit(Input::Nik, "6499015708900003")]);
    let v = form_view(&s, &ID);
    assert_eq!(v.nik.warnings.len(), 1);
    assert!(v.nik.warnings[0].starts_with("Perhatian: "));
    assert!(v.nik.errors.is_empty());
    assert!(v.summary.is_empty(), "a warning is not an error");
    apply(&mut s, [edit(Input::Nik, "6474015708900003")]);
    assert!(form_view(&s, &ID).nik.warnings.is_empty());
}

#[test]
fn hints_and_the_counter_carry_the_limits() {
    let mut s = form();
    let mut config = Config::default();
    config.limits.title_min = 10;
    config.limits.title_max = 150;
    config.limits.content_max = 2000;
    apply(
        &mut s,
        [
            Action::ConfigLoaded(config),
            edit(Input::Content, "  dua kata  "),
        ],
    );
    let v = form_view(&s, &ID);
    assert_eq!(v.title_hint, "Ringkasan singkat, 10–150 karakter.");
    assert_eq!(v.content_counter, "8 dari 2000 karakter");
    assert!(v.attachments_hint.starts_with("Jenis berkas: "));
    assert!(v.accept.contains("image/jpeg,.jpg,.jpeg"), "{}", v.accept);
}

#[test]
fn the_kind_decides_the_incident_date_and_the_location_legend() {
    let mut s = form();
    let v = form_view(&s, &EN);
    assert!(v.incident);
    assert_eq!(v.location_legend, EN.location_incident_legend);
    assert_eq!(
        v.kinds.iter().map(|k| k.value).collect::<Vec<_>>(),
        Classification::ALL
    );
    apply(&mut s, [Action::Classify(Classification::Aspirasi)]);
    let v = form_view(&s, &EN);
    assert!(!v.incident);
    assert_eq!(v.location_legend, EN.location_origin_legend);
    assert_eq!(v.kinds[1].label, EN.aspirasi);
}

#[test]
fn file_rows_say_what_became_of_each_file() {
    let mut s = form();
    let working = Attachment {
        ready: false,
        progress: 40,
        ..file(1, "IMG_1.jpg", 5_000_000, JPEG)
    };
    let resized = Attachment {
        size: 900_000,
        ..file(2, "IMG_2.jpg", 4_000_000, JPEG)
    };
    apply(
        &mut s,
        [Action::FilesPicked(vec![
            working,
            resized,
            file(3, "surat.pdf", 1000, PDF),
        ])],
    );
    let v = form_view(&s, &ID);
    let [one, two, three] = &v.files[..] else {
        panic!("three rows: {:?}", v.files);
    };
    assert_eq!(
        one.note.as_deref(),
        Some("Mengecilkan foto dan menghapus data lokasinya… 40%")
    );
    assert!(!one.ready && !one.thumbnail);
    assert_eq!(
        two.note.as_deref(),
        Some(
            format!(
                "diperkecil dari {}; data lokasi dan kamera dihapus",
                lapor_core::messages::format_bytes(4_000_000, Lang::Id)
            )
            .as_str()
        )
    );
    assert!(two.thumbnail);
    assert_eq!(
        three,
        &FileLine {
            id: 3,
            name: "surat.pdf".into(),
            kind: "PDF",
            size: lapor_core::messages::format_bytes(1000, Lang::Id),
            note: None,
            ready: true,
            thumbnail: false,
            remove_label: "Hapus surat.pdf".into(),
        }
    );
    assert!(v.waiting_files || !s.files_ready());
}

#[test]
fn a_refused_file_is_named_with_its_size_reason_and_advice() {
    let mut s = form();
    apply(
        &mut s,
        [Action::FilesPicked(vec![file(
            1,
            "besar.pdf",
            3 * 1024 * 1024,
            PDF,
        )])],
    );
    let v = form_view(&s, &ID);
    assert_eq!(v.refused.len(), 1);
    let line = &v.refused[0];
    assert!(line.starts_with("besar.pdf ("), "{line}");
    assert!(line.ends_with(ID.advice_too_large), "{line}");
}

#[test]
fn an_error_about_one_attachment_names_its_file() {
    let mut s = filled();
    apply(
        &mut s,
        [
            Action::FilesPicked(vec![file(7, "foto.jpg", 1000, JPEG)]),
            submit(),
            Action::ServerErrors(vec![FieldError::new(Field::Attachment(0), Code::FileType)]),
        ],
    );
    let v = form_view(&s, &ID);
    assert_eq!(v.attachments.errors.len(), 1);
    assert!(
        v.attachments.errors[0].starts_with("foto.jpg: "),
        "{:?}",
        v.attachments.errors
    );
    assert!(v.summary[0].message.starts_with("Lampiran"));
}

#[test]
fn sending_shows_progress_and_a_failure_its_sentence() {
    let mut s = filled();
    apply(
        &mut s,
        [
            submit(),
            Action::Progress {
                loaded: 3,
                total: 9,
            },
        ],
    );
    let v = form_view(&s, &ID);
    assert_eq!((v.progress, v.failure), (Some((3, 9)), None));
    apply(&mut s, [Action::SendFailed(Failure::Network)]);
    let v = form_view(&s, &ID);
    assert_eq!((v.progress, v.failure), (None, Some(ID.failure_network)));
}

#[test]
fn a_no_op_keeps_the_same_state_and_a_change_makes_a_new_one() {
    let s = Rc::new(filled());
    let (same, after) = transition(&s, edit(Input::Title, &s.fields.title.clone()));
    assert!(Rc::ptr_eq(&s, &same));
    assert_eq!(after, After::NOTHING);
    let (changed, _) = transition(&s, edit(Input::Title, "Jalan berlubang di Jl. Sudirman"));
    assert!(!Rc::ptr_eq(&s, &changed));
    // A failed submit that finds the errors already shown changes nothing, yet the summary
    // takes focus again.
    let empty = Rc::new(form());
    let (first, after) = transition(&empty, submit());
    assert_eq!(after, After::FOCUS_SUMMARY);
    let (second, after) = transition(&first, submit());
    assert!(Rc::ptr_eq(&first, &second));
    assert!(after.focus_summary);
}
