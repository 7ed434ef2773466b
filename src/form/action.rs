//! Everything that can happen to the form.

use lapor_core::{Classification, Config, FieldError};

use super::state::{Attachment, Draft, Failure, Input, Refusal};

/// Everything that can happen to the form. Its `Debug` names the action only: an edit carries
/// what the citizen typed.
#[derive(Clone, PartialEq)]
pub enum Action {
    ConfigLoaded(Config),
    Classify(Classification),
    Edit(Input, String),
    SetAnonymous(bool),
    SetSecret(bool),
    FilesPicked(Vec<Attachment>),
    /// A photo made to fit: what will be sent instead of what was picked.
    FilePrepared {
        id: u32,
        name: String,
        size: u64,
        head: Vec<u8>,
    },
    /// How far the preparation of a photo is, in percent.
    FileProgress {
        id: u32,
        percent: u8,
    },
    /// A photo that could not be prepared: it is refused, with why.
    FileFailed {
        id: u32,
        why: Refusal,
    },
    RemoveFile(u32),
    /// Submit (or retry). `fresh_key` is used only if this report has no key yet.
    Submit {
        fresh_key: String,
    },
    Progress {
        loaded: u64,
        total: u64,
    },
    Sent {
        tracking_id: String,
    },
    /// A `422`: the gateway's field errors.
    ServerErrors(Vec<FieldError>),
    SendFailed(Failure),
    /// No answer, and the report is stored on this device to be sent later.
    Queued,
    /// An answer that is not the gateway's (a captive portal, a proxy, a filter): the report
    /// stays stored and is sent again later, as with no answer.
    Blocked,
    /// A report waiting on this device for longer than it may was deleted: say so.
    Expired,
    /// Send a stored report again (the connection is back, or the citizen asked), same key.
    Retry,
    /// A report stored on this device at an earlier visit (its key): send it now.
    Resume {
        idempotency_key: String,
    },
    /// A draft found on this device, with its attachments.
    Restore(Draft, Vec<Attachment>),
    /// "Hapus draf": an empty form.
    DiscardDraft,
    /// "Buat laporan baru": an empty form, keeping the configuration.
    Reset,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Edit(input, _) => write!(f, "Edit({input:?}, ..)"),
            Action::Classify(c) => write!(f, "Classify({c:?})"),
            _ => f.write_str("Action { .. }"),
        }
    }
}
