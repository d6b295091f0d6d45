//! Whole random sites, made as a careless editor or an attacker would make them, through
//! the real `pufa check` and `pufa build`.
//!
//! Each case writes a site — site.yaml with random and hostile values, content files with
//! random names in random folders, front matter with random keys and values, bodies of
//! nested and unclosed shortcodes, emphasis runs, control characters, personal data, empty
//! and large files, symbolic links in and out of the site, JPEG and PNG pictures of any size
//! and orientation with location data (whole, cut short, or noise), a picture cache that
//! holds garbage — and asserts what SPEC.md
//! promises on any input: the exit code is 0 or 1, never a panic or an abort; every
//! diagnostic names a file; `check` fails exactly when `build` does, with the same count of
//! errors; nothing is written outside the output folder; no output holds a character that
//! XML forbids; no published file carries a GPS position. `cargo test` runs a few dozen sites; `PUFA_RANDOM_SITES=N` runs N.
//!
//! A second test feeds the patterns that were once quadratic, at two sizes, and asserts
//! that four times the input takes well under sixteen times as long.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One content file: where it goes (relative to content/) and its bytes.
#[derive(Debug, Clone)]
struct File {
    path: String,
    bytes: Vec<u8>,
}

/// A symbolic link in content/: where it is, and whether it points out of the site.
#[derive(Debug, Clone)]
struct Link {
    at: String,
    outside: bool,
    folder: bool,
}

#[derive(Debug, Clone)]
struct Site {
    config: String,
    files: Vec<File>,
    links: Vec<Link>,
    /// `.pufa-cache/pictures.tsv`, as a damaged cache might hold it.
    cache: Option<String>,
}

/// The pictures a careful site may have, and the pages' ways of using them.
/// GIF, SVG and WebP files are read too (their size, their metadata blocks): the noise
/// [`picture_bytes`] writes under their names reaches those readers.
const PICTURES: &[&str] = &[
    "media/照片.jpg",
    "media/海报.png",
    "media/p 1.jpg",
    "media/图标.svg",
    "media/动图.gif",
    "media/截图.webp",
];

/// A JPEG `w` × `h` with EXIF (orientation `o`, a GPS position), or a PNG, with or without
/// transparency; whole, cut short, or noise with a picture's name.
fn picture_bytes() -> impl Strategy<Value = Vec<u8>> {
    let jpeg = |w: u16, h: u16, o: u16, seed: u8| {
        let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3)
            .map(|i| (i as u8).wrapping_mul(seed | 1))
            .collect();
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
        encoder
            .add_app_segment(1, common::exif_with_gps(o))
            .unwrap();
        encoder
            .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    };
    let png = |w: u32, h: u32, alpha: bool| {
        use image::ImageEncoder;
        let channels = if alpha { 4 } else { 3 };
        let pixels: Vec<u8> = (0..w * h * channels).map(|i| (i % 251) as u8).collect();
        let color = if alpha {
            image::ExtendedColorType::Rgba8
        } else {
            image::ExtendedColorType::Rgb8
        };
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&pixels, w, h, color)
            .unwrap();
        out
    };
    prop_oneof![
        3 => (1u16..70, 1u16..70, 0u16..10, any::<u8>()).prop_map(move |(w, h, o, s)| jpeg(w, h, o, s)),
        2 => (1u32..70, 1u32..70, any::<bool>()).prop_map(move |(w, h, a)| png(w, h, a)),
        1 => (1u16..70, 1u16..70, 0usize..600).prop_map(move |(w, h, cut)| {
            let mut bytes = jpeg(w, h, 6, 7);
            bytes.truncate(cut);
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..80),
        1 => "<svg( (width|height|viewBox|stroke-width)=[\"']?[0-9 .,%px-]{0,12}[\"']?){0,4}>?"
            .prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(|rest| [b"GIF89a".as_slice(), &rest].concat()),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|rest| [b"RIFF".as_slice(), &rest].concat()),
    ]
}

