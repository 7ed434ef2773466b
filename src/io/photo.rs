//! Photos that fit LAPOR!'s per-file limit and leave the device without their metadata.
//!
//! [`prepare`] takes a picked file and returns what to send instead:
//! - a PDF as it is;
//! - a JPEG or PNG within the limit with its EXIF, XMP and text chunks removed by core's
//!   stripper (pixels untouched; a rotated photo keeps an Orientation-only EXIF);
//! - a JPEG or PNG over the limit (or one the stripper cannot walk) decoded upright and
//!   encoded again, smaller step by step until it fits: the longest edge at most 2048, then
//!   1600, 1280, 1024 and 800 pixels (or a halving that comes within a tenth of it), JPEG quality from 0.85 down to 0.65; a
//!   PNG is tried as PNG at the first size only, then becomes a JPEG (`.jpg`). A re-encoded
//!   picture carries no metadata at all.
//! - anything else (`kind` `None`) the browser can decode, as a JPEG.
//!
//! Every image is decoded once, so one the browser cannot show is refused here
//! ([`PrepareError::Undecodable`]) rather than at LAPOR!.
//!
//! The Rust side only decides; the browser's own codecs do the work, called through the small
//! `photo.js` (see there for what runs off the main thread). No Worker: the widget's script
//! comes from another origin than the page, and a Worker would need the page's CSP to allow it.

// The benchmark's exports below hang on a cfg Cargo does not know of (see `bench`).
#![allow(unexpected_cfgs)]

use lapor_core::attachment::{extension, FileKind};
use lapor_core::strip::strip_metadata;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Element, File};

/// A file ready to send: the bytes, and what became of them.
pub struct Prepared {
    pub blob: Blob,
    /// The original name, with its extension changed to `.jpg` when the file became a JPEG
    /// from another type (a PNG, or what `kind` `None` named).
    pub name: String,
    /// The type of `blob`: `image/jpeg`, `image/png` or `application/pdf`.
    pub mime: String,
    /// Bytes of `blob`, at most `max_bytes` unless it is a PDF (sent as it is).
    pub size: u64,
    /// Bytes of the file as picked.
    pub original_size: u64,
    /// The picture was decoded and encoded again: scaled down, or (when the stripper could not
    /// walk it) at its own size.
    pub resized: bool,
    /// The upright picture's size in pixels as sent; 0 for a PDF.
    pub width: u32,
    pub height: u32,
}

/// Why a file cannot be sent as picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepareError {
    /// An image the browser cannot decode (HEIC in most browsers, a damaged file), or, when
    /// `kind` was `None`, no image at all.
    Undecodable,
    /// Not even the smallest step fits in `max_bytes`.
    CannotFit,
    /// The file's bytes could not be read (removed or changed since it was picked).
    Unreadable,
}

/// Prepares `file` for sending within `max_bytes` (see the module's documentation).
///
/// `kind` is what core's `lapor_core::attachment::sniff` said of the leading bytes. `None`
/// (not a kind LAPOR! accepts) is tried as an image: what the browser can decode (WebP, HEIC
/// on Safari) becomes a JPEG, anything else is [`PrepareError::Undecodable`]. A PDF is
/// returned as it is, whatever its size (core's checks refuse one too large). `on_progress`
/// gets a rough percentage, rising, 100 when prepared (not called on an error). Decoding holds the full picture in memory
/// (48 MB for 12 megapixels): prepare files one after the other, not all at once.
pub async fn prepare(
    file: &File,
    kind: Option<FileKind>,
    max_bytes: u64,
    on_progress: impl Fn(u8),
) -> Result<Prepared, PrepareError> {
    // One copy of the body, whatever the closure: the generic part is this call only.
    prepare_with(file, kind, max_bytes, &on_progress).await
}

