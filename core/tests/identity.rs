//! Identity parsing: NIK, phone, email, name. Table-driven, plus property tests.

use lapor_core::identity::{normalize_nik, normalize_phone, Email, Name, Nik, Phone, Sex};
use lapor_core::{Code, Date};
use proptest::prelude::*;

/// The fixed "today" of these tests.
fn today() -> Date {
    Date::new(2026, 11, 28).unwrap()
}

/// Parses a NIK on `today` and compares its birth date and sex, or the error.
fn check_nik_on(today: Date, input: &str, expected: Result<(&str, Sex), Code>) {
    let got = Nik::parse(input, today).map(|n| (n.birth_date().to_string(), n.sex()));
    let got = got.as_ref().map(|(d, s)| (d.as_str(), *s)).map_err(|c| *c);
    assert_eq!(got, expected, "{input:?} on {today}");
}

fn check_nik(input: &str, expected: Result<(&str, Sex), Code>) {
    check_nik_on(today(), input, expected);
}

use Sex::{Female as F, Male as M};

#[test]
fn nik_valid_and_normalised() {
    check_nik("6474015708900003", Ok(("1990-08-17", F)));
    check_nik("6474011708900003", Ok(("1990-08-17", M)));
    check_nik("6474 0157 0890 0003", Ok(("1990-08-17", F)));
    check_nik("64.74.01.570890.0003", Ok(("1990-08-17", F)));
    check_nik("6474-0157-0890-0003", Ok(("1990-08-17", F)));
    check_nik(" 64 74 01-57.08.90 0003 ", Ok(("1990-08-17", F)));
    check_nik("\t6474015708900003\n", Ok(("1990-08-17", F)));
    check_nik("3171010101000001", Ok(("2000-01-01", M)));
}

#[test]
fn nik_format() {
    check_nik("", Err(Code::NikFormat));
    check_nik("   ", Err(Code::NikFormat));
    check_nik("647401570890000", Err(Code::NikFormat));
    check_nik("64740157089000031", Err(Code::NikFormat));
    check_nik("647401570890000a", Err(Code::NikFormat));
    check_nik("0474015708900003", Err(Code::NikFormat));
    check_nik("6474/01570890/0003", Err(Code::NikFormat));
    check_nik("6474_015708900003", Err(Code::NikFormat));
    check_nik("６４７４０１５７０８９０００３", Err(Code::NikFormat));
    check_nik("٦٤٧٤٠١٥٧٠٨٩٠٠٠٠٣", Err(Code::NikFormat));
    check_nik("+474015708900003", Err(Code::NikFormat));
    check_nik("-6474015708900003", Ok(("1990-08-17", F)));
}

#[test]
fn nik_province() {
    check_nik("1074015708900003", Err(Code::NikProvince));
    check_nik("2074015708900003", Err(Code::NikProvince));
    check_nik("9974015708900003", Err(Code::NikProvince));
    check_nik("9701015708900003", Err(Code::NikProvince));
    check_nik("9601015708900003", Ok(("1990-08-17", F)));
    check_nik("1101015708900003", Ok(("1990-08-17", F)));
}

#[test]
fn nik_day_and_sex() {
    check_nik("6474010108900003", Ok(("1990-08-01", M)));
    check_nik("6474013108900003", Ok(("1990-08-31", M)));
    check_nik("6474014108900003", Ok(("1990-08-01", F)));
    check_nik("6474017108900003", Ok(("1990-08-31", F)));
    check_nik("6474010008900003", Err(Code::NikBirthDate));
    check_nik("6474013208900003", Err(Code::NikBirthDate));
    check_nik("6474013908900003", Err(Code::NikBirthDate));
    check_nik("6474014008900003", Err(Code::NikBirthDate));
    check_nik("6474017208900003", Err(Code::NikBirthDate));
    check_nik("6474019908900003", Err(Code::NikBirthDate));
}

#[test]
fn nik_month_and_real_dates() {
    check_nik("6474011500900003", Err(Code::NikBirthDate));
    check_nik("6474011513900003", Err(Code::NikBirthDate));
    check_nik("6474011512900003", Ok(("1990-12-15", M)));
    check_nik("6474013004900003", Ok(("1990-04-30", M)));
    check_nik("6474013104900003", Err(Code::NikBirthDate));
    check_nik("6474017104900003", Err(Code::NikBirthDate));
    check_nik("6474017004900003", Ok(("1990-04-30", F)));
    check_nik("6474013002900003", Err(Code::NikBirthDate));
}