/// `.pufa-cache/pictures.tsv` lines: some shaped like the real ones, some not.
fn cache_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        (
            0u64..100_000,
            any::<i64>(),
            any::<u64>(),
            prop::sample::select(vec!["jpeg", "png", "gif"]),
            0u32..100_000,
            0u32..100_000,
            0u8..3,
            0u8..12,
            0u8..3,
            0u8..3,
            prop::sample::select(PICTURES)
        )
            .prop_map(|(size, time, hash, format, w, h, a, o, g, m, path)| {
                format!(
                    "{size}\t{time}\t{hash:016x}\t{format}\t{w}\t{h}\t{a}\t{o}\t{g}\t{m}\t{path}"
                )
            }),
        "\\PC{0,40}",
        "[0-9\t]{0,30}",
    ];
    prop::collection::vec(line, 0..6).prop_map(|lines| lines.join("\n"))
}

/// Text that makes trouble, piece by piece.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,12}",
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{fffe}\\u{ffff}\\u{fdd0}]",
        1 => Just("**".to_string()),
        1 => Just("*".to_string()),
        1 => Just("***".to_string()),
        1 => Just("_".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("{{ tip() }}".to_string()),
        1 => Just("{% tip() %}".to_string()),
        1 => Just("{% tip(title=\"注意\") %}".to_string()),
        1 => Just("{% end %}".to_string()),
        1 => Just("{{ tip(a=\"".to_string()),
        1 => Just("{{ nosuch() }}".to_string()),
        1 => Just("{{ law(name=\"民法典\", article=\"第一千零四十二条\") }}".to_string()),
        1 => Just("{{ video(src=\"../../../etc/passwd\") }}".to_string()),
        1 => Just("{{ bilibili(id=\"BV1\\\"><script>\") }}".to_string()),
        1 => (1..40usize).prop_map(|n| "{% tip() %}".repeat(n)),
        1 => (1..40usize).prop_map(|n| "{% end %}".repeat(n)),
        1 => (1..60usize).prop_map(|n| "> ".repeat(n)),
        1 => (1..60usize).prop_map(|n| "- ".repeat(n)),
        1 => (1..60usize).prop_map(|n| "[".repeat(n)),
        1 => Just("《民法典》".to_string()),
        1 => Just("《合同法》".to_string()),
        1 => Just("《中华人民共和国土地管理法》".to_string()),
        1 => Just("中华人民共合国".to_string()),
        1 => Just("110101199003074514".to_string()),
        1 => Just("13812345678".to_string()),
        1 => Just("[链接](../a.md)".to_string()),
        1 => Just("[外链](javascript:alert(1))".to_string()),
        1 => Just("![图](img/a.png)".to_string()),
        1 => Just("![图](/../../x.png)".to_string()),
        1 => Just("<script>alert(1)</script>".to_string()),
        1 => Just("\n\n".to_string()),
        1 => Just("\n# 标题 {#id}\n".to_string()),
        1 => Just("\n```\n{{ tip() }}\n```\n".to_string()),
        1 => Just("\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n".to_string()),
        1 => Just("[^1]\n\n[^1]: 注释".to_string()),
        1 => Just("\u{b}".to_string()),
        1 => Just("\u{3000}\u{a0}".to_string()),
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..24).prop_map(|pieces| pieces.concat())
}

/// A YAML value as written: mostly well-formed, sometimes not.
fn yaml_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        "\\PC{0,10}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        prop::sample::select(vec![
            "yes",
            "no",
            "007",
            "0512000001",
            "0x10",
            "1e3",
            ".inf",
            ".nan",
            "~",
            "",
            "null",
            "true",
            "3",
            "-1",
            "99999999999999999999",
            "2026-03-01",
            "2026-02-30",
            "2026-3",
            "2099-01-01 08:00",
            "'单引号'",
            "\"../../../x\"",
            "\"..\"",
            "\"/\"",
            "\"con\"",
            "&a 锚",
            "*a",
            "*nosuch",
            "!!binary aGk=",
            "[",
            "{",
            "\"\\u0000\"",
            "|\n  多行\n  文字",
        ])
        .prop_map(str::to_string),
        "[a-z0-9 .-]{0,8}",
    ];
    prop_oneof![
        4 => scalar.clone(),
        1 => prop::collection::vec(scalar.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => prop::collection::vec(scalar, 0..3).prop_map(|v| {
            let mut map = String::from("{");
            for (i, value) in v.iter().enumerate() {
                map.push_str(&format!("k{i}: {value}, "));
            }
            map.push('}');
            map
        }),
    ]
}

