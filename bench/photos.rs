//! Writes a site of N articles, each with a phone photo of its own: 4,000 × 3,000 JPEG with
//! texture that compresses like a real scene (about 3–4 MB), EXIF saying it is turned and
//! where it was taken — what officers' phones produce. The same seed gives the same site.
//!
//! ```text
//! cargo run --release --example photos -- OUT_DIR [ARTICLES]
//! ```

use rayon::prelude::*;
use std::fs;
use std::path::Path;

const WIDTH: u16 = 4000;
const HEIGHT: u16 = 3000;

/// EXIF: orientation 6 (turn 90° clockwise) and a GPS latitude, with the `Exif\0\0` header.
fn exif() -> Vec<u8> {
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

/// A photo: large soft shapes, a gradient sky and fine grain, from `seed`.
fn photo(seed: u64) -> Vec<u8> {
    let (w, h) = (usize::from(WIDTH), usize::from(HEIGHT));
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let tint = [next() % 80, next() % 80, next() % 80];
    let mut rgb = vec![0u8; w * h * 3];
    for (y, row) in rgb.chunks_exact_mut(w * 3).enumerate() {
        let mut grain = next();
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            if x % 8 == 0 {
                grain = next();
            }
            let shape = ((x / 500 + y / 400) % 3) as u64 * 40;
            for (c, v) in px.iter_mut().enumerate() {
                let base = 60 + tint[c] + shape + (y * 60 / h) as u64;
                let noise = (grain >> (c * 8 + (x % 8) * 3)) & 31;
                *v = (base + noise).min(255) as u8;
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    encoder.add_app_segment(1, exif()).expect("EXIF fits");
    encoder
        .encode(&rgb, WIDTH, HEIGHT, jpeg_encoder::ColorType::Rgb)
        .expect("encodes");
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = Path::new(args.get(1).expect("OUT_DIR"));
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    fs::create_dir_all(out.join("content/articles")).unwrap();
    fs::create_dir_all(out.join("content/images")).unwrap();
    fs::write(
        out.join("site.yaml"),
        "title: \"照片测试县普法网\"\nbase_url: \"https://pufa.example.gov.cn/\"\nlint:\n  stale_days: 0\norganization:\n  name: \"测试县司法局\"\n  contact: \"0000-7654321\"\n  site_code: \"0000000001\"\n  icp: \"蜀ICP备00000001号-1\"\n  police: \"川公网安备00000000000001号\"\n",
    )
    .unwrap();
    (0..n).into_par_iter().for_each(|i| {
        let name = format!("p{i:04}");
        fs::write(out.join(format!("content/images/{name}.jpg")), photo(i as u64)).unwrap();
        let day = i % 28 + 1;
        let month = i / 28 % 12 + 1;
        fs::write(
            out.join(format!("content/articles/{name}.md")),
            format!(
                "---\ntitle: \"调解现场第{i}期\"\ndate: 2023-{month:02}-{day:02}\ncover: ../images/{name}.jpg\n---\n\n村调解委员会在调解室化解了一起纠纷。\n\n![调解现场](../images/{name}.jpg)\n"
            ),
        )
        .unwrap();
    });
    eprintln!("{n} 篇文章和 {n} 张照片写到了 {}", out.display());
}
