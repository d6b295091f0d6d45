//! `pufa build` on fixture sites and on the bundled sample site.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Every page kind of the basic fixture, by output path.
const PAGE_KINDS: &[(&str, &str)] = &[
    ("home", "index.html"),
    ("article", "articles/fang-fan-dian-xin-zha-pian/index.html"),
    ("article_in_subfolder", "articles/di-san-pian/index.html"),
    ("episode_local_video", "episodes/di-yi-ji/index.html"),
    ("episode_embed", "episodes/di-er-ji/index.html"),
    ("articles_list", "articles/index.html"),
    ("articles_list_page_2", "articles/page/2/index.html"),
    ("episodes_list", "episodes/index.html"),
    ("topics", "topics/index.html"),
    ("topic", "topics/dianxin-zhapian/index.html"),
    ("months", "months/index.html"),
    ("month", "months/2023-06/index.html"),
    ("month_without_theme_file", "months/2023-09/index.html"),
    ("series", "series/pu-fa-xiao-ju-chang/index.html"),
    ("laws", "laws/index.html"),
    ("law", "laws/fan-dian-xin-wang-luo-zha-pian-fa/index.html"),
    ("page", "guanyu/index.html"),
    ("not_found", "404.html"),
];

#[test]
fn basic_fixture_renders_every_page_kind() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    for (name, path) in PAGE_KINDS {
        let html = read(&public.join(path));
        insta::assert_snapshot!(format!("basic_{name}"), main_of(&html));
    }
}

#[test]
fn basic_fixture_writes_exactly_these_files() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    insta::assert_snapshot!(files(&site.path().join("public")).join("\n"));
}

#[test]
fn links_resolve_and_work_offline() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    assert_eq!(
        broken_links(&site.path().join("public")),
        Vec::<String>::new()
    );

    build_ok(site.path(), &["--offline", "--output", "offline"]);
    let offline = site.path().join("offline");
    assert_eq!(broken_links(&offline), Vec::<String>::new());
    let article = read(&offline.join("articles/fang-fan-dian-xin-zha-pian/index.html"));
    // From disk a folder link would open a directory listing: every page link names its file.
    for link in links(&article) {
        let is_page = !link.contains("://")
            && !link.starts_with('#')
            && !link.contains('.')
            && !link.is_empty();
        assert!(!is_page, "offline link without index.html: {link}");
    }
    assert!(article.contains("href=\"../../index.html\""));
    assert!(article.contains(
        "href=\"../../articles/di-san-pian/index.html#%E7%AC%AC%E5%8D%81%E4%BA%8C%E6%9D%A1\""
    ));
}

#[test]
fn feeds_and_sitemap_use_absolute_addresses() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    insta::assert_snapshot!("basic_feed", read(&public.join("feed.xml")));
    let topic_feed = read(&public.join("topics/dianxin-zhapian/feed.xml"));
    assert!(
        topic_feed.contains("<id>https://example.org/pufa/topics/dianxin-zhapian/feed.xml</id>")
    );
    assert!(
        !topic_feed.contains("校园欺凌怎么办"),
        "a topic feed lists only its topic"
    );
    insta::assert_snapshot!("basic_sitemap", read(&public.join("sitemap.xml")));
    insta::assert_snapshot!("basic_robots", read(&public.join("robots.txt")));
}

