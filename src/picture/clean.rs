//! Metadata taken out of JPEG, PNG and WebP files without decoding them.
//!
//! A phone photo carries EXIF (camera, time, often the GPS position of where it was taken),
//! sometimes XMP and IPTC. The published full-size picture keeps every byte of its image data
//! and drops those segments; a JPEG whose EXIF turned it keeps only that, in an EXIF block of
//! its own holding the one Orientation field, so it still shows upright.

/// JPEG segments dropped: APP1 (EXIF, XMP), APP12 (Ducky, Picture Info), APP13 (IPTC,
/// Photoshop) and comments. JFIF (APP0), ICC profiles (APP2) and Adobe's colour transform
/// (APP14) say how to show the pixels and stay.
fn jpeg_drops(marker: u8) -> bool {
    matches!(marker, 0xE1 | 0xEC | 0xED | 0xFE)
}

/// PNG chunks dropped: EXIF, the three kinds of text (XMP is an iTXt chunk) and the time.
fn png_drops(kind: &[u8]) -> bool {
    matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME")
}

/// WebP chunks dropped: EXIF and XMP.
fn webp_drops(kind: &[u8]) -> bool {
    matches!(kind, b"EXIF" | b"XMP ")
}

/// The chunks of a WebP file (RIFF), each with the range of the whole chunk and its padding.
/// `None` when it is not a WebP file this reads.
fn webp_chunks(bytes: &[u8]) -> Option<Vec<([u8; 4], std::ops::Range<usize>)>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let size = u32::from_le_bytes(bytes[4..8].try_into().ok()?) as usize;
    let end = size.checked_add(8)?;
    if end > bytes.len() {
        return None;
    }
    let mut chunks = Vec::new();
    let mut at = 12;
    while at < end {
        let head = bytes.get(at..at + 8)?;
        let len = u32::from_le_bytes(head[4..8].try_into().ok()?) as usize;
        let next = (at + 8).checked_add(len)?.checked_add(len % 2)?;
        if next > end {
            return None;
        }
        chunks.push((head[..4].try_into().ok()?, at..next));
        at = next;
    }
    Some(chunks)
}

/// A JPEG segment: its marker and the range of the whole segment.
type Segment = (u8, std::ops::Range<usize>);

/// The segments of a JPEG's header, up to the start of its image data, and where the rest
/// begins. `None` when it is not a JPEG this reads.
fn jpeg_segments(bytes: &[u8]) -> Option<(Vec<Segment>, usize)> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    let mut segments = Vec::new();
    loop {
        // Fill bytes (0xFF repeated) may stand before a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        // Start of scan, or markers without a length: the image data starts here.
        if marker == 0xDA || !(0xC0..=0xFE).contains(&marker) {
            return Some((segments, at));
        }
        let length = u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]) as usize;
        if length < 2 {
            return None;
        }
        let end = at.checked_add(2 + length)?;
        if end > bytes.len() {
            return None;
        }
        segments.push((marker, at..end));
        at = end;
    }
}

/// The chunks of a PNG: `(type, range of the whole chunk)`. `None` when it is not a PNG this
/// reads.
fn png_chunks(bytes: &[u8]) -> Option<Vec<([u8; 4], std::ops::Range<usize>)>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return None;
    }
    let mut at = SIGNATURE.len();
    let mut chunks = Vec::new();
    while at < bytes.len() {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        let end = at.checked_add(12)?.checked_add(length)?;
        if end > bytes.len() {
            return None;
        }
        chunks.push((kind, at..end));
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    Some(chunks)
}

/// Whether the file starts as a JPEG, PNG or WebP file does (whether or not the rest reads).
pub fn is_container(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8])
        || bytes.starts_with(b"\x89PNG")
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
}

/// Whether the file holds metadata that [`clean`] takes out. `None` for a file it cannot read.
pub fn has_metadata(bytes: &[u8]) -> Option<bool> {
    if let Some((segments, _)) = jpeg_segments(bytes) {
        return Some(segments.iter().any(|(m, _)| jpeg_drops(*m)));
    }
    if let Some(chunks) = webp_chunks(bytes) {
        return Some(chunks.iter().any(|(k, _)| webp_drops(k)));
    }
    png_chunks(bytes).map(|chunks| chunks.iter().any(|(k, _)| png_drops(k)))
}

