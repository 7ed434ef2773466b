//! Copying the tracking number with `navigator.clipboard`, where the browser allows it.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::io::clipboard::copy_text;

/// What became of the last copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyStatus {
    Idle,
    Copied,
    /// No clipboard (an insecure page, an old browser) or permission refused.
    Failed,
}

/// A callback that copies its text, and the status of the last copy of `text` (another
/// text copied earlier, e.g. a previous report's number, does not count).
#[hook]
pub fn use_copy(text: AttrValue) -> (Callback<AttrValue>, CopyStatus) {
    let last = use_state(|| (AttrValue::default(), CopyStatus::Idle));
    let copy = {
        let last = last.clone();
        Callback::from(move |text: AttrValue| {
            let last = last.clone();
            spawn_local(async move {
                let copied = copy_text(&text).await.is_ok();
                last.set((
                    text,
                    if copied {
                        CopyStatus::Copied
                    } else {
                        CopyStatus::Failed
                    },
                ));
            });
        })
    };
    let status = if last.0 == text {
        last.1
    } else {
        CopyStatus::Idle
    };
    (copy, status)
}
