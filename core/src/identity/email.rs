//! Email addresses: one `@`, a dotted domain.
use crate::Code;

/// A plausible email address, trimmed. Debug output is masked: it is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

/// The longest address SMTP can carry (RFC 5321, a path of 256 octets minus the brackets).
const EMAIL_MAX: usize = 254;

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a domain of non-empty labels with at
    /// least one dot, no whitespace or control characters. Blank is [`Code::Required`] (the
    /// email is optional: the caller decides whether to ask at all); anything else that fails
    /// is [`Code::EmailFormat`].
    ///
    /// Only plausibility is checked: whether the address exists is for the mail to find out.
    pub fn parse(input: &str) -> Result<Email, Code> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Code::Required);
        }
        let (local, domain) = input.split_once('@').ok_or(Code::EmailFormat)?;
        let plausible = input.len() <= EMAIL_MAX
            && !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty())
            && !input.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            return Err(Code::EmailFormat);
        }
        Ok(Email(input.to_owned()))
    }

    /// The address as typed, without surrounding whitespace.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(****)")
    }
}