fn front_matter_key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "title", "date", "summary", "cover", "topics", "laws", "author", "source", "editor",
            "draft", "slug", "weight", "aliases", "extra", "month", "series", "season",
            "episode", "video", "embed", "poster", "duration", "subtitles", "theme", "lead",
            "pinned", "updated", "expires", "sort", "paginate", "template", "public_numbers",
        ])
        .prop_map(str::to_string),
        1 => "[a-z\\p{Han}]{1,6}",
    ]
}

fn markdown_file() -> impl Strategy<Value = Vec<u8>> {
    let entries = prop::collection::vec((front_matter_key(), yaml_value()), 0..8);
    prop_oneof![
        8 => (entries, body(), any::<bool>()).prop_map(|(entries, body, sound)| {
            // Half the files start as a careful author's would, so that builds get past
            // the front matter and reach every later stage.
            let mut text = String::from(if sound {
                "---\ntitle: 一篇文章\ndate: 2026-03-01\n"
            } else {
                "---\n"
            });
            for (key, value) in entries {
                text.push_str(&format!("{key}: {value}\n"));
            }
            text.push_str("---\n");
            text.push_str(&body);
            text.into_bytes()
        }),
        1 => body().prop_map(String::into_bytes),
        1 => Just(Vec::new()),
        1 => Just(b"---\ntitle: a\n".to_vec()),
        1 => Just(vec![0xff, 0xfe, b'a']),
        1 => (1..4usize).prop_map(|n| {
            // A large file: a pasted document.
            let mut text = String::from("---\ntitle: 大文件\ndate: 2026-03-01\n---\n");
            text.push_str(&"中文**加粗。**正文{{ tip() }}\n".repeat(n * 4000));
            text.into_bytes()
        }),
    ]
}

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[\\p{Han}]{1,8}",
        2 => "[a-z0-9-]{1,10}",
        1 => "\\PC{1,10}".prop_filter("a file name", |s| !s.contains('/') && s != "." && s != ".."),
        1 => "[\\x01-\\x1f]{1,2}[a-z]{1,3}",
        1 => prop::sample::select(vec![
            "con", "NUL", "aux.txt", "index", "404", "search", "feed", "_index", ".hidden",
            "2026-03", "2026-3", "march", "a.", "a ", "A", "a", "UPPER",
        ])
        .prop_map(str::to_string),
        1 => (200..250usize).prop_map(|n| "长".repeat(n / 3)),
    ]
}

fn content_file() -> impl Strategy<Value = File> {
    let folder = prop::sample::select(vec![
        "",
        "articles/",
        "articles/sub/",
        "episodes/",
        "months/",
        "series/",
        "topics/",
        "pages/",
        "notices/",
        "media/",
        "search/",
        "search/data/",
        "articles/a/",
        "yianshifa/",
        "yianshifa/xingshi/",
    ]);
    let markdown = (folder.clone(), file_name(), markdown_file()).prop_map(|(f, n, bytes)| File {
        path: format!("{f}{n}.md"),
        bytes,
    });
    let asset_name = prop_oneof![
        file_name().prop_map(|n| format!("{n}.png")),
        prop::sample::select(vec![
            "index.html",
            "404.html",
            "style.css",
            "feed.xml",
            "sitemap.xml",
            "robots.txt",
            "x.mp4",
            "a.md~",
        ])
        .prop_map(str::to_string),
    ];
    let asset = (folder, asset_name).prop_map(|(f, n)| File {
        path: format!("{f}{n}"),
        bytes: b"asset".to_vec(),
    });
    prop_oneof![4 => markdown, 1 => asset]
}

