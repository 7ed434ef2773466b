// The browser's image codecs for src/io/photo.rs, which decides what to ask of them. Written in
// JavaScript because every call here would cost more Wasm as Rust bindings than it costs
// bytes here. Every export returns a promise and never throws synchronously.
//
// Main-thread cost, measured in headless Chromium 156 on a 12-megapixel photo: decoding a Blob
// with createImageBitmap runs off the main thread (no long task), but a resize requested in
// the same call (resizeWidth/resizeHeight) runs on it, 60-130 ms at once; so decode() decodes
// at full size and scale() draws the picture smaller in strips of about 2 megapixels of
// source each, letting the page run between them. Chromium encodes a JPEG (convertToBlob)
// in slices of 10-15 ms of main-thread work. No Worker: the widget's script comes from
// another origin than the page, so a Worker would need the page's CSP to allow it.

const tick = () => new Promise((resolve) => setTimeout(resolve));

/** An ImageBitmap of the whole picture, turned upright by its EXIF orientation. */
export const decode = async (blob) => createImageBitmap(blob, { imageOrientation: "from-image" });

/**
 * The picture scaled to w x h on a canvas. While it is at least twice the size, it is halved
 * with bilinear sampling, which at exactly 2:1 is a 2x2 box filter: sharp, and cheap on the
 * main thread. The last step uses the browser's best filter, whose first use costs it a
 * mipmap chain of its whole source (about 30 ms on a 12-megapixel photo, 4 ms on the halved
 * one); when the target is an exact halving (src/io/photo.rs picks those) there is no last step.
 */
export async function scale(bitmap, w, h) {
  let src = bitmap;
  while (src.width >= 2 * w && src.height >= 2 * h) src = await draw(src, src.width >> 1, src.height >> 1, "low");
  return src !== bitmap && src.width === w && src.height === h ? src : draw(src, w, h, "high");
}

/** `src` drawn at w x h on white (a transparent PNG made JPEG must not turn black), in strips. */
async function draw(src, w, h, quality) {
  const canvas = self.OffscreenCanvas
    ? new OffscreenCanvas(w, h)
    : Object.assign(document.createElement("canvas"), { width: w, height: h });
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, w, h);
  g.imageSmoothingQuality = quality;
  const sw = src.width;
  const k = src.height / h;
  const strips = Math.ceil((sw * src.height) / 2e6);
  for (let i = 1, y = 0, next; i <= strips; i++, y = next) {
    next = Math.round((h * i) / strips);
    g.drawImage(src, 0, y * k, sw, (next - y) * k, 0, y, w, next - y);
    // Reading a pixel makes the canvas draw now, not all strips at once when encoding.
    g.getImageData(0, 0, 1, 1);
    await tick();
  }
  return canvas;
}

/** The canvas encoded as `type` (quality 0-1 for JPEG). */
export const encode = async (canvas, type, quality) =>
  canvas.convertToBlob
    ? canvas.convertToBlob({ type, quality })
    : new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject()), type, quality));

/** A Blob of a copy of `bytes`. */
export const blob = (bytes, type) => new Blob([bytes], { type });

/** Draws the centre square of the picture in `blob` into `canvas`, `edge` pixels a side. */
export async function thumb(blob, canvas, edge) {
  const bitmap = await decode(blob);
  // Scaled (as for sending, so without one long task) until its shorter side is `edge`.
  const k = edge / Math.min(bitmap.width, bitmap.height);
  const w = Math.max(edge, Math.round(bitmap.width * k));
  const h = Math.max(edge, Math.round(bitmap.height * k));
  const small = await scale(bitmap, w, h);
  bitmap.close();
  canvas.width = canvas.height = edge;
  canvas.getContext("2d").drawImage(small, (w - edge) >> 1, (h - edge) >> 1, edge, edge, 0, 0, edge, edge);
}
