//! Photos for the benchmark sites: large soft shapes, a gradient sky and fine grain, so they
//! compress like real scenes. Shared by `photos` and `corpus`, which use different parts.

#![allow(dead_code)]

/// EXIF: orientation 6 (turn 90° clockwise) and a GPS latitude, with the `Exif\0\0` header:
/// what a phone writes.
pub fn phone_exif() -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    let gps = 8 + 2 + 2 * 12 + 4;
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&(gps as u32).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes());
    let mut out = b"Exif\0\0".to_vec();
    out.extend(t);
    out
}

/// A `width` × `height` JPEG at `quality` from `seed`, with `exif` (an APP1 block) if given.
pub fn photo(seed: u64, (width, height): (u16, u16), quality: u8, exif: Option<&[u8]>) -> Vec<u8> {
    let (w, h) = (usize::from(width), usize::from(height));
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let tint = [next() % 80, next() % 80, next() % 80];
    // Shapes scale with the picture: eight across, seven and a half down.
    let (sx, sy) = ((w / 8).max(1), (h * 2 / 15).max(1));
    let mut rgb = vec![0u8; w * h * 3];
    for (y, row) in rgb.chunks_exact_mut(w * 3).enumerate() {
        let mut grain = next();
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            if x % 8 == 0 {
                grain = next();
            }
            let shape = ((x / sx + y / sy) % 3) as u64 * 40;
            for (c, v) in px.iter_mut().enumerate() {
                let base = 60 + tint[c] + shape + (y * 60 / h) as u64;
                let noise = (grain >> (c * 8 + (x % 8) * 3)) & 31;
                *v = (base + noise).min(255) as u8;
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    if let Some(exif) = exif {
        encoder
            .add_app_segment(1, exif.to_vec())
            .expect("EXIF fits");
    }
    encoder
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encodes");
    out
}

/// A `width` × `height` JPEG of one colour from `seed`: a different file for each seed.
pub fn flat(seed: u64, (width, height): (u16, u16)) -> Vec<u8> {
    let colour = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
    let rgb = colour[..3].repeat(usize::from(width) * usize::from(height));
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .expect("encodes");
    out
}
