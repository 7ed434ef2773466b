//! NIK, the 16-digit Nomor Induk Kependudukan: `PP KK CC DDMMYY SSSS`.
use crate::{region, Code, Date};

/// Sex as encoded in the NIK (day + 40 for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A NIK that passed every rule. Debug output is masked: a NIK is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Nik {
    digits: String,
    birth_date: Date,
    sex: Sex,
}

/// Removes spaces, dots and dashes. Idempotent.
pub fn normalize_nik(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect()
}

impl Nik {
    /// Parses a NIK typed by a citizen. `today` bounds the birth date.
    ///
    /// The rules are checked in order and the first failing one is returned:
    /// [`Code::NikFormat`], [`Code::NikProvince`], [`Code::NikBirthDate`], [`Code::NikSerial`].
    /// An unknown regency is not an error: see [`Nik::regency_unknown`].
    pub fn parse(input: &str, today: Date) -> Result<Nik, Code> {
        let digits = normalize_nik(input.trim());
        let b = digits.as_bytes();
        if b.len() != 16 || !b.iter().all(u8::is_ascii_digit) || b[0] == b'0' {
            return Err(Code::NikFormat);
        }
        if !region::is_known_nik_province(&digits[..2]) {
            return Err(Code::NikProvince);
        }
        let (birth_date, sex) = birth(b, today).ok_or(Code::NikBirthDate)?;
        if &digits[12..] == "0000" {
            return Err(Code::NikSerial);
        }
        Ok(Nik {
            digits,
            birth_date,
            sex,
        })
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The province code `PP` (first 2 digits).
    pub fn province_code(&self) -> &str {
        &self.digits[..2]
    }

    /// The regency code `PPKK` (first 4 digits), possibly a historical one.
    pub fn regency_code(&self) -> &str {
        &self.digits[..4]
    }

    /// The kecamatan code `PPKKCC` (first 6 digits) where the NIK was issued.
    pub fn district_code(&self) -> &str {
        &self.digits[..6]
    }

    /// The birth date, with the century chosen so that it is not after "today" at parsing.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sex encoded in the day of birth.
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The serial number `SSSS` (last 4 digits), never `0000`.
    pub fn serial(&self) -> &str {
        &self.digits[12..]
    }

    /// Whether the regency code is in neither the current nor the historical lists: a warning
    /// for the citizen ([`Code::NikRegencyUnknown`]), never an error.
    pub fn regency_unknown(&self) -> bool {
        !region::is_known_nik_regency(self.regency_code())
    }
}

impl std::fmt::Debug for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nik(****************)")
    }
}

/// The birth date and sex of 16 ASCII digits, `None` when `DDMMYY` is no date on or before
/// `today`.
fn birth(b: &[u8], today: Date) -> Option<(Date, Sex)> {
    let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    let (dd, mm, yy) = (two(6), two(8), two(10));
    let (day, sex) = match dd {
        1..=31 => (dd, Sex::Male),
        41..=71 => (dd - 40, Sex::Female),
        _ => return None,
    };
    // Two digits of year: the latest century that does not put the birth in the future.
    // The comparison is on the numbers, so a date that exists in only one century (29 February
    // 2000 but not 1900) is judged in the century chosen, not used to choose it.
    let y20 = 2000 + u16::from(yy);
    let year = if (y20, mm, day) <= (today.year(), today.month(), today.day()) {
        y20
    } else {
        y20 - 100
    };
    let date = Date::new(year, mm, day)?;
    (date <= today).then_some((date, sex))
}
