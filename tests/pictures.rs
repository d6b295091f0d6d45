//! Pictures: phone photos published upright, in widths, as WebP and JPEG, without EXIF or
//! GPS; large PNGs made small; GIF and SVG as they are; the cache used on rebuilds.

mod common;

use common::{build_ok, contents, fixture, pufa, read};
use std::fs;
use std::path::Path;

/// A 1,200 × 800 photo as a phone stores it: the left half red, the right half blue, with
/// grain (so it weighs what a photo does, over 200 KB), EXIF saying "turn 90° clockwise to
/// show" and the GPS position of where it was taken.
fn phone_photo() -> Vec<u8> {
    let (w, h) = (1200u16, 800u16);
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let g = (seed % 24) as u8;
            if x < w / 2 {
                rgb.extend_from_slice(&[220 - g, 30 + g, 30 + g]);
            } else {
                rgb.extend_from_slice(&[30 + g, 30 + g, 220 - g]);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder
        .add_app_segment(1, common::exif_with_gps(6))
        .unwrap();
    encoder
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A 3,000 × 2,000 poster saved as PNG: a smooth gradient.
fn big_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(3000, 2000, |x, y| {
        image::Rgb([(x / 12) as u8, (y / 8) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A 2 × 1 GIF.
const GIF: &[u8] = b"GIF89a\x02\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x02\x00\x01\x00\x00\x02\x02\x44\x01\x00;";

/// The attributes of every `<img>` in `html` without both `width` and `height`.
fn unsized_images(html: &str) -> Vec<&str> {
    html.split("<img ")
        .skip(1)
        .map(|img| &img[..img.find('>').unwrap_or(img.len())])
        .filter(|tag| !(tag.contains(" width=\"") && tag.contains(" height=\"")))
        .collect()
}

/// The fixture with its pictures made.
fn site() -> tempfile::TempDir {
    let dir = fixture("pictures/basic");
    let media = dir.path().join("content/media");
    fs::write(media.join("photo.jpg"), phone_photo()).unwrap();
    // The same photo under a second name: the same cache files, made at the same time.
    fs::write(media.join("photo-copy.jpg"), phone_photo()).unwrap();
    fs::write(media.join("big.png"), big_png()).unwrap();
    fs::write(media.join("tianping.gif"), GIF).unwrap();
    let mut broken = phone_photo();
    broken.truncate(300);
    fs::write(media.join("broken.jpg"), broken).unwrap();
    fs::write(media.join("shot.webp"), webp_with_gps()).unwrap();
    dir
}

/// A WebP file as some phones save it: an extended header announcing EXIF, the image, and
/// an EXIF chunk with a GPS position.
fn webp_with_gps() -> Vec<u8> {
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = kind.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let exif = common::exif_with_gps(1);
    let body = [
        chunk(b"VP8X", &[0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        chunk(b"VP8 ", &[0; 10]),
        chunk(b"EXIF", &exif[6..]),
    ]
    .concat();
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    file.extend_from_slice(b"WEBP");
    file.extend(body);
    file
}

fn dimensions(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap();
    if bytes.starts_with(b"RIFF") && bytes.get(8..16) == Some(b"WEBPVP8 ") {
        // Lossy WebP: the frame header holds 14-bit width and height.
        let le = |at: usize| u32::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]) & 0x3fff);
        return (le(26), le(28));
    }
    image::ImageReader::open(path)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_dimensions()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether the file's EXIF (if it has any) holds GPS fields.
fn has_gps(path: &Path) -> bool {
    let file = fs::File::open(path).unwrap();
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::BufReader::new(file))
    else {
        return false;
    };
    exif.fields()
        .any(|f| f.tag.context() == exif::Context::Gps || f.tag == exif::Tag::GPSInfoIFDPointer)
}

#[test]
fn photos_are_published_upright_in_widths_without_location() {
    let dir = site();
    let stderr = build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let media = public.join("media");
    // The photo is shown 800 × 1,200 (turned): 480 px and its own 800 px, WebP and JPEG.
    assert_eq!(dimensions(&media.join("photo-480w.jpg")), (480, 720));
    assert_eq!(dimensions(&media.join("photo-800w.jpg")), (800, 1200));
    assert_eq!(dimensions(&media.join("photo-480w.webp")), (480, 720));
    assert!(
        fs::metadata(dir.path().join("content/media/photo.jpg"))
            .unwrap()
            .len()
            > 200 * 1024,
        "the photo weighs what a photo does"
    );
    let webp = fs::read(media.join("photo-480w.webp")).unwrap();
    assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
    assert!(
        !media.join("photo-960w.jpg").exists(),
        "never wider than the photo"
    );
    // Upright: the stored left half (red) is now the top.
    let shown = image::open(media.join("photo-480w.jpg"))
        .unwrap()
        .into_rgb8();
    let top = shown.get_pixel(240, 20);
    let bottom = shown.get_pixel(240, 700);
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom is blue: {bottom:?}"
    );
    // Linked (查看原图), the full-size photo is published at its own address: the same
    // image data, its orientation, no GPS.
    let original = media.join("photo.jpg");
    assert!(!has_gps(&original));
    assert_eq!(dimensions(&original), (1200, 800));
    assert_eq!(
        fs::read(media.join("photo-copy-480w.webp")).unwrap(),
        fs::read(media.join("photo-480w.webp")).unwrap()
    );
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::BufReader::new(
            fs::File::open(&original).unwrap(),
        ))
        .unwrap();
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0));
    assert_eq!(orientation, Some(6));
    // No published file carries GPS; the source still does, and the author is told.
    for (file, _) in contents(&public) {
        assert!(!has_gps(&public.join(&file)), "{file} carries GPS");
    }
    assert!(has_gps(&dir.path().join("content/media/photo.jpg")));
    // A WebP file is published as it is, but for its EXIF.
    assert!(has_gps(&dir.path().join("content/media/shot.webp")));
    let shot = fs::read(media.join("shot.webp")).unwrap();
    assert!(shot.starts_with(b"RIFF") && !shot.windows(4).any(|w| w == b"EXIF"));
    // Once for the photo, at the first place that shows it, counting the others.
    assert!(
        stderr.contains("content/articles/tiaojie.md:4:8") && stderr.contains("拍摄地点"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("picture/gps").count(), 1, "{stderr}");
    assert!(stderr.contains("；另有 1 处也用到这张图片"), "{stderr}");

    // The large PNG: three widths, photos as JPEG, and a 1,200 px share picture.
    assert_eq!(dimensions(&media.join("big-480w.jpg")), (480, 320));
    assert_eq!(dimensions(&media.join("big-960w.webp")), (960, 640));
    assert_eq!(dimensions(&media.join("big-1600w.jpg")), (1600, 1067));
    assert_eq!(dimensions(&media.join("big-1200w.jpg")), (1200, 800));
    assert!(!media.join("big-3000w.jpg").exists());
    // Shown only resized and linked nowhere, its 3,000 px original is not published; a
    // picture no page shows is (a page may use it in HTML pufa does not read).
    assert!(!media.join("big.png").exists());
    assert!(media.join("photo-copy.jpg").exists());
    assert!(!has_gps(&media.join("photo-copy.jpg")));

    // The cover, cut to the aspects the theme asks for (16:9 and 4:3), never wider than the
    // photo, from its upper part: a third of what is cut off lies above.
    assert_eq!(dimensions(&media.join("photo-16x9-480w.jpg")), (480, 270));
    assert_eq!(dimensions(&media.join("photo-16x9-800w.webp")), (800, 450));
    assert_eq!(dimensions(&media.join("photo-4x3-800w.jpg")), (800, 600));
    assert!(!media.join("photo-16x9-960w.jpg").exists());
    assert!(!media.join("big-16x9-480w.jpg").exists(), "not a cover");
    let cut = image::open(media.join("photo-16x9-800w.jpg"))
        .unwrap()
        .into_rgb8();
    // Rows 250–700 of the upright photo, red above its row 600 (here 350) and blue below.
    let (red, blue) = (cut.get_pixel(400, 300), cut.get_pixel(400, 420));
    assert!(red[0] > 150 && red[2] < 100, "red: {red:?}");
    assert!(blue[2] > 150 && blue[0] < 100, "blue: {blue:?}");
    // GIF and SVG as they are, shown with their size.
    assert_eq!(fs::read(media.join("tianping.gif")).unwrap(), GIF);
    let page = read(&public.join("articles/tiaojie/index.html"));
    assert!(
        page.contains(
            "<img src=\"../../media/tianping.gif\" width=\"2\" height=\"1\" alt=\"转动的天平\""
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<img src=\"../../media/logo.svg\" width=\"64\" height=\"64\" alt=\"县司法局标志\""
        ),
        "{page}"
    );
    assert!(media.join("logo.svg").exists());
    assert!(!media.join("tianping-2w.webp").exists());
    // A file that cannot be read as a picture, whose structure cannot be read either, is
    // not published (it may hold a location); the author is told.
    assert!(!media.join("broken.jpg").exists());
    assert!(
        stderr.contains("content/articles/huaitu.md:8:1") && stderr.contains("读不出来"),
        "{stderr}"
    );

    // The page: <picture> with WebP and JPEG widths, width and height set.
    let page = read(&public.join("articles/tiaojie/index.html"));
    assert!(
        page.contains("<picture><source type=\"image/webp\" srcset=\"../../media/photo-480w.webp 480w, ../../media/photo-800w.webp 800w\""),
        "{page}"
    );
    assert!(page.contains("src=\"../../media/photo-800w.jpg\" srcset=\"../../media/photo-480w.jpg 480w, ../../media/photo-800w.jpg 800w\""), "{page}");
    assert!(
        page.contains("width=\"800\" height=\"1200\" alt=\"调解员与双方当事人握手\""),
        "{page}"
    );
    assert!(page.contains("../../media/big-960w.webp 960w, ../../media/big-1600w.webp 1600w"));
    // The share card reads the 1,200 px JPEG.
    assert!(
        page.contains(
            "<meta property=\"og:image\" content=\"https://example.org/pufa/media/photo-800w.jpg\">"
        ),
        "{page}"
    );
    // Lists show the cover small, with its size.
    let list = read(&public.join("articles/index.html"));
    assert!(
        list.contains(
            "srcset=\"../media/photo-16x9-480w.webp 480w, ../media/photo-16x9-800w.webp 800w\""
        ),
        "{list}"
    );
    assert!(
        list.contains("src=\"../media/photo-16x9-800w.jpg\" srcset=\"../media/photo-16x9-480w.jpg 480w, ../media/photo-16x9-800w.jpg 800w\" sizes=\"(max-width: 600px) 6.5rem, 8rem\" width=\"800\" height=\"450\" class=\"item-cover\""),
        "{list}"
    );
    // The home page's picture news, at 4:3.
    let home = read(&public.join("index.html"));
    assert!(
        home.contains("media/photo-4x3-800w.jpg\" srcset="),
        "{home}"
    );
    for (file, bytes) in contents(&public) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        // Every picture has its size, GIF and SVG too; only the file that cannot be read
        // has none.
        for tag in unsized_images(&html) {
            assert!(tag.contains("broken.jpg"), "{file}: <img {tag}>");
        }
    }
}

/// The same files with the same bytes, the manifest aside (it holds the sources' times).
fn assert_same(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)], what: &str) {
    let names =
        |x: &[(String, Vec<u8>)]| -> Vec<String> { x.iter().map(|(f, _)| f.clone()).collect() };
    assert_eq!(names(a), names(b), "{what}");
    for ((file, x), (_, y)) in a.iter().zip(b) {
        assert!(file == ".pufa-output" || x == y, "{what}: {file} differs");
    }
}