fn config() -> impl Strategy<Value = String> {
    let topic = prop_oneof![
        "[\\p{Han}]{1,6}".prop_map(|n| format!("  - {n}\n")),
        ("[\\p{Han}]{1,6}", yaml_value())
            .prop_map(|(n, slug)| format!("  - name: {n}\n    slug: {slug}\n")),
        Just("  - name: 电信诈骗\n    slug: \"../../../x\"\n".to_string()),
        Just("  - name: 首页\n    slug: \"..\"\n".to_string()),
        Just("  - 电信诈骗\n".to_string()),
    ];
    let menu_entry = prop_oneof![
        prop::sample::select(vec!["首页", "普法文章", "以案释法", "关于", "专题"])
            .prop_map(|n| format!("  - {n}\n")),
        ("[\\p{Han}]{1,6}", yaml_value())
            .prop_map(|(n, url)| format!("  - name: {n}\n    url: {url}\n")),
        Just("  - { name: 县政府, url: \"https://example.org/\" }\n".to_string()),
        Just("  - { name: 上级, url: \"/../../etc/\" }\n".to_string()),
    ];
    let law = prop_oneof![
        Just("  - name: 民法典\n    full_name: 中华人民共和国民法典\n".to_string()),
        Just("  - name: 合同法\n".to_string()),
        "[\\p{Han}]{1,8}".prop_map(|n| format!("  - name: {n}\n")),
        yaml_value().prop_map(|v| format!("  - {v}\n")),
    ];
    let extra_line = (
        prop::sample::select(vec![
            "description",
            "base_url",
            "language",
            "theme",
            "paginate",
            "extra",
            "lint",
            "organization",
            "nosuch",
            "title",
            "menu",
        ]),
        yaml_value(),
    )
        .prop_map(|(k, v)| format!("{k}: {v}\n"));
    (
        yaml_value(),
        prop::option::of(prop::collection::vec(topic, 0..5)),
        prop::option::of(prop::collection::vec(law, 0..3)),
        prop::collection::vec(extra_line, 0..4),
        any::<bool>(),
        prop::option::of(prop::collection::vec(menu_entry, 0..4)),
    )
        .prop_map(|(title, topics, laws, extra, base, menu)| {
            let mut text = format!("title: {title}\n");
            if base {
                text.push_str("base_url: \"https://example.org/pufa/\"\n");
            }
            if let Some(topics) = topics {
                text.push_str("topics:\n");
                text.push_str(&topics.concat());
            }
            if let Some(laws) = laws {
                text.push_str("laws:\n");
                text.push_str(&laws.concat());
            }
            if let Some(menu) = menu {
                text.push_str("menu:\n");
                text.push_str(&menu.concat());
            }
            text.push_str(&extra.concat());
            text
        })
}

