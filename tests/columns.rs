//! Columns (栏目) and the menu: `tests/fixtures/columns/<case>/`.
//!
//! - `nested`: 以案释法 (content/yianshifa/) with 刑事案例 inside it, 通知公告 sorted by title,
//!   and an article of articles/ that links into a column; no `menu:`, so the default
//!   navigation lists the top-level columns.
//! - `menu`: a `menu:` with a column, a list by address, a page and another site; a column
//!   with its own `template` and `paginate`.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// 2026-12-01 12:00 China time.
const TODAY: &str = "1796097600";

fn built(case: &str) -> tempfile::TempDir {
    let site = fixture(&format!("columns/{case}"));
    let out = pufa_with_env(site.path(), &["build"], &[("SOURCE_DATE_EPOCH", TODAY)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("警告"), "{stderr}");
    site
}

/// `pufa check` on the site as on `TODAY`.
fn check_today(site: &Path) -> std::process::Output {
    pufa_with_env(site, &["check"], &[("SOURCE_DATE_EPOCH", TODAY)])
}

fn page(site: &Path, path: &str) -> String {
    read(&site.join("public").join(path).join("index.html"))
}

/// The navigation's entries as `title url`, the current one marked with `*`.
fn nav(html: &str) -> Vec<String> {
    let start = html.find("aria-label=\"主导航\"").expect("a navigation");
    let end = start + html[start..].find("</nav>").unwrap();
    html[start..end]
        .split("<li><a href=\"")
        .skip(1)
        .map(|item| {
            let (url, rest) = item.split_once('"').unwrap();
            let current = rest.starts_with(" aria-current");
            let title = rest.split(['>', '<']).nth(1).unwrap_or_default();
            format!("{}{title} {url}", if current { "*" } else { "" })
        })
        .collect()
}

#[test]
fn a_folder_with_an_index_is_a_column_with_nested_addresses_and_breadcrumbs() {
    let site = built("nested");
    let root = site.path();
    let mut pages: Vec<String> = files(&root.join("public"))
        .into_iter()
        .filter(|f| f.ends_with("index.html") || f.ends_with("feed.xml"))
        .filter(|f| f.starts_with("yianshifa/") || f.starts_with("tongzhi/"))
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "tongzhi/feed.xml",
            "tongzhi/index.html",
            "tongzhi/zheng-wen/index.html",
            "tongzhi/zhi-ban/index.html",
            "yianshifa/feed.xml",
            "yianshifa/index.html",
            "yianshifa/xingshi/bang-xin-zui/index.html",
            "yianshifa/xingshi/feed.xml",
            "yianshifa/xingshi/index.html",
            "yianshifa/zu-fang-jiu-fen/index.html",
        ]
    );
    insta::assert_snapshot!("nested_column_list", main_of(&page(root, "yianshifa")));
    let article = page(root, "yianshifa/xingshi/bang-xin-zui");
    let crumbs = &article[article.find("<nav class=\"breadcrumbs\"").unwrap()..];
    insta::assert_snapshot!(
        "nested_column_breadcrumbs",
        &crumbs[..crumbs.find("</nav>").unwrap() + 6]
    );
    // The default navigation gains the top-level columns, and marks the one a page is in.
    assert_eq!(
        nav(&article),
        [
            "首页 ../../../",
            "普法文章 ../../../articles/",
            "通知公告 ../../../tongzhi/",
            "*以案释法 ../../../yianshifa/",
            "一月一主题 ../../../months/",
            "专题 ../../../topics/",
        ]
    );
    // An article in a column keeps what articles have: its topic lists it, its month too,
    // the site's lists and feed carry it, and a link to its file finds its address.
    assert!(page(root, "topics/dian-xin-zha-pian").contains("出借银行卡构成帮信罪"));
    assert!(page(root, "months/2026-11").contains("出借银行卡构成帮信罪"));
    assert!(read(&root.join("public/feed.xml")).contains("yianshifa/xingshi/bang-xin-zui/"));
    assert!(
        page(root, "articles/fang-zha-ti-xing")
            .contains("href=\"../../yianshifa/xingshi/bang-xin-zui/\"")
    );
    // The column's feed holds its items and those of the columns inside it.
    let feed = read(&root.join("public/yianshifa/feed.xml"));
    assert!(
        feed.contains("<title>以案释法 · 测试县普法网</title>"),
        "{feed}"
    );
    assert_eq!(feed.matches("<entry>").count(), 2);
    // The home page has a block of each top-level column: its newest items with their dates,
    // and a link to the rest.
    let home = main_of(&page(root, ""));
    let block = &home[home
        .find("<h2 id=\"column-2\">以案释法</h2>")
        .expect("a 以案释法 block")..];
    let block = &block[..block.find("</section>").unwrap()];
    assert!(
        block.contains("href=\"yianshifa/xingshi/bang-xin-zui/\">出借银行卡构成帮信罪</a><time"),
        "{block}"
    );
    assert!(
        block.contains("href=\"yianshifa/\">更多以案释法</a>"),
        "{block}"
    );
    assert!(home.contains("<h2 id=\"column-1\">通知公告</h2>"), "{home}");
}

