//! The Kemendagri region tables embedded by `build.rs`, and their lookups.

use lapor_core::region::{self, Region};

fn name(region: Option<Region>) -> Option<&'static str> {
    region.map(|r| r.name)
}

#[test]
fn table_sizes_match_source() {
    // The counts of data/wilayah/SOURCE.md.
    assert_eq!(region::provinces().len(), 38);
    assert_eq!(region::regencies().len(), 514);
    assert_eq!(region::historical_codes().len(), 26);
    #[cfg(feature = "districts")]
    assert_eq!(region::districts().len(), 7_285);
}

#[test]
fn tables_sorted_and_nested() {
    let strictly_sorted = |t: &[Region]| t.windows(2).all(|w| w[0].code < w[1].code);
    assert!(strictly_sorted(region::provinces()));
    assert!(strictly_sorted(region::regencies()));
    assert!(strictly_sorted(region::historical_codes()));
    let mut regencies = 0;
    for province in region::provinces() {
        let children = region::regencies_of(province.code);
        assert!(!children.is_empty(), "{}", province.code);
        assert!(children
            .iter()
            .all(|r| r.code.len() == 4 && r.code.starts_with(province.code)));
        regencies += children.len();
    }
    assert_eq!(regencies, region::regencies().len());
    assert!(region::regencies()
        .iter()
        .all(|r| !r.name.is_empty() && r.name.trim() == r.name));
}

#[cfg(feature = "districts")]
#[test]
fn districts_nested() {
    assert!(region::districts()
        .windows(2)
        .all(|w| w[0].code < w[1].code));
    let mut districts = 0;
    for regency in region::regencies() {
        let children = region::districts_of(regency.code);
        assert!(!children.is_empty(), "{}", regency.code);
        assert!(children
            .iter()
            .all(|d| d.code.len() == 6 && d.code.starts_with(regency.code)));
        districts += children.len();
    }
    assert_eq!(districts, region::districts().len());
}

#[test]
fn lookups() {
    assert_eq!(name(region::province("64")), Some("Kalimantan Timur"));
    assert_eq!(name(region::province("11")), Some("Aceh"));
    assert_eq!(name(region::province("96")), Some("Papua Barat Daya"));
    assert_eq!(name(region::province("99")), None);
    assert_eq!(name(region::province("6")), None);
    assert_eq!(name(region::province("")), None);
    assert_eq!(name(region::province("6474")), None);
    assert_eq!(name(region::regency("6474")), Some("Kota Bontang"));
    assert_eq!(
        name(region::regency("1101")),
        Some("Kabupaten Aceh Selatan")
    );
    assert_eq!(
        name(region::regency("3172")),
        Some("Kota Administrasi Jakarta Utara")
    );
    assert_eq!(name(region::regency("9301")), Some("Kabupaten Merauke"));
    assert_eq!(name(region::regency("9101")), None);
    assert_eq!(name(region::regency("64")), None);
    assert_eq!(
        name(region::province_of_regency("6474")),
        Some("Kalimantan Timur")
    );
    assert_eq!(
        name(region::province_of_regency("9301")),
        Some("Papua Selatan")
    );
    assert_eq!(name(region::province_of_regency("9101")), None);
    assert_eq!(name(region::province_of_regency("")), None);
}

#[test]
fn children_of_odd_codes_are_empty() {
    for code in ["", "6", "99", "6a", "647", "6474", "٦٤", "ab"] {
        assert!(region::regencies_of(code).is_empty(), "{code:?}");
    }
    let kaltim: Vec<&str> = region::regencies_of("64").iter().map(|r| r.code).collect();
    assert_eq!(
        kaltim,
        ["6401", "6402", "6403", "6407", "6408", "6409", "6411", "6471", "6472", "6474"]
    );
    assert_eq!(region::regencies_of("31").len(), 6);
}

#[cfg(feature = "districts")]
#[test]
fn districts() {
    let bontang: Vec<&str> = region::districts_of("6474")
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        bontang,
        ["Bontang Utara", "Bontang Selatan", "Bontang Barat"]
    );
    assert_eq!(name(region::district("110101")), Some("Bakongan"));
    assert_eq!(name(region::district("647499")), None);
    for code in ["", "64", "9999", "647", "64740", "647401", "64a4"] {
        assert!(region::districts_of(code).is_empty(), "{code:?}");
    }
}

#[test]
fn historical_codes_for_nik_only() {
    for old in region::historical_codes() {
        assert!(region::is_known_nik_regency(old.code), "{}", old.code);
        assert!(!region::is_known_location(old.code), "{}", old.code);
        assert!(region::province(&old.code[..2]).is_some(), "{}", old.code);
    }
    assert!(region::is_known_nik_regency("9101"));
    assert!(region::is_known_nik_regency("9271"));
    assert!(region::is_known_nik_regency("6474"));
    assert!(!region::is_known_nik_regency("6404"));
    assert!(!region::is_known_nik_regency("91"));
    assert!(!region::is_known_nik_regency(""));
    assert!(region::is_known_nik_province("91"));
    assert!(!region::is_known_nik_province("10"));
}

fn check(code: &str, expected: bool) {
    assert_eq!(region::is_known_location(code), expected, "{code:?}");
}

#[test]
fn known_locations() {
    check("64", true);
    check("11", true);
    check("6474", true);
    check("647401", true);
    check("110101", true);
    check("9301", true);
    check("99", false);
    check("10", false);
    check("9101", false);
    check("910101", false);
    check("6404", false);
    check("640401", false);
    check("", false);
    check("6", false);
    check("647", false);
    check("64740", false);
    check("6474011", false);
    check("6474011001", false);
    check("64a4", false);
    check("64.74", false);
    check(" 64", false);
    check("٦٤", false);
    check("６４", false);
}

#[test]
fn kecamatan_checked_as_far_as_the_tables_go() {
    // With the kecamatan table the gateway refuses an unknown kecamatan; the widget, built
    // without it, lets the gateway decide.
    check("647499", cfg!(not(feature = "districts")));
    check("647400", cfg!(not(feature = "districts")));
}
