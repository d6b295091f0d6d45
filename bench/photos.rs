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

#[path = "photo.rs"]
mod photo;

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
        let exif = photo::phone_exif();
        let bytes = photo::photo(i as u64, (4000, 3000), 92, Some(&exif));
        fs::write(out.join(format!("content/images/{name}.jpg")), bytes).unwrap();
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
