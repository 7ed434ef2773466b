//! Whole-report validation: per-classification rules, limits, every problem at once.

use lapor_core::attachment::AttachmentInfo;
use lapor_core::validate::validate_submission;
use lapor_core::{validate_report, Code, Config, Context, Date, Field, FieldError, Named, Report};

fn today() -> Date {
    Date::new(2026, 11, 28).unwrap()
}

fn config() -> Config {
    Config {
        institutions: vec![Named {
            id: "dishub".into(),
            name: "Dinas Perhubungan".into(),
        }],
        categories: vec![Named {
            id: "jalan".into(),
            name: "Jalan dan Penerangan".into(),
        }],
        ..Config::default()
    }
}

/// A valid Pengaduan, as JSON on the wire, so tests also cover deserialisation.
fn pengaduan() -> serde_json::Value {
    serde_json::json!({
        "classification": "pengaduan",
        "title": "Lampu jalan mati di Jl. Ahmad Yani",
        "content": "Sudah dua minggu lampu jalan di depan SDN 001 mati dan jalan gelap sekali.",
        "incident_date": "2026-11-20",
        "location_code": "647401",
        "location_detail": "depan SDN 001",
        "institution_id": null,
        "category_id": null,
        "anonymous": false,
        "secret": false,
        "reporter": { "name": "Siti Rahma", "nik": "6474015708900003", "phone": "081234567890", "email": null },
        "lang": "id"
    })
}

fn errors_of(json: serde_json::Value) -> Vec<(String, Code)> {
    let report: Report = serde_json::from_value(json).expect("the contract's JSON");
    let config = config();
    match validate_report(
        &report,
        &Context {
            config: &config,
            today: today(),
        },
    ) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| (e.field.to_string(), e.code))
            .collect(),
    }
}

/// Applies `edit` to a valid report of `classification` and checks the errors it yields.
fn check(
    classification: &str,
    edit: impl FnOnce(&mut serde_json::Value),
    expected: &[(&str, Code)],
) {
    let mut json = pengaduan();
    if classification != "pengaduan" {
        json["classification"] = classification.into();
        json["incident_date"] = serde_json::Value::Null;
    }
    edit(&mut json);
    let got = errors_of(json);
    let expected: Vec<(String, Code)> = expected.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    assert_eq!(got, expected);
}

fn set(path: &'static str, value: serde_json::Value) -> impl FnOnce(&mut serde_json::Value) {
    move |json| {
        let mut target = json;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            target = &mut target[*part];
        }
        target[parts[parts.len() - 1]] = value;
    }
}

fn keep() -> impl FnOnce(&mut serde_json::Value) {
    |_| {}
}

#[test]
fn valid_reports_of_each_classification_pass() {
    check("pengaduan", keep(), &[]);
    check("aspirasi", keep(), &[]);
    check("permintaan_informasi", keep(), &[]);
    check("aspirasi", set("location_code", "64".into()), &[]);
    check("aspirasi", set("location_code", "6474".into()), &[]);
    check("pengaduan", set("institution_id", "dishub".into()), &[]);
    check("pengaduan", set("category_id", "jalan".into()), &[]);
    check(
        "pengaduan",
        set("reporter.email", "siti@contoh.id".into()),
        &[],
    );
    check("pengaduan", set("reporter.email", "  ".into()), &[]);
    check("pengaduan", set("incident_date", "2026-11-28".into()), &[]);
}

#[test]
fn classification_rules() {
    check(
        "pengaduan",
        set("classification", "".into()),
        &[("classification", Code::Required)],
    );
    check(
        "pengaduan",
        set("classification", "keluhan".into()),
        &[("classification", Code::UnknownClassification)],
    );
    check(
        "pengaduan",
        set("incident_date", serde_json::Value::Null),
        &[("incident_date", Code::Required)],
    );
    check(
        "pengaduan",
        set("incident_date", " ".into()),
        &[("incident_date", Code::Required)],
    );
    check(
        "aspirasi",
        set("incident_date", "2026-11-20".into()),
        &[("incident_date", Code::NotAllowed)],
    );
    check(
        "permintaan_informasi",
        set("incident_date", "2026-11-20".into()),
        &[("incident_date", Code::NotAllowed)],
    );
}