#[test]
fn nik_29_february() {
    check_nik("6474012902960003", Ok(("1996-02-29", M)));
    check_nik("6474016902960003", Ok(("1996-02-29", F)));
    check_nik("6474012902970003", Err(Code::NikBirthDate));
    check_nik("6474016902970003", Err(Code::NikBirthDate));
    check_nik("6474012902000003", Ok(("2000-02-29", M)));
    check_nik("6474012902240003", Ok(("2024-02-29", M)));
    check_nik("6474012902260003", Err(Code::NikBirthDate));
    // 2028 is still to come, so 28 means 1928, a leap year too.
    check_nik("6474012902280003", Ok(("1928-02-29", M)));
    // 1900 was not a leap year: chosen century 1900 when 2000 lies ahead.
    check_nik_on(
        Date::new(1999, 12, 31).unwrap(),
        "6474012902000003",
        Err(Code::NikBirthDate),
    );
}

#[test]
fn nik_century() {
    check_nik("6474012811260003", Ok(("2026-11-28", M)));
    check_nik("6474016811260003", Ok(("2026-11-28", F)));
    check_nik("6474012911260003", Ok(("1926-11-29", M)));
    check_nik("6474010112260003", Ok(("1926-12-01", M)));
    check_nik("6474013110260003", Ok(("2026-10-31", M)));
    check_nik("6474010101000003", Ok(("2000-01-01", M)));
    check_nik("6474013112990003", Ok(("1999-12-31", M)));
    check_nik("6474010101270003", Ok(("1927-01-01", M)));
    check_nik("6474010101500003", Ok(("1950-01-01", M)));
}

#[test]
fn nik_future_birth_date() {
    // With "today" after 2000 a date ahead in 20YY falls back to 19YY; a birth date is in the
    // future only when it is ahead in both centuries.
    let early = Date::new(1995, 6, 1).unwrap();
    check_nik_on(early, "6474010106970003", Err(Code::NikBirthDate));
    check_nik_on(early, "6474010206950003", Err(Code::NikBirthDate));
    check_nik_on(early, "6474010106950003", Ok(("1995-06-01", M)));
    check_nik_on(early, "6474013105950003", Ok(("1995-05-31", M)));
    check_nik_on(early, "6474010106960003", Err(Code::NikBirthDate));
}

#[test]
fn nik_serial() {
    check_nik("6474015708900000", Err(Code::NikSerial));
    check_nik("6474015708900001", Ok(("1990-08-17", F)));
    check_nik("6474015708909999", Ok(("1990-08-17", F)));
}

#[test]
fn nik_rules_in_order() {
    check_nik("1074013208900000", Err(Code::NikProvince));
    check_nik("6474013208900000", Err(Code::NikBirthDate));
    check_nik("0074013208900000", Err(Code::NikFormat));
    check_nik("6499013208900000", Err(Code::NikBirthDate));
}

/// Parses a valid NIK and tells whether its regency is unknown.
fn check_regency(input: &str, unknown: bool) {
    let nik = Nik::parse(input, today()).unwrap_or_else(|c| panic!("{input}: {c}"));
    assert_eq!(nik.regency_unknown(), unknown, "{input}");
}

#[test]
fn nik_regency_warning() {
    check_regency("6474015708900003", false);
    check_regency("3171015708900003", false);
    check_regency("9301015708900003", false);
    // Historical Papua codes (before the 2022 split) stay valid without warning.
    check_regency("9101015708900003", false);
    check_regency("9102015708900003", false);
    check_regency("9128015708900003", false);
    check_regency("9201015708900003", false);
    check_regency("9271015708900003", false);
    check_regency("6499015708900003", true);
    check_regency("6404015708900003", true);
    check_regency("9129015708900003", true);
    check_regency("9601015708900003", false);
    check_regency("9699015708900003", true);
}

#[test]
fn nik_parts_and_masking() {
    let nik = Nik::parse("64 74 01 570890 0003", today()).unwrap();
    assert_eq!(nik.as_str(), "6474015708900003");
    assert_eq!(nik.province_code(), "64");
    assert_eq!(nik.regency_code(), "6474");
    assert_eq!(nik.district_code(), "647401");
    assert_eq!(nik.serial(), "0003");
    assert_eq!(nik.birth_date(), Date::new(1990, 8, 17).unwrap());
    assert_eq!(nik.sex(), Sex::Female);
    let debug = format!("{nik:?}");
    assert!(!debug.bytes().any(|b| b.is_ascii_digit()), "{debug}");
}

