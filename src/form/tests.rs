//! The form's behaviour: the reducer over whole scenarios, as the citizen meets them.

use lapor_core::messages::Lang;
use lapor_core::{Classification, Code, Config, Date, Field, FieldError};

use super::view::errors_at;
use super::*;

pub(super) const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'];
pub(super) const PDF: &[u8] = b"%PDF-1.7";

pub(super) fn today() -> Date {
    Date::new(2026, 11, 28).expect("a real date")
}

pub(super) fn form() -> FormState {
    FormState::new(Lang::Id, today())
}

/// Applies the actions in turn; returns how often the error summary took focus. Checks on
/// the way that what the reducer calls a no-op changed nothing.
pub(super) fn apply(state: &mut FormState, actions: impl IntoIterator<Item = Action>) -> u32 {
    tally(state, actions).0
}

/// Applies the actions as [`apply`] does; returns how often the summary took focus and how
/// many sends of the outgoing report started.
pub(super) fn tally(
    state: &mut FormState,
    actions: impl IntoIterator<Item = Action>,
) -> (u32, u32) {
    let (mut focused, mut sends) = (0, 0);
    for action in actions {
        let before = state.clone();
        let after = reduce(state, action.clone());
        if !after.changed {
            assert_eq!(*state, before, "{action:?} is no no-op");
        }
        focused += u32::from(after.focus_summary);
        sends += u32::from(after.send);
    }
    (focused, sends)
}

pub(super) fn edit(input: Input, value: &str) -> Action {
    Action::Edit(input, value.to_owned())
}

pub(super) fn submit() -> Action {
    Action::Submit {
        fresh_key: "key-1".to_owned(),
    }
}

/// A complete, valid Pengaduan.
pub(super) fn filled() -> FormState {
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

pub(super) fn fields(errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}:{}", e.field, e.code))
        .collect()
}

/// The report a send of the form carries.
fn form_report(out: &Outgoing) -> &lapor_core::Report {
    out.report.as_ref().expect("the form's report")
}

/// The code of a file refused by one of core's rules.
pub(super) fn rule_code(r: &Refused) -> Code {
    match &r.why {
        Refusal::Rule(e) => e.code,
        other => panic!("{} refused for {other:?}, not by a rule", r.name),
    }
}

