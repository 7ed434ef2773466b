//! Attachments: the browser blobs stay here, the form state gets what it needs to check and
//! list them (name, sizes, leading bytes). A JPEG or PNG is made to fit the gateway's
//! per-file limit and cleaned of its metadata before it counts as ready (`crate::io::photo`).

use std::cell::RefCell;
use std::rc::Rc;

use lapor_core::attachment::{sniff, FileKind, SNIFF_LEN};
use web_sys::{Blob, File};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_form::Form;
use crate::form::{Action, Attachment, Refusal};
use crate::io::http::read_bytes;
use crate::io::photo::{prepare, PrepareError};
use crate::io::store::StoredFile;

/// The blob and the name to send of every attachment, by [`Attachment::id`].
#[derive(Clone, Default)]
pub struct FileStore {
    /// A list, not a map: a handful of files, and a map would add a hasher to the Wasm.
    files: Rc<RefCell<Vec<(u32, String, Blob)>>>,
    next_id: Rc<RefCell<u32>>,
}

impl PartialEq for FileStore {
    fn eq(&self, other: &FileStore) -> bool {
        Rc::ptr_eq(&self.files, &other.files)
    }
}

impl FileStore {
    /// The name and blob of an attachment, if it is still known.
    pub fn get(&self, id: u32) -> Option<(String, Blob)> {
        self.files
            .borrow()
            .iter()
            .find(|(key, _, _)| *key == id)
            .map(|(_, name, blob)| (name.clone(), blob.clone()))
    }

    /// The attachments, as stored in a draft or the outbox, in the order of `ids`.
    pub fn stored(&self, attachments: &[Attachment]) -> Vec<StoredFile> {
        attachments
            .iter()
            .filter_map(|a| {
                let (name, blob) = self.get(a.id)?;
                Some(StoredFile {
                    name,
                    blob,
                    original_size: a.original_size,
                })
            })
            .collect()
    }

    /// Takes in a blob (picked, or restored from a draft) and describes it for the form, ready
    /// to send. An unreadable blob has no head: core then refuses it as of unknown type.
    pub async fn attach(&self, name: String, blob: Blob, original_size: u64) -> Attachment {
        let head = read_bytes(&blob, Some(SNIFF_LEN)).await.unwrap_or_default();
        let size = blob.size() as u64;
        let id = {
            let mut next = self.next_id.borrow_mut();
            *next += 1;
            self.files.borrow_mut().push((*next, name.clone(), blob));
            *next
        };
        Attachment {
            id,
            name,
            size,
            original_size,
            head,
            ready: true,
            progress: 0,
        }
    }

    fn replace(&self, id: u32, name: String, blob: Blob) {
        if let Some(entry) = self
            .files
            .borrow_mut()
            .iter_mut()
            .find(|(k, _, _)| *k == id)
        {
            entry.1 = name;
            entry.2 = blob;
        }
    }
}

/// The store and a callback taking newly picked files. Each file's leading bytes are read and
/// all are handed to the form in one action, in the order picked; photos then go on being
/// prepared, and each reports when it is ready (or why it cannot be sent).
#[hook]
pub fn use_files(
    dispatch: UseReducerDispatcher<Form>,
    max_file_bytes: u64,
) -> (FileStore, Callback<Vec<File>>) {
    let store = use_memo((), |()| FileStore::default());
    let store = (*store).clone();
    let onpick = {
        let store = store.clone();
        Callback::from(move |files: Vec<File>| {
            let store = store.clone();
            let dispatch = dispatch.clone();
            spawn_local(async move {
                let mut picked = Vec::with_capacity(files.len());
                let mut photos = Vec::new();
                for file in files {
                    let size = file.size() as u64;
                    let mut attachment = store.attach(file.name(), file.clone().into(), size).await;
                    let kind = sniff(&attachment.head);
                    if matches!(kind, Some(FileKind::Jpeg | FileKind::Png)) {
                        attachment.ready = false;
                        photos.push((attachment.id, file, kind));
                    }
                    picked.push(attachment);
                }
                dispatch.dispatch(Action::FilesPicked(picked));
                // One at a time: a cheap phone has memory for one decoded 12-megapixel photo.
                for (id, file, kind) in photos {
                    let progress = dispatch.clone();
                    let on_progress =
                        move |percent: u8| progress.dispatch(Action::FileProgress { id, percent });
                    let action = match prepare(&file, kind, max_file_bytes, on_progress).await {
                        Ok(p) => {
                            let head = read_bytes(&p.blob, Some(SNIFF_LEN))
                                .await
                                .unwrap_or_default();
                            store.replace(id, p.name.clone(), p.blob);
                            Action::FilePrepared {
                                id,
                                name: p.name,
                                size: p.size,
                                head,
                            }
                        }
                        Err(e) => Action::FileFailed {
                            id,
                            why: match e {
                                PrepareError::CannotFit => Refusal::CannotFit,
                                PrepareError::Undecodable | PrepareError::Unreadable => {
                                    Refusal::Undecodable
                                }
                            },
                        },
                    };
                    dispatch.dispatch(action);
                }
            });
        })
    };
    (store, onpick)
}