#[test]
fn nik_normalise() {
    assert_eq!(normalize_nik("64.74-01 570890"), "647401570890");
    assert_eq!(normalize_nik("a b"), "ab");
    assert_eq!(normalize_nik(""), "");
}

fn check_phone(input: &str, expected: Result<&str, Code>) {
    let got = Phone::parse(input);
    assert_eq!(
        got.as_ref().map(Phone::as_e164).map_err(|c| *c),
        expected,
        "{input:?}"
    );
}

#[test]
fn phone_forms() {
    check_phone("081234567890", Ok("+6281234567890"));
    check_phone("+62 812-3456-7890", Ok("+6281234567890"));
    check_phone("6281234567890", Ok("+6281234567890"));
    check_phone("+6281234567890", Ok("+6281234567890"));
    check_phone("+62 (812) 3456 7890", Ok("+6281234567890"));
    check_phone("0062 812 3456 7890", Ok("+6281234567890"));
    check_phone("0812.3456.7890", Ok("+6281234567890"));
    check_phone("(0812) 3456-7890", Ok("+6281234567890"));
    check_phone("  0812 3456 7890  ", Ok("+6281234567890"));
    check_phone("62 812 3456 7890", Ok("+6281234567890"));
}

#[test]
fn phone_prefixes() {
    check_phone("081134567890", Ok("+6281134567890"));
    check_phone("082134567890", Ok("+6282134567890"));
    check_phone("083134567890", Ok("+6283134567890"));
    check_phone("085234567890", Ok("+6285234567890"));
    check_phone("087834567890", Ok("+6287834567890"));
    check_phone("088934567890", Ok("+6288934567890"));
    check_phone("089634567890", Ok("+6289634567890"));
    check_phone("084134567890", Err(Code::PhoneFormat));
    check_phone("+62 841 3456 7890", Err(Code::PhoneFormat));
    check_phone("080134567890", Err(Code::PhoneFormat));
    check_phone("02155512345", Err(Code::PhoneFormat));
    check_phone("+62 21 5551 2345", Err(Code::PhoneFormat));
    check_phone("0711 355 123", Err(Code::PhoneFormat));
    check_phone("81234567890", Err(Code::PhoneFormat));
}

#[test]
fn phone_lengths() {
    check_phone("0812345678", Ok("+62812345678"));
    check_phone("081234567", Err(Code::PhoneFormat));
    check_phone("0812345678901", Ok("+62812345678901"));
    check_phone("08123456789012", Err(Code::PhoneFormat));
    check_phone("+62812345678", Ok("+62812345678"));
    check_phone("+6281234567", Err(Code::PhoneFormat));
    check_phone("08", Err(Code::PhoneFormat));
    check_phone("0", Err(Code::PhoneFormat));
    check_phone("+62", Err(Code::PhoneFormat));
}

#[test]
fn phone_junk() {
    check_phone("", Err(Code::Required));
    check_phone("   ", Err(Code::Required));
    check_phone("0812-3456-789O", Err(Code::PhoneFormat));
    check_phone("+1 812 3456 7890", Err(Code::PhoneFormat));
    check_phone("+62 0812 3456 7890", Err(Code::PhoneFormat));
    check_phone("+62+81234567890", Err(Code::PhoneFormat));
    check_phone("０８１２３４５６７８９０", Err(Code::PhoneFormat));
    check_phone("0812/3456/7890", Err(Code::PhoneFormat));
    check_phone("tel:081234567890", Err(Code::PhoneFormat));
    check_phone("- . ( )", Err(Code::PhoneFormat));
}

#[test]
fn phone_masked() {
    let phone = Phone::parse("081234567890").unwrap();
    let debug = format!("{phone:?}");
    assert!(!debug.bytes().any(|b| b.is_ascii_digit()), "{debug}");
    assert_eq!(normalize_phone("+62 (812) 3456-78.90"), "+6281234567890");
}

fn check_email(input: &str, expected: Result<&str, Code>) {
    let got = Email::parse(input);
    assert_eq!(
        got.as_ref().map(Email::as_str).map_err(|c| *c),
        expected,
        "{input:?}"
    );
}

