// A phone photo as phones make them, for the photo tests and the benchmark: a 12-megapixel
// JPEG (4000x3000 stored pixels) of over 4 MB whose EXIF holds a GPS position and
// Orientation 6 (the camera was held upright: the stored pixels are the scene turned a
// quarter to the left, and a viewer turns them back). Plus small readers of a JPEG's bytes.
//
// This module does not import env.mjs (which needs scripts/e2e.sh's addresses): the caller
// passes a Playwright browser, and the benchmark can use it outside the end-to-end run.
//
// The upright scene (3000 wide, 4000 high) has markers a test can check after decoding:
// - a solid red band across the top (RED_BAND of the height),
// - a solid green square in the bottom-left corner (so a mirrored picture is told apart),
// - in between, a sky and a street with fine noise, so the JPEG is as large as a real photo's.
import { mkdirSync, writeFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

/** Stored pixels, as the file's frame header says. */
export const STORED = { width: 4000, height: 3000 };
/** The picture as shown, after Orientation 6 is applied. */
export const UPRIGHT = { width: 3000, height: 4000 };
/** The top share of the upright height that is solid red. */
export const RED_BAND = 0.1;
/** The side of the green square in the bottom-left corner, as a share of the upright width. */
export const GREEN_SQUARE = 0.2;
/** Where the photo was taken (Bontang, East Kalimantan): the EXIF's GPS position. */
export const GPS = { lat: 0.1335, lon: 117.4995 };

/**
 * Makes the photo (once per directory: an existing file of the right size is reused) and
 * returns `{ path, name, mimeType, buffer }`, usable by Playwright's setInputFiles.
 * `dir` defaults to a directory under the system's temp dir; nothing here is committed.
 */
export async function phonePhoto(browser, { dir = join(tmpdir(), "lapor-phone-photo") } = {}) {
  const name = "IMG_20250817_101500.jpg";
  const path = join(dir, name);
  if (existsSync(path) && statSync(path).size > 4_000_000) {
    const buffer = readFileSync(path);
    if (isPhonePhoto(buffer)) return { path, name, mimeType: "image/jpeg", buffer };
  }
  const pixels = await encodeScene(browser);
  const buffer = withExif(pixels, exifBlock());
  if (!isPhonePhoto(buffer)) {
    throw new Error(`the generated photo is not what phone-photo.mjs promises (${buffer.length} bytes)`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, buffer);
  return { path, name, mimeType: "image/jpeg", buffer };
}

/** True when `buffer` is the photo this module promises (size, frame, EXIF with GPS, Orientation 6). */
export function isPhonePhoto(buffer) {
  const size = jpegSize(buffer);
  const exif = exifTags(buffer);
  return (
    buffer.length > 4 * 1024 * 1024 &&
    size?.width === STORED.width &&
    size?.height === STORED.height &&
    exif?.orientation === 6 &&
    exif.gps.includes(2) && // GPSLatitude
    exif.gps.includes(4) // GPSLongitude
  );
}

// ---------------------------------------------------------------------------------------------
// Reading a JPEG's bytes

/**
 * The segments of a JPEG up to its first scan: `[{ marker, offset, length, payload }]`, where
 * `marker` is the byte after FF (0xE1 for APP1), `offset` where FF is, `length` the segment's
 * length field (0 for markers without one). Throws on bytes that are no JPEG.
 */
export function jpegSegments(buffer) {
  const b = Buffer.from(buffer);
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error("not a JPEG (no SOI)");
  const segments = [{ marker: 0xd8, offset: 0, length: 0, payload: b.subarray(0, 0) }];
  let pos = 2;
  while (pos < b.length) {
    if (b[pos] !== 0xff) throw new Error(`no marker at byte ${pos}`);
    let at = pos;
    while (b[pos] === 0xff) pos++;
    const marker = b[pos++];
    if (marker === 0xd9 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      segments.push({ marker, offset: at, length: 0, payload: b.subarray(pos, pos) });
      if (marker === 0xd9) break;
      continue;
    }
    const length = b.readUInt16BE(pos);
    segments.push({ marker, offset: at, length, payload: b.subarray(pos + 2, pos + length) });
    pos += length;
    // After SOS come the entropy-coded pixels: the header is over.
    if (marker === 0xda) break;
  }
  return segments;
}

/** True when the JPEG has any APP1 segment (EXIF or XMP). */
export function hasApp1(buffer) {
  return jpegSegments(buffer).some((s) => s.marker === 0xe1);
}

/** True when the JPEG has an EXIF block (an APP1 starting `Exif\0\0`). */
export function hasExif(buffer) {
  return jpegSegments(buffer).some((s) => s.marker === 0xe1 && s.payload.subarray(0, 6).equals(EXIF_ID));
}

/** Width and height of the stored pixels, from the frame header (SOF0–SOF15), or null. */
export function jpegSize(buffer) {
  const sof = jpegSegments(buffer).find(
    (s) => s.marker >= 0xc0 && s.marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(s.marker)
  );
  if (!sof) return null;
  return { height: sof.payload.readUInt16BE(1), width: sof.payload.readUInt16BE(3) };
}

/**
 * What the EXIF block says, or null without one: `{ orientation, ifd0, gps }`, where `ifd0` and
 * `gps` are the tag numbers present in IFD0 and in the GPS IFD.
 */
export function exifTags(buffer) {
  const app1 = jpegSegments(buffer).find(
    (s) => s.marker === 0xe1 && s.payload.subarray(0, 6).equals(EXIF_ID)
  );
  if (!app1) return null;
  const t = app1.payload.subarray(6);
  const be = t.toString("latin1", 0, 2) === "MM";
  const u16 = (at) => (be ? t.readUInt16BE(at) : t.readUInt16LE(at));
  const u32 = (at) => (be ? t.readUInt32BE(at) : t.readUInt32LE(at));
  const ifd = (at) => {
    const entries = [];
    for (let n = 0, count = u16(at); n < count; n++) {
      const e = at + 2 + 12 * n;
      entries.push({ tag: u16(e), type: u16(e + 2), value: u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8) });
    }
    return entries;
  };
  const ifd0 = ifd(u32(4));
  const gpsPointer = ifd0.find((e) => e.tag === 0x8825);
  return {
    orientation: ifd0.find((e) => e.tag === 0x0112)?.value ?? null,
    ifd0: ifd0.map((e) => e.tag),
    gps: gpsPointer ? ifd(gpsPointer.value).map((e) => e.tag) : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Making it

const EXIF_ID = Buffer.from("Exif\0\0", "latin1");

/** Draws the scene in Chromium and encodes the stored (turned) pixels as a JPEG; no EXIF yet. */
async function encodeScene(browser) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const base64 = await page.evaluate(
      async ({ w, h, band, square }) => {
        // The scene upright: what the camera saw.
        const up = new OffscreenCanvas(w, h);
        const g = up.getContext("2d");
        const sky = g.createLinearGradient(0, 0, 0, h * 0.55);
        sky.addColorStop(0, "#5b8fd0");
        sky.addColorStop(1, "#cfe2f3");
        g.fillStyle = sky;
        g.fillRect(0, 0, w, h * 0.55);
        g.fillStyle = "#6b6b6b";
        g.fillRect(0, h * 0.55, w, h * 0.45);
        g.fillStyle = "#444";
        for (let x = 150; x < w; x += 520) g.fillRect(x, h * 0.25, 260, h * 0.3); // buildings
        g.fillStyle = "#eee";
        for (let y = h * 0.6; y < h; y += 300) g.fillRect(w * 0.48, y, w * 0.04, 150); // lane marks
        // Fine noise everywhere but on the markers: a photo's sensor grain and texture, which
        // is what makes a real 12-megapixel JPEG weigh 4 MB and more.
        const bandH = Math.round(h * band);
        const sq = Math.round(w * square);
        const img = g.getImageData(0, 0, w, h);
        const d = img.data;
        let seed = 12345;
        for (let y = 0; y < h; y++) {
          const marked = y < bandH || y >= h - sq;
          for (let x = 0; x < w; x++) {
            const i = (y * w + x) * 4;
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            if (marked && (y < bandH || x < sq)) continue;
            const n = ((seed >>> 16) & 63) - 32;
            d[i] += n;
            d[i + 1] += n;
            d[i + 2] += (n * 3) >> 2;
          }
        }
        g.putImageData(img, 0, 0);
        g.fillStyle = "#ff0000";
        g.fillRect(0, 0, w, bandH);
        g.fillStyle = "#00c000";
        g.fillRect(0, h - sq, sq, sq);
        // Stored as a phone held upright stores it: turned a quarter to the left (Orientation 6
        // tells a viewer to turn it a quarter to the right). Upright (x, y) -> stored (y, w - x).
        const stored = new OffscreenCanvas(h, w);
        const s = stored.getContext("2d");
        s.translate(0, w);
        s.rotate(-Math.PI / 2);
        s.drawImage(up, 0, 0);
        const blob = await stored.convertToBlob({ type: "image/jpeg", quality: 0.92 });
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let text = "";
        for (let i = 0; i < bytes.length; i += 0x8000) {
          text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        }
        return btoa(text);
      },
      { w: UPRIGHT.width, h: UPRIGHT.height, band: RED_BAND, square: GREEN_SQUARE }
    );
    return Buffer.from(base64, "base64");
  } finally {
    await context.close();
  }
}

/** The JPEG with its JFIF APP0 replaced by `exif` (an APP1 payload) right after SOI, as phones write it. */
function withExif(jpeg, exif) {
  const segments = jpegSegments(jpeg);
  const first = segments[1];
  const rest = first.marker === 0xe0 ? jpeg.subarray(first.offset + 2 + first.length) : jpeg.subarray(2);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(exif.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, exif, rest]);
}

