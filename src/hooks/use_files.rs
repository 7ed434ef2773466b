//! Picked files: the browser `File` objects stay here, the form state gets what it needs to
//! check them (name, size, leading bytes).

use std::cell::RefCell;
use std::rc::Rc;

use lapor_core::attachment::SNIFF_LEN;
use web_sys::File;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::http::read_head;
use crate::state::{Action, Attachment, FormState};

/// The `File` of every picked attachment, by [`Attachment::id`].
#[derive(Clone, Default)]
pub struct FileStore {
    /// A list, not a map: a handful of files, and a map would add a hasher to the Wasm.
    files: Rc<RefCell<Vec<(u32, File)>>>,
    next_id: Rc<RefCell<u32>>,
}

impl PartialEq for FileStore {
    fn eq(&self, other: &FileStore) -> bool {
        Rc::ptr_eq(&self.files, &other.files)
    }
}

impl FileStore {
    /// The file of an attachment, if it is still known.
    pub fn get(&self, id: u32) -> Option<File> {
        self.files
            .borrow()
            .iter()
            .find(|(key, _)| *key == id)
            .map(|(_, file)| file.clone())
    }

    fn insert(&self, file: File) -> u32 {
        let mut next = self.next_id.borrow_mut();
        *next += 1;
        self.files.borrow_mut().push((*next, file));
        *next
    }
}

/// The store and a callback taking newly picked files: it reads their leading bytes and then
/// hands them to the form in one action, in the order picked.
#[hook]
pub fn use_files(dispatch: UseReducerDispatcher<FormState>) -> (FileStore, Callback<Vec<File>>) {
    let store = use_memo((), |()| FileStore::default());
    let store = (*store).clone();
    let onpick = {
        let store = store.clone();
        Callback::from(move |files: Vec<File>| {
            let store = store.clone();
            let dispatch = dispatch.clone();
            spawn_local(async move {
                let mut picked = Vec::with_capacity(files.len());
                for file in files {
                    // An unreadable file has no head: core then refuses it as of unknown type.
                    let head = read_head(&file, SNIFF_LEN).await.unwrap_or_default();
                    let name = file.name();
                    let size = file.size() as u64;
                    let id = store.insert(file);
                    picked.push(Attachment {
                        id,
                        name,
                        size,
                        head,
                    });
                }
                dispatch.dispatch(Action::FilesPicked(picked));
            });
        })
    };
    (store, onpick)
}