#[test]
fn emails() {
    check_email("siti@example.go.id", Ok("siti@example.go.id"));
    check_email("  siti@example.com\n", Ok("siti@example.com"));
    check_email(
        "siti.rahma+lapor@mail.co.id",
        Ok("siti.rahma+lapor@mail.co.id"),
    );
    check_email("Siti@Example.COM", Ok("Siti@Example.COM"));
    check_email("siti@xn--mnchen-3ya.de", Ok("siti@xn--mnchen-3ya.de"));
    check_email("siti@bandung.id", Ok("siti@bandung.id"));
    check_email("", Err(Code::Required));
    check_email("   ", Err(Code::Required));
    check_email("siti", Err(Code::EmailFormat));
    check_email("siti.example.com", Err(Code::EmailFormat));
    check_email("@example.com", Err(Code::EmailFormat));
    check_email("siti@", Err(Code::EmailFormat));
    check_email("siti@localhost", Err(Code::EmailFormat));
    check_email("siti@@example.com", Err(Code::EmailFormat));
    check_email("siti@mail@example.com", Err(Code::EmailFormat));
    check_email("siti@exa mple.com", Err(Code::EmailFormat));
    check_email("si ti@example.com", Err(Code::EmailFormat));
    check_email("siti@example..com", Err(Code::EmailFormat));
    check_email("siti@.example.com", Err(Code::EmailFormat));
    check_email("siti@example.com.", Err(Code::EmailFormat));
    check_email("siti@example.\u{0}com", Err(Code::EmailFormat));
    check_email(
        &format!("{}@example.com", "a".repeat(250)),
        Err(Code::EmailFormat),
    );
}

fn check_name(input: &str, expected: Result<&str, Code>) {
    let got = Name::parse(input);
    assert_eq!(
        got.as_ref().map(Name::as_str).map_err(|c| *c),
        expected,
        "{input:?}"
    );
}

#[test]
fn names() {
    check_name("Siti Rahma", Ok("Siti Rahma"));
    check_name("Sukarno", Ok("Sukarno"));
    check_name("  Siti   Rahma  ", Ok("Siti Rahma"));
    check_name("Siti\tRahma\n", Ok("Siti Rahma"));
    check_name("O'Neil", Ok("O'Neil"));
    check_name("O’Neil", Ok("O'Neil"));
    check_name("Muh. Yusuf", Ok("Muh. Yusuf"));
    check_name("Rahma, S.Pd.", Ok("Rahma, S.Pd."));
    check_name("Nur-Aini", Ok("Nur-Aini"));
    check_name("Zoë Ñúñez", Ok("Zoë Ñúñez"));
    check_name("محمد", Ok("محمد"));
    check_name("I", Ok("I"));
    check_name("", Err(Code::Required));
    check_name(" \t\n ", Err(Code::Required));
    check_name("Siti2", Err(Code::NameFormat));
    check_name("Siti Rahma 😀", Err(Code::NameFormat));
    check_name("Siti_Rahma", Err(Code::NameFormat));
    check_name("Siti@Rahma", Err(Code::NameFormat));
    check_name("<script>", Err(Code::NameFormat));
    check_name("...", Err(Code::NameFormat));
    check_name("- ' ,", Err(Code::NameFormat));
    check_name("Siti\u{200b}Rahma", Err(Code::NameFormat));
    check_name(&"a".repeat(100), Ok(&"a".repeat(100)));
    check_name(&"a".repeat(101), Err(Code::TooLong));
    check_name(&format!("  {}  ", "é".repeat(100)), Ok(&"é".repeat(100)));
    check_name(&"ab ".repeat(34), Err(Code::TooLong));
    check_name(&"ab   ".repeat(33), Ok("ab ".repeat(33).trim_end()));
}

#[test]
fn names_and_emails_masked() {
    let name = format!("{:?}", Name::parse("Siti Rahma").unwrap());
    let email = format!("{:?}", Email::parse("siti@example.com").unwrap());
    assert!(
        !name.contains("Siti") && !email.contains("siti"),
        "{name} {email}"
    );
}

/// A valid mobile number as a citizen might type it, with the E.164 form it must give.
fn typed_phone() -> impl Strategy<Value = (String, String)> {
    let prefix = prop::sample::select(vec!["0", "62", "+62", "+62 ", "0062", "(0", "+62 ("]);
    let second = prop::sample::select(vec!['1', '2', '3', '5', '6', '7', '8', '9']);
    let rest = prop::collection::vec(0u8..10, 7..=10);
    let seps = prop::collection::vec(
        prop::sample::select(vec!["", "", "", " ", "-", ".", ")"]),
        12,
    );
    (prefix, second, rest, seps).prop_map(|(prefix, second, rest, seps)| {
        let national: String = std::iter::once('8')
            .chain([second])
            .chain(rest.iter().map(|d| char::from(b'0' + d)))
            .collect();
        let mut typed = prefix.to_owned();
        for (c, sep) in national.chars().zip(seps) {
            typed.push(c);
            typed.push_str(sep);
        }
        (typed, format!("+62{national}"))
    })
}

