//! Removes metadata from images before they leave the device or reach the disk:
//! JPEG (EXIF, XMP, comments; GPS position above all) and PNG (text, eXIf and private chunks).
//! Orientation is kept so photos are not turned sideways; the pixels are untouched.
//!
//! The stripper works on the container only, never on the pixels: it walks the JPEG segments
//! or PNG chunks, copies the ones on its keep-list, those an image needs to be shown as it was
//! (frame, tables, scans, colour profile, Adobe colour transform, PNG critical and colour
//! chunks), byte for byte, and leaves out everything else, known or not. When the dropped EXIF
//! said the photo is rotated, a new EXIF block holding only that Orientation tag is written in
//! its place.
//!
//! Bytes after the end of the image (JPEG `EOI`, PNG `IEND`) are dropped too: phones append
//! further pictures there (MPF secondary images, depth and gain maps), each with its own EXIF.
//! A JPEG's JFIF thumbnail is dropped for the same reason (it shows the picture before any edit).
//!
//! What is kept in a JPEG: SOI, a JFIF APP0 (without thumbnail), APP2 `ICC_PROFILE`, APP14
//! `Adobe`, the frame headers (SOFn), the tables (DHT, DAC, DQT), the restart interval (DRI),
//! the number of lines (DNL), the scans (SOS and their entropy-coded data) and EOI. JFIF and
//! Adobe stay because they decide the colour space a decoder converts from (YCbCr, RGB, CMYK or
//! YCCK), the ICC profile because it gives the colours their meaning; the rest (comments, other
//! application data, `JPGn` extensions, hierarchical-mode and reserved markers) goes. In a PNG:
//! `IHDR`, `PLTE`, `IDAT`, `IEND`, `tRNS`, `gAMA`, `cHRM`, `sRGB`, `iCCP` and `sBIT`; every
//! other chunk (`tEXt`, `zTXt`, `iTXt`, `eXIf`, `zxIf`, `tIME`, private ones) goes.
//!
//! The new Orientation-only EXIF goes right after SOI (after the JFIF APP0 if that is the first
//! segment kept) or, in a PNG, right after IHDR. Input the stripper cannot walk to its end
//! marker is refused, never passed through half-stripped.
//!
//! Stripping is idempotent: stripping a stripped image returns the same bytes.

/// Why an image could not be stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripError {
    /// Not a JPEG or PNG this stripper understands, or truncated.
    Malformed,
    /// Neither a JPEG nor a PNG by its leading bytes (a PDF, say): there is nothing to strip
    /// here, the caller decides what to do with such a file.
    Unsupported,
}

impl std::fmt::Display for StripError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StripError::Malformed => "malformed or truncated image",
            StripError::Unsupported => "not a JPEG or PNG image",
        })
    }
}

impl std::error::Error for StripError {}

/// Strips a JPEG or PNG (detected by its leading bytes); other bytes are an error.
pub fn strip_metadata(bytes: &[u8]) -> Result<Vec<u8>, StripError> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        strip_jpeg(bytes)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        strip_png(bytes)
    } else {
        Err(StripError::Unsupported)
    }
}

/// The EXIF Orientation tag.
pub const ORIENTATION_TAG: u16 = 0x0112;

/// The Orientation (1 to 8) an EXIF block's first IFD gives, `None` when it has none or the
/// block cannot be read. `tiff` starts at the TIFF header (`II*\0` or `MM\0*`), as in a PNG
/// `eXIf` chunk; a JPEG APP1 payload's `Exif\0\0` prefix is accepted too.
pub fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let tiff = tiff.strip_prefix(EXIF_PREFIX).unwrap_or(tiff);
    let big_endian = match tiff.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    for n in 0..count {
        let entry = ifd.checked_add(2 + 12 * n)?;
        if u16_at(entry)? != ORIENTATION_TAG {
            continue;
        }
        let (kind, values) = (u16_at(entry + 2)?, u32_at(entry + 4)?);
        let value = match (kind, values) {
            (3, 1) => u16_at(entry + 8)?, // SHORT, the type the standard names
            (4, 1) => u16::try_from(u32_at(entry + 8)?).ok()?, // LONG, seen from sloppy writers
            _ => return None,
        };
        return (1..=8).contains(&value).then_some(value);
    }
    None
}

/// A TIFF block (big-endian) with one IFD holding only the Orientation tag.
fn orientation_tiff(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0*");
    tiff.extend_from_slice(&8u32.to_be_bytes()); // IFD0 right after the header
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&ORIENTATION_TAG.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value, stored in the entry, left-aligned
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no further IFD
    tiff
}

