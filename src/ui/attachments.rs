use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::described_by;
use super::field::field;
use crate::form::view::{FileLine, Messages};

/// One attached file as listed: its view model and the image to draw as a thumbnail, once
/// ready.
#[derive(Clone, PartialEq)]
pub struct FileRow {
    pub line: FileLine,
    pub thumbnail: Option<web_sys::Blob>,
}

#[derive(Properties, PartialEq)]
struct ThumbProps {
    blob: web_sys::Blob,
}

/// A thumbnail drawn on a canvas: an `<img src="blob:…">` would need `blob:` in the host
/// page's CSP.
#[component]
fn Thumb(props: &ThumbProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(props.blob.clone(), move |blob| {
            if let Some(el) = canvas.cast::<web_sys::Element>() {
                let blob = blob.clone();
                yew::platform::spawn_local(async move {
                    crate::io::photo::draw_thumbnail(&blob, &el, 96).await;
                });
            }
        });
    }
    html! { <canvas class="lapor-thumb" width="96" height="96" aria-hidden="true" ref={canvas} /> }
}

pub struct AttachmentsFieldProps {
    pub label: AttrValue,
    pub optional: AttrValue,
    /// The limits, stated before the citizen picks.
    pub hint: AttrValue,
    /// The `accept` attribute (extensions and MIME types).
    pub accept: AttrValue,
    pub files: Vec<FileRow>,
    pub chosen_title: AttrValue,
    /// One line per refused file, with its reason.
    pub refused: Vec<String>,
    pub refused_title: AttrValue,
    pub remove: AttrValue,
    pub messages: Messages,
    pub onpick: Callback<Vec<web_sys::File>>,
    pub onremove: Callback<u32>,
}

/// The Lampiran field: a native file input, the files attached and those refused.
pub fn attachments_field(props: &AttachmentsFieldProps) -> Html {
    let id = "lapor-attachments";
    let invalid = !props.messages.errors.is_empty();
    let onpick = props.onpick.clone();
    let onchange = Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        let mut files = Vec::new();
        if let Some(list) = input.files() {
            for i in 0..list.length() {
                files.extend(list.get(i));
            }
        }
        // Cleared so that picking the same file again (after removing it) fires again.
        input.set_value("");
        if !files.is_empty() {
            onpick.emit(files);
        }
    });
    let children = html! {
        <>
            <input type="file" id={id} name={id} multiple=true accept={props.accept.clone()}
                aria-invalid={invalid.then_some(AttrValue::Static("true"))}
                aria-describedby={described_by(id, &[("hint", true), ("error", invalid)])} {onchange} />
            if !props.files.is_empty() {
                <p class="lapor-list-title" id="lapor-files-title">{ props.chosen_title.clone() }</p>
                <ul class="lapor-files" aria-labelledby="lapor-files-title">
                    { for props.files.iter().map(|file| {
                        let onclick = props.onremove.reform({ let id = file.line.id; move |_: MouseEvent| id });
                        html! {
                            <li class="lapor-file" data-state={if file.line.ready { "ready" } else { "working" }}>
                                if let Some(blob) = &file.thumbnail {
                                    <Thumb blob={blob.clone()} />
                                }
                                <span class="lapor-file-name">{ file.line.name.clone() }</span>
                                <span class="lapor-file-size">{ file.line.kind }{ ", " }{ file.line.size.clone() }</span>
                                if let Some(note) = &file.line.note {
                                    <span class="lapor-file-note" aria-live="polite">{ note.clone() }</span>
                                }
                                <button type="button" class="lapor-link-button" aria-label={file.line.remove_label.clone()} {onclick}>
                                    { props.remove.clone() }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
            if !props.refused.is_empty() {
                <div class="lapor-refused" role="alert">
                    <p class="lapor-list-title">{ props.refused_title.clone() }</p>
                    <ul>{ for props.refused.iter().map(|line| html! { <li>{ line.clone() }</li> }) }</ul>
                </div>
            }
        </>
    };
    field(
        &AttrValue::Static(id),
        &props.label,
        Some(&props.optional),
        Some(&props.hint),
        &props.messages,
        children,
    )
}