/// Draws an `edge` x `edge` thumbnail (the picture's centre square) of the image in `blob` into
/// `canvas`, which must be a `<canvas>`; `false` when it is none or the image cannot be decoded.
/// `edge` is in canvas pixels: CSS pixels times `devicePixelRatio` for a sharp one. A canvas,
/// not an `<img src="blob:…">`, because host pages' CSP often forbid `blob:` images. Give it
/// the prepared blob, which is small to decode, rather than the original photo.
pub async fn draw_thumbnail(blob: &Blob, canvas: &Element, edge: u32) -> bool {
    JsFuture::from(js::thumb(blob, canvas, edge)).await.is_ok()
}

/// Longest edges tried, in pixels, largest first.
const EDGES: [u32; 5] = [2048, 1600, 1280, 1024, 800];
/// Encodings tried at each edge, best first: PNG (for a PNG at the first edge only), then JPEG
/// at falling quality.
const ENCODINGS: [(FileKind, f64); 4] = [
    (FileKind::Png, 1.0),
    (FileKind::Jpeg, 0.85),
    (FileKind::Jpeg, 0.75),
    (FileKind::Jpeg, 0.65),
];

async fn prepare_with(
    file: &File,
    kind: Option<FileKind>,
    max_bytes: u64,
    on_progress: &dyn Fn(u8),
) -> Result<Prepared, PrepareError> {
    let size = file.size() as u64;
    let mut out = Prepared {
        blob: file.clone().into(),
        name: file.name(),
        mime: kind.map_or("", FileKind::mime).into(),
        size,
        original_size: size,
        resized: false,
        width: 0,
        height: 0,
    };
    if kind == Some(FileKind::Pdf) {
        on_progress(100);
        return Ok(out);
    }
    on_progress(0);
    let bitmap = Bitmap(
        JsFuture::from(js::decode(file))
            .await
            .map_err(|_| PrepareError::Undecodable)?
            .unchecked_into(),
    );
    let (width, height) = (bitmap.0.width(), bitmap.0.height());
    if width == 0 || height == 0 {
        return Err(PrepareError::Undecodable);
    }
    (out.width, out.height) = (width, height);
    on_progress(30);

    if kind.is_some() && size <= max_bytes {
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| PrepareError::Unreadable)?;
        // Stripping never adds bytes to a file that had metadata; the check is for the rest.
        if let Ok(clean) = strip_metadata(&js_sys::Uint8Array::new(&buffer).to_vec()) {
            if clean.len() as u64 <= max_bytes {
                out.blob = js::blob(&clean, &out.mime);
                out.size = clean.len() as u64;
                on_progress(100);
                return Ok(out);
            }
        }
    }

    out.resized = true;
    let mut progress = 30;
    for (step, edge) in EDGES.into_iter().enumerate() {
        let (w, h) = fit(width, height, edge);
        // A picture smaller than this edge comes out as at the step before: nothing new to try.
        if step > 0 && w == out.width {
            continue;
        }
        (out.width, out.height) = (w, h);
        let canvas = JsFuture::from(js::scale(&bitmap.0, w, h))
            .await
            .map_err(|_| PrepareError::Undecodable)?;
        // A PNG stays a PNG if it fits at the first size (a screenshot usually does).
        let first = if step == 0 && kind == Some(FileKind::Png) {
            0
        } else {
            1
        };
        for (encoding, quality) in ENCODINGS[first..].iter().copied() {
            let blob: Blob = JsFuture::from(js::encode(&canvas, encoding.mime(), quality))
                .await
                .map_err(|_| PrepareError::CannotFit)?
                .unchecked_into();
            progress = (progress + 10).min(95);
            on_progress(progress);
            let size = blob.size() as u64;
            if size <= max_bytes {
                out.blob = blob;
                out.size = size;
                out.mime = encoding.mime().into();
                out.name = named_as(out.name, encoding);
                on_progress(100);
                return Ok(out);
            }
            // Lower quality saves about half at most: when that cannot be enough, go smaller.
            if encoding == FileKind::Jpeg && size / 2 > max_bytes {
                break;
            }
        }
    }
    Err(PrepareError::CannotFit)
}