// ---------------------------------------------------------------------------------------------
// JPEG

const EXIF_PREFIX: &[u8] = b"Exif\0\0";
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;

fn strip_jpeg(bytes: &[u8]) -> Result<Vec<u8>, StripError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    // Where the new EXIF block goes: right after SOI, or after a JFIF APP0 that is the first
    // segment kept (JFIF requires its APP0 to follow SOI immediately).
    let mut exif_at = out.len();
    let mut orientation = None;
    let mut scanned = false;
    let mut pos = 2;
    loop {
        let (marker, after) = read_marker(bytes, pos)?;
        pos = after;
        match marker {
            // An image without a single scan has no pixels to show: not an image we accept.
            EOI if !scanned => return Err(StripError::Malformed),
            EOI => {
                out.extend_from_slice(&[0xFF, EOI]);
                break;
            }
            // Lengthless markers: the temporary marker, stray restart markers outside a scan.
            // Nothing a decoder needs.
            0x01 | 0xD0..=0xD7 => continue,
            // A second SOI, or a byte that is no marker.
            SOI | 0x00 => return Err(StripError::Malformed),
            _ => {}
        }
        let (payload, after) = read_segment(bytes, pos)?;
        pos = after;
        match marker {
            APP0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
                let first = out.len() == 2;
                // Keep the header, drop an embedded thumbnail (its pixels show the unedited photo).
                let mut jfif = payload[..14].to_vec();
                jfif[12] = 0;
                jfif[13] = 0;
                write_segment(&mut out, APP0, &jfif)?;
                if first {
                    exif_at = out.len();
                }
            }
            // The first EXIF's orientation is read; the segment itself goes, as every APP1.
            APP1 if orientation.is_none() && payload.starts_with(EXIF_PREFIX) => {
                orientation = exif_orientation(payload).filter(|&o| o != 1);
            }
            APP2 if payload.starts_with(b"ICC_PROFILE\0") => {
                write_segment(&mut out, marker, payload)?
            }
            APP14 if payload.starts_with(b"Adobe") => write_segment(&mut out, marker, payload)?,
            SOS => {
                write_segment(&mut out, marker, payload)?;
                // The entropy-coded data: the pixels, copied byte for byte.
                let end = scan_end(bytes, pos);
                out.extend_from_slice(&bytes[pos..end]);
                pos = end;
                scanned = true;
            }
            // Frame headers (SOF0-SOF15 but the reserved C8), Huffman and arithmetic tables,
            // quantisation tables, number of lines, restart interval: needed to decode.
            0xC0..=0xC7 | 0xC9..=0xCF | 0xDB..=0xDD => write_segment(&mut out, marker, payload)?,
            // Other application data (Photoshop/IPTC, MPF, maker blocks), comments, and every
            // other marker with a payload, known or not: dropped.
            _ => {}
        }
    }
    if let Some(orientation) = orientation {
        let mut payload = EXIF_PREFIX.to_vec();
        payload.extend_from_slice(&orientation_tiff(orientation));
        let mut segment = Vec::with_capacity(payload.len() + 4);
        write_segment(&mut segment, APP1, &payload)?;
        out.splice(exif_at..exif_at, segment);
    }
    Ok(out)
}

/// Reads a marker at `pos`: `FF`, any number of `FF` fill bytes, the marker byte. Returns the
/// marker and the position after it.
fn read_marker(bytes: &[u8], mut pos: usize) -> Result<(u8, usize), StripError> {
    if bytes.get(pos) != Some(&0xFF) {
        return Err(StripError::Malformed);
    }
    while bytes.get(pos) == Some(&0xFF) {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(&marker) => Ok((marker, pos + 1)),
        None => Err(StripError::Malformed),
    }
}

/// Reads a segment's length and payload at `pos` (just after its marker).
fn read_segment(bytes: &[u8], pos: usize) -> Result<(&[u8], usize), StripError> {
    let len = bytes.get(pos..pos + 2).ok_or(StripError::Malformed)?;
    let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
    if len < 2 {
        return Err(StripError::Malformed);
    }
    let end = pos + len;
    let payload = bytes.get(pos + 2..end).ok_or(StripError::Malformed)?;
    Ok((payload, end))
}

