//! `lapor_widget::photo` in a real browser: what leaves the device when a citizen attaches a
//! photo. The pictures are drawn here with the browser's canvas; EXIF blocks are written by
//! hand, as a phone writes them.

use lapor_core::attachment::{sniff, FileKind};
use lapor_widget::photo::{draw_thumbnail, prepare, PrepareError, Prepared};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Blob, File, FilePropertyBag};

#[wasm_bindgen(inline_js = r##"
export async function picture(w, h, type, quality, noise) {
  const c = new OffscreenCanvas(w, h);
  const g = c.getContext("2d");
  g.fillStyle = "#2a6f97";
  g.fillRect(0, 0, w, h);
  if (noise) {
    const img = g.getImageData(0, 0, w, h);
    let seed = 7;
    for (let i = 0; i < img.data.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      if ((i & 3) !== 3 && (i >> 2) % w < w * noise) img.data[i] = seed >>> 24;
    }
    g.putImageData(img, 0, 0);
  }
  // A red band down the left side of the stored pixels: the top once turned by Orientation 6.
  g.fillStyle = "#ff0000";
  g.fillRect(0, 0, Math.max(1, w >> 2), h);
  const blob = await c.convertToBlob({ type, quality });
  return new Uint8Array(await blob.arrayBuffer());
}
export async function look(blob) {
  const b = await createImageBitmap(blob, { imageOrientation: "from-image" });
  const c = new OffscreenCanvas(b.width, b.height);
  const g = c.getContext("2d");
  g.drawImage(b, 0, 0);
  const top = g.getImageData(b.width >> 1, 0, 1, 1).data;
  return [b.width, b.height, top[0], top[1], top[2]];
}
export function canvas(w) {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = w;
  return c;
}
export function pixel(canvas, x, y) {
  return Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data);
}
"##)]
extern "C" {
    /// A `w` x `h` picture of `type`, noise over the left `noise` share of it (0 for none).
    async fn picture(w: u32, h: u32, mime: &str, quality: f64, noise: f64) -> JsValue;
    /// The upright size of an image blob and the colour at the middle of its top row.
    async fn look(blob: &Blob) -> JsValue;
    fn canvas(width: u32) -> web_sys::Element;
    fn pixel(canvas: &web_sys::Element, x: u32, y: u32) -> Vec<u8>;
}

pub(super) async fn picture_bytes(w: u32, h: u32, mime: &str, quality: f64, noise: f64) -> Vec<u8> {
    js_sys::Uint8Array::new(&picture(w, h, mime, quality, noise).await).to_vec()
}

fn file(bytes: &[u8], name: &str, mime: &str) -> File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = FilePropertyBag::new();
    options.set_type(mime);
    File::new_with_u8_array_sequence_and_options(&parts, name, &options).expect("a file")
}

async fn bytes_of(blob: &Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.expect("readable");
    js_sys::Uint8Array::new(&buffer).to_vec()
}

/// (width, height, [r, g, b] at the top middle) of the picture as shown.
async fn seen(blob: &Blob) -> (u32, u32, [u8; 3]) {
    let v: Vec<u32> = numbers(look(blob).await);
    (v[0], v[1], [v[2] as u8, v[3] as u8, v[4] as u8])
}

fn numbers(value: JsValue) -> Vec<u32> {
    js_sys::Array::from(&value)
        .iter()
        .map(|v| v.as_f64().expect("a number") as u32)
        .collect()
}

async fn prepared(bytes: &[u8], name: &str, max: u64) -> Result<Prepared, PrepareError> {
    let kind = sniff(bytes);
    let mime = kind.map_or("application/octet-stream", FileKind::mime);
    prepare(&file(bytes, name, mime), kind, max, |_| {}).await
}

