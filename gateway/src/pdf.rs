//! PDF attachments: the document information dictionary (`/Info`: author, title, producer,
//! dates) and XMP metadata are removed, and a PDF that could run something or hide a file
//! (JavaScript, embedded files, launch actions, rich media, XFA forms) or that is encrypted is
//! refused. A PDF that cannot be read is refused too: what cannot be read cannot be cleaned,
//! and it is never passed on as it came.
//!
//! The document is parsed with `lopdf` and written anew from the objects reachable from its
//! catalog, so earlier revisions of an incrementally updated file (with their own `/Info`),
//! unreferenced objects and the original object streams do not survive either.
//!
//! lopdf holds a document as a tree of objects many times larger than the bytes they were
//! parsed from (about sixty times for a file of small numbers), and an object stream may
//! inflate a thousandfold: a 200 KB file made to do both took 12 GB and 40 s to load. So the
//! parse runs in a child process of this same binary (`lapor-gateway clean-pdf`, not listed in
//! the help) under an address-space limit and a deadline, a few at a time, without the
//! gateway's environment. Whatever happens in there (out of memory, a panic, a stack
//! overflow, time up) costs that one attachment, refused as unreadable, never the gateway.

use std::io::{Read as _, Write as _};
use std::process::Stdio;
use std::time::Duration;

use lopdf::{Document, LoadOptions, Object};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::Semaphore;

/// Why a PDF was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfRefusal {
    /// JavaScript, an embedded file, a launch action, rich media, an XFA form, or encryption.
    Unsafe,
    /// Not a PDF this parser can read within its limits.
    Unreadable,
}

/// Names that mark what a PDF viewer could run or unpack, as dictionary keys or values:
/// JavaScript actions and name trees, embedded files (their name tree, the file
/// specification's `/EF`, the stream type, the attachment annotation), actions that start a
/// program or open another file, rich media (which carries its own scripts), XFA forms
/// (whose XML holds scripts).
const REFUSED_NAMES: [&[u8]; 9] = [
    b"JS",
    b"JavaScript",
    b"EmbeddedFiles",
    b"EmbeddedFile",
    b"EF",
    b"FileAttachment",
    b"Launch",
    b"RichMedia",
    b"XFA",
];

/// Keys whose values are metadata rather than content, in any dictionary: XMP streams (the
/// catalog's, and those of pages, images and fonts) and private application data.
const DROPPED_KEYS: [&[u8]; 2] = [b"Metadata", b"PieceInfo"];

/// The most any single stream may inflate to while the document is loaded.
const MAX_INFLATED_STREAM: usize = 16 * 1024 * 1024;
/// The child's address space: the binary, the input, the document and the output.
const CHILD_ADDRESS_SPACE: u64 = 512 * 1024 * 1024;
/// The child's processor time, a backstop should the deadline below ever be missed.
const CHILD_CPU_SECONDS: u64 = 30;
/// How long a child may take; a real PDF of a few megabytes takes well under a second.
const DEADLINE: Duration = Duration::from_secs(15);
/// Children at a time: each may use up to [`CHILD_ADDRESS_SPACE`].
static CLEANERS: Semaphore = Semaphore::const_new(2);

/// Exit codes of `lapor-gateway clean-pdf`; any other ending means unreadable.
const EXIT_CLEANED: i32 = 0;
const EXIT_UNSAFE: i32 = 3;
const EXIT_UNREADABLE: i32 = 4;

/// Cleans a PDF in a child process (see the module documentation). `Err` only when the child
/// could not be run at all, which is the gateway's problem, not the file's.
pub async fn clean_isolated(pdf: Vec<u8>) -> anyhow::Result<Result<Vec<u8>, PdfRefusal>> {
    let _permit = CLEANERS.acquire().await?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("clean-pdf")
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        anyhow::bail!("the PDF cleaner has no pipes");
    };
    // Writing the whole input before reading would deadlock once the child's output fills
    // its pipe, so both run at once. The output of a clean is about the input's size; more
    // than this bound is not a PDF worth keeping.
    let limit = u64::try_from(pdf.len())
        .unwrap_or(u64::MAX)
        .saturating_mul(4)
        .saturating_add(1024 * 1024);
    let write = async move {
        // A child that stops reading (it died, or refused early) is seen by its exit status.
        let _ = stdin.write_all(&pdf).await;
        drop(stdin);
    };
    let read = async move {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(limit + 1).read_to_end(&mut out).await;
        out
    };
    let run = async {
        let ((), out) = tokio::join!(write, read);
        if out.len() as u64 > limit {
            // It would wait for its output to be read until the deadline.
            let _ = child.start_kill();
        }
        let status = child.wait().await;
        (status, out)
    };
    let Ok((status, out)) = tokio::time::timeout(DEADLINE, run).await else {
        // Dropping the child kills it.
        tracing::warn!("PDF cleaner timed out; attachment refused as unreadable");
        return Ok(Err(PdfRefusal::Unreadable));
    };
    Ok(match status?.code() {
        Some(EXIT_CLEANED) if (out.len() as u64) <= limit && out.starts_with(b"%PDF-") => Ok(out),
        Some(EXIT_UNSAFE) => Err(PdfRefusal::Unsafe),
        Some(EXIT_UNREADABLE) => Err(PdfRefusal::Unreadable),
        other => {
            // Out of memory, a crash, or output over the bound: the file's doing, not ours.
            tracing::warn!(exit = ?other, "PDF cleaner failed; attachment refused as unreadable");
            Err(PdfRefusal::Unreadable)
        }
    })
}