fn write_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) -> Result<(), StripError> {
    let len = u16::try_from(payload.len() + 2).map_err(|_| StripError::Malformed)?;
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Where the entropy-coded data starting at `pos` ends: at the first `FF` that starts a marker
/// (not a stuffed `FF 00`, not a restart marker `FF D0`–`FF D7`), or at the end of the bytes.
/// `FF` fill bytes before that marker are left to [`read_marker`].
fn scan_end(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() {
        pos = next_ff(bytes, pos);
        if pos >= bytes.len() {
            break;
        }
        let mut next = pos + 1;
        while bytes.get(next) == Some(&0xFF) {
            next += 1;
        }
        match bytes.get(next) {
            // Stuffed zero or restart marker: still entropy-coded data.
            Some(0x00 | 0xD0..=0xD7) => pos = next + 1,
            _ => return pos,
        }
    }
    pos
}

/// The position of the first `FF` at or after `pos`, or `bytes.len()`. Eight bytes at a time:
/// a photo's entropy-coded data is almost all of its bytes, and a byte-by-byte loop over it was
/// a fifth of the gateway's CPU under load.
fn next_ff(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes.get(pos..pos + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        // A byte of `word` is FF exactly when that byte of `!word` is zero.
        let inverted = !u64::from_le_bytes(word);
        if inverted.wrapping_sub(ONES) & !inverted & HIGHS != 0 {
            break;
        }
        pos += 8;
    }
    while pos < bytes.len() && bytes[pos] != 0xFF {
        pos += 1;
    }
    pos
}

// ---------------------------------------------------------------------------------------------
// PNG

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The chunks needed to show the picture as it was: the critical ones, transparency and the
/// colour chunks. Everything else says something about the picture's owner, place or time
/// (text, `eXIf` and its compressed draft `zxIf`, `tIME`, C2PA's `caBX`, whose assertions may
/// carry the author's identity and a copy of the EXIF) or is private to some program, and
/// a chunk nobody has registered yet may carry anything: all of them are dropped.
const PNG_KEPT: [&[u8; 4]; 10] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
];

fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, StripError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut exif_at = None;
    let mut orientation = None;
    let mut pos = PNG_SIGNATURE.len();
    loop {
        let header = bytes.get(pos..pos + 8).ok_or(StripError::Malformed)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        // The PNG limit on a chunk's length, and chunk types are four ASCII letters.
        if len > 0x7FFF_FFFF || !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(StripError::Malformed);
        }
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| pos.checked_add(12)?.checked_add(len))
            .ok_or(StripError::Malformed)?;
        let chunk = bytes.get(pos..end).ok_or(StripError::Malformed)?;
        pos = end;
        let first = exif_at.is_none();
        if first && &kind != b"IHDR" {
            return Err(StripError::Malformed);
        }
        if &kind == b"eXIf" {
            if orientation.is_none() {
                orientation = exif_orientation(&chunk[8..chunk.len() - 4]).filter(|&o| o != 1);
            }
        } else if PNG_KEPT.contains(&&kind) {
            out.extend_from_slice(chunk);
        }
        if first {
            // eXIf must come before the image data; right after IHDR is always before it.
            exif_at = Some(out.len());
        }
        if &kind == b"IEND" {
            break;
        }
    }
    if let (Some(orientation), Some(at)) = (orientation, exif_at) {
        let tiff = orientation_tiff(orientation);
        let mut chunk = Vec::with_capacity(tiff.len() + 12);
        chunk.extend_from_slice(&(tiff.len() as u32).to_be_bytes());
        chunk.extend_from_slice(b"eXIf");
        chunk.extend_from_slice(&tiff);
        chunk.extend_from_slice(&crc32(&chunk[4..]).to_be_bytes());
        out.splice(at..at, chunk);
    }
    Ok(out)
}

/// The CRC-32 of PNG (ISO 3309, reflected polynomial `EDB88320`), over a chunk's type and data.
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        CRC_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::next_ff;

    /// The word-at-a-time search finds what a byte-by-byte one finds, wherever the `FF` is.
    #[test]
    fn next_ff_agrees_with_a_plain_search() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 255) as u8).collect();
                if at < len {
                    bytes[at] = 0xFF;
                }
                for start in 0..=len {
                    let plain = (start..len).find(|&i| bytes[i] == 0xFF).unwrap_or(len);
                    assert_eq!(
                        next_ff(&bytes, start),
                        plain,
                        "len {len}, FF at {at}, from {start}"
                    );
                }
            }
        }
        // Bytes next to FF (FE, 7F, 80) are no false hits.
        let near = [0xFE, 0x7F, 0x80, 0xEF, 0xFE, 0xFE, 0x01, 0x00, 0xFE];
        assert_eq!(next_ff(&near, 0), near.len());
    }
}
