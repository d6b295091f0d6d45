//! Scheduled, expiring, revised and pinned items, on a fixture site with a fixed clock:
//! `tests/fixtures/schedule/basic/`, built as on 2026-12-01 at noon, China time.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// 2026-12-01 12:00 China time.
const NOON_DEC_1: &str = "1796097600";

fn build_at(site: &Path, epoch: &str, extra: &[&str]) -> String {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let out = pufa_with_env(site, &args, &[("SOURCE_DATE_EPOCH", epoch)]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed:\n{stderr}");
    stderr
}

/// Every output file that holds `text`.
fn holding(public: &Path, text: &str) -> Vec<String> {
    contents(public)
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(text))
        .map(|(file, _)| file)
        .collect()
}

#[test]
fn future_and_expired_items_are_in_no_output_until_and_after_their_dates() {
    let site = fixture("schedule/basic");
    let public = site.path().join("public");
    build_at(site.path(), NOON_DEC_1, &[]);
    // Titles, and words of their text the search index would hold.
    for absent in [
        "定时发布的防诈提醒",
        "写错年份的文章",
        "已经结束的报名通知",
        "报名已经截止",
        "ding-shi-wen-zhang",
        "yi-xia-xian",
    ] {
        assert_eq!(holding(&public, absent), Vec::<String>::new(), "{absent}");
    }
    for present in ["平常的文章", "即将截止的征文通知", "修订过的办事指南"] {
        assert!(
            holding(&public, present).contains(&"feed.xml".to_string()),
            "{present}"
        );
    }
    // The feed is as new as its newest change, not as its furthest date.
    let feed = read(&public.join("feed.xml"));
    let first = feed.find("<updated>").unwrap();
    assert_eq!(
        &feed[first..first + 34],
        "<updated>2026-11-28T15:30:00+08:00"
    );
    assert!(!feed.contains("2099"), "{feed}");

    // On the day, at the hour, the scheduled item appears everywhere; the year 2099 waits.
    build_at(site.path(), "1796432400", &[]); // 2026-12-05 09:00 China time
    assert!(holding(&public, "定时发布的防诈提醒").contains(&"index.html".to_string()));
    assert!(read(&public.join("sitemap.xml")).contains("/articles/ding-shi-wen-zhang/"));
    assert!(holding(&public, "写错年份的文章").is_empty());
    // `expires: 2026-12-10` is up through that day and gone the next.
    build_at(site.path(), "1796961600", &[]); // 2026-12-11 00:00 China time
    assert!(holding(&public, "即将截止的征文通知").is_empty());
    assert!(!public.join("articles/ji-jiang-xia-xian").exists());

    // --future publishes what is dated later, and says so.
    let stderr = build_at(site.path(), NOON_DEC_1, &["--future"]);
    assert!(stderr.contains("lint/future-date"), "{stderr}");
    assert!(!holding(&public, "写错年份的文章").is_empty());
}