/// Every page a share card can be made of names its picture and says what it shows, and its
/// canonical address is the one the sitemap lists (page 2 of a list is page 2).
#[test]
fn every_page_has_a_share_picture_and_the_canonical_address_of_the_sitemap() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let sitemap = read(&public.join("sitemap.xml"));
    let listed: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    let meta = |html: &str, start: &str| -> Option<String> {
        let rest = html.split(start).nth(1)?;
        Some(rest.split('"').next()?.to_string())
    };
    let mut pages = 0;
    for file in files(&public).into_iter().filter(|f| f.ends_with(".html")) {
        let html = read(&public.join(&file));
        if html.contains("http-equiv=\"refresh\"") {
            continue; // an old address leading to the page
        }
        pages += 1;
        let image = meta(&html, "<meta property=\"og:image\" content=\"")
            .unwrap_or_else(|| panic!("{file} has no og:image"));
        assert!(
            image.starts_with("https://example.org/pufa/"),
            "{file}: {image}"
        );
        let alt = meta(&html, "<meta property=\"og:image:alt\" content=\"")
            .unwrap_or_else(|| panic!("{file} has no og:image:alt"));
        assert!(!alt.is_empty(), "{file}");
        if file == "404.html" {
            assert!(
                !html.contains("rel=\"canonical\""),
                "a 404 has no address of its own"
            );
            continue;
        }
        let canonical = meta(&html, "<link rel=\"canonical\" href=\"")
            .unwrap_or_else(|| panic!("{file} has no canonical link"));
        // The search page is left out of the sitemap: what it shows depends on the query.
        assert!(
            listed.contains(&canonical.as_str()) || file == "search/index.html",
            "{file}: {canonical} is not in the sitemap"
        );
        let own = format!(
            "https://example.org/pufa/{}",
            file.trim_end_matches("index.html")
        );
        assert_eq!(canonical, own, "{file} names itself");
    }
    assert!(pages > 20, "{pages} pages");
    assert!(public.join("articles/page/2/index.html").is_file());
}

#[test]
fn without_base_url_there_are_no_feeds_and_a_warning() {
    let site = fixture("build/basic");
    let config = site.path().join("site.yaml");
    let text = read(&config).replace("base_url: \"https://example.org/pufa/\"\n", "");
    fs::write(&config, text).unwrap();
    let stderr = build_ok(site.path(), &[]);
    assert!(stderr.contains("没有设置 base_url"), "{stderr}");
    let public = site.path().join("public");
    assert!(!public.join("feed.xml").exists());
    assert!(!public.join("sitemap.xml").exists());
    let article = read(&public.join("articles/fang-fan-dian-xin-zha-pian/index.html"));
    assert!(!article.contains("canonical"));

    build_ok(
        site.path(),
        &["--base-url", "https://pufa.example.gov.cn/sub"],
    );
    let feed = read(&public.join("feed.xml"));
    assert!(
        feed.contains("https://pufa.example.gov.cn/sub/articles/"),
        "{feed}"
    );
}

#[test]
fn empty_columns_get_no_page_and_no_link() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    // 环境保护 is declared but unused; 空系列 has no episodes; 刑法 is never cited.
    for path in [
        "topics/huan-jing-bao-hu",
        "series/kong-xi-lie",
        "laws/xing-fa",
    ] {
        assert!(!public.join(path).exists(), "{path} should not exist");
    }
    for file in files(&public).iter().filter(|f| f.ends_with(".html")) {
        let html = read(&public.join(file));
        for needle in [
            "huan-jing-bao-hu",
            "kong-xi-lie",
            "laws/xing-fa",
            "环境保护",
            "空系列",
        ] {
            assert!(!html.contains(needle), "{file} mentions {needle}");
        }
    }
}

#[test]
fn drafts_only_with_the_flag() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let draft = site.path().join("public/articles/cao-gao/index.html");
    assert!(!draft.exists());
    build_ok(site.path(), &["--drafts"]);
    assert!(read(&draft).contains("还没写完的草稿"));
}

#[test]
fn aliases_redirect_to_the_page() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let html = read(&site.path().join("public/old/san/index.html"));
    assert!(html.contains("url=../../articles/di-san-pian/"), "{html}");
}

#[test]
fn site_templates_override_the_theme() {
    let site = fixture("build/basic");
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/page.html"),
        "{% extends \"base.html\" %}{% block main %}<p class=\"custom\">{{ page.title }}</p>{% endblock main %}",
    )
    .unwrap();
    build_ok(site.path(), &[]);
    let html = read(&site.path().join("public/guanyu/index.html"));
    assert!(html.contains("<p class=\"custom\">关于我们</p>"), "{html}");
}