#[test]
fn a_rebuild_takes_pictures_from_the_cache_and_gives_the_same_bytes() {
    let dir = site();
    build_ok(dir.path(), &[]);
    let first = contents(&dir.path().join("public"));
    let cache = dir.path().join(".pufa-cache/pictures");
    let cached = |cache: &Path| -> Vec<(String, std::time::SystemTime)> {
        let mut files: Vec<_> = fs::read_dir(cache)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().unwrap().modified().unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let before = cached(&cache);
    assert!(!before.is_empty());
    // A fresh output folder: every picture comes from the cache, none is made again.
    fs::remove_dir_all(dir.path().join("public")).unwrap();
    build_ok(dir.path(), &[]);
    assert_eq!(cached(&cache), before, "the cache was not rewritten");
    assert_same(
        &contents(&dir.path().join("public")),
        &first,
        "from the cache",
    );

    // The output folder holds every picture file as made: a rebuild keeps them without
    // the cache (nothing made or written), and puts right a file changed by hand.
    fs::remove_dir_all(&cache).unwrap();
    let changes = dir.path().join("changes.txt");
    let changes_arg = changes.to_str().unwrap();
    build_ok(dir.path(), &["--changes", changes_arg]);
    assert_eq!(fs::read_to_string(&changes).unwrap(), "");
    assert!(!cache.exists(), "pictures were made again");
    let resized = dir.path().join("public/media/photo-480w.webp");
    fs::write(&resized, b"changed by hand").unwrap();
    build_ok(dir.path(), &["--changes", changes_arg]);
    assert_eq!(
        fs::read_to_string(&changes).unwrap(),
        "M\tmedia/photo-480w.webp\n"
    );
    assert_same(&contents(&dir.path().join("public")), &first, "put right");
    let before = cached(&cache);

    // A changed photo is made again; the others are not.
    let photo = dir.path().join("content/media/photo.jpg");
    let mut bytes = phone_photo();
    let end = bytes.len() - 2;
    bytes[end - 1] ^= 1;
    fs::write(&photo, bytes).unwrap();
    build_ok(dir.path(), &[]);
    let after = cached(&cache);
    let added = after.iter().filter(|f| !before.contains(f)).count();
    // Two widths in two formats, the clean copy (it is linked), and as the cover two widths
    // in two formats at each of two aspects.
    let photo_outputs = 2 * 2 + 1 + 2 * 2 * 2;
    assert_eq!(added, photo_outputs, "{after:?}");

    // One thread or two, with or without the cache: the same bytes.
    for threads in ["1", "2"] {
        let other = site();
        let out =
            common::pufa_with_env(other.path(), &["build"], &[("RAYON_NUM_THREADS", threads)]);
        assert!(out.status.success());
        assert_same(&contents(&other.path().join("public")), &first, threads);
    }
}

#[test]
fn check_names_pictures_with_location_that_cannot_be_read_or_are_large() {
    let dir = site();
    // 10 MB and more: a warning (the photo padded with a comment segment after its header).
    let mut large = phone_photo();
    let mut padding = Vec::new();
    for _ in 0..165 {
        padding.extend_from_slice(&[0xFF, 0xFE, 0xFF, 0xFF]);
        padding.extend(std::iter::repeat_n(b' ', 0xFFFD));
    }
    large.splice(2..2, padding);
    assert!(large.len() > 10 * 1024 * 1024);
    fs::write(dir.path().join("content/media/big.png"), &large).unwrap();
    let out = pufa(dir.path(), &["check"]);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        common::redacted_stderr(&out, dir.path())
    );
    insta::assert_snapshot!(shown);
}

