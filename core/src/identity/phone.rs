//! Indonesian mobile numbers, normalised to E.164 (`+628…`).
use crate::Code;

/// A mobile number in E.164 form.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone {
    e164: String,
}

/// Removes spaces, dashes, dots and brackets. Idempotent.
pub fn normalize_phone(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect()
}

impl Phone {
    /// Parses an Indonesian mobile number written as `08…`, `628…`, `+628…` or `00628…`, with
    /// spaces, dashes, dots and brackets anywhere (`+62 (812) 3456-7890`).
    ///
    /// Blank is [`Code::Required`]; anything but a mobile number (`8[1-35-9]` and 7–10 more
    /// digits after the country code; there is no 084 prefix, and landlines are refused)
    /// is [`Code::PhoneFormat`].
    pub fn parse(input: &str) -> Result<Phone, Code> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Code::Required);
        }
        let digits = normalize_phone(input);
        // "0062" before "0": the international prefix dialled from Indonesia.
        let national = ["+62", "0062", "62", "0"]
            .into_iter()
            .find_map(|prefix| digits.strip_prefix(prefix))
            .ok_or(Code::PhoneFormat)?;
        let b = national.as_bytes();
        let mobile = (9..=12).contains(&b.len())
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'8'
            && matches!(b[1], b'1'..=b'3' | b'5'..=b'9');
        if !mobile {
            return Err(Code::PhoneFormat);
        }
        Ok(Phone {
            e164: format!("+62{national}"),
        })
    }

    /// The number as `+628…`.
    pub fn as_e164(&self) -> &str {
        &self.e164
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phone(****)")
    }
}