#[test]
fn dates() {
    check(
        "pengaduan",
        set("incident_date", "20-11-2026".into()),
        &[("incident_date", Code::DateFormat)],
    );
    check(
        "pengaduan",
        set("incident_date", "2026-02-30".into()),
        &[("incident_date", Code::DateFormat)],
    );
    check(
        "pengaduan",
        set("incident_date", "2026-11-29".into()),
        &[("incident_date", Code::DateFuture)],
    );
}

#[test]
fn lengths_count_characters_not_bytes() {
    check("pengaduan", set("title", "Jalan rusak".into()), &[]);
    check(
        "pengaduan",
        set("title", "Rusak".into()),
        &[("title", Code::TooShort)],
    );
    check("pengaduan", set("title", "é".repeat(10).into()), &[]);
    check(
        "pengaduan",
        set("title", "a".repeat(151).into()),
        &[("title", Code::TooLong)],
    );
    check(
        "pengaduan",
        set("title", "   ".into()),
        &[("title", Code::Required)],
    );
    check(
        "pengaduan",
        set("content", "Terlalu pendek".into()),
        &[("content", Code::TooShort)],
    );
    check(
        "pengaduan",
        set("content", "x".repeat(4001).into()),
        &[("content", Code::TooLong)],
    );
    check("pengaduan", set("content", "ä".repeat(4000).into()), &[]);
    check(
        "pengaduan",
        set("location_detail", "x".repeat(201).into()),
        &[("location_detail", Code::TooLong)],
    );
}