#[test]
fn check_lists_what_appears_or_goes_within_fourteen_days() {
    let site = fixture("schedule/basic");
    let out = pufa_with_env(
        site.path(),
        &["check"],
        &[("SOURCE_DATE_EPOCH", NOON_DEC_1)],
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
    // Build and preview do not show notes.
    let stderr = build_at(site.path(), NOON_DEC_1, &[]);
    assert!(!stderr.contains("content/schedule"), "{stderr}");
}

/// A scheduled article's mistakes are found before its day with `check --future`; plain
/// `check` checks the site as it is today, where the article is not yet.
#[test]
fn check_future_checks_scheduled_articles_before_they_appear() {
    let site = fixture("schedule/basic");
    let article = site.path().join("content/articles/定时文章.md");
    fs::write(
        &article,
        format!("{}\n详见[办事指南](没有这篇.md)。\n", read(&article)),
    )
    .unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec!["check"];
        args.extend_from_slice(extra);
        let out = pufa_with_env(site.path(), &args, &[("SOURCE_DATE_EPOCH", NOON_DEC_1)]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, said) = check(&[]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("pufa check --future"),
        "the note says how: {said}"
    );
    let (code, said) = check(&["--future"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("content/articles/定时文章.md:9:") && said.contains("没有这篇.md"),
        "{said}"
    );
}

#[test]
fn a_revised_item_shows_its_update_time_everywhere_dates_are_read() {
    let site = fixture("schedule/basic");
    build_at(site.path(), NOON_DEC_1, &[]);
    let public = site.path().join("public");
    let page = read(&public.join("articles/xiu-ding-guo-de/index.html"));
    assert!(
        page.contains(
            "更新时间：<time datetime=\"2026-11-28T15:30:00+08:00\">2026年11月28日</time>"
        ),
        "{page}"
    );
    assert!(page.contains("\"dateModified\":\"2026-11-28T15:30:00+08:00\""));
    assert!(page.contains("\"datePublished\":\"2026-11-02T00:00:00+08:00\""));
    let sitemap = read(&public.join("sitemap.xml"));
    assert!(sitemap.contains(
        "<loc>https://pufa.example.gov.cn/articles/xiu-ding-guo-de/</loc><lastmod>2026-11-28</lastmod>"
    ));
    // An item never revised has no 更新时间.
    let plain = read(&public.join("articles/ping-chang-de-wen-zhang/index.html"));
    assert!(!plain.contains("更新时间"));
}

#[test]
fn a_pinned_item_comes_first_and_says_so() {
    let site = fixture("schedule/basic");
    build_at(site.path(), NOON_DEC_1, &[]);
    let public = site.path().join("public");
    for list in ["index.html", "articles/index.html"] {
        let html = main_of(&read(&public.join(list)));
        // The list page's items have headings; the home page's block is a dated list.
        let titles: Vec<&str> = if list == "index.html" {
            let block = html.split("<ul class=\"dated-list\">").nth(1).unwrap();
            let block = block.split("</ul>").next().unwrap();
            block
                .split("<a href=\"")
                .skip(1)
                .map(|item| item.split(['<', '>']).nth(1).unwrap_or_default())
                .collect()
        } else {
            html.split("<h3 class=\"item-title\"><a href=\"")
                .skip(1)
                .map(|item| item.split(['<', '>']).nth(1).unwrap_or_default())
                .collect()
        };
        assert_eq!(
            titles,
            [
                "置顶的重要通知",
                "平常的文章",
                "即将截止的征文通知",
                "修订过的办事指南"
            ],
            "{list}"
        );
        assert_eq!(html.matches(">置顶</span>").count(), 1, "{list}");
    }
    // Older and newer links keep to the dates.
    let pinned = read(&public.join("articles/zhi-ding-tong-zhi/index.html"));
    assert!(
        pinned.contains("修订过的办事指南"),
        "the next newer article"
    );
    // Dates in lists read as on article pages.
    let list = read(&public.join("articles/index.html"));
    assert!(list.contains("<time datetime=\"2026-01-05T00:00:00+08:00\">2026年1月5日</time>"));
}

#[test]
fn schedule_mistakes_are_caught_before_the_day() {
    let site = fixture("schedule/basic");
    let articles = site.path().join("content/articles");
    // Taken down before it is up; and a scheduled item on the address of a published one,
    // which would stop the build on the morning it appears.
    std::fs::write(
        articles.join("永远不出现.md"),
        "---\ntitle: 永远不出现\ndate: 2026-12-10\nexpires: 2026-12-09\n---\n\n正文。\n",
    )
    .unwrap();
    std::fs::write(
        articles.join("撞网址.md"),
        "---\ntitle: 撞网址\ndate: 2026-12-03\nslug: ping-chang-de-wen-zhang\n---\n\n正文。\n",
    )
    .unwrap();
    let out = pufa_with_env(
        site.path(),
        &["check"],
        &[("SOURCE_DATE_EPOCH", NOON_DEC_1)],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("警告[front-matter/expires-before-date]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("错误[content/duplicate-url]")
            && stdout.contains("/articles/ping-chang-de-wen-zhang/"),
        "{stdout}"
    );
}
