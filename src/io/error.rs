/// Every way a browser operation of the widget can fail. Whatever the browser throws or
/// rejects with becomes one of these inside `io/`; nothing above it sees a `JsValue` error, a
/// status 0 or a `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoError {
    /// No answer at all: offline, blocked (ad-blocker, CORS, CSP), refused.
    Network,
    /// The gateway answered with a status that is not `2xx`, or with a body that is not JSON.
    Status(u16),
    /// This device's storage is off or refused (private window, storage turned off, full disk).
    Storage,
    /// A blob could not be read, or a value could not be read or written as JSON.
    Read,
    /// The browser offers no such API here, or refused it (no clipboard outside a secure
    /// page, permission denied).
    Unavailable,
}