/// The markers of a JPEG's segments up to its first scan.
fn markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() {
        assert_eq!(jpeg[pos], 0xFF, "a marker at {pos}");
        let marker = jpeg[pos + 1];
        out.push(marker);
        if marker == 0xDA {
            break;
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
    out
}

const APP1: u8 = 0xE1;

/// The JPEG with an EXIF APP1 right after SOI: Orientation `orientation`, a camera make and a
/// GPS IFD with a latitude, plus an XMP APP1 with a position, the way phones write both.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0*\0\0\0\x08".to_vec();
    // IFD0 at 8: three entries, then the next-IFD pointer; the GPS IFD right after (at 50).
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x0F, 0, 2, 0, 0, 0, 4, b'o', b'p', b'p', 0]); // Make
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]); // Orientation
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 50]); // GPS IFD pointer
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]); // GPSLatitudeRef
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>0,8.01S</exif:GPSLatitude></x:xmpmeta>";
    let mut out = jpeg[..2].to_vec();
    for payload in [&exif[..], &xmp[..]] {
        out.extend_from_slice(&[0xFF, APP1]);
        out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[wasm_bindgen_test]
async fn a_small_photo_leaves_without_its_exif_and_xmp() {
    let original = with_exif(&picture_bytes(64, 48, "image/jpeg", 0.9, 0.0).await, 1);
    assert!(markers(&original).contains(&APP1));
    let p = prepared(&original, "foto.jpg", 2 * 1024 * 1024)
        .await
        .expect("prepared");
    let sent = bytes_of(&p.blob).await;
    assert!(
        !markers(&sent).contains(&APP1),
        "no APP1 left: {:x?}",
        markers(&sent)
    );
    assert!(!sent.windows(5).any(|w| w == b"opp\0\0" || w == b"8.01S"));
    assert_eq!(
        (p.name.as_str(), p.mime.as_str()),
        ("foto.jpg", "image/jpeg")
    );
    assert_eq!((p.width, p.height, p.resized), (64, 48, false));
    assert_eq!(p.size, sent.len() as u64);
    assert_eq!(p.original_size, original.len() as u64);
    assert!(p.size < p.original_size);
    assert_eq!(
        seen(&p.blob).await.0,
        64,
        "still a picture the browser shows"
    );
}

#[wasm_bindgen_test]
async fn a_small_turned_photo_keeps_only_its_orientation() {
    let original = with_exif(&picture_bytes(64, 48, "image/jpeg", 0.9, 0.0).await, 6);
    let p = prepared(&original, "foto.jpg", 2 * 1024 * 1024)
        .await
        .expect("prepared");
    let sent = bytes_of(&p.blob).await;
    // core's stripper writes an EXIF holding the Orientation only: no make, no GPS.
    assert_eq!(markers(&sent).iter().filter(|&&m| m == APP1).count(), 1);
    assert!(!sent
        .windows(4)
        .any(|w| w == b"opp\0" || w == [0x88, 0x25, 0, 4]));
    assert_eq!(
        (p.width, p.height, p.resized),
        (48, 64, false),
        "the upright size"
    );
    let (w, h, top) = seen(&p.blob).await;
    assert_eq!((w, h), (48, 64));
    assert!(
        top[0] > 200 && top[1] < 60,
        "the red band is on top: {top:?}"
    );
}

#[wasm_bindgen_test]
async fn an_oversized_turned_photo_is_scaled_down_upright_without_metadata() {
    let original = with_exif(&picture_bytes(2400, 1800, "image/jpeg", 0.95, 0.5).await, 6);
    let max = 300_000;
    assert!(
        original.len() > 2 * max as usize,
        "a heavy picture: {}",
        original.len()
    );
    let progress = RefCell::new(Vec::new());
    let kind = sniff(&original);
    let p = prepare(
        &file(&original, "IMG_0001.JPG", "image/jpeg"),
        kind,
        max,
        |n| progress.borrow_mut().push(n),
    )
    .await
    .expect("prepared");
    let sent = bytes_of(&p.blob).await;
    assert!(
        p.size <= max && sent.len() as u64 == p.size,
        "fits: {}",
        p.size
    );
    assert!(p.resized);
    assert_eq!(
        (p.name.as_str(), p.mime.as_str()),
        ("IMG_0001.JPG", "image/jpeg")
    );
    assert!(
        p.height <= 2048 && p.height > p.width,
        "upright: {}x{}",
        p.width,
        p.height
    );
    assert_eq!(p.width * 4, p.height * 3, "the shape kept");
    // The browser's encoder writes JFIF (APP0) and its sRGB profile (APP2), nothing else.
    let app = |m: &&u8| (0xE0..=0xEF).contains(*m) && ![0xE0, 0xE2].contains(*m);
    assert_eq!(
        markers(&sent).iter().find(app),
        None,
        "no EXIF, XMP or other metadata"
    );
    assert!(!sent.windows(4).any(|w| w == b"opp\0" || w == b"8.01"));
    let (w, h, top) = seen(&p.blob).await;
    assert_eq!((w, h), (p.width, p.height));
    assert!(
        top[0] > 200 && top[1] < 60 && top[2] < 60,
        "the red band is on top: {top:?}"
    );
    let progress = progress.into_inner();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "rising: {progress:?}"
    );
    assert_eq!(progress.last(), Some(&100));
}

