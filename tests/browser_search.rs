//! Search in a real browser: headless Chromium queries a fixture site served over HTTP from a
//! sub-path, and the same site built with `--offline` and opened from disk. Runs when
//! `PUFA_BROWSER_TESTS=1` (set by .ci/run, which installs Chromium).

mod common;

use common::*;

/// The titles listed for `query` on the search page at `search_url` (no query string).
fn results(search_url: &str, query: &str) -> (Vec<String>, String) {
    let encoded: String = query.bytes().map(|b| format!("%{b:02X}")).collect();
    let dom = chromium_dom(&format!("{search_url}?q={encoded}"));
    let status = dom
        .split("id=\"search-status\"")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        status.contains("data-done=\"true\""),
        "search did not finish: {dom}"
    );
    let mut titles = Vec::new();
    for item in dom.split("class=\"search-title\"").skip(1) {
        let link = item.split("</a>").next().unwrap();
        titles.push(link.rsplit('>').next().unwrap().to_string());
    }
    (titles, status)
}

fn check_queries(search_url: &str, link_suffix: &str) {
    // Only one article has 欠薪, in its body.
    let (titles, _) = results(search_url, "欠薪");
    assert_eq!(titles, ["年底讨薪指南"]);
    // A title term: the page with the phrase, not the one with 防范 and 诈骗 far apart.
    let (titles, _) = results(search_url, "防范诈骗");
    assert_eq!(titles, ["防范诈骗三句话"]);
    // No page has the phrase: pages with its words apart are offered, and said to be so.
    let (titles, status) = results(search_url, "防范危险");
    assert_eq!(titles, ["提高安全意识"]);
    assert!(status.contains("完全一致"), "{status}");
    // Mixed digits and Chinese.
    let (titles, _) = results(search_url, "110报警");
    assert_eq!(titles, ["提高安全意识"]);
    // Nowhere.
    let (titles, status) = results(search_url, "高空抛物");
    assert!(titles.is_empty());
    assert!(status.contains("没有找到"), "{status}");
    // Result links lead to the pages, relative to the search page.
    let dom = chromium_dom(&format!("{search_url}?q=%E5%B1%85%E4%BD%8F%E6%9D%83"));
    assert!(
        dom.contains(&format!("href=\"../articles/wu-guan/{link_suffix}\"")),
        "{dom}"
    );
    assert!(dom.contains("<mark>居住权</mark>"), "{dom}");
}

#[test]
fn search_works_from_a_sub_path_over_http() {
    if !browser_tests_enabled("search_works_from_a_sub_path_over_http") {
        return;
    }
    let site = fixture("search/basic");
    build_ok(site.path(), &[]);
    let base = serve(&site.path().join("public"), "/county/pufa/");
    check_queries(&format!("{base}search/"), "");
}

#[test]
fn search_works_opened_from_disk() {
    if !browser_tests_enabled("search_works_opened_from_disk") {
        return;
    }
    let site = fixture("search/basic");
    build_ok(site.path(), &["--offline"]);
    let page = site.path().join("public/search/index.html");
    check_queries(&format!("file://{}", page.display()), "index.html");
}