/// What the sample site promises its readers: no picture a page loads over 300 KB, no
/// published file with GPS, every `<img>` with its size.
#[test]
fn the_sample_site_publishes_light_pictures_with_their_sizes() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let result = common::pufa_with_env(
        &common::repo_root(),
        &["build", "--output", public.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", common::SAMPLE_TODAY_EPOCH)],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let mut pictures = 0;
    for (file, bytes) in contents(&public) {
        let lower = file.to_ascii_lowercase();
        if [".jpg", ".jpeg", ".png", ".webp", ".gif"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            pictures += 1;
            assert!(bytes.len() <= 300 * 1024, "{file}: {} bytes", bytes.len());
            assert!(!has_gps(&public.join(&file)), "{file} carries GPS");
        }
        if lower.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            let missing = unsized_images(&html);
            assert!(missing.is_empty(), "{file}: {missing:?}");
        }
    }
    assert!(pictures > 20, "{pictures}");
}

/// A theme says in theme.yaml which aspects it crops covers to; an aspect it cannot read, or
/// a template asking for one it did not list, stops the build with the place named.
#[test]
fn crops_come_from_the_theme() {
    let dir = site();
    let theme = dir.path().join("themes/mine");
    fs::create_dir_all(&theme).unwrap();
    let config = dir.path().join("site.yaml");
    let yaml = read(&config);
    fs::write(&config, format!("{yaml}theme: mine\n")).unwrap();

    fs::write(
        theme.join("theme.yaml"),
        "name: mine\ncrops:\n  - \"16:9\"\n  - 宽\n",
    )
    .unwrap();
    let out = common::pufa(dir.path(), &["build"]);
    assert!(!out.status.success());
    let stderr = common::redacted_stderr(&out, dir.path());
    assert!(
        stderr.contains("themes/mine/theme.yaml:4:5") && stderr.contains("看不懂裁剪比例“宽”"),
        "{stderr}"
    );

    // Only 16:9: the home page's picture news asks for 4:3.
    fs::write(theme.join("theme.yaml"), "name: mine\ncrops: [\"16:9\"]\n").unwrap();
    let out = common::pufa(dir.path(), &["build"]);
    assert!(!out.status.success());
    let stderr = common::redacted_stderr(&out, dir.path());
    assert!(
        stderr.contains("index.html") && stderr.contains("没有在 crops 里列出“4:3”"),
        "{stderr}"
    );

    // Both: the covers are cut to each.
    fs::write(
        theme.join("theme.yaml"),
        "name: mine\ncrops: [\"16:9\", 4/3, \"1:1\"]\n",
    )
    .unwrap();
    build_ok(dir.path(), &[]);
    let media = dir.path().join("public/media");
    assert_eq!(dimensions(&media.join("photo-1x1-800w.jpg")), (800, 800));
    assert!(media.join("photo-4x3-480w.webp").exists());
}