#[test]
fn locations_institutions_categories() {
    check(
        "pengaduan",
        set("location_code", "".into()),
        &[("location_code", Code::Required)],
    );
    check(
        "pengaduan",
        set("location_code", "99".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    check(
        "pengaduan",
        set("location_code", "6499".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    check(
        "pengaduan",
        set("location_code", "647499".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    check(
        "pengaduan",
        set("location_code", "64740".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    check(
        "pengaduan",
        set("location_code", "64.74".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    // A historical regency code is valid in a NIK, not as a location of today.
    check(
        "pengaduan",
        set("location_code", "9101".into()),
        &[("location_code", Code::UnknownLocation)],
    );
    check(
        "pengaduan",
        set("institution_id", "polisi".into()),
        &[("institution_id", Code::UnknownInstitution)],
    );
    check(
        "pengaduan",
        set("category_id", "lain".into()),
        &[("category_id", Code::UnknownCategory)],
    );
}

#[test]
fn reporter_identity() {
    check(
        "pengaduan",
        set("reporter.name", "".into()),
        &[("reporter.name", Code::Required)],
    );
    check(
        "pengaduan",
        set("reporter.name", "R2-D2".into()),
        &[("reporter.name", Code::NameFormat)],
    );
    check(
        "pengaduan",
        set("reporter.nik", serde_json::Value::Null),
        &[("reporter.nik", Code::Required)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "12345".into()),
        &[("reporter.nik", Code::NikFormat)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "0474015708900003".into()),
        &[("reporter.nik", Code::NikFormat)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "9974015708900003".into()),
        &[("reporter.nik", Code::NikProvince)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "6474013208900003".into()),
        &[("reporter.nik", Code::NikBirthDate)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "6474015708900000".into()),
        &[("reporter.nik", Code::NikSerial)],
    );
    check(
        "pengaduan",
        set("reporter.nik", "6474.0157.0890.0003".into()),
        &[],
    );
    check(
        "pengaduan",
        set("reporter.phone", "".into()),
        &[("reporter.phone", Code::Required)],
    );
    check(
        "pengaduan",
        set("reporter.phone", "0841234567".into()),
        &[("reporter.phone", Code::PhoneFormat)],
    );
    check(
        "pengaduan",
        set("reporter.phone", "+62 812-3456-7890".into()),
        &[],
    );
    check(
        "pengaduan",
        set("reporter.email", "siti@contoh".into()),
        &[("reporter.email", Code::EmailFormat)],
    );
}

#[test]
fn nik_is_optional_when_the_gateway_says_so() {
    let mut json = pengaduan();
    json["reporter"]["nik"] = serde_json::Value::Null;
    let report: Report = serde_json::from_value(json).unwrap();
    let config = Config {
        require_nik: false,
        ..config()
    };
    let valid = validate_report(
        &report,
        &Context {
            config: &config,
            today: today(),
        },
    )
    .unwrap();
    assert!(valid.nik.is_none());
}

#[test]
fn every_problem_is_reported_at_once_in_form_order() {
    let json = serde_json::json!({
        "classification": "aspirasi",
        "title": "",
        "content": "pendek",
        "incident_date": "2026-11-01",
        "location_code": "00",
        "institution_id": "x",
        "category_id": "y",
        "reporter": { "name": "123", "nik": "6474016208900000", "phone": "021555", "email": "a@b" }
    });
    let got: Vec<(String, Code)> = errors_of(json);
    let expected = [
        ("title", Code::Required),
        ("content", Code::TooShort),
        ("incident_date", Code::NotAllowed),
        ("location_code", Code::UnknownLocation),
        ("institution_id", Code::UnknownInstitution),
        ("category_id", Code::UnknownCategory),
        ("reporter.name", Code::NameFormat),
        ("reporter.nik", Code::NikSerial),
        ("reporter.phone", Code::PhoneFormat),
        ("reporter.email", Code::EmailFormat),
    ];
    assert_eq!(got, expected.map(|(f, c)| (f.to_string(), c)));
}

#[test]
fn parsed_report_carries_parsed_identity() {
    let report: Report = serde_json::from_value(pengaduan()).unwrap();
    let config = config();
    let checked = validate_submission(
        &report,
        &[],
        &Context {
            config: &config,
            today: today(),
        },
    );
    let warnings = checked.warnings;
    let valid = checked.report.unwrap();
    assert_eq!(valid.phone.as_e164(), "+6281234567890");
    assert_eq!(
        valid.nik.as_ref().map(|n| n.as_str()),
        Some("6474015708900003")
    );
    assert_eq!(valid.body.incident_date, Date::new(2026, 11, 20));
    assert!(warnings.is_empty());
    assert_eq!(valid.body.title, "Lampu jalan mati di Jl. Ahmad Yani");
}

#[test]
fn unknown_regency_in_nik_is_a_warning_not_an_error() {
    // 6499 is no regency of Kalimantan Timur in any edition.
    let mut json = pengaduan();
    json["reporter"]["nik"] = "6499015708900003".into();
    let report: Report = serde_json::from_value(json).unwrap();
    let config = config();
    let checked = validate_submission(
        &report,
        &[],
        &Context {
            config: &config,
            today: today(),
        },
    );
    assert!(checked.report.is_some());
    assert_eq!(
        checked.warnings,
        vec![FieldError::new(Field::ReporterNik, Code::NikRegencyUnknown)]
    );
}

#[test]
fn unknown_json_fields_are_refused() {
    let mut json = pengaduan();
    json["judul"] = "typo".into();
    assert!(serde_json::from_value::<Report>(json).is_err());
    let mut json = pengaduan();
    json["reporter"]["nama"] = "typo".into();
    assert!(serde_json::from_value::<Report>(json).is_err());
}

#[test]
fn missing_fields_become_field_errors_not_shape_errors() {
    let got = errors_of(serde_json::json!({ "classification": "aspirasi" }));
    let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "title",
            "content",
            "location_code",
            "reporter.name",
            "reporter.nik",
            "reporter.phone"
        ]
    );
    assert!(got.iter().all(|(_, code)| *code == Code::Required));
}

#[test]
fn attachments_join_the_same_list() {
    let report: Report = serde_json::from_value(pengaduan()).unwrap();
    let config = config();
    let ctx = Context {
        config: &config,
        today: today(),
    };
    let png = b"\x89PNG\r\n\x1a\n....";
    let files = [
        AttachmentInfo {
            name: "foto.png",
            size: 1000,
            head: png,
        },
        AttachmentInfo {
            name: "kosong.pdf",
            size: 0,
            head: b"",
        },
    ];
    let errors = validate_submission(&report, &files, &ctx)
        .into_result()
        .unwrap_err();
    assert_eq!(
        errors,
        vec![FieldError::new(Field::Attachment(1), Code::FileEmpty)]
    );
    let files = [AttachmentInfo {
        name: "foto.png",
        size: 1000,
        head: png,
    }];
    assert!(validate_submission(&report, &files, &ctx)
        .into_result()
        .is_ok());
}

#[test]
fn field_names_round_trip() {
    for name in [
        "classification",
        "reporter.nik",
        "attachments[0]",
        "attachments[12]",
        "attachments",
    ] {
        assert_eq!(
            Field::parse(name).map(|f| f.to_string()).as_deref(),
            Some(name)
        );
    }
    for bad in [
        "attachments[]",
        "attachments[x]",
        "attachments[-1]",
        "nik",
        "",
    ] {
        assert_eq!(Field::parse(bad), None, "{bad}");
    }
}

#[test]
fn field_errors_serialise_as_the_contract_says() {
    let err = FieldError::new(Field::Attachment(2), Code::FileTypeMismatch);
    let json = serde_json::to_string(&err).unwrap();
    assert_eq!(
        json,
        r#"{"field":"attachments[2]","code":"file_type_mismatch"}"#
    );
    assert_eq!(serde_json::from_str::<FieldError>(&json).unwrap(), err);
}

#[test]
fn config_defaults_are_the_contract_defaults() {
    let json = serde_json::to_value(Config::default()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "classifications": ["pengaduan", "aspirasi", "permintaan_informasi"],
            "attachments": { "types": ["image/jpeg", "image/png", "application/pdf"],
                             "max_file_bytes": 2097152, "max_files": 5, "max_total_bytes": 10485760 },
            "limits": { "title_min": 10, "title_max": 150, "content_min": 30, "content_max": 4000 },
            "require_nik": true,
            "institutions": [],
            "categories": []
        })
    );
}

#[test]
fn a_submission_lists_its_errors_in_the_order_of_the_form() {
    let mut json = pengaduan();
    json["title"] = "".into();
    json["reporter"]["phone"] = "12".into();
    let report: Report = serde_json::from_value(json).unwrap();
    let config = config();
    let ctx = Context {
        config: &config,
        today: today(),
    };
    let files = [AttachmentInfo {
        name: "kosong.pdf",
        size: 0,
        head: b"",
    }];
    let checked = validate_submission(&report, &files, &ctx);
    assert!(checked.report.is_none());
    let got: Vec<String> = checked.errors.iter().map(|e| e.field.to_string()).collect();
    assert_eq!(got, ["title", "attachments[0]", "reporter.phone"]);
    let ranks: Vec<u8> = checked
        .errors
        .iter()
        .map(|e| e.field.descriptor().order)
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
}

#[test]
fn warnings_are_found_even_when_other_fields_are_in_error() {
    let mut json = pengaduan();
    json["title"] = "".into();
    json["reporter"]["nik"] = "6499015708900003".into();
    let report: Report = serde_json::from_value(json).unwrap();
    let config = config();
    let ctx = Context {
        config: &config,
        today: today(),
    };
    let checked = validate_submission(&report, &[], &ctx);
    assert_eq!(
        checked.errors,
        vec![FieldError::new(Field::Title, Code::Required)]
    );
    assert_eq!(
        checked.warnings,
        vec![FieldError::new(Field::ReporterNik, Code::NikRegencyUnknown)]
    );
}

/// `{:?}` of a report, before or after validation, and of the checked result, shows neither
/// the citizen's words nor the identity: such output ends up in logs.
#[test]
fn debug_output_holds_no_content_and_no_identity() {
    let report: Report = serde_json::from_value(pengaduan()).unwrap();
    let config = config();
    let checked = validate_submission(
        &report,
        &[],
        &Context {
            config: &config,
            today: today(),
        },
    );
    let valid = checked.report.clone().unwrap();
    for text in [
        format!("{report:?}"),
        format!("{:?}", report.reporter),
        format!("{valid:?}"),
        format!("{checked:?}"),
        format!("{:?} {:?} {:?}", valid.nik, valid.phone, valid.name),
    ] {
        for secret in [
            "Lampu jalan",
            "Sudah dua minggu",
            "SDN 001",
            "Siti",
            "6474015708900003",
            "81234567890",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert!(format!("{valid:?}").contains("Pengaduan"));
}

#[test]
fn the_order_of_the_fields_is_the_descriptors_order() {
    let mut fields = Field::NAMED.to_vec();
    let at = fields
        .iter()
        .position(|f| *f == Field::Attachments)
        .unwrap();
    fields.splice(at..at, [Field::Attachment(0), Field::Attachment(7)]);
    for pair in fields.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(a < b, "{a} before {b}");
        assert!(
            a.descriptor().order <= b.descriptor().order,
            "{a} before {b}"
        );
    }
    let mut errors: Vec<FieldError> = fields
        .iter()
        .rev()
        .map(|f| FieldError::new(*f, Code::Required))
        .collect();
    lapor_core::error::sort_in_form_order(&mut errors);
    let sorted: Vec<Field> = errors.iter().map(|e| e.field).collect();
    assert_eq!(sorted, fields);
}