/// The child's side of [`clean_isolated`]: limits itself, reads a PDF from standard input,
/// writes the clean one to standard output, and returns the exit code.
pub fn child_main() -> i32 {
    limit_resources();
    let mut input = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut input).is_err() {
        return EXIT_UNREADABLE;
    }
    match clean(&input) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&out).and_then(|()| stdout.flush()) {
                Ok(()) => EXIT_CLEANED,
                Err(_) => EXIT_UNREADABLE,
            }
        }
        Err(PdfRefusal::Unsafe) => EXIT_UNSAFE,
        Err(PdfRefusal::Unreadable) => EXIT_UNREADABLE,
    }
}

/// Removes the metadata of a PDF, or refuses it. In this process, without limits: run it
/// through [`clean_isolated`] on untrusted input.
pub fn clean(pdf: &[u8]) -> Result<Vec<u8>, PdfRefusal> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_INFLATED_STREAM),
        ..LoadOptions::default()
    };
    let mut doc = match Document::load_mem_with_options(pdf, options) {
        Ok(doc) => doc,
        // An encryption this parser does not handle is still encryption.
        Err(_) if contains(pdf, b"/Encrypt") => return Err(PdfRefusal::Unsafe),
        Err(_) => return Err(PdfRefusal::Unreadable),
    };
    // lopdf opens a file encrypted without a user password and forgets the `/Encrypt` entry.
    if doc.encryption_state.is_some() || doc.trailer.has(b"Encrypt") {
        return Err(PdfRefusal::Unsafe);
    }
    if doc.catalog().is_err() {
        return Err(PdfRefusal::Unreadable);
    }
    doc.trailer.remove(b"Info");
    let mut refused = false;
    for object in doc.objects.values_mut() {
        refused |= scrub(object);
    }
    if refused {
        return Err(PdfRefusal::Unsafe);
    }
    // What only `/Info` or `/Metadata` referred to goes, with everything else unreachable.
    doc.prune_objects();
    // Numbered from 1 without gaps: the numbers of removed objects say nothing either.
    doc.renumber_objects();
    let mut out = Vec::with_capacity(pdf.len());
    doc.save_to(&mut out).map_err(|_| PdfRefusal::Unreadable)?;
    Ok(out)
}

/// Drops the metadata keys from every dictionary in `object` and says whether it holds a
/// refused name. Iterative: nesting is bounded by the parser, but need not be by the stack.
fn scrub(object: &mut Object) -> bool {
    let mut refused = false;
    let mut pending = vec![object];
    while let Some(object) = pending.pop() {
        let dict = match object {
            Object::Name(name) => {
                refused |= REFUSED_NAMES.contains(&name.as_slice());
                continue;
            }
            Object::Array(items) => {
                pending.extend(items.iter_mut());
                continue;
            }
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            _ => continue,
        };
        for key in DROPPED_KEYS {
            dict.remove(key);
        }
        for (key, value) in dict.iter_mut() {
            refused |= REFUSED_NAMES.contains(&key.as_slice());
            pending.push(value);
        }
    }
    refused
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(unix)]
fn limit_resources() {
    let limit = |resource, value: u64| {
        let value = value as libc::rlim_t;
        let rlimit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: setrlimit reads the struct it is given and nothing else.
        unsafe { libc::setrlimit(resource, &rlimit) };
    };
    limit(libc::RLIMIT_AS, CHILD_ADDRESS_SPACE);
    limit(libc::RLIMIT_CPU, CHILD_CPU_SECONDS);
}

#[cfg(not(unix))]
fn limit_resources() {}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    /// A one-page PDF with an `/Info` author and an XMP stream, plus `extra` in its catalog.
    fn pdf(extra: Option<(&str, Object)>) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Sari XMP-CANARY</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages, "Metadata" => xmp };
        if let Some((key, value)) = extra {
            catalog.set(key, value);
        }
        let catalog = doc.add_object(catalog);
        let info = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Sari AUTHOR-CANARY"),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn info_and_xmp_go_the_pages_stay() {
        let original = pdf(None);
        assert!(contains(&original, b"AUTHOR-CANARY") && contains(&original, b"XMP-CANARY"));
        let cleaned = clean(&original).unwrap();
        assert!(!contains(&cleaned, b"AUTHOR-CANARY") && !contains(&cleaned, b"XMP-CANARY"));
        let doc = Document::load_mem(&cleaned).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        assert!(!doc.trailer.has(b"Info"));
        assert_eq!(
            clean(&cleaned).unwrap(),
            cleaned,
            "cleaning twice is cleaning once"
        );
    }

    #[test]
    fn what_could_run_or_hide_a_file_is_refused() {
        let js =
            dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") };
        let cases: Vec<(&str, Object)> = vec![
            ("OpenAction", Object::Dictionary(js)),
            (
                "Names",
                Object::Dictionary(dictionary! { "EmbeddedFiles" => dictionary! {} }),
            ),
            (
                "AA",
                Object::Dictionary(dictionary! { "O" => dictionary! { "S" => "Launch" } }),
            ),
            (
                "AcroForm",
                Object::Dictionary(dictionary! { "XFA" => Vec::<Object>::new() }),
            ),
        ];
        for (key, value) in cases {
            assert_eq!(
                clean(&pdf(Some((key, value)))),
                Err(PdfRefusal::Unsafe),
                "{key}"
            );
        }
    }

    #[test]
    fn what_is_not_a_pdf_is_unreadable() {
        for bytes in [
            &b""[..],
            b"%PDF-1.4\n",
            b"%PDF-1.4\naaaaaaaaaaaaaaaaaaaaaaaa",
            b"GIF89a",
        ] {
            assert_eq!(clean(bytes), Err(PdfRefusal::Unreadable), "{bytes:?}");
        }
    }
}