/// A valid NIK, with the birth date and sex it encodes. Birth dates from 1927 to today, so the
/// two-digit year has a single reading.
fn valid_nik() -> impl Strategy<Value = (String, Date, Sex)> {
    let provinces: Vec<&str> = lapor_core::region::provinces()
        .iter()
        .map(|r| r.code)
        .collect();
    let province = prop::sample::select(provinces);
    let date = (1927u16..=2026, 1u8..=12, 1u8..=31)
        .prop_filter_map("real date not after today", |(y, m, d)| {
            Date::new(y, m, d).filter(|date| *date <= today())
        });
    (province, 0u32..10_000, date, any::<bool>(), 1u32..10_000).prop_map(
        |(pp, kkcc, date, female, serial)| {
            let day = date.day() + if female { 40 } else { 0 };
            let digits = format!(
                "{pp}{kkcc:04}{day:02}{:02}{:02}{serial:04}",
                date.month(),
                date.year() % 100
            );
            (digits, date, if female { Sex::Female } else { Sex::Male })
        },
    )
}

proptest! {
    #[test]
    fn normalising_twice_changes_nothing(s in ".{0,40}") {
        let nik = normalize_nik(&s);
        prop_assert_eq!(normalize_nik(&nik), nik);
        let phone = normalize_phone(&s);
        prop_assert_eq!(normalize_phone(&phone), phone);
    }

    #[test]
    fn typed_phones_parse_and_reparse((typed, e164) in typed_phone()) {
        let phone = Phone::parse(&typed).map_err(|c| TestCaseError::fail(format!("{typed}: {c}")))?;
        prop_assert_eq!(phone.as_e164(), e164.as_str());
        prop_assert_eq!(Phone::parse(phone.as_e164()), Ok(phone));
    }

    #[test]
    fn valid_niks_parse_and_reparse((digits, date, sex) in valid_nik()) {
        let nik = Nik::parse(&digits, today()).map_err(|c| TestCaseError::fail(format!("{c}")))?;
        prop_assert_eq!(nik.birth_date(), date);
        prop_assert_eq!(nik.sex(), sex);
        prop_assert_eq!(Nik::parse(nik.as_str(), today()), Ok(nik));
    }

    #[test]
    fn typed_niks_parse_like_their_digits(
        (digits, _, _) in valid_nik(),
        seps in prop::collection::vec(prop::sample::select(vec!["", "", " ", ".", "-"]), 16),
    ) {
        let typed: String = digits.chars().zip(seps).flat_map(|(c, sep)| std::iter::once(c).chain(sep.chars())).collect();
        prop_assert_eq!(normalize_nik(&typed), digits.clone());
        prop_assert_eq!(Nik::parse(&typed, today()), Nik::parse(&digits, today()));
    }

    #[test]
    fn names_reparse(s in "[A-Za-zéÑ'’ .,\t-]{0,40}") {
        if let Ok(name) = Name::parse(&s) {
            prop_assert!(!name.as_str().contains("  ") && name.as_str().trim() == name.as_str());
            prop_assert_eq!(Name::parse(name.as_str()), Ok(name));
        }
    }

    #[test]
    fn emails_reparse(s in " {0,2}[a-z.+]{1,5}@[a-z]{1,5}(\\.[a-z]{1,3}){1,2} {0,2}") {
        let email = Email::parse(&s).map_err(|c| TestCaseError::fail(format!("{s}: {c}")))?;
        prop_assert_eq!(email.as_str(), s.trim());
        prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
    }

    #[test]
    fn no_input_panics(s in "\\PC{0,40}") {
        // Whatever comes back, an accepted value must be stable under reparsing.
        if let Ok(nik) = Nik::parse(&s, today()) {
            prop_assert_eq!(Nik::parse(nik.as_str(), today()), Ok(nik));
        }
        if let Ok(phone) = Phone::parse(&s) {
            prop_assert_eq!(Phone::parse(phone.as_e164()), Ok(phone));
        }
        if let Ok(name) = Name::parse(&s) {
            prop_assert_eq!(Name::parse(name.as_str()), Ok(name));
        }
        if let Ok(email) = Email::parse(&s) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
        }
    }
}
