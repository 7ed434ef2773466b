//! Turns the Kemendagri region tables in `data/wilayah/` into Rust statics, so that neither the
//! browser nor the server parses CSV at run time. The tables are checked here too: a code of
//! the wrong length, a duplicate, or a child whose parent is missing fails the build, not a
//! citizen's report.
//!
//! Generated in `OUT_DIR`: `regions.rs` (provinces, regencies, historical codes) and, only
//! with the `districts` feature, `districts.rs` (the 7,285 kecamatan).

use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const DIR: &str = "data/wilayah";

fn main() {
    for file in [
        "provinces.csv",
        "regencies.csv",
        "historical_codes.csv",
        "districts.csv",
    ] {
        println!("cargo:rerun-if-changed={DIR}/{file}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");

    let provinces = table("provinces.csv", 2, 2, None);
    let regencies = table("regencies.csv", 3, 4, Some((2, &provinces)));
    let historical = table("historical_codes.csv", 3, 0, None);
    for code in historical.keys() {
        assert!(
            code.len() == 2 || code.len() == 4,
            "historical_codes.csv: {code} is neither a province nor a regency code"
        );
        assert!(
            !regencies.contains_key(code),
            "historical_codes.csv: {code} is a current regency"
        );
    }

    let mut src = String::new();
    emit(&mut src, "PROVINCES", &provinces);
    emit(&mut src, "REGENCIES", &regencies);
    emit(&mut src, "HISTORICAL", &historical);
    // Codes alone, as numbers: what validation needs. A build that never lists regions (the
    // widget, which fetches names from the gateway) links only these, not the names.
    emit_codes(&mut src, "PROVINCE_CODES", provinces.keys());
    emit_codes(&mut src, "REGENCY_CODES", regencies.keys());
    emit_codes(
        &mut src,
        "HISTORICAL_PROVINCE_CODES",
        historical.keys().filter(|c| c.len() == 2),
    );
    emit_codes(
        &mut src,
        "HISTORICAL_REGENCY_CODES",
        historical.keys().filter(|c| c.len() == 4),
    );
    fs::write(Path::new(&out).join("regions.rs"), src).expect("write regions.rs");

    // Without the feature the kecamatan are neither read nor generated, so they cannot end up
    // in the widget's Wasm by accident.
    if env::var_os("CARGO_FEATURE_DISTRICTS").is_some() {
        let districts = table("districts.csv", 3, 6, Some((4, &regencies)));
        let mut src = String::new();
        emit(&mut src, "DISTRICTS", &districts);
        fs::write(Path::new(&out).join("districts.rs"), src).expect("write districts.rs");
    }
}

/// Reads `code,[parent,]name[,…]` rows of exactly `cols` columns into a map sorted by code.
/// `len` 0 accepts any code length. With `parent`, the second column must be the code's own
/// prefix of that length and exist in the parent table.
fn table(
    file: &str,
    cols: usize,
    len: usize,
    parent: Option<(usize, &BTreeMap<String, String>)>,
) -> BTreeMap<String, String> {
    let path = format!("{DIR}/{file}");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut rows = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let at = format!("{path}:{}", i + 1);
        // The files have no quoting; a quote would mean a format this script does not read.
        assert!(!line.contains('"'), "{at}: quoted fields are not supported");
        // Checking the column count makes a comma inside a name fail loudly instead of
        // silently cutting the name.
        assert_eq!(
            line.split(',').count(),
            cols,
            "{at}: expected {cols} columns"
        );
        let mut cols = line.split(',');
        let code = cols.next().unwrap_or_default();
        assert!(
            !code.is_empty()
                && code.bytes().all(|b| b.is_ascii_digit())
                && (len == 0 || code.len() == len),
            "{at}: bad code {code:?}"
        );
        if let Some((plen, parents)) = parent {
            let parent = cols.next().unwrap_or_default();
            assert_eq!(
                parent,
                &code[..plen],
                "{at}: parent code is not the code's prefix"
            );
            assert!(
                parents.contains_key(parent),
                "{at}: unknown parent {parent}"
            );
        }
        let name = cols.next().unwrap_or_default().trim();
        assert!(!name.is_empty(), "{at}: empty name");
        let old = rows.insert(code.to_owned(), name.to_owned());
        assert!(old.is_none(), "{at}: duplicate code {code}");
    }
    rows
}

fn emit(src: &mut String, name: &str, rows: &BTreeMap<String, String>) {
    writeln!(src, "static {name}: [Region; {}] = [", rows.len()).unwrap();
    for (code, region) in rows {
        // `{:?}` of a `str` is a valid Rust string literal, escapes included.
        writeln!(src, "    Region {{ code: {code:?}, name: {region:?} }},").unwrap();
    }
    src.push_str("];\n");
}

/// `static NAME: [u16; n]`: the codes (all of one length, so numeric order is code order).
fn emit_codes<'a>(src: &mut String, name: &str, codes: impl Iterator<Item = &'a String>) {
    let codes: Vec<u16> = codes
        .map(|c| c.parse().expect("codes are checked to be digits"))
        .collect();
    writeln!(src, "static {name}: [u16; {}] = {codes:?};", codes.len()).unwrap();
}
