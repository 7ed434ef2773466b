//! Names: letters, spaces and `.,'-`; one word is a name.
use crate::Code;

/// A person's name: trimmed, inner whitespace collapsed. Debug output is masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(String);

/// The longest name accepted, in characters (Unicode scalar values).
pub const NAME_MAX: usize = 100;

impl Name {
    /// Parses a name: Unicode letters, spaces and `.,'-`, at least one letter, at most
    /// [`NAME_MAX`] characters after trimming and collapsing runs of whitespace to one space.
    /// Blank is [`Code::Required`]; other characters [`Code::NameFormat`]; too long
    /// [`Code::TooLong`].
    ///
    /// The typographic apostrophe `’` that phone keyboards type for `'` is accepted and stored
    /// as `'`, so `O’Neil` and `O'Neil` are the same name.
    pub fn parse(input: &str) -> Result<Name, Code> {
        let mut name = String::with_capacity(input.len());
        for word in input.split_whitespace() {
            if !name.is_empty() {
                name.push(' ');
            }
            name.extend(word.chars().map(|c| if c == '’' { '\'' } else { c }));
        }
        if name.is_empty() {
            return Err(Code::Required);
        }
        let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '.' | ',' | '\'' | '-');
        if !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
            return Err(Code::NameFormat);
        }
        if name.chars().count() > NAME_MAX {
            return Err(Code::TooLong);
        }
        Ok(Name(name))
    }

    /// The name, trimmed and with single spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Name(****)")
    }
}
