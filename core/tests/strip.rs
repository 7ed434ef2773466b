//! The metadata stripper, on real images: encoded here by the `image` crate, with phone-style
//! metadata (EXIF with GPS, orientation, maker and model, XMP, comments, IPTC) spliced in by
//! hand, read back by an independent EXIF reader (`kamadak-exif`) and decoded again by `image`.
use std::sync::OnceLock;

use image::{ExtendedColorType, ImageEncoder, ImageFormat};
use lapor_core::strip::{crc32, exif_orientation, strip_metadata, StripError};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Building the fixtures

const MAKE: &str = "RahasiaPhone Co";
const MODEL: &str = "RX-1 Pro Max";
const DATE: &str = "2026:11:20 07:15:00";
const MAKER_NOTE: &[u8] = b"MAKERNOTE serial 8801-4477 owner Sari";
const COMMENT: &[u8] = b"Dipotret di rumah Bu Sari, Jl. Melati 7, Samarinda";
const IPTC_CITY: &[u8] = b"IPTC-City Samarinda Ulu";
const XMP: &str = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF \
    xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description \
    xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='0,30.123S' \
    exif:GPSLongitude='117,9.456E'/></rdf:RDF></x:xmpmeta>";

/// A deterministic picture with edges and noise, so the encoder has real work to do.
fn pixels(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut out = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state & 0x1F) as u8;
            out.push((x * 255 / width.max(1)) as u8 ^ noise);
            out.push((y * 255 / height.max(1)) as u8);
            out.push(if (x / 4 + y / 4) % 2 == 0 { 200 } else { 30 } ^ noise);
        }
    }
    out
}

fn encode_jpeg(width: u32, height: u32, seed: u32, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            &pixels(width, height, seed),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
        .expect("encode JPEG");
    out
}

fn encode_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            &pixels(width, height, seed),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
        .expect("encode PNG");
    out
}

fn decode(bytes: &[u8], format: ImageFormat) -> Vec<u8> {
    image::load_from_memory_with_format(bytes, format)
        .expect("decodes")
        .to_rgb8()
        .into_raw()
}