/// Pieces of text a careful author might still write: odd, but no mistake that stops a build.
fn sound_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,12}".prop_filter("no call", |s| !s.contains("{{") && !s.contains("{%")),
        1 => "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u{fffe}]",
        1 => prop::sample::select(vec!["**", "*", "***", "_", "\\", "\n\n", "\u{3000}", "《民法典》"])
            .prop_map(str::to_string),
        1 => (1..12usize).prop_map(|n| format!("{}甲{}", "{% tip() %}".repeat(n), "{% end %}".repeat(n))),
        1 => (1..16usize).prop_map(|n| "> ".repeat(n)),
        1 => (1..16usize).prop_map(|n| "- ".repeat(n)),
        1 => (1..60usize).prop_map(|n| "[".repeat(n)),
        1 => Just("\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n".to_string()),
        1 => Just("\n```\n{{ tip() }}\n```\n".to_string()),
        1 => Just("<b>粗</b>".to_string()),
        1 => prop::sample::select(PICTURES).prop_map(|p| format!("\n![现场照片](/{p})\n")),
        1 => prop::sample::select(PICTURES).prop_map(|p| format!("[查看原图](/{p})")),
    ]
}

/// A site a careful author might make, with odd text in it: most of these build, so every
/// stage after the checks — rendering, feeds, the search index, writing — sees odd input.
fn careful_site() -> impl Strategy<Value = Site> {
    let name = prop_oneof![
        "[\\p{Han}]{1,8}",
        "[a-z0-9-]{1,10}",
        "[\\p{Han}]{1,4}[\\x01-\\x1f][a-z]{1,3}",
        (150..240usize).prop_map(|n| "长".repeat(n / 3)),
    ];
    let folder = prop::sample::select(vec!["articles/", "articles/sub/", "pages/", "episodes/"]);
    let scalar = prop::sample::select(vec!["007", "yes", "1e3", "0x10", "\"县司法局\""]);
    let markdown = (
        folder,
        name,
        "\\PC{1,20}",
        scalar,
        prop::collection::vec(sound_piece(), 0..20),
        any::<bool>(),
        prop::option::of(prop::sample::select(PICTURES)),
    )
        .prop_map(|(folder, name, title, author, body, topic, cover)| {
            let topics = if topic {
                "topics: [电信诈骗, 专题]\n"
            } else {
                ""
            };
            let cover = cover.map(|c| format!("cover: /{c}\n")).unwrap_or_default();
            let text = format!(
                "---\ntitle: {}\ndate: 2026-03-01\nauthor: {author}\n{topics}{cover}---\n{}\n",
                serde_json::to_string(&title).unwrap(),
                body.concat()
            );
            File {
                path: format!("{folder}{name}.md"),
                bytes: text.into_bytes(),
            }
        });
    let asset = "[\\p{Han}a-z0-9 ]{1,8}".prop_map(|n| File {
        path: format!("media/{n}.png"),
        bytes: b"png".to_vec(),
    });
    // Each picture the pages may use is there nine times in ten: a page that uses a missing
    // one fails the build, and sites that all failed would test little.
    let pictures =
        prop::collection::vec(prop::option::weighted(0.9, picture_bytes()), PICTURES.len())
            .prop_map(|all| {
                PICTURES
                    .iter()
                    .zip(all)
                    .filter_map(|(path, bytes)| {
                        bytes.map(|bytes| File {
                            path: path.to_string(),
                            bytes,
                        })
                    })
                    .collect::<Vec<_>>()
            });
    let link = (any::<bool>(), any::<bool>()).prop_map(|(outside, folder)| Link {
        at: "media/linked".to_string(),
        outside,
        folder,
    });
    (
        "\\PC{1,20}",
        prop::collection::vec(prop_oneof![4 => markdown, 1 => asset], 1..7),
        pictures,
        prop::option::of(link),
        prop::option::of(cache_text()),
    )
        .prop_map(|(title, files, pictures, link, cache)| Site {
            config: format!(
                "title: {}\nbase_url: \"https://example.org/pufa/\"\ntopics:\n  - 电信诈骗\n  - name: 专题\n    slug: \"../../../x\"\nlaws:\n  - name: 民法典\n    full_name: 中华人民共和国民法典\n",
                serde_json::to_string(&title).unwrap()
            ),
            files: files.into_iter().chain(pictures).collect(),
            links: link.into_iter().collect(),
            cache,
        })
}

fn site() -> impl Strategy<Value = Site> {
    prop_oneof![hostile_site(), careful_site()]
}

fn hostile_site() -> impl Strategy<Value = Site> {
    let link = (
        prop::sample::select(vec!["passwd.txt", "media/linked", "articles/l.md", "loop"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(at, outside, folder)| Link {
            at: at.to_string(),
            outside,
            folder,
        });
    (
        config(),
        prop::collection::vec(content_file(), 0..10),
        prop::collection::vec(link, 0..2),
    )
        .prop_map(|(config, files, links)| Site {
            config,
            files,
            links,
            cache: None,
        })
}

/// Where sites are written: memory when the machine has it, so thousands of them are quick.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

/// Writes `site` under `dir/site`, with a secret beside it for links out of the site to find.
fn write(site: &Site, dir: &Path) -> PathBuf {
    let root = dir.join("site");
    let content = root.join("content");
    fs::create_dir_all(&content).unwrap();
    fs::write(dir.join("secret.txt"), "不应发布的文件").unwrap();
    fs::create_dir_all(dir.join("secret-folder")).unwrap();
    fs::write(dir.join("secret-folder/x.txt"), "不应发布").unwrap();
    fs::write(root.join("site.yaml"), &site.config).unwrap();
    if let Some(cache) = &site.cache {
        fs::create_dir_all(root.join(".pufa-cache")).unwrap();
        fs::write(root.join(".pufa-cache/pictures.tsv"), cache).unwrap();
    }
    for file in &site.files {
        let path = content.join(&file.path);
        // Some random names are not possible on this system (too long with the folder):
        // such a file is simply not part of this site.
        if let Some(parent) = path.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let _ = fs::write(&path, &file.bytes);
    }
    #[cfg(unix)]
    for link in &site.links {
        let at = content.join(&link.at);
        if let Some(parent) = at.parent() {
            let _ = fs::create_dir_all(parent);
        }
        let target = match (link.outside, link.folder) {
            (true, true) => dir.join("secret-folder"),
            (true, false) => dir.join("secret.txt"),
            (false, true) => content.clone(),
            (false, false) => root.join("site.yaml"),
        };
        let _ = std::os::unix::fs::symlink(target, &at);
    }
    root
}

/// Every file under `dir`, relative, with its size, not following links.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let size = entry
            .metadata()
            .map_or(0, |m| if m.is_file() { m.len() } else { 0 });
        out.push((rel, size));
    }
    out
}

/// Runs pufa with a time limit; returns (exit code, stdout, stderr, time taken).
fn run(dir: &Path, args: &[&str]) -> Result<(i32, String, String, Duration), TestCaseError> {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", common::SAMPLE_TODAY_EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let limit = Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            return Err(TestCaseError::fail(format!(
                "pufa {args:?} ran over {limit:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok((
        code,
        text(&out.stdout),
        text(&out.stderr),
        started.elapsed(),
    ))
}