/// `width` x `height` scaled so that the longest edge is at most `edge`, never enlarged. A
/// halving (or quartering, …) that comes within a tenth of `edge` is taken instead of the
/// exact size: `photo.js` draws those with a box filter, the sharpest and the cheapest for the
/// main thread (a 4000 x 3000 photo becomes 2000 x 1500 for the edge of 2048).
fn fit(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= edge {
        return (width, height);
    }
    let mut halvings = 1;
    while long >> halvings > edge {
        halvings += 1;
    }
    if (long >> halvings) * 10 >= edge * 9 {
        return ((width >> halvings).max(1), (height >> halvings).max(1));
    }
    let scaled = |side: u32| {
        let side = (u64::from(side) * u64::from(edge) + u64::from(long) / 2) / u64::from(long);
        (side as u32).max(1)
    };
    (scaled(width), scaled(height))
}

/// `name` with an extension of `kind`: kept when it already has one, else replaced or added.
fn named_as(mut name: String, kind: FileKind) -> String {
    let ext = extension(&name);
    if ext.is_some_and(|ext| FileKind::from_extension(ext) == Some(kind)) {
        return name;
    }
    if let Some(ext) = ext {
        name.truncate(name.len() - ext.len() - 1);
    }
    name.push('.');
    name.push_str(kind.extensions()[0]);
    name
}

/// A decoded picture, closed when dropped: its pixels (48 MB for 12 megapixels) are freed at
/// once, not when the garbage collector gets to them.
struct Bitmap(js::ImageBitmap);

impl Drop for Bitmap {
    fn drop(&mut self) {
        self.0.close();
    }
}

mod js {
    use super::*;

    #[wasm_bindgen(module = "/src/io/photo.js")]
    extern "C" {
        pub type ImageBitmap;
        #[wasm_bindgen(method, getter)]
        pub fn width(this: &ImageBitmap) -> u32;
        #[wasm_bindgen(method, getter)]
        pub fn height(this: &ImageBitmap) -> u32;
        #[wasm_bindgen(method)]
        pub fn close(this: &ImageBitmap);

        pub fn decode(blob: &Blob) -> js_sys::Promise;
        pub fn scale(bitmap: &ImageBitmap, width: u32, height: u32) -> js_sys::Promise;
        pub fn encode(canvas: &JsValue, mime: &str, quality: f64) -> js_sys::Promise;
        pub fn blob(bytes: &[u8], mime: &str) -> Blob;
        pub fn thumb(blob: &Blob, canvas: &Element, edge: u32) -> js_sys::Promise;
    }
}

/// What `scripts/bench-photo.sh` calls: [`prepare`] and [`draw_thumbnail`] as Wasm exports.
/// Only in a build with `RUSTFLAGS="--cfg lapor_photo_bench"`, never in the widget (a cfg, not
/// a Cargo feature, so that no feature of the widget's manifest can switch it on).
#[cfg(lapor_photo_bench)]
mod bench {
    use super::*;

    /// `[blob, size, width, height, resized, mime, name]` of the prepared file, or the
    /// [`PrepareError`]'s number; `on_progress` gets the percentages.
    #[wasm_bindgen]
    pub async fn bench_prepare(
        file: File,
        max_bytes: f64,
        on_progress: js_sys::Function,
    ) -> Result<js_sys::Array, JsValue> {
        let head = file.slice_with_i32_and_i32(0, 8)?;
        let head = js_sys::Uint8Array::new(&JsFuture::from(head.array_buffer()).await?).to_vec();
        let progress = |n: u8| {
            let _ = on_progress.call1(&JsValue::NULL, &n.into());
        };
        let kind = lapor_core::attachment::sniff(&head);
        let p = prepare(&file, kind, max_bytes as u64, progress)
            .await
            .map_err(|e| JsValue::from(e as u32))?;
        let out = js_sys::Array::of5(
            &p.blob,
            &(p.size as f64).into(),
            &p.width.into(),
            &p.height.into(),
            &p.resized.into(),
        );
        out.push(&p.mime.into());
        out.push(&p.name.into());
        Ok(out)
    }

    #[wasm_bindgen]
    pub async fn bench_thumbnail(blob: Blob, canvas: Element, edge: u32) -> bool {
        draw_thumbnail(&blob, &canvas, edge).await
    }
}