/// What `bench/index_overhead.rs` times: the same build with and without the search index,
/// whose outputs differ by the index files alone.
#[test]
fn a_build_without_the_index_lacks_only_the_index() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let output = site.path().join("no-index");
    let outcome = pufa::cmd::build::run(&pufa::cmd::build::Options {
        settings: pufa::pipeline::Settings {
            root: site.path().to_path_buf(),
            base_url: None,
            drafts: false,
            future: false,
            offline: false,
            preview: false,
        },
        output: output.clone(),
        progress: false,
        index: false,
        changes: None,
    });
    let summary = outcome.summary.expect("the build succeeds");
    assert_eq!(summary.index_files, 0);
    // The marker lists every file, the index's among them: it differs by those lines.
    let without_marker = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        contents(dir)
            .into_iter()
            .filter(|(file, _)| file != ".pufa-output")
            .collect()
    };
    let (index, rest): (Vec<_>, Vec<_>) = without_marker(&site.path().join("public"))
        .into_iter()
        .partition(|(file, _)| file.starts_with("search/data/"));
    assert!(index.len() > 2, "meta, shards and docs: {index:?}");
    assert!(
        rest == without_marker(&output),
        "everything else is the same"
    );
    let marker = read(&site.path().join("public/.pufa-output"));
    let listed = marker
        .lines()
        .filter(|l| !l.contains("\tsearch/data/"))
        .skip(1);
    assert!(listed.eq(read(&output.join(".pufa-output")).lines().skip(1)));
}