/// A TIFF/EXIF value.
enum Val<'a> {
    Byte(&'a [u8]),
    Ascii(&'a str),
    Short(u16),
    Long(u32),
    Rational(&'a [(u32, u32)]),
    Undefined(&'a [u8]),
}

/// Writes TIFF integers in one byte order.
struct Order(bool);

impl Order {
    fn u16(&self, v: u16) -> [u8; 2] {
        if self.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
    fn u32(&self, v: u32) -> [u8; 4] {
        if self.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
}

/// A TIFF block as phones write it: IFD0 with the pointers to the Exif and GPS IFDs.
/// `little_endian` picks `II` (most Android phones) or `MM` (many cameras).
fn tiff(
    little_endian: bool,
    ifd0: &[(u16, Val<'_>)],
    exif: &[(u16, Val<'_>)],
    gps: &[(u16, Val<'_>)],
) -> Vec<u8> {
    let o = Order(little_endian);
    let ifd_size = |n: usize| 2 + 12 * n + 4;
    let n0 = ifd0.len() + 2;
    let exif_at = 8 + ifd_size(n0);
    let gps_at = exif_at + ifd_size(exif.len());
    let mut data_at = gps_at + ifd_size(gps.len());
    let mut ifds = Vec::new();
    let mut data = Vec::new();
    let mut write_ifd = |entries: Vec<(u16, &Val<'_>)>| {
        ifds.extend_from_slice(&o.u16(entries.len() as u16));
        for (tag, val) in entries {
            let (kind, count, bytes): (u16, usize, Vec<u8>) = match val {
                Val::Byte(b) => (1, b.len(), b.to_vec()),
                Val::Ascii(s) => (2, s.len() + 1, [s.as_bytes(), b"\0"].concat()),
                Val::Short(v) => (3, 1, o.u16(*v).to_vec()),
                Val::Long(v) => (4, 1, o.u32(*v).to_vec()),
                Val::Rational(r) => (
                    5,
                    r.len(),
                    r.iter()
                        .flat_map(|&(n, d)| [o.u32(n), o.u32(d)].concat())
                        .collect(),
                ),
                Val::Undefined(b) => (7, b.len(), b.to_vec()),
            };
            ifds.extend_from_slice(&o.u16(tag));
            ifds.extend_from_slice(&o.u16(kind));
            ifds.extend_from_slice(&o.u32(count as u32));
            if bytes.len() <= 4 {
                let mut inline = bytes.clone();
                inline.resize(4, 0);
                ifds.extend_from_slice(&inline);
            } else {
                ifds.extend_from_slice(&o.u32(data_at as u32));
                data.extend_from_slice(&bytes);
                if bytes.len() % 2 == 1 {
                    data.push(0); // values start on a word boundary
                }
                data_at = gps_at + ifd_size(gps.len()) + data.len();
            }
        }
        ifds.extend_from_slice(&o.u32(0));
    };
    let pointers = [
        (0x8769, Val::Long(exif_at as u32)),
        (0x8825, Val::Long(gps_at as u32)),
    ];
    let mut first: Vec<(u16, &Val<'_>)> = ifd0.iter().map(|(t, v)| (*t, v)).collect();
    first.extend(pointers.iter().map(|(t, v)| (*t, v)));
    first.sort_by_key(|(t, _)| *t);
    write_ifd(first);
    write_ifd(exif.iter().map(|(t, v)| (*t, v)).collect());
    write_ifd(gps.iter().map(|(t, v)| (*t, v)).collect());
    let mut out = if little_endian {
        b"II*\0".to_vec()
    } else {
        b"MM\0*".to_vec()
    };
    out.extend_from_slice(&o.u32(8));
    out.extend_from_slice(&ifds);
    out.extend_from_slice(&data);
    out
}

/// The EXIF of a phone photo taken in Samarinda: maker, model, orientation, dates, a maker
/// note, and the GPS position. `orientation` 0 leaves the tag out.
fn phone_tiff(little_endian: bool, orientation: u16) -> Vec<u8> {
    let mut ifd0 = vec![
        (0x010F, Val::Ascii(MAKE)),
        (0x0110, Val::Ascii(MODEL)),
        (0x0132, Val::Ascii(DATE)),
    ];
    if orientation != 0 {
        ifd0.push((0x0112, Val::Short(orientation)));
    }
    let exif = [
        (0x9003, Val::Ascii(DATE)),
        (0x927C, Val::Undefined(MAKER_NOTE)),
    ];
    let gps = [
        (0x0000, Val::Byte(&[2, 3, 0, 0])),
        (0x0001, Val::Ascii("S")),
        (0x0002, Val::Rational(&[(0, 1), (30, 1), (12_345, 1000)])),
        (0x0003, Val::Ascii("E")),
        (0x0004, Val::Rational(&[(117, 1), (9, 1), (45_678, 1000)])),
        (0x0006, Val::Rational(&[(12, 1)])),
    ];
    tiff(little_endian, &ifd0, &exif, &gps)
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn exif_segment(little_endian: bool, orientation: u16) -> Vec<u8> {
    segment(
        0xE1,
        &[
            b"Exif\0\0".as_slice(),
            &phone_tiff(little_endian, orientation),
        ]
        .concat(),
    )
}

fn xmp_segment() -> Vec<u8> {
    segment(
        0xE1,
        &[b"http://ns.adobe.com/xap/1.0/\0".as_slice(), XMP.as_bytes()].concat(),
    )
}

fn photoshop_segment() -> Vec<u8> {
    let mut iptc = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
    iptc.extend_from_slice(&(IPTC_CITY.len() as u32 + 5).to_be_bytes());
    iptc.extend_from_slice(&[0x1C, 0x02, 0x5A]);
    iptc.extend_from_slice(&(IPTC_CITY.len() as u16).to_be_bytes());
    iptc.extend_from_slice(IPTC_CITY);
    segment(0xED, &iptc)
}

/// The continuation of an XMP packet too long for one segment (GUID, full length, offset).
fn extended_xmp_segment() -> Vec<u8> {
    let mut payload = b"http://ns.adobe.com/xmp/extension/\0".to_vec();
    payload.extend_from_slice(b"0123456789ABCDEF0123456789ABCDEF");
    payload.extend_from_slice(&(XMP.len() as u32).to_be_bytes());
    payload.extend_from_slice(&0u32.to_be_bytes());
    payload.extend_from_slice(XMP.as_bytes());
    segment(0xE1, &payload)
}

/// An ICC profile header (sRGB-like bytes; decoders keep it, they do not apply it).
fn icc_segment() -> Vec<u8> {
    let mut profile = b"ICC_PROFILE\0\x01\x01".to_vec();
    profile.extend((0..128u32).map(|i| (i * 7) as u8));
    segment(0xE2, &profile)
}

/// An MPF block, as phones write to point at the pictures appended after EOI.
fn mpf_segment() -> Vec<u8> {
    segment(0xE2, b"MPF\0MM\0*\0\0\0\x08\0\0")
}

/// Inserts segments right after SOI, where phones put their metadata.
fn splice(jpeg: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    for s in segments {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The phone-style photo: EXIF (GPS, orientation 6, make, model, maker note), XMP with GPS, a
/// comment, Photoshop/IPTC, an ICC profile, MPF, and a second picture after EOI.
fn phone_jpeg() -> &'static [u8] {
    static JPEG: OnceLock<Vec<u8>> = OnceLock::new();
    JPEG.get_or_init(|| {
        // Phones write no JFIF segment: their files start with the EXIF.
        let encoded = encode_jpeg(48, 32, 7, 85);
        let jfif = jpeg_segments(&encoded)[0].clone();
        assert_eq!(jfif.0, 0xE0);
        let plain = [&encoded[..2], &encoded[2 + 4 + jfif.1.len()..]].concat();
        let mut photo = splice(
            &plain,
            &[
                exif_segment(false, 6),
                xmp_segment(),
                icc_segment(),
                mpf_segment(),
                photoshop_segment(),
                segment(0xFE, COMMENT),
            ],
        );
        // The "second picture" of a multi-picture file, with its own EXIF and GPS.
        photo.extend_from_slice(&splice(&encode_jpeg(8, 8, 1, 50), &[exif_segment(true, 1)]));
        photo
    })
}

/// The segments of a JPEG up to and including SOS: (marker, payload).
fn jpeg_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 2;
    loop {
        assert_eq!(jpeg[pos], 0xFF, "a marker at {pos}");
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        out.push((marker, jpeg[pos + 4..pos + 2 + len].to_vec()));
        pos += 2 + len;
        if marker == 0xDA {
            return out;
        }
    }
}

/// The bytes from the end of the SOS header to the end of the first EOI.
fn scan_and_end(jpeg: &[u8]) -> &[u8] {
    let header: usize = jpeg_segments(jpeg)
        .iter()
        .map(|(_, p)| p.len() + 4)
        .sum::<usize>()
        + 2;
    let eoi = (header..jpeg.len() - 1)
        .find(|&i| jpeg[i] == 0xFF && jpeg[i + 1] == 0xD9)
        .expect("EOI");
    &jpeg[header..eoi + 2]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every EXIF field an independent reader finds: (tag, value as text).
fn exif_fields(container: &[u8]) -> Vec<(exif::Tag, String)> {
    match exif::Reader::new().read_from_container(&mut std::io::Cursor::new(container)) {
        Ok(exif) => exif
            .fields()
            .map(|f| (f.tag, f.display_value().to_string()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn orientation_of(container: &[u8]) -> Option<u32> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(container))
        .ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

// PNG

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&out[4..]).to_be_bytes());
    out
}

/// The chunks of a PNG: (type, data), checking every CRC on the way.
fn png_chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = png[pos + 4..pos + 8].try_into().unwrap();
        let crc = u32::from_be_bytes(png[pos + 8 + len..pos + 12 + len].try_into().unwrap());
        assert_eq!(
            crc,
            crc32(&png[pos + 4..pos + 8 + len]),
            "CRC of {}",
            String::from_utf8_lossy(&kind)
        );
        out.push((kind, png[pos + 8..pos + 8 + len].to_vec()));
        pos += 12 + len;
        if &kind == b"IEND" {
            break;
        }
    }
    out
}

/// A zlib stream of one stored (uncompressed) block, enough for zTXt.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01, 0x01];
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(&(!(data.len() as u16)).to_le_bytes());
    out.extend_from_slice(data);
    let (a, b) = data.iter().fold((1u32, 0u32), |(a, b), &x| {
        let a = (a + u32::from(x)) % 65_521;
        (a, (b + a) % 65_521)
    });
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// A screenshot-style PNG with GPS in a tEXt, XMP in an iTXt, a zTXt, a tIME, C2PA and an eXIf
/// (GPS, orientation 6), some before and some after the image data.
fn phone_png() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| {
        let plain = encode_png(24, 16, 3);
        let chunks = png_chunks(&plain);
        assert_eq!(&chunks[0].0, b"IHDR");
        let mut out = plain[..8 + 12 + 13].to_vec(); // signature and IHDR
        out.extend(png_chunk(b"eXIf", &phone_tiff(true, 6)));
        out.extend(png_chunk(b"tEXt", b"GPS\0-0.5034,117.1627"));
        out.extend(png_chunk(
            b"iTXt",
            &[b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), XMP.as_bytes()].concat(),
        ));
        out.extend(png_chunk(b"tIME", &[0x07, 0xEA, 11, 20, 7, 15, 0]));
        out.extend(png_chunk(
            b"caBX",
            b"jumb c2pa stds.exif GPSLatitude 0,30.123S",
        ));
        out.extend(png_chunk(b"sRGB", &[0]));
        let iend = plain.len() - 12;
        out.extend_from_slice(&plain[8 + 12 + 13..iend]);
        out.extend(png_chunk(
            b"zTXt",
            &[b"Comment\0\0".as_slice(), &zlib_stored(COMMENT)].concat(),
        ));
        out.extend(png_chunk(
            b"tEXt",
            &[b"Author\0".as_slice(), MAKE.as_bytes()].concat(),
        ));
        out.extend_from_slice(&plain[iend..]);
        out.extend_from_slice(b"trailing bytes after IEND with GPS -0.5,117.1");
        out
    })
}

// ---------------------------------------------------------------------------------------------
// JPEG

#[test]
fn the_fixture_is_what_it_claims() {
    let photo = phone_jpeg();
    let fields = exif_fields(photo);
    use exif::Tag;
    for tag in [
        Tag::Make,
        Tag::Model,
        Tag::Orientation,
        Tag::GPSLatitude,
        Tag::GPSLongitude,
        Tag::MakerNote,
    ] {
        assert!(fields.iter().any(|(t, _)| *t == tag), "{tag} in {fields:?}");
    }
    assert!(contains(photo, &[0x88, 0x25]), "the GPS IFD pointer tag");
    assert_eq!(orientation_of(photo), Some(6));
    assert_eq!(exif_orientation(&phone_tiff(false, 6)), Some(6));
    for needle in [
        MAKE.as_bytes(),
        COMMENT,
        IPTC_CITY,
        b"ns.adobe.com/xap",
        MAKER_NOTE,
        b"MPF\0",
    ] {
        assert!(contains(photo, needle));
    }
    decode(photo, ImageFormat::Jpeg);
}

#[test]
fn a_phone_jpeg_loses_everything_but_its_orientation() {
    let photo = phone_jpeg();
    let stripped = strip_metadata(photo).unwrap();

    // An independent reader finds exactly one tag: Orientation 6 in IFD0.
    assert_eq!(
        exif_fields(&stripped),
        vec![(
            exif::Tag::Orientation,
            "row 0 at right and column 0 at top".to_string()
        )]
    );
    assert_eq!(orientation_of(&stripped), Some(6));

    // No GPS, XMP, comment, IPTC, maker or maker note, anywhere in the file.
    for needle in [
        MAKE.as_bytes(),
        MODEL.as_bytes(),
        DATE.as_bytes(),
        MAKER_NOTE,
        COMMENT,
        IPTC_CITY,
        XMP.as_bytes(),
        b"ns.adobe.com/xap",
        b"GPS",
        b"Photoshop",
        b"MPF\0",
    ] {
        assert!(
            !contains(&stripped, needle),
            "{:?} left in",
            String::from_utf8_lossy(needle)
        );
    }
    let segments = jpeg_segments(&stripped);
    let header: Vec<u8> = segments.iter().flat_map(|(_, p)| p.clone()).collect();
    assert!(
        !contains(&header, &[0x88, 0x25]),
        "the GPS IFD pointer tag is gone"
    );
    assert!(
        !contains(&header, &[0x87, 0x69]),
        "the Exif IFD pointer tag is gone"
    );
    assert!(
        segments.iter().all(|(m, _)| !matches!(m, 0xFE | 0xED)),
        "no COM, no APP13"
    );

    // What is left: the new EXIF (right after SOI), the ICC profile, then the encoder's
    // segments exactly as they were.
    let markers: Vec<u8> = segments.iter().map(|(m, _)| *m).collect();
    assert_eq!(&markers[..2], &[0xE1, 0xE2]);
    assert!(segments[1].1.starts_with(b"ICC_PROFILE\0"));
    let app1: Vec<_> = segments.iter().filter(|(m, _)| *m == 0xE1).collect();
    assert_eq!(app1.len(), 1);
    assert_eq!(
        app1[0].1,
        b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec()
    );
    let coding = |segments: &[(u8, Vec<u8>)]| -> Vec<(u8, Vec<u8>)> {
        segments
            .iter()
            .filter(|(m, _)| !(0xE0..=0xEF).contains(m) && *m != 0xFE)
            .cloned()
            .collect()
    };
    assert_eq!(
        coding(&segments),
        coding(&jpeg_segments(photo)),
        "tables and frame untouched"
    );

    // The pixels: the scan copied byte for byte, nothing after EOI, and decoded the same.
    assert_eq!(scan_and_end(&stripped), scan_and_end(photo));
    assert!(stripped.ends_with(&[0xFF, 0xD9]));
    assert_eq!(
        stripped.len(),
        2 + segments.iter().map(|(_, p)| p.len() + 4).sum::<usize>() + scan_and_end(photo).len()
    );
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(photo, ImageFormat::Jpeg)
    );

    // Twice is once.
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

#[test]
fn orientation_survives_in_both_byte_orders_and_only_when_it_turns_the_picture() {
    let plain = encode_jpeg(16, 16, 2, 90);
    // (byte order, Orientation written, Orientation expected after stripping)
    let cases = [
        (false, 6u16, Some(6u16)),
        (true, 6, Some(6)),
        (true, 3, Some(3)),
        (false, 8, Some(8)),
        (true, 2, Some(2)),
        (true, 1, None),  // upright: nothing to keep, so no EXIF at all
        (false, 0, None), // no Orientation tag
        (true, 9, None),  // not an orientation
    ];
    for (little_endian, written, expected) in cases {
        let photo = splice(&plain, &[exif_segment(little_endian, written)]);
        let stripped = strip_metadata(&photo).unwrap();
        assert_eq!(
            orientation_of(&stripped),
            expected.map(u32::from),
            "{little_endian} {written}"
        );
        let app1 = jpeg_segments(&stripped)
            .iter()
            .filter(|(m, _)| *m == 0xE1)
            .count();
        assert_eq!(app1, usize::from(expected.is_some()));
        assert!(!contains(&stripped, b"GPS") && !contains(&stripped, MAKE.as_bytes()));
        assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
    }
    // Without any EXIF, a clean JPEG comes out byte for byte as it went in.
    assert_eq!(strip_metadata(&plain).unwrap(), plain);
}

#[test]
fn the_orientation_reader() {
    let entry = |tiff_header: &[u8], kind: [u8; 2], value: [u8; 4]| -> Vec<u8> {
        let mut t = tiff_header.to_vec();
        t.extend_from_slice(&[0, 1, 0x01, 0x12]);
        t.extend_from_slice(&kind);
        t.extend_from_slice(&[0, 0, 0, 1]);
        t.extend_from_slice(&value);
        t
    };
    let be = b"MM\0*\0\0\0\x08".as_slice();
    let cases: Vec<(Vec<u8>, Option<u16>)> = vec![
        (entry(be, [0, 3], [0, 6, 0, 0]), Some(6)),
        (entry(be, [0, 4], [0, 0, 0, 5]), Some(5)), // LONG instead of SHORT
        (entry(be, [0, 3], [0, 0, 0, 0]), None),    // 0 is no orientation
        (entry(be, [0, 2], [b'6', 0, 0, 0]), None), // ASCII is no orientation
        (entry(b"MM\0*\0\0\0\x09", [0, 3], [0, 6, 0, 0]), None), // IFD0 offset points past the data
        (entry(b"II*\0\x08\0\0\0", [3, 0], [6, 0, 0, 0]), None), // LE header, BE entries
        (
            [b"Exif\0\0".as_slice(), &phone_tiff(true, 7)].concat(),
            Some(7),
        ),
        (phone_tiff(false, 0), None),
        (b"MM\0*\xFF\xFF\xFF\xFF".to_vec(), None),
        (b"MM\0*".to_vec(), None),
        (Vec::new(), None),
    ];
    for (tiff, expected) in cases {
        assert_eq!(exif_orientation(&tiff), expected, "{tiff:?}");
    }
}

#[test]
fn a_jfif_thumbnail_goes_with_the_rest() {
    let plain = encode_jpeg(16, 8, 4, 80);
    let segments = jpeg_segments(&plain);
    assert_eq!(segments[0].0, 0xE0, "the encoder writes JFIF first");
    let mut jfif = segments[0].1[..12].to_vec();
    jfif.extend_from_slice(&[2, 1]); // a 2×1 RGB thumbnail of the unedited photo
    jfif.extend_from_slice(b"SECRET");
    let header_len = 4 + segments[0].1.len();
    let photo = [&plain[..2], &segment(0xE0, &jfif), &plain[2 + header_len..]].concat();
    let stripped = strip_metadata(&photo).unwrap();
    assert!(!contains(&stripped, b"SECRET"));
    assert_eq!(
        jpeg_segments(&stripped)[0],
        (0xE0, [&jfif[..12], &[0, 0]].concat())
    );
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(&plain, ImageFormat::Jpeg)
    );
}

#[test]
fn adobe_and_icc_stay_other_application_data_goes() {
    let plain = encode_jpeg(16, 16, 5, 75);
    let adobe = segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01");
    let others = [
        segment(0xE3, b"META some camera block"),
        segment(0xE4, b"Qualcomm debug"),
        segment(0xE9, b"CAMERA serial"),
        segment(0xEF, b"APP15 vendor data"),
        segment(0xEE, b"NotAdobe"),
        segment(0xE2, b"FPXR\0 flashpix"),
        segment(0xE0, b"JFXX\0\x10 thumbnail"),
        extended_xmp_segment(),
    ];
    let mut all = vec![icc_segment(), adobe.clone()];
    all.extend(others.iter().cloned());
    let photo = splice(&plain, &all);
    let stripped = strip_metadata(&photo).unwrap();
    let kept: Vec<_> = jpeg_segments(&stripped)
        .into_iter()
        .filter(|(m, _)| (0xE1..=0xEF).contains(m))
        .collect();
    assert_eq!(
        kept,
        vec![
            (0xE2, icc_segment()[4..].to_vec()),
            (0xEE, adobe[4..].to_vec())
        ]
    );
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(&photo, ImageFormat::Jpeg)
    );
}

/// Whether a decoder needs a JPEG segment with this marker: frame headers, tables, restart
/// interval, number of lines, scans, and the colour-deciding application segments.
fn needed_to_decode(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xC0..=0xC7 | 0xC9..=0xCF | 0xDA..=0xDD => true,
        0xE0 => payload.starts_with(b"JFIF\0"),
        // Only the Orientation-only EXIF the stripper writes itself.
        0xE1 => payload.starts_with(b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12"),
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"),
        _ => false,
    }
}

#[test]
fn a_jpeg_keeps_only_the_segments_needed_to_decode_it() {
    let plain = encode_jpeg(16, 16, 8, 80);
    // (what, bytes spliced in right after SOI, kept)
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("comment", segment(0xFE, COMMENT), false),
        ("EXIF, upright", exif_segment(true, 1), false),
        ("XMP", xmp_segment(), false),
        ("extended XMP", extended_xmp_segment(), false),
        ("MPF", mpf_segment(), false),
        ("Photoshop/IPTC", photoshop_segment(), false),
        ("APP3", segment(0xE3, GPS_CANARY), false),
        (
            "APP11 (JUMBF, C2PA)",
            segment(0xEB, b"JP\0\0jumb c2pa GPS"),
            false,
        ),
        ("APP15", segment(0xEF, GPS_CANARY), false),
        ("APP0 JFXX", segment(0xE0, b"JFXX\0\x10 thumbnail"), false),
        ("APP2 FlashPix", segment(0xE2, b"FPXR\0 flashpix"), false),
        ("APP14 not Adobe", segment(0xEE, b"NotAdobe"), false),
        ("JPG0 extension", segment(0xF0, GPS_CANARY), false),
        ("JPG13 extension", segment(0xFD, GPS_CANARY), false),
        ("reserved JPG marker C8", segment(0xC8, GPS_CANARY), false),
        ("reserved marker 02", segment(0x02, GPS_CANARY), false),
        ("reserved marker BF", segment(0xBF, GPS_CANARY), false),
        ("hierarchical DHP", segment(0xDE, GPS_CANARY), false),
        ("hierarchical EXP", segment(0xDF, GPS_CANARY), false),
        ("stray restart marker", vec![0xFF, 0xD3], false),
        ("temporary marker", vec![0xFF, 0x01], false),
        ("ICC profile", icc_segment(), true),
        ("Adobe", segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"), true),
        ("restart interval 0", segment(0xDD, &[0, 0]), true),
    ];
    for (what, extra, kept) in cases {
        let jpeg = splice(&plain, std::slice::from_ref(&extra));
        let stripped = strip_metadata(&jpeg).unwrap();
        let segments = jpeg_segments(&stripped);
        assert!(
            segments.iter().all(|(m, p)| needed_to_decode(*m, p)),
            "{what}: {:?}",
            segments.iter().map(|(m, _)| *m).collect::<Vec<_>>()
        );
        if kept {
            assert!(
                segments
                    .iter()
                    .any(|(m, p)| *m == extra[1] && *p == extra[4..]),
                "{what}"
            );
        } else {
            assert_eq!(
                stripped, plain,
                "{what}: the plain JPEG again, byte for byte"
            );
        }
        assert_eq!(scan_and_end(&stripped), scan_and_end(&plain), "{what}");
        assert_eq!(
            decode(&stripped, ImageFormat::Jpeg),
            decode(&plain, ImageFormat::Jpeg),
            "{what}"
        );
        assert_eq!(strip_metadata(&stripped).unwrap(), stripped, "{what}");
    }
}

#[test]
fn a_jpeg_with_unknown_markers_comments_and_application_data_still_decodes_upright() {
    let plain = encode_jpeg(24, 16, 9, 85);
    let photo = splice(
        &plain,
        &[
            exif_segment(false, 6),
            segment(0xFE, COMMENT),
            segment(0xF1, &[b"JPG1 ".as_slice(), GPS_CANARY].concat()),
            segment(0x42, &[b"reserved ".as_slice(), MAKE.as_bytes()].concat()),
            segment(
                0xE9,
                &[b"CAMERA serial ".as_slice(), MODEL.as_bytes()].concat(),
            ),
            icc_segment(),
            xmp_segment(),
        ],
    );
    let stripped = strip_metadata(&photo).unwrap();
    let segments = jpeg_segments(&stripped);
    assert!(segments.iter().all(|(m, p)| needed_to_decode(*m, p)));
    for needle in [
        GPS_CANARY,
        b"GPS",
        MAKE.as_bytes(),
        MODEL.as_bytes(),
        COMMENT,
        b"ns.adobe.com",
    ] {
        assert!(
            !contains(&stripped, needle),
            "{:?} left in",
            String::from_utf8_lossy(needle)
        );
    }
    // The encoder's own segments, in order, and the scan, byte for byte.
    let coding = |segments: &[(u8, Vec<u8>)]| -> Vec<(u8, Vec<u8>)> {
        segments
            .iter()
            .filter(|(m, _)| !(0xE0..=0xEF).contains(m))
            .cloned()
            .collect()
    };
    assert_eq!(coding(&segments), coding(&jpeg_segments(&plain)));
    assert_eq!(scan_and_end(&stripped), scan_and_end(&plain));
    assert_eq!(orientation_of(&stripped), Some(6));
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(&plain, ImageFormat::Jpeg)
    );
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

#[test]
fn metadata_between_the_scan_and_the_end_is_stripped_too() {
    // A comment and EXIF after the scan (legal, if rare) and fill bytes before markers.
    let plain = encode_jpeg(16, 16, 6, 70);
    let eoi = plain.len() - 2;
    let photo = [
        &plain[..eoi],
        &segment(0xFE, COMMENT),
        &exif_segment(true, 8)[..],
        &[0xFF, 0xFF, 0xFF, 0xD9][..],
    ]
    .concat();
    let stripped = strip_metadata(&photo).unwrap();
    assert!(!contains(&stripped, COMMENT) && !contains(&stripped, b"GPS"));
    assert_eq!(orientation_of(&stripped), Some(8));
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(&plain, ImageFormat::Jpeg)
    );
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

#[test]
fn what_is_not_a_jpeg_or_png_is_refused() {
    let photo = phone_jpeg();
    let png = phone_png();
    let cases: Vec<(&str, Vec<u8>, StripError)> = vec![
        ("empty", vec![], StripError::Unsupported),
        (
            "PDF",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec(),
            StripError::Unsupported,
        ),
        (
            "GIF",
            b"GIF89a\x01\0\x01\0".to_vec(),
            StripError::Unsupported,
        ),
        ("text", b"bukan gambar".to_vec(), StripError::Unsupported),
        ("half a JPEG signature", vec![0xFF], StripError::Unsupported),
        ("SOI alone", vec![0xFF, 0xD8], StripError::Malformed),
        (
            "SOI, EOI, no scan",
            vec![0xFF, 0xD8, 0xFF, 0xD9],
            StripError::Malformed,
        ),
        (
            "two SOI",
            vec![0xFF, 0xD8, 0xFF, 0xD8],
            StripError::Malformed,
        ),
        (
            "no marker after SOI",
            [&[0xFF, 0xD8, 0x12][..], &photo[2..]].concat(),
            StripError::Malformed,
        ),
        (
            "segment length 0",
            [&[0xFF, 0xD8, 0xFF, 0xFE, 0, 0][..], &photo[2..]].concat(),
            StripError::Malformed,
        ),
        (
            "segment length 1",
            [&[0xFF, 0xD8, 0xFF, 0xFE, 0, 1][..], &photo[2..]].concat(),
            StripError::Malformed,
        ),
        (
            "segment past the end",
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2],
            StripError::Malformed,
        ),
        (
            "PNG signature alone",
            png[..8].to_vec(),
            StripError::Malformed,
        ),
        (
            "PNG without IHDR first",
            [&png[..8], &png_chunk(b"tEXt", b"a\0b")[..], &png[8..]].concat(),
            StripError::Malformed,
        ),
        (
            "PNG chunk too long",
            [&png[..8], &[0xFF, 0xFF, 0xFF, 0xFF][..], &png[12..]].concat(),
            StripError::Malformed,
        ),
        (
            "PNG chunk type not letters",
            [&png[..12], b"IH1R", &png[16..]].concat(),
            StripError::Malformed,
        ),
    ];
    for (what, bytes, expected) in cases {
        assert_eq!(strip_metadata(&bytes), Err(expected), "{what}");
    }
}

#[test]
fn every_truncation_is_refused() {
    // Without its EOI (or IEND) an image is truncated: refused rather than half-sent.
    let photo = phone_jpeg();
    // Where the main picture ends: what comes after is the appended second picture.
    let scan = scan_and_end(photo);
    let eoi_end = scan.as_ptr() as usize - photo.as_ptr() as usize + scan.len();
    for len in 0..eoi_end {
        assert!(strip_metadata(&photo[..len]).is_err(), "JPEG cut at {len}");
    }
    assert!(strip_metadata(&photo[..eoi_end]).is_ok());
    let png = phone_png();
    let iend_end = png.len() - b"trailing bytes after IEND with GPS -0.5,117.1".len();
    for len in 0..iend_end {
        assert!(strip_metadata(&png[..len]).is_err(), "PNG cut at {len}");
    }
    assert!(strip_metadata(&png[..iend_end]).is_ok());
}

// ---------------------------------------------------------------------------------------------
// PNG

#[test]
fn a_png_loses_its_text_time_and_exif_but_not_its_orientation() {
    let png = phone_png();
    // The fixture: an independent reader finds the GPS in its eXIf, and it decodes.
    assert!(exif_fields(png)
        .iter()
        .any(|(t, _)| *t == exif::Tag::GPSLatitude));
    assert_eq!(orientation_of(png), Some(6));
    let original_pixels = decode(png, ImageFormat::Png);

    let stripped = strip_metadata(png).unwrap();
    let kinds: Vec<String> = png_chunks(&stripped)
        .iter()
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .collect();
    let idat = kinds.iter().filter(|k| *k == "IDAT").count();
    assert!(idat >= 1);
    let mut expected = vec!["IHDR", "eXIf", "sRGB"];
    expected.extend(std::iter::repeat_n("IDAT", idat));
    expected.push("IEND");
    assert_eq!(kinds, expected);

    assert_eq!(
        exif_fields(&stripped),
        vec![(
            exif::Tag::Orientation,
            "row 0 at right and column 0 at top".to_string()
        )]
    );
    for needle in [
        b"GPS".as_slice(),
        MAKE.as_bytes(),
        COMMENT,
        b"ns.adobe.com",
        b"tIME",
        b"c2pa",
        b"trailing",
    ] {
        assert!(
            !contains(&stripped, needle),
            "{:?} left in",
            String::from_utf8_lossy(needle)
        );
    }
    // The image data chunks are the original's, byte for byte, and decode the same.
    let data = |png: &[u8]| -> Vec<Vec<u8>> {
        png_chunks(png)
            .into_iter()
            .filter(|(k, _)| k == b"IDAT" || k == b"IHDR")
            .map(|(_, d)| d)
            .collect()
    };
    assert_eq!(data(&stripped), data(png));
    assert_eq!(decode(&stripped, ImageFormat::Png), original_pixels);
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

/// The chunks the stripper keeps, and that a PNG needs to be shown as it was.
const PNG_KEEP_LIST: [&[u8; 4]; 10] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
];

/// A GPS position no picture data spells by chance, to search the stripped bytes for.
const GPS_CANARY: &[u8] = b"GPS-CANARY -0.5034,117.1627";

/// An ancillary chunk put before the image data of a plain PNG (or after it): is it still
/// there after stripping, and is nothing but the keep-list left?
fn check_png_chunk(kind: &[u8; 4], data: &[u8], before_data: bool, kept: bool) {
    let plain = encode_png(12, 9, 11);
    let iend = plain.len() - 12;
    let at = if before_data { 33 } else { iend };
    let png = [&plain[..at], &png_chunk(kind, data)[..], &plain[at..]].concat();
    let stripped = strip_metadata(&png).unwrap();
    let name = String::from_utf8_lossy(kind);
    let kinds: Vec<[u8; 4]> = png_chunks(&stripped).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds.contains(kind), kept, "{name}");
    assert!(
        kinds.iter().all(|k| PNG_KEEP_LIST.contains(&k)),
        "{name}: {kinds:?}"
    );
    assert_eq!(contains(&stripped, data), kept, "{name}: its data");
    if !kept {
        assert_eq!(
            stripped, plain,
            "{name}: the plain PNG again, byte for byte"
        );
    }
    assert_eq!(
        decode(&stripped, ImageFormat::Png),
        decode(&png, ImageFormat::Png),
        "{name}"
    );
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped, "{name}");
}

#[test]
fn a_png_keeps_only_the_chunks_on_its_keep_list() {
    // (chunk type, data, before the image data, kept)
    let profile = [b"sRGB-ish\0\0".as_slice(), &zlib_stored(&[7; 64])].concat();
    let cases: Vec<(&[u8; 4], Vec<u8>, bool, bool)> = vec![
        (
            b"eXIf",
            [&phone_tiff(false, 0)[..], GPS_CANARY].concat(),
            true,
            false,
        ),
        // The draft name of eXIf, written by some tools and read by some viewers.
        (
            b"zxIf",
            [b"MM\0*".as_slice(), GPS_CANARY].concat(),
            true,
            false,
        ),
        (
            b"tEXt",
            [b"Author\0".as_slice(), MAKE.as_bytes()].concat(),
            true,
            false,
        ),
        (
            b"tEXt",
            [b"GPS\0".as_slice(), GPS_CANARY].concat(),
            false,
            false,
        ),
        (
            b"zTXt",
            [b"Comment\0\0".as_slice(), &zlib_stored(COMMENT)].concat(),
            true,
            false,
        ),
        (
            b"iTXt",
            [b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), XMP.as_bytes()].concat(),
            false,
            false,
        ),
        (b"tIME", vec![0x07, 0xEA, 11, 20, 7, 15, 0], false, false),
        (
            b"caBX",
            b"jumb c2pa GPSLatitude 0,30.123S".to_vec(),
            true,
            false,
        ),
        (
            b"pHYs",
            vec![0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1],
            true,
            false,
        ),
        // Private chunks (lower-case second letter), one safe to copy, one not, and an
        // ancillary chunk nobody has registered.
        (
            b"prVt",
            [b"owner Sari ".as_slice(), GPS_CANARY].concat(),
            true,
            false,
        ),
        (b"alPH", GPS_CANARY.to_vec(), false, false),
        (b"zzZz", GPS_CANARY.to_vec(), true, false),
        (b"gAMA", 45_455u32.to_be_bytes().to_vec(), true, true),
        (
            b"cHRM",
            [
                31_270u32, 32_900, 64_000, 33_000, 30_000, 60_000, 15_000, 6_000,
            ]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect(),
            true,
            true,
        ),
        (b"sRGB", vec![0], true, true),
        (b"iCCP", profile, true, true),
        (b"sBIT", vec![8, 8, 8], true, true),
        // A suggested palette and a transparent colour are allowed in a truecolour PNG.
        (
            b"PLTE",
            vec![0, 0, 0, 255, 255, 255, 12, 34, 56],
            true,
            true,
        ),
        (b"tRNS", vec![0, 12, 0, 34, 0, 56], true, true),
    ];
    for (kind, data, before_data, kept) in cases {
        check_png_chunk(kind, &data, before_data, kept);
    }
}

#[test]
fn a_png_with_exif_zxif_text_and_a_private_chunk_keeps_its_pixels_and_orientation_only() {
    let plain = encode_png(24, 16, 5);
    let iend = plain.len() - 12;
    let png = [
        &plain[..33],
        &png_chunk(b"eXIf", &[&phone_tiff(true, 6)[..], GPS_CANARY].concat())[..],
        &png_chunk(b"zxIf", &[b"II*\0".as_slice(), GPS_CANARY].concat()),
        &png_chunk(b"tEXt", &[b"Location\0".as_slice(), GPS_CANARY].concat()),
        &png_chunk(b"prVt", &[b"device ".as_slice(), MODEL.as_bytes()].concat()),
        &png_chunk(b"gAMA", &45_455u32.to_be_bytes()),
        &plain[33..iend],
        &png_chunk(b"tEXt", &[b"Author\0".as_slice(), MAKE.as_bytes()].concat()),
        &png_chunk(b"heLo", GPS_CANARY),
        &plain[iend..],
    ]
    .concat();
    assert_eq!(orientation_of(&png), Some(6));

    let stripped = strip_metadata(&png).unwrap();
    let chunks = png_chunks(&stripped);
    let kinds: Vec<&[u8; 4]> = chunks.iter().map(|(k, _)| k).collect();
    let idat = kinds.iter().filter(|k| **k == b"IDAT").count();
    let mut expected: Vec<&[u8; 4]> = vec![b"IHDR", b"eXIf", b"gAMA"];
    expected.extend(std::iter::repeat_n(b"IDAT", idat));
    expected.push(b"IEND");
    assert_eq!(kinds, expected);
    for needle in [
        GPS_CANARY,
        b"GPS",
        MAKE.as_bytes(),
        MODEL.as_bytes(),
        b"zxIf",
        b"prVt",
        b"heLo",
    ] {
        assert!(
            !contains(&stripped, needle),
            "{:?} left in",
            String::from_utf8_lossy(needle)
        );
    }
    // Orientation is written anew, alone; the image data is the original's, byte for byte.
    assert_eq!(
        exif_fields(&stripped),
        vec![(
            exif::Tag::Orientation,
            "row 0 at right and column 0 at top".to_string()
        )]
    );
    let data = |png: &[u8]| -> Vec<Vec<u8>> {
        png_chunks(png)
            .into_iter()
            .filter(|(k, _)| k == b"IDAT" || k == b"IHDR")
            .map(|(_, d)| d)
            .collect()
    };
    assert_eq!(data(&stripped), data(&plain));
    assert_eq!(
        decode(&stripped, ImageFormat::Png),
        decode(&plain, ImageFormat::Png)
    );
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

#[test]
fn a_png_without_metadata_is_unchanged_and_upright_exif_goes_entirely() {
    let plain = encode_png(10, 7, 9);
    assert_eq!(strip_metadata(&plain).unwrap(), plain);
    let with_upright = [
        &plain[..33],
        &png_chunk(b"eXIf", &phone_tiff(false, 1))[..],
        &plain[33..],
    ]
    .concat();
    assert_eq!(strip_metadata(&with_upright).unwrap(), plain);
}

#[test]
fn png_crc32() {
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926); // the standard check value
    assert_eq!(crc32(b"IEND"), 0xAE42_6082); // every PNG's last four bytes
}

#[test]
fn the_committed_phone_photo() {
    // Little-endian EXIF (as Android phones write it), no JFIF; see fixtures/README.md.
    let photo: &[u8] = include_bytes!("fixtures/phone-gps-orientation6.jpg");
    let before = exif_fields(photo);
    assert!(
        before.iter().any(|(t, _)| *t == exif::Tag::GPSLatitude),
        "{before:?}"
    );
    assert!(contains(photo, COMMENT) && contains(photo, b"ns.adobe.com/xap"));
    let stripped = strip_metadata(photo).unwrap();
    assert_eq!(
        exif_fields(&stripped),
        vec![(
            exif::Tag::Orientation,
            "row 0 at right and column 0 at top".to_string()
        )]
    );
    assert!(
        !contains(&stripped, b"GPS")
            && !contains(&stripped, COMMENT)
            && !contains(&stripped, MAKE.as_bytes())
    );
    assert_eq!(scan_and_end(&stripped), scan_and_end(photo));
    assert_eq!(
        decode(&stripped, ImageFormat::Jpeg),
        decode(photo, ImageFormat::Jpeg)
    );
    assert_eq!(strip_metadata(&stripped).unwrap(), stripped);
}

// ---------------------------------------------------------------------------------------------
// Properties

/// The segments the generated JPEGs may carry, by number.
fn generated_segment(id: u8, little_endian: bool, orientation: u16) -> Vec<u8> {
    match id % 10 {
        8 => segment(0xF3, b"vendor block"),
        9 => segment(0x30, b"vendor block"),
        0 => exif_segment(little_endian, orientation),
        1 => xmp_segment(),
        2 => segment(0xFE, COMMENT),
        3 => photoshop_segment(),
        4 => icc_segment(),
        5 => mpf_segment(),
        6 => segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"),
        _ => segment(0xE5, b"vendor block"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_jpegs_strip_to_the_same_pixels_once_and_for_all(
        width in 1u32..40,
        height in 1u32..40,
        seed in any::<u32>(),
        quality in 20u8..=100,
        little_endian in any::<bool>(),
        orientation in 0u16..10,
        ids in proptest::collection::vec(any::<u8>(), 0..7),
        trailer in any::<bool>(),
    ) {
        let plain = encode_jpeg(width, height, seed, quality);
        let segments: Vec<Vec<u8>> = ids.iter().map(|&id| generated_segment(id, little_endian, orientation)).collect();
        let mut photo = splice(&plain, &segments);
        if trailer {
            photo.extend_from_slice(&exif_segment(little_endian, orientation));
        }
        let once = strip_metadata(&photo).unwrap();
        prop_assert_eq!(strip_metadata(&once).unwrap(), once.clone());
        prop_assert_eq!(scan_and_end(&once), scan_and_end(&plain));
        prop_assert_eq!(decode(&once, ImageFormat::Jpeg), decode(&photo, ImageFormat::Jpeg));
        let has_exif = ids.iter().any(|id| id % 10 == 0);
        let expected = (has_exif && (2..=8).contains(&orientation)).then_some(u32::from(orientation));
        prop_assert_eq!(orientation_of(&once), expected);
        // The needles are looked for outside the scan only: random pixels may spell "GPS".
        let segments = jpeg_segments(&once);
        let header: Vec<u8> = segments.iter().flat_map(|(m, p)| [&[*m][..], p].concat()).collect();
        prop_assert_eq!(once.len(), 2 + segments.iter().map(|(_, p)| p.len() + 4).sum::<usize>() + scan_and_end(&plain).len());
        for needle in [b"GPS".as_slice(), MAKE.as_bytes(), COMMENT, IPTC_CITY, b"ns.adobe.com/xap", b"vendor block"] {
            prop_assert!(!contains(&header, needle));
        }
        prop_assert!(segments.iter().all(|(m, p)| needed_to_decode(*m, p)));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), prefix in 0usize..3) {
        let start: &[u8] = match prefix { 0 => b"", 1 => b"\xFF\xD8", _ => b"\x89PNG\r\n\x1a\n" };
        let input = [start, &bytes].concat();
        if let Ok(out) = strip_metadata(&input) {
            prop_assert_eq!(strip_metadata(&out), Ok(out.clone()));
        }
    }

    #[test]
    fn damaged_real_images_never_panic_and_what_passes_is_stable(
        png in any::<bool>(),
        cut in any::<proptest::sample::Index>(),
        writes in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..6),
        insert in proptest::option::of((any::<proptest::sample::Index>(), proptest::collection::vec(any::<u8>(), 1..8))),
        truncate in any::<bool>(),
    ) {
        let mut bytes = if png { phone_png().to_vec() } else { phone_jpeg().to_vec() };
        for (at, value) in writes {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some((at, extra)) = insert {
            let at = at.index(bytes.len());
            bytes.splice(at..at, extra);
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok(out) = strip_metadata(&bytes) {
            prop_assert_eq!(strip_metadata(&out), Ok(out.clone()));
        }
    }

    #[test]
    fn generated_pngs_strip_to_the_same_pixels_once_and_for_all(
        width in 1u32..24,
        height in 1u32..24,
        seed in any::<u32>(),
        orientation in 0u16..10,
        little_endian in any::<bool>(),
        before in proptest::collection::vec(0u8..6, 0..5),
        after in proptest::collection::vec(0u8..6, 0..4),
    ) {
        let plain = encode_png(width, height, seed);
        let chunk = |id: u8| match id {
            0 => png_chunk(b"eXIf", &phone_tiff(little_endian, orientation)),
            1 => png_chunk(b"tEXt", b"GPS\0-0.5034,117.1627"),
            2 => png_chunk(b"zTXt", &[b"Comment\0\0".as_slice(), &zlib_stored(COMMENT)].concat()),
            3 => png_chunk(b"iTXt", &[b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), XMP.as_bytes()].concat()),
            4 => png_chunk(b"tIME", &[0x07, 0xEA, 11, 20, 7, 15, 0]),
            _ => png_chunk(b"gAMA", &45_455u32.to_be_bytes()),
        };
        let iend = plain.len() - 12;
        let mut png = plain[..33].to_vec();
        before.iter().for_each(|&id| png.extend(chunk(id)));
        png.extend_from_slice(&plain[33..iend]);
        // eXIf is only allowed before the image data.
        after.iter().filter(|&&id| id != 0).for_each(|&id| png.extend(chunk(id)));
        png.extend_from_slice(&plain[iend..]);

        let once = strip_metadata(&png).unwrap();
        prop_assert_eq!(strip_metadata(&once).unwrap(), once.clone());
        prop_assert_eq!(decode(&once, ImageFormat::Png), decode(&png, ImageFormat::Png));
        let has_exif = before.contains(&0);
        let expected = (has_exif && (2..=8).contains(&orientation)).then_some(u32::from(orientation));
        prop_assert_eq!(orientation_of(&once), expected);
        // The needles are looked for outside the image data only: it may spell "GPS".
        let chunks = png_chunks(&once);
        let kinds: Vec<&[u8; 4]> = chunks.iter().map(|(k, _)| k).collect();
        let metadata: Vec<u8> = chunks.iter().filter(|(k, _)| k != b"IDAT").flat_map(|(_, d)| d.clone()).collect();
        for needle in [b"GPS".as_slice(), MAKE.as_bytes(), COMMENT, b"ns.adobe.com"] {
            prop_assert!(!contains(&metadata, needle));
        }
        for dropped in [b"tIME", b"tEXt", b"zTXt", b"iTXt"] {
            prop_assert!(!kinds.contains(&dropped));
        }
        prop_assert_eq!(kinds.iter().filter(|k| **k == b"eXIf").count(), usize::from(expected.is_some()));
        let gama = before.iter().chain(&after).filter(|&&id| id == 5).count();
        prop_assert_eq!(kinds.iter().filter(|k| **k == b"gAMA").count(), gama);
    }
}