/// The file without its metadata; a JPEG turned by its EXIF `orientation` (2–8) keeps that
/// one field. `None` when the file is not a JPEG, PNG or WebP file this reads.
pub fn clean(bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    if let Some(chunks) = webp_chunks(bytes) {
        let mut out = Vec::with_capacity(bytes.len());
        out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
        for (kind, range) in chunks {
            if webp_drops(&kind) {
                continue;
            }
            let at = out.len();
            out.extend_from_slice(&bytes[range]);
            // The extended header's flags no longer announce EXIF (bit 3) or XMP (bit 2).
            if &kind == b"VP8X" && out.len() > at + 8 {
                out[at + 8] &= !0x0C;
            }
        }
        let size = u32::try_from(out.len() - 8).ok()?;
        out[4..8].copy_from_slice(&size.to_le_bytes());
        return Some(out);
    }
    if let Some((segments, data)) = jpeg_segments(bytes) {
        let mut out = Vec::with_capacity(bytes.len());
        out.extend_from_slice(&bytes[..2]);
        let mut placed = orientation <= 1;
        for (marker, range) in segments {
            // The orientation block goes where EXIF belongs: after JFIF, before the rest.
            if !placed && marker != 0xE0 {
                out.extend_from_slice(&orientation_segment(orientation));
                placed = true;
            }
            if !jpeg_drops(marker) {
                out.extend_from_slice(&bytes[range]);
            }
        }
        if !placed {
            out.extend_from_slice(&orientation_segment(orientation));
        }
        out.extend_from_slice(&bytes[data..]);
        return Some(out);
    }
    let chunks = png_chunks(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..8]);
    for (kind, range) in chunks {
        if !png_drops(&kind) {
            out.extend_from_slice(&bytes[range]);
        }
    }
    Some(out)
}

/// An APP1 segment with EXIF data of one field: Orientation.
fn orientation_segment(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian, first IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&[0, orientation, 0, 0]); // the value, left-justified
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut segment = vec![0xFF, 0xE1];
    let length = 2 + 6 + tiff.len();
    segment.extend_from_slice(&(length as u16).to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn a_jpeg_keeps_its_image_and_loses_exif_xmp_and_comments() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        jpeg.extend(segment(0xE1, b"Exif\0\0GPS here"));
        jpeg.extend(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>"));
        jpeg.extend(segment(0xE2, b"ICC_PROFILE\0"));
        jpeg.extend(segment(0xFE, b"a comment"));
        jpeg.extend(segment(0xDB, &[0; 65]));
        jpeg.extend([0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        assert_eq!(has_metadata(&jpeg), Some(true));
        let clean = clean(&jpeg, 1).unwrap();
        assert_eq!(has_metadata(&clean), Some(false));
        let mut expected = vec![0xFF, 0xD8];
        expected.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        expected.extend(segment(0xE2, b"ICC_PROFILE\0"));
        expected.extend(segment(0xDB, &[0; 65]));
        expected.extend([0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        assert_eq!(clean, expected);
        // A turned photo keeps its orientation, which image reads back.
        let turned = super::clean(&jpeg, 6).unwrap();
        assert_eq!(has_metadata(&turned), Some(true));
        let exif = &jpeg_segments(&turned).unwrap().0[1];
        assert_eq!(exif.0, 0xE1);
        let body = &turned[exif.1.start + 4..exif.1.end];
        assert_eq!(
            image::metadata::Orientation::from_exif_chunk(&body[6..]),
            image::metadata::Orientation::from_exif(6)
        );
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"MM\0*"));
        png.extend(chunk(b"iTXt", b"XML:com.adobe.xmp\0"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let clean = clean(&png, 1).unwrap();
        let mut expected = b"\x89PNG\r\n\x1a\n".to_vec();
        expected.extend(chunk(b"IHDR", &[0; 13]));
        expected.extend(chunk(b"IDAT", &[1, 2, 3]));
        expected.extend(chunk(b"IEND", &[]));
        assert_eq!(clean, expected);
    }

    #[test]
    fn a_webp_loses_its_exif_and_xmp_chunks() {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut c = kind.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        }
        let riff = |chunks: &[Vec<u8>]| {
            let body: Vec<u8> = chunks.concat();
            let mut f = b"RIFF".to_vec();
            f.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
            f.extend_from_slice(b"WEBP");
            f.extend(body);
            f
        };
        let header = |flags: u8| chunk(b"VP8X", &[flags, 0, 0, 0, 9, 0, 0, 9, 0, 0]);
        let image = chunk(b"VP8 ", b"pixels!");
        let photo = riff(&[
            header(0x0C),
            image.clone(),
            chunk(b"EXIF", b"GPS here"),
            chunk(b"XMP ", b"<x/>"),
        ]);
        assert_eq!(has_metadata(&photo), Some(true));
        let cleaned = clean(&photo, 1).unwrap();
        assert_eq!(cleaned, riff(&[header(0), image.clone()]));
        assert_eq!(has_metadata(&cleaned), Some(false));
        let plain = riff(&[image]);
        assert_eq!(clean(&plain, 1).unwrap(), plain);
        let mut cut = photo.clone();
        cut.truncate(photo.len() - 3);
        assert_eq!(has_metadata(&cut), None);
    }

    #[test]
    fn cut_or_strange_files_are_not_read() {
        assert_eq!(has_metadata(b"GIF89a"), None);
        assert_eq!(clean(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF], 1), None);
        assert_eq!(clean(&[0xFF, 0xD8, 0xFF, 0xE1, 0, 1], 1), None);
        assert_eq!(clean(b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffIDAT", 1), None);
    }
}
