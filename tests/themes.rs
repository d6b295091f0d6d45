//! Themes and shortcodes: built-in and site shortcodes, overrides, the kiosk theme.

mod common;

use common::*;
use std::fs;

#[test]
fn built_in_and_site_shortcodes_render() {
    let site = fixture("themes/shortcodes");
    build_ok(site.path(), &[]);
    let html = read(&site.path().join("public/articles/a/index.html"));
    insta::assert_snapshot!(main_of(&html));
    // The law shortcode counts as a citation: the law gets its page.
    assert!(
        site.path()
            .join("public/laws/min-fa-dian/index.html")
            .is_file()
    );
}

#[test]
fn shortcodes_in_code_are_left_alone() {
    let site = fixture("themes/shortcodes");
    build_ok(site.path(), &[]);
    let html = read(&site.path().join("public/articles/a/index.html"));
    assert!(
        html.contains("<code>{{ law(name=\"民法典\") }}</code>"),
        "{html}"
    );
    assert!(
        html.contains("<pre><code>{{ tip() }}\n{% tip() %}不展开{% end %}\n</code></pre>"),
        "{html}"
    );
}

#[test]
fn shortcode_mistakes_are_reported_where_they_are() {
    let site = fixture("themes/shortcode-errors");
    let out = pufa_with_env(
        site.path(),
        &["check"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_site_template_extends_the_themes_own_version() {
    let site = fixture("build/basic");
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/article.html"),
        "{% extends \"theme/article.html\" %}\n{% block main %}<p class=\"notice\">本站声明</p>{{ super() }}{% endblock main %}\n",
    )
    .unwrap();
    build_ok(site.path(), &[]);
    let html = read(
        &site
            .path()
            .join("public/articles/fang-fan-dian-xin-zha-pian/index.html"),
    );
    let main = main_of(&html);
    assert!(main.contains("<p class=\"notice\">本站声明</p>"), "{main}");
    assert!(
        main.contains("<h1>防范电信诈骗</h1>"),
        "the theme's article is kept: {main}"
    );
}

#[test]
fn a_theme_folder_overrides_built_in_files_by_name() {
    let site = fixture("build/basic");
    let theme = site.path().join("themes/mine");
    fs::create_dir_all(theme.join("templates/partials")).unwrap();
    fs::create_dir_all(theme.join("static")).unwrap();
    fs::write(
        theme.join("templates/partials/item.html"),
        "<li class=\"mine\"><a href=\"{{ item.url }}\">{{ item.title }}</a></li>\n",
    )
    .unwrap();
    fs::write(theme.join("static/mine.css"), "body { color: #000; }\n").unwrap();
    fs::write(
        theme.join("theme.yaml"),
        "name: mine\nextra:\n  external_players: false\n",
    )
    .unwrap();
    let config = site.path().join("site.yaml");
    fs::write(&config, format!("{}theme: mine\n", read(&config))).unwrap();
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let list = read(&public.join("articles/index.html"));
    assert!(
        list.contains("<li class=\"mine\"><a href=\"../articles/xiao-yuan-qi-ling/\">"),
        "{list}"
    );
    assert!(public.join("mine.css").is_file());
    assert!(
        public.join("style.css").is_file(),
        "the default theme's files stay"
    );
    // theme.yaml's extra reaches templates: no external player.
    let embed = read(&public.join("episodes/di-er-ji/index.html"));
    assert!(!embed.contains("<iframe"), "{embed}");
    assert!(embed.contains("请联网后观看"), "{embed}");
}

#[test]
fn an_unknown_theme_names_the_available_ones() {
    let site = fixture("build/basic");
    let config = site.path().join("site.yaml");
    fs::write(&config, format!("{}theme: kiosks\n", read(&config))).unwrap();
    let out = pufa(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("找不到主题“kiosks”"), "{stderr}");
    assert!(stderr.contains("是不是“kiosk”？"), "{stderr}");
}

#[test]
fn the_kiosk_theme_renders_every_page_kind_differently() {
    let default = fixture("build/basic");
    build_ok(default.path(), &[]);
    let kiosk = fixture("build/basic");
    let config = kiosk.path().join("site.yaml");
    fs::write(&config, format!("{}theme: kiosk\n", read(&config))).unwrap();
    build_ok(kiosk.path(), &[]);

    let (a, b) = (default.path().join("public"), kiosk.path().join("public"));
    assert_eq!(broken_links(&b), Vec::<String>::new());
    // Every page but the alias redirect (old/san/), which no theme renders.
    let pages: Vec<String> = files(&a)
        .into_iter()
        .filter(|f| f.ends_with(".html") && !f.starts_with("old/"))
        .collect();
    for page in &pages {
        let kiosk_html = read(&b.join(page));
        assert!(kiosk_html.contains("kiosk.css"), "{page}");
        assert_ne!(
            read(&a.join(page)),
            kiosk_html,
            "{page} looks the same under kiosk"
        );
        // Service-station screens are often offline: nothing is fetched from outside.
        assert!(
            !kiosk_html.contains("<iframe"),
            "{page} embeds an outside player"
        );
        for link in links(&kiosk_html) {
            let outside = link.starts_with("http://") || link.starts_with("https://");
            let fetched = kiosk_html.contains(&format!("src=\"{link}\""));
            assert!(!(outside && fetched), "{page} loads {link}");
        }
    }
    let home = read(&b.join("index.html"));
    insta::assert_snapshot!(main_of(&home));
    assert!(b.join("kiosk.js").is_file() && b.join("kiosk.css").is_file());
}