#[test]
fn output_is_byte_identical_across_builds_and_thread_counts() {
    let site = fixture("build/basic");
    for (output, threads) in [("one", "1"), ("two", "2")] {
        let out = pufa_with_env(
            site.path(),
            &["build", "--output", output],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(out.status.success());
    }
    let one = contents(&site.path().join("one"));
    let two = contents(&site.path().join("two"));
    assert_eq!(
        files(&site.path().join("one")),
        files(&site.path().join("two"))
    );
    for ((file, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{file} differs between builds");
    }
}

#[test]
fn the_sample_site_builds_with_every_link_resolving() {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let public_arg = public.to_str().unwrap();
    let root = repo_root();
    let env = [("SOURCE_DATE_EPOCH", SAMPLE_TODAY_EPOCH)];
    let first = pufa_with_env(&root, &["build", "--output", public_arg], &env);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(
        !stderr.contains("警告"),
        "the sample site builds without warnings:\n{stderr}"
    );
    assert!(stderr.starts_with("完成：生成 "), "{stderr}");
    assert_eq!(broken_links(&public), Vec::<String>::new());

    // A second build of the unchanged site gives the same bytes.
    let again = out.path().join("again");
    let second = pufa_with_env(&root, &["build", "--output", again.to_str().unwrap()], &env);
    assert!(second.status.success());
    assert_eq!(files(&public), files(&again));
    for ((file, a), (_, b)) in contents(&public).iter().zip(&contents(&again)) {
        assert!(a == b, "{file} differs between builds");
    }
    // What the sample must show: a local video with captions, embeds, months, series.
    let episode = read(&public.join("episodes/xiao-ju-chang-01-jian-zhi-shua-dan/index.html"));
    assert!(episode.contains("<track kind=\"captions\" srclang=\"zh\""));
    assert!(episode.contains("\"@type\":\"VideoObject\""));
    let embed = read(&public.join("episodes/xiao-ju-chang-02-mao-chong-ke-fu/index.html"));
    assert!(
        embed.contains("https://player.bilibili.com/player.html?bvid=BV1xx411c7mD&amp;autoplay=0")
    );
    // Its address before 冒充 was read mao chong still leads there.
    let old = read(&public.join("episodes/xiao-ju-chang-02-mou-chong-ke-fu/index.html"));
    assert!(
        old.contains("url=../../episodes/xiao-ju-chang-02-mao-chong-ke-fu/"),
        "{old}"
    );
}

#[test]
fn a_site_without_themes_or_content_builds() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("site.yaml"), "title: 空网站\n").unwrap();
    let stderr = build_ok(dir.path(), &[]);
    assert!(stderr.contains("没有 content 文件夹"), "{stderr}");
    let home = read(&dir.path().join("public/index.html"));
    assert!(home.contains("<title>空网站</title>"));
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = pufa(dir.path(), &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = pufa(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Every error fixture fails to build, with exit code 1, nothing written and the first
/// problem named at its file, line and column. `tests/check.rs` snapshots the full messages.
#[test]
fn error_fixtures_fail_to_build_and_name_the_place() {
    let cases = [
        ("unknown-topic", "content/articles/a.md:6:5"),
        ("bad-date", "content/articles/a.md:3:7"),
        ("duplicate-url", "content/articles/防范诈骗.md:2:8"),
        ("yaml-syntax", "content/articles/a.md:4:10"),
        ("missing-fields", "content/articles/a.md:1:1"),
        ("episodes", "content/episodes/a.md:4:9"),
        ("broken-link", "content/articles/a.md:8:2"),
        ("template-error", "templates/article.html:3:13"),
        ("config", "site.yaml:2:11"),
    ];
    for (name, place) in cases {
        let site = fixture(&format!("errors/{name}"));
        let out = pufa_with_env(
            site.path(),
            &["build"],
            &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
        );
        let stderr = redacted_stderr(&out, site.path());
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(place), "{name}: {place} not in\n{stderr}");
        assert!(stderr.contains("保持原样，没有改动"), "{name}: {stderr}");
        assert!(
            !site.path().join("public").exists(),
            "{name}: nothing is written"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let before = contents(&public);

    let article = site.path().join("content/articles/校园欺凌.md");
    let text = read(&article).replace("date: 2023-09-01", "date: 2023-09-31");
    fs::write(&article, text).unwrap();
    let out = pufa(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/articles/校园欺凌.md:3:7"),
        "{stderr}"
    );
    assert!(stderr.contains("保持原样"), "{stderr}");

    assert!(
        before == contents(&public),
        "public/ changed after a failed build"
    );
    let leftovers: Vec<String> = fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pufa-") && n != ".pufa-cache")
        .collect();
    assert_eq!(
        leftovers,
        Vec::<String>::new(),
        "no staging folder is left behind"
    );
}

#[test]
fn refuses_to_replace_folders_it_did_not_create() {
    let site = fixture("build/basic");
    let mine = site.path().join("mine");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("important.docx"), "重要文件").unwrap();
    for target in ["mine", ".", "content", "themes/x"] {
        let out = pufa(site.path(), &["build", "--output", target]);
        assert_eq!(out.status.code(), Some(1), "{target}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("不能把网站生成到"), "{target}: {stderr}");
    }
    assert_eq!(read(&mine.join("important.docx")), "重要文件");
    assert!(site.path().join("content/_index.md").is_file());
}

#[test]
fn output_path_is_named_in_the_summary() {
    let site = fixture("build/basic");
    let out = pufa(site.path(), &["build", "--output", "site-out"]);
    assert!(out.status.success());
    insta::assert_snapshot!(redacted_stderr(&out, site.path()));
    assert!(Path::new(&site.path().join("site-out/.pufa-output")).is_file());
}

/// Decodes an inline QR code SVG: its path drawn into a greyscale picture, read by a QR
/// reader.
fn decode_qr(svg: &str) -> String {
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let dark: std::collections::HashSet<(usize, usize)> = qr_modules(svg).into_iter().collect();
    const SCALE: usize = 4;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(size * SCALE, size * SCALE, |x, y| {
            if dark.contains(&(x / SCALE, y / SCALE)) {
                0
            } else {
                255
            }
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the QR code reads").1
}

/// The dark modules an inline QR code SVG draws, read back from its path.
fn qr_modules(svg: &str) -> Vec<(usize, usize)> {
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    // Rows start with `M{x} {y}.5`, `m{dx} 0` steps over light modules, `h{n}` draws n dark.
    let mut dark = Vec::new();
    let (mut x, mut y) = (0, 0);
    let mut rest = d;
    while let Some(command) = rest.chars().next() {
        let end = rest[1..]
            .find(['M', 'm', 'h'])
            .map_or(rest.len(), |i| i + 1);
        let args = &rest[1..end];
        match command {
            'M' => {
                let (ax, ay) = args.split_once(' ').unwrap();
                x = ax.parse().unwrap();
                y = ay.strip_suffix(".5").unwrap().parse().unwrap();
            }
            'm' => x += args.strip_suffix(" 0").unwrap().parse::<usize>().unwrap(),
            'h' => {
                let n: usize = args.parse().unwrap();
                dark.extend((x..x + n).map(|x| (x, y)));
                x += n;
            }
            other => panic!("unexpected path command {other}"),
        }
        rest = &rest[end..];
    }
    dark
}

#[test]
fn articles_and_episodes_carry_a_qr_code_of_their_address() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    for (page, address) in [
        (
            "articles/fang-fan-dian-xin-zha-pian/",
            "https://example.org/pufa/articles/fang-fan-dian-xin-zha-pian/",
        ),
        (
            "episodes/di-yi-ji/",
            "https://example.org/pufa/episodes/di-yi-ji/",
        ),
    ] {
        let html = read(&site.path().join("public").join(page).join("index.html"));
        let svg = html
            .split("<svg class=\"qr-code\"")
            .nth(1)
            .expect("a QR code");
        assert!(
            svg.starts_with(" role=\"img\" aria-label=\"扫码阅读\""),
            "{svg}"
        );
        // Read the drawing back as a picture and decode it.
        assert_eq!(decode_qr(svg), address, "{page}");
    }
    // List pages have none.
    assert!(!read(&site.path().join("public/articles/index.html")).contains("qr-code"));
}

#[test]
fn pages_carry_share_cards_and_structured_data() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let article = read(&public.join("articles/fang-fan-dian-xin-zha-pian/index.html"));
    for expected in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:image\" content=\"https://example.org/pufa/share.png\">",
        "<link rel=\"canonical\" href=\"https://example.org/pufa/articles/fang-fan-dian-xin-zha-pian/\">",
        "\"@type\":\"Article\"",
        "\"headline\":\"防范电信诈骗\"",
        "\"datePublished\":\"2023-06-10T00:00:00+08:00\"",
    ] {
        assert!(article.contains(expected), "{expected} missing");
    }
    // An episode's poster is its share picture (as a JPEG no wider than 1,200 px).
    let episode = read(&public.join("episodes/di-yi-ji/index.html"));
    assert!(episode.contains(
        "<meta property=\"og:image\" content=\"https://example.org/pufa/media/poster-480w.jpg\">"
    ));
    assert!(public.join("share.png").is_file());
}

#[test]
fn without_base_url_there_is_no_qr_code_and_one_warning() {
    let site = fixture("build/basic");
    let config = site.path().join("site.yaml");
    fs::write(
        &config,
        read(&config).replace("base_url: \"https://example.org/pufa/\"\n", ""),
    )
    .unwrap();
    let stderr = build_ok(site.path(), &[]);
    assert_eq!(stderr.matches("没有设置 base_url").count(), 1, "{stderr}");
    assert!(stderr.contains("二维码"), "{stderr}");
    let article = read(
        &site
            .path()
            .join("public/articles/fang-fan-dian-xin-zha-pian/index.html"),
    );
    assert!(!article.contains("qr-code"));
    assert!(!article.contains("og:image"));
}

#[test]
fn outside_players_load_only_when_asked() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let episode = read(&site.path().join("public/episodes/di-er-ji/index.html"));
    assert!(
        !episode.contains("<iframe"),
        "no outside request before the reader asks"
    );
    assert!(episode.contains(
        "data-player=\"https://player.bilibili.com/player.html?bvid=BV1xx411c7mD&amp;autoplay=0\""
    ));
    assert!(
        episode.contains("href=\"https://www.bilibili.com/video/BV1xx411c7mD\""),
        "a link without script"
    );
}

/// site.yaml's banner and emblem appear in every page's header, linked from each page's
/// depth; a missing picture is named by check.
#[test]
fn the_banner_and_emblem_of_site_yaml_are_in_the_header() {
    let site = fixture("build/basic");
    let config = site.path().join("site.yaml");
    let text = read(&config).replace(
        "organization:\n",
        "banner: media/poster.png\norganization:\n  emblem: /media/poster.png\n",
    );
    fs::write(&config, &text).unwrap();
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let home = read(&public.join("index.html"));
    assert!(
        home.contains(
            "<div class=\"site-banner\" style=\"--banner: url('media/poster.png')\"></div>"
        ),
        "{home}"
    );
    assert!(home.contains(
        "<img class=\"site-emblem\" src=\"media/poster.png\" alt=\"\" width=\"48\" height=\"48\">"
    ));
    let article = read(&public.join("articles/fang-fan-dian-xin-zha-pian/index.html"));
    assert!(article.contains("src=\"../../media/poster.png\" alt=\"\" width=\"48\""));

    fs::write(
        &config,
        text.replace("banner: media/poster.png", "banner: media/横幅.jpg"),
    )
    .unwrap();
    let out = pufa(site.path(), &["check"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("banner 指向 content/media/横幅.jpg，但没有这个文件"),
        "{said}"
    );
}