/// A report without its closing line (the tally, which `check` and `build` word differently)
/// and without the notes (说明), which only `check` shows.
fn diagnostics_of(report: &str) -> Vec<&str> {
    let report = report.trim_end();
    report
        .rfind('\n')
        .map_or("", |i| &report[..i])
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty() && !block.starts_with("说明["))
        .collect()
}

/// How many random sites built, for the summary: a harness whose sites all fail early
/// would test little.
static BUILT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn check_site(site: &Site) -> Result<(), TestCaseError> {
    let dir = scratch();
    let root = write(site, dir.path());
    let before = listing(dir.path());

    let (check_code, json, check_err, _) = run(&root, &["check", "--format", "json"])?;
    prop_assert!(
        check_code == 0 || check_code == 1,
        "check exit {check_code}: {check_err}"
    );
    prop_assert!(!check_err.contains("panicked"), "{check_err}");
    let report: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| TestCaseError::fail(format!("check JSON: {e}\n{json}")))?;
    for d in report.as_array().unwrap() {
        prop_assert!(d["file"].is_string(), "a diagnostic without a file: {d}");
        // A system's message may follow, in brackets, never stand alone.
        let message = d["message"].as_str().unwrap();
        prop_assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{d}"
        );
    }
    prop_assert_eq!(listing(dir.path()), before.clone(), "check wrote something");

    let (human_code, human, _, _) = run(&root, &["check"])?;
    prop_assert_eq!(human_code, check_code);

    let (build_code, _, build_err, _) = run(&root, &["build", "--output", "out"])?;
    prop_assert!(
        build_code == 0 || build_code == 1,
        "build exit {build_code}: {build_err}"
    );
    prop_assert!(!build_err.contains("panicked"), "{build_err}");
    prop_assert_eq!(
        build_code,
        check_code,
        "check and build disagree:\n{}\n{}",
        human,
        build_err
    );
    prop_assert_eq!(
        diagnostics_of(&build_err),
        diagnostics_of(&human),
        "check and build report differently"
    );

    // Nothing outside out/ changed but pufa's picture cache (.pufa-cache/ in the site
    // folder); out/ holds no character that XML forbids.
    let mine = |path: &str, folder: &str| path == folder || path.starts_with(&format!("{folder}/"));
    let after: Vec<(String, u64)> = listing(dir.path())
        .into_iter()
        .filter(|(path, _)| !mine(path, "site/out") && !mine(path, "site/.pufa-cache"))
        .collect();
    let before: Vec<(String, u64)> = before
        .into_iter()
        .filter(|(path, _)| !mine(path, "site/.pufa-cache"))
        .collect();
    prop_assert_eq!(after, before, "build wrote outside its output folder");
    let out = root.join("out");
    if build_code == 0 {
        BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (file, _) in listing(&out) {
            let path = out.join(&file);
            if path.is_file() {
                let reader = fs::File::open(&path).map(std::io::BufReader::new);
                if let Ok(exif) = reader
                    .map(|mut r| exif::Reader::new().read_from_container(&mut r))
                    .unwrap_or(Err(exif::Error::NotFound("")))
                {
                    prop_assert!(
                        !exif.fields().any(|f| f.tag.context() == exif::Context::Gps
                            || f.tag == exif::Tag::GPSInfoIFDPointer),
                        "{file} carries GPS"
                    );
                }
            }
            if path.is_file() && !file.starts_with("media") {
                let bytes = fs::read(&path).unwrap();
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    prop_assert!(
                        !text.chars().any(pufa::text::is_forbidden),
                        "{file} holds a forbidden character"
                    );
                    prop_assert!(
                        !text.contains("不应发布"),
                        "{file} holds a file from outside the site"
                    );
                }
            }
        }
    } else {
        prop_assert!(!out.exists(), "a failed build left an output folder");
    }
    Ok(())
}