#[test]
fn a_column_sorted_by_title_lists_in_pinyin_order() {
    let site = built("nested");
    let list = main_of(&page(site.path(), "tongzhi"));
    let fa = list.find("法律援助值班安排").unwrap();
    let xian = list.find("宪法宣传周征文通知").unwrap();
    assert!(fa < xian, "{list}");
}

#[test]
fn the_menu_lists_what_site_yaml_says_in_its_order() {
    let site = built("menu");
    let root = site.path();
    let item = page(root, "falv-fuwu/tiaojie");
    assert_eq!(
        nav(&item),
        [
            "首页 ../../",
            "*法律服务 ../../falv-fuwu/",
            "普法文章 ../../articles/",
            "关于我们 ../../guanyu/",
            "县人民政府 https://www.example.gov.cn/",
        ]
    );
    assert_eq!(nav(&page(root, "guanyu"))[3], "*关于我们 ../guanyu/");
    assert_eq!(nav(&page(root, "articles"))[2], "*普法文章 ../articles/");
    // `paginate: 1`: one item a page, two pages.
    assert!(root.join("public/falv-fuwu/page/2/index.html").is_file());
    let first = main_of(&page(root, "falv-fuwu"));
    assert!(first.contains("法律援助、人民调解、公证"), "{first}");
    assert_eq!(first.matches("class=\"item ").count(), 1);
    // The column's text is on its first page only.
    let second = main_of(&page(root, "falv-fuwu/page/2"));
    assert!(!second.contains("法律援助、人民调解、公证"), "{second}");
}

#[test]
fn menu_mistakes_name_the_line_and_the_nearest_name() {
    let site = fixture("columns/menu");
    let yaml = site.path().join("site.yaml");
    let text = read(&yaml).replace(
        "  - 法律服务\n",
        "  - 法律服务站\n  - { name: 旧网站, url: www.example.cn }\n  - { name: 没有的页面, url: /meiyou/ }\n",
    );
    fs::write(&yaml, text).unwrap();
    let out = check_today(site.path());
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn column_mistakes_are_explained() {
    let site = fixture("columns/menu");
    let content = site.path().join("content");
    // A folder without an index, an empty column, a column on an address pufa makes, a
    // template the theme lacks and an unknown order.
    fs::create_dir_all(content.join("gonggao")).unwrap();
    fs::write(
        content.join("gonggao/通知.md"),
        "---\ntitle: 通知\ndate: 2026-11-01\n---\n\n正文。\n",
    )
    .unwrap();
    fs::create_dir_all(content.join("kong")).unwrap();
    fs::write(content.join("kong/_index.md"), "---\ntitle: 空栏目\n---\n").unwrap();
    fs::create_dir_all(content.join("search")).unwrap();
    fs::write(
        content.join("search/_index.md"),
        "---\ntitle: 搜索栏目\n---\n",
    )
    .unwrap();
    fs::write(
        content.join("search/a.md"),
        "---\ntitle: 一篇\ndate: 2026-11-01\n---\n\n正文。\n",
    )
    .unwrap();
    let index = content.join("falv-fuwu/_index.md");
    fs::write(
        &index,
        read(&index).replace("template: list.html", "template: lists.html\nsort: 热度"),
    )
    .unwrap();
    let out = check_today(site.path());
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_draft_column_index_still_names_its_folder_and_an_empty_column_is_no_menu_entry() {
    let site = fixture("columns/nested");
    let index = site.path().join("content/yianshifa/xingshi/_index.md");
    fs::write(
        &index,
        read(&index).replace("slug: xingshi", "slug: xingshi\ndraft: true"),
    )
    .unwrap();
    let out = pufa_with_env(site.path(), &["build"], &[("SOURCE_DATE_EPOCH", TODAY)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Its article keeps its address under the column's slug.
    assert!(
        site.path()
            .join("public/yianshifa/xingshi/bang-xin-zui/index.html")
            .is_file()
    );
    // A menu entry for a column with nothing in it would be a dead link.
    fs::remove_file(site.path().join("content/tongzhi/征文.md")).unwrap();
    fs::remove_file(site.path().join("content/tongzhi/值班.md")).unwrap();
    let yaml = site.path().join("site.yaml");
    fs::write(
        &yaml,
        read(&yaml) + "menu:\n  - 首页\n  - { name: 通知, url: /tongzhi/ }\n",
    )
    .unwrap();
    let out = check_today(site.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("错误[config/menu-missing]"), "{stdout}");
    assert!(stdout.contains("警告[content/empty-column]"), "{stdout}");
}