/**
 * An EXIF APP1 payload (big-endian TIFF) of the kind a phone writes: Make, Model, Orientation 6,
 * DateTime, and a GPS IFD with latitude, longitude, altitude and their references.
 */
function exifBlock() {
  const ascii = (s) => Buffer.from(s + "\0", "latin1");
  const rationals = (pairs) => {
    const b = Buffer.alloc(8 * pairs.length);
    pairs.forEach(([n, d], i) => {
      b.writeUInt32BE(n, 8 * i);
      b.writeUInt32BE(d, 8 * i + 4);
    });
    return b;
  };
  const dms = (deg) => {
    const a = Math.abs(deg);
    const d = Math.floor(a);
    const m = Math.floor((a - d) * 60);
    const s = Math.round(((a - d) * 60 - m) * 60 * 100);
    return rationals([[d, 1], [m, 1], [s, 100]]);
  };
  // Entries: [tag, type, count, value (Buffer for out-of-line or inline data, or number)].
  // Types: 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 1 BYTE.
  const ifd0 = [
    [0x010f, 2, ascii("samsung")],
    [0x0110, 2, ascii("SM-A546E")],
    [0x0112, 3, 6],
    [0x0132, 2, ascii("2025:08:17 10:15:00")],
    [0x8825, 4, "GPS"],
  ];
  const gps = [
    [0x0000, 1, Buffer.from([2, 3, 0, 0])], // GPSVersionID
    [0x0001, 2, ascii(GPS.lat >= 0 ? "N" : "S")],
    [0x0002, 5, dms(GPS.lat)],
    [0x0003, 2, ascii(GPS.lon >= 0 ? "E" : "W")],
    [0x0004, 5, dms(GPS.lon)],
    [0x0006, 5, rationals([[12, 1]])], // GPSAltitude
  ];
  const sizeOf = (entries) => 2 + 12 * entries.length + 4;
  const ifd0At = 8;
  const gpsAt = ifd0At + sizeOf(ifd0);
  let dataAt = gpsAt + sizeOf(gps);
  const data = [];
  const write = (entries, at, tiff) => {
    tiff.writeUInt16BE(entries.length, at);
    entries.forEach(([tag, type, value], n) => {
      const e = at + 2 + 12 * n;
      tiff.writeUInt16BE(tag, e);
      tiff.writeUInt16BE(type, e + 2);
      if (value === "GPS") {
        tiff.writeUInt32BE(1, e + 4);
        tiff.writeUInt32BE(gpsAt, e + 8);
      } else if (typeof value === "number") {
        tiff.writeUInt32BE(1, e + 4);
        if (type === 3) tiff.writeUInt16BE(value, e + 8);
        else tiff.writeUInt32BE(value, e + 8);
      } else {
        const unit = { 1: 1, 2: 1, 5: 8 }[type];
        tiff.writeUInt32BE(value.length / unit, e + 4);
        if (value.length <= 4) {
          value.copy(tiff, e + 8);
        } else {
          tiff.writeUInt32BE(dataAt, e + 8);
          data.push([dataAt, value]);
          dataAt += value.length + (value.length & 1);
        }
      }
    });
    tiff.writeUInt32BE(0, at + sizeOf(entries) - 4);
  };
  const tiff = Buffer.alloc(4096);
  tiff.write("MM\0*", 0, "latin1");
  tiff.writeUInt32BE(ifd0At, 4);
  write(ifd0, ifd0At, tiff);
  write(gps, gpsAt, tiff);
  for (const [at, value] of data) value.copy(tiff, at);
  return Buffer.concat([EXIF_ID, tiff.subarray(0, dataAt)]);
}