#[test]
fn random_sites_keep_every_promise() {
    let cases = std::env::var("PUFA_RANDOM_SITES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let started = Instant::now();
    if let Err(failure) = runner.run(&site(), |site| check_site(&site)) {
        panic!("{failure}");
    }
    let built = BUILT.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{cases} 个随机网站全部通过（其中 {built} 个生成成功），用时 {:.1} 秒",
        started.elapsed().as_secs_f64()
    );
    // Proptest counts the cases it generated again while shrinking, so `built` can exceed
    // nothing but `cases` only when a failure was shrunk; with none, a tenth must build.
    assert!(
        built * 10 >= cases as usize,
        "only {built} of {cases} random sites built"
    );
}

/// Bodies that once took quadratic time or overflowed the stack, each made of `n` repeats.
const PATTERNS: &[(&str, &str, &str)] = &[
    ("nested shortcodes", "{% tip() %}", "{% end %}"),
    ("unclosed shortcodes", "{% tip() %}甲\n", ""),
    ("unclosed quotes", "{{ tip(a=\"", ""),
    ("broken calls", "{{ tip(a=b) }}", ""),
    ("emphasis runs", "*甲 **乙 ***丙 ", ""),
    ("bold after full stops", "甲**。", ""),
    ("bold in links", "[甲**](x)", ""),
    ("nested quotes", "> ", ""),
    ("nested lists", "- ", ""),
    ("brackets", "[", "]"),
    ("personal data", "身份证110101199003074514，", ""),
    ("digit groups", "1 ", ""),
    ("glued digit groups", "A1-", ""),
    ("book titles", "《", "》"),
    ("unknown laws", "《某某法》第一千条", ""),
    ("split wording", "中华人民**共合\n", ""),
    ("control characters", "甲\u{b}", ""),
];

fn pattern_site(dir: &Path, (_, open, close): (&str, &str, &str), n: usize) {
    fs::create_dir_all(dir.join("content/articles")).unwrap();
    fs::write(dir.join("site.yaml"), "title: 测试\n").unwrap();
    let body = format!("{}x{}", open.repeat(n), close.repeat(n));
    fs::write(
        dir.join("content/articles/a.md"),
        format!("---\ntitle: t\ndate: 2026-03-01\n---\n{body}\n"),
    )
    .unwrap();
}

#[test]
fn hostile_patterns_take_linear_time() {
    // The quickest of three runs at each size, to see through a busy machine; four times the
    // input must take well under the sixteen times a quadratic step would.
    let fastest = |pattern, n| -> Duration {
        let dir = scratch();
        pattern_site(dir.path(), pattern, n);
        (0..3)
            .map(|_| {
                let (code, _, err, took) = run(dir.path(), &["check"]).unwrap();
                assert!(code == 0 || code == 1, "{}: exit {code}: {err}", pattern.0);
                took
            })
            .min()
            .unwrap()
    };
    // Sizes large enough that the work, not starting the process, takes most of the time.
    for &pattern in PATTERNS {
        let small = fastest(pattern, 10_000);
        let large = fastest(pattern, 40_000);
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        assert!(
            ratio < 8.0,
            "{}: 4× the input took {ratio:.1}× as long ({small:?} → {large:?})",
            pattern.0
        );
    }
}