pub(super) fn file(id: u32, name: &str, size: u64, head: &[u8]) -> Attachment {
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
    let focused = apply(&mut s, [submit()]);
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
    assert_eq!(focused, 1);
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
    assert!(errors_at(&s, "lapor-title").is_empty());
    // Email was never in error: a wrong one shows nothing until the next submit.
    reduce(&mut s, edit(Input::Email, "bukan-email"));
    assert!(errors_at(&s, "lapor-email").is_empty());
    reduce(&mut s, submit());
    assert_eq!(
        fields(
            &errors_at(&s, "lapor-email")
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
    let (_, sends) = tally(
        &mut s,
        [
            submit(),
            Action::Submit {
                fresh_key: "key-2".to_owned(),
            },
        ],
    );
    let out = s.outgoing.clone().expect("a send");
    assert_eq!(sends, 1, "the second click must not start a second send");
    assert_eq!(out.idempotency_key, "key-1");
    assert_eq!(form_report(&out).location_code, "6474");
    assert_eq!(
        form_report(&out).incident_date.as_deref(),
        Some("2026-11-20")
    );
    assert_eq!(form_report(&out).reporter.email, None);
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
    let (_, sends) = tally(
        &mut s,
        [Action::Submit {
            fresh_key: "key-2".to_owned(),
        }],
    );
    let out = s.outgoing.clone().expect("a send");
    assert_eq!(
        (sends, out.idempotency_key.as_str()),
        (1, "key-1"),
        "a second send"
    );
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
    let sent = s.outgoing.clone();
    assert_eq!(tally(&mut s, [submit()]).1, 0, "no send after the receipt");
    assert_eq!(s.outgoing, sent);
    reduce(&mut s, Action::Reset);
    assert_eq!(s.fields.title, "");
    assert_eq!(s.phase, Phase::Editing);
    reduce(&mut s, submit());
    assert!(!s.errors.is_empty());
    let mut again = filled();
    let (_, sends) = tally(
        &mut again,
        [Action::Submit {
            fresh_key: "key-9".to_owned(),
        }],
    );
    assert_eq!(
        (sends, again.outgoing.map(|o| o.idempotency_key)),
        (1, Some("key-9".to_owned()))
    );
}

#[test]
fn server_errors_land_on_the_same_fields() {
    let mut s = filled();
    let focused = apply(
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
    assert_eq!(errors_at(&s, "lapor-attachments").len(), 1);
    assert_eq!(s.phase, Phase::Editing);
    assert_eq!(focused, 1);
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
    assert_eq!(form_report(&out).classification, "aspirasi");
    assert_eq!(
        form_report(&out).incident_date,
        None,
        "the typed date is kept but not sent"
    );
    assert_eq!(s.fields.incident_date, "2026-11-20");
}

#[test]
fn switching_kind_clears_an_incident_date_error() {
    let mut s = form();
    reduce(&mut s, submit());
    assert_eq!(errors_at(&s, "lapor-incident-date").len(), 1);
    reduce(
        &mut s,
        Action::Classify(Classification::PermintaanInformasi),
    );
    assert!(errors_at(&s, "lapor-incident-date").is_empty());
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
        errors_at(&s, "lapor-regency").len(),
        1,
        "the province is chosen, the regency is missing"
    );
    apply(&mut s, [edit(Input::Province, "")]);
    assert_eq!(errors_at(&s, "lapor-province").len(), 1);
}

#[test]
fn the_district_is_sent_when_chosen() {
    let mut s = filled();
    apply(&mut s, [edit(Input::District, "647401"), submit()]);
    assert_eq!(
        form_report(&s.outgoing.expect("a send")).location_code,
        "647401"
    );
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
    assert_eq!(fields(s.warnings()), ["reporter.nik:nik_regency_unknown"]);
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
fn a_waiting_submit_that_finds_the_errors_already_shown_keeps_the_photo_ready() {
    // Errors shown, then a photo picked and a submit pressed while it is made to fit.
    let mut s = form();
    apply(&mut s, [submit()]);
    let shown = s.errors.clone();
    assert!(!shown.is_empty());
    let (focused, sends) = tally(
        &mut s,
        [
            Action::FilesPicked(vec![photo_in_work(1)]),
            submit(),
            Action::FilePrepared {
                id: 1,
                name: "IMG_2041.jpg".into(),
                size: 900_000,
                head: JPEG.to_vec(),
            },
        ],
    );
    assert!(
        s.files_ready(),
        "the photo is ready, whatever the submit found"
    );
    assert_eq!(
        (focused, sends),
        (1, 0),
        "the errors again, focused; no send"
    );
    assert_eq!(s.submit_pending, None);
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
    let (_, sends) = tally(&mut s, [Action::Retry]);
    assert!(s.is_sending());
    let o = s.outgoing.as_ref().unwrap();
    assert_eq!(o.idempotency_key, "key-1");
    assert_eq!(sends, 1, "a retry is a new send");
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

/// `{:?}` of the form, of an edit and of what a send carries shows nothing the citizen typed
/// and nothing of who they are: such output can end up in a console or a bug report.
#[test]
fn debug_output_holds_nothing_the_citizen_typed() {
    let mut s = filled();
    apply(&mut s, [submit()]);
    let texts = [
        format!("{s:?}"),
        format!("{:?}", edit(Input::Nik, "6474015708900003")),
        format!("{:?}", s.outgoing),
        format!("{:?}", Draft::default()),
    ];
    for text in &texts {
        for secret in [
            "Lampu",
            "Sudah dua minggu",
            "Siti",
            "6474015708900003",
            "3456",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert!(texts[0].contains("Pengaduan"), "{}", texts[0]);
}

/// An answer that is not the gateway's keeps the report waiting, as no answer does, and says
/// the network blocked it; a later "no answer" says only that it waits.
#[test]
fn a_blocked_send_waits_like_an_unanswered_one_and_says_so() {
    let mut s = filled();
    apply(&mut s, [submit(), Action::Blocked]);
    assert_eq!(s.phase, Phase::Queued);
    assert!(s.blocked);
    apply(&mut s, [Action::Retry, Action::Queued]);
    assert_eq!(s.phase, Phase::Queued);
    assert!(!s.blocked);
    // Not sending: nothing to wait for.
    let mut idle = filled();
    apply(&mut idle, [Action::Blocked]);
    assert_eq!(idle.phase, Phase::Editing);
}

#[test]
fn an_expired_waiting_report_is_told_once() {
    let mut s = form();
    assert!(!s.expired);
    apply(&mut s, [Action::Expired, Action::Expired]);
    assert!(s.expired);
}

#[test]
fn a_draft_can_forget_who_the_reporter_is_and_keep_the_report() {
    let mut draft = filled().draft();
    draft.fields.email = "siti@example.id".into();
    draft.forget_identity();
    assert!(draft.fields.name.is_empty() && draft.fields.phone.is_empty());
    assert!(draft.fields.email.is_empty());
    assert_eq!(draft.fields.title, "Lampu jalan mati di Jl. Ahmad Yani");
    assert_eq!(draft.fields.regency, "6474");
}

/// The `/config` of a registered site with this region code.
fn site_config(region_code: Option<&str>) -> Config {
    Config {
        site: Some(lapor_core::config::Site {
            id: "kota-bontang".into(),
            name: "Pemerintah Kota Bontang".into(),
            region_code: region_code.map(str::to_owned),
        }),
        ..Config::default()
    }
}

/// The title, content, date and reporter of a Pengaduan, without a location.
fn typed_without_location() -> Vec<Action> {
    vec![
        edit(Input::Title, "Lampu jalan mati di Jl. Ahmad Yani"),
        edit(
            Input::Content,
            "Sudah dua minggu lampu jalan di depan sekolah mati total.",
        ),
        edit(Input::IncidentDate, "2026-11-20"),
        edit(Input::Name, "Siti Rahma"),
        edit(Input::Nik, "6474015708900003"),
        edit(Input::Phone, "0812 3456 7890"),
    ]
}

#[test]
fn a_regency_site_preselects_its_province_and_regency_and_the_report_goes_with_it() {
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(
        (s.fields.province.as_str(), s.fields.regency.as_str()),
        ("64", "6474")
    );
    assert!(s.fields.district.is_empty());
    assert!(!s.location_chosen);
    // Alone it is no draft: nothing the citizen did.
    assert!(s.draft().is_empty());
    // The config may arrive once the citizen has typed: the same preselection, nothing lost.
    let mut late = form();
    apply(&mut late, typed_without_location());
    apply(&mut late, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(late.fields.regency, "6474");
    assert_eq!(late.fields.title, "Lampu jalan mati di Jl. Ahmad Yani");
    apply(&mut late, [submit()]);
    assert!(late.errors.is_empty(), "{:?}", fields(&late.errors));
    assert_eq!(
        late.outgoing
            .as_ref()
            .unwrap()
            .report
            .as_ref()
            .unwrap()
            .location_code,
        "6474"
    );
}

#[test]
fn a_province_site_preselects_only_the_province() {
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("64")))]);
    assert_eq!(
        (s.fields.province.as_str(), s.fields.regency.as_str()),
        ("64", "")
    );
    // The province alone is no location: the regency is still asked for.
    apply(&mut s, typed_without_location());
    apply(&mut s, [submit()]);
    assert_eq!(fields(&s.errors), ["location_code:required"]);
    // Choosing the regency clears that error live.
    apply(&mut s, [edit(Input::Regency, "6472")]);
    assert!(s.errors.is_empty());
}

#[test]
fn no_site_an_unknown_or_malformed_region_preselects_nothing() {
    for config in [
        Config::default(),
        site_config(None),
        site_config(Some("99")),
        site_config(Some("9999")),
        site_config(Some("647401")),
        site_config(Some("6a")),
        site_config(Some("")),
    ] {
        let mut s = form();
        apply(&mut s, [Action::ConfigLoaded(config.clone())]);
        assert_eq!(s.fields, Fields::default(), "{:?}", config.site);
    }
}

#[test]
fn a_location_the_citizen_chose_before_the_config_wins() {
    // Another province and regency.
    let mut s = form();
    apply(
        &mut s,
        [edit(Input::Province, "64"), edit(Input::Regency, "6472")],
    );
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(s.fields.regency, "6472");
    // A province only, the regency not yet chosen: the site's regency is not slipped in.
    let mut s = form();
    apply(&mut s, [edit(Input::Province, "63")]);
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(
        (s.fields.province.as_str(), s.fields.regency.as_str()),
        ("63", "")
    );
    // Chosen, then cleared: it stays cleared.
    let mut s = form();
    apply(
        &mut s,
        [edit(Input::Province, "64"), edit(Input::Province, "")],
    );
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(s.fields, Fields::default());
}

#[test]
fn the_citizen_can_change_a_preselected_location() {
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    apply(
        &mut s,
        [edit(Input::Province, "63"), edit(Input::Regency, "6371")],
    );
    assert_eq!(
        (s.fields.province.as_str(), s.fields.regency.as_str()),
        ("63", "6371")
    );
    assert!(s.location_chosen);
    // Now it is the citizen's: the draft keeps it, and a config arriving again changes nothing.
    assert_eq!(s.draft().fields.regency, "6371");
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(s.fields.regency, "6371");
    // Keeping the preselected regency and adding a kecamatan is a choice too.
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    apply(&mut s, [edit(Input::District, "647401")]);
    let draft = s.draft();
    assert_eq!(
        (
            draft.fields.regency.as_str(),
            draft.fields.district.as_str()
        ),
        ("6474", "647401")
    );
}

#[test]
fn a_restored_draft_wins_over_the_preselection_whenever_the_config_arrives() {
    let mut chosen = form();
    apply(
        &mut chosen,
        [edit(Input::Province, "64"), edit(Input::Regency, "6472")],
    );
    apply(&mut chosen, typed_without_location());
    let draft = chosen.draft();

    // Config first, then the draft.
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    apply(&mut s, [Action::Restore(draft.clone(), vec![])]);
    assert_eq!(s.fields.regency, "6472");
    // The draft first, then the config.
    let mut s = form();
    apply(&mut s, [Action::Restore(draft.clone(), vec![])]);
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(s.fields.regency, "6472");
    // A draft from before this version, its location chosen but not marked so: it wins too.
    let old = Draft {
        location_chosen: false,
        ..draft.clone()
    };
    let mut s = form();
    apply(&mut s, [Action::Restore(old, vec![])]);
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert_eq!(s.fields.regency, "6472");

    // A draft whose location the citizen never chose gets the site's.
    let mut typed = form();
    apply(&mut typed, typed_without_location());
    let unlocated = typed.draft();
    assert!(!unlocated.location_chosen);
    let mut s = form();
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    apply(&mut s, [Action::Restore(unlocated.clone(), vec![])]);
    assert_eq!(s.fields.regency, "6474");
    assert_eq!(s.fields.title, "Lampu jalan mati di Jl. Ahmad Yani");
    // One the citizen had cleared stays cleared.
    let cleared = Draft {
        location_chosen: true,
        ..unlocated
    };
    let mut s = form();
    apply(&mut s, [Action::Restore(cleared, vec![])]);
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert!(s.fields.province.is_empty());
}

#[test]
fn a_preselection_clears_a_shown_location_error_and_a_new_report_starts_from_it_again() {
    // Submitted before the config came: the location error shows, then the site fills it.
    let mut s = form();
    apply(&mut s, typed_without_location());
    apply(&mut s, [submit()]);
    assert_eq!(fields(&s.errors), ["location_code:required"]);
    apply(&mut s, [Action::ConfigLoaded(site_config(Some("6474")))]);
    assert!(s.errors.is_empty(), "{:?}", fields(&s.errors));
    // After a report, "Buat laporan baru" starts from the site's region again.
    apply(&mut s, [edit(Input::Regency, "6472"), Action::Reset]);
    assert_eq!(s.fields.regency, "6474");
    assert!(!s.location_chosen);
}