#[wasm_bindgen_test]
async fn a_photo_about_twice_the_edge_is_halved_exactly() {
    // 4000 pixels long: 2000 is within a tenth of the first edge (2048), and a halving is
    // drawn with a box filter, so that is the size sent.
    let original = picture_bytes(4000, 300, "image/jpeg", 0.95, 0.3).await;
    let max = original.len() as u64 / 2;
    let p = prepared(&original, "panorama.jpg", max)
        .await
        .expect("prepared");
    assert!(p.size <= max);
    assert_eq!((p.width, p.height, p.resized), (2000, 150, true));
    assert_eq!(seen(&p.blob).await.0, 2000);
}

#[wasm_bindgen_test]
async fn an_oversized_png_photo_becomes_a_jpeg() {
    let original = picture_bytes(1200, 900, "image/png", 1.0, 1.0).await;
    let max = 200_000;
    assert!(
        original.len() > 4 * max as usize,
        "a heavy PNG: {}",
        original.len()
    );
    let p = prepared(&original, "tangkapan.layar.png", max)
        .await
        .expect("prepared");
    assert!(p.size <= max, "fits: {}", p.size);
    assert_eq!(
        (p.name.as_str(), p.mime.as_str()),
        ("tangkapan.layar.jpg", "image/jpeg")
    );
    assert_eq!(sniff(&bytes_of(&p.blob).await), Some(FileKind::Jpeg));
    assert!(p.resized && p.width <= 1200 && p.width * 3 == p.height * 4);
}

#[wasm_bindgen_test]
async fn an_oversized_screenshot_png_that_fits_as_png_stays_png() {
    // Wide and mostly flat: half the size in each direction is well under the limit as a PNG.
    let original = picture_bytes(4096, 256, "image/png", 1.0, 0.5).await;
    let max = original.len() as u64 / 2;
    let p = prepared(&original, "layar.png", max)
        .await
        .expect("prepared");
    assert!(p.size <= max);
    assert_eq!(
        (p.name.as_str(), p.mime.as_str()),
        ("layar.png", "image/png")
    );
    assert_eq!((p.width, p.height, p.resized), (2048, 128, true));
    assert_eq!(sniff(&bytes_of(&p.blob).await), Some(FileKind::Png));
}

#[wasm_bindgen_test]
async fn a_pdf_is_sent_as_it_is() {
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    // Even over the limit: a PDF is never changed (core refuses it as too large, not here).
    let p = prepared(pdf, "surat.pdf", 10).await.expect("prepared");
    assert_eq!(bytes_of(&p.blob).await, pdf);
    assert_eq!(
        (p.name.as_str(), p.mime.as_str()),
        ("surat.pdf", "application/pdf")
    );
    assert_eq!(
        (p.size, p.original_size, p.resized),
        (pdf.len() as u64, pdf.len() as u64, false)
    );
}

#[wasm_bindgen_test]
async fn garbage_that_claims_to_be_a_jpeg_is_undecodable() {
    let mut garbage = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    assert_eq!(sniff(&garbage), Some(FileKind::Jpeg));
    assert_eq!(
        prepared(&garbage, "foto.jpg", 2 * 1024 * 1024).await.err(),
        Some(PrepareError::Undecodable)
    );
    // Nor is anything else that is no image, when the caller asks to try it as one.
    let text = file(b"bukan gambar", "catatan.heic", "image/heic");
    assert_eq!(
        prepare(&text, None, 1 << 20, |_| {}).await.err(),
        Some(PrepareError::Undecodable)
    );
}

#[wasm_bindgen_test]
async fn a_limit_nothing_can_meet_is_cannot_fit() {
    let original = picture_bytes(1000, 750, "image/jpeg", 0.95, 1.0).await;
    assert_eq!(
        prepared(&original, "foto.jpg", 1000).await.err(),
        Some(PrepareError::CannotFit)
    );
}

#[wasm_bindgen_test]
async fn a_thumbnail_is_drawn_into_a_canvas() {
    let original = with_exif(&picture_bytes(80, 60, "image/jpeg", 0.9, 0.0).await, 6);
    let blob: Blob = file(&original, "foto.jpg", "image/jpeg").into();
    let thumb = canvas(1);
    assert!(draw_thumbnail(&blob, &thumb, 32).await);
    assert_eq!(thumb.get_attribute("width").as_deref(), Some("32"));
    let top = pixel(&thumb, 16, 0);
    assert!(
        top[0] > 200 && top[1] < 60 && top[3] == 255,
        "upright, red on top: {top:?}"
    );
    let garbage: Blob = file(&[0xFF, 0xD8, 0xFF, 1, 2, 3], "x.jpg", "image/jpeg").into();
    assert!(!draw_thumbnail(&garbage, &canvas(8), 8).await);
    let not_a_canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .expect("a div");
    assert!(!draw_thumbnail(&blob, &not_a_canvas, 8).await);
}
