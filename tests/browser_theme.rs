//! The default theme in a real browser: axe-core finds no accessibility problem of any
//! impact on any page kind at phone and desktop widths (Lighthouse's accessibility score
//! is made of these audits), nothing scrolls sideways on a 375 px phone, the 字号 control
//! enlarges the text and is remembered across pages, and an article prints as a short handout
//! on A4 with its QR code, and the 扫码 button brings the code into view. Runs when `PUFA_BROWSER_TESTS=1`; `.ci/run` installs Chromium and
//! poppler-utils, and axe-core from npm, whose path it passes in `AXE_CORE_JS`.

mod common;
#[path = "common/driver.rs"]
mod driver;

use common::*;
use std::fs;
use std::process::Command;

/// Every page kind of the basic fixture.
const PAGES: &[&str] = &[
    "",
    "articles/fang-fan-dian-xin-zha-pian/",
    "episodes/di-yi-ji/",
    "episodes/di-er-ji/",
    "articles/",
    "topics/",
    "topics/dianxin-zhapian/",
    "months/",
    "months/2023-06/",
    "series/pu-fa-xiao-ju-chang/",
    "laws/",
    "laws/min-fa-dian/",
    "guanyu/",
    "search/?q=%E8%AF%88%E9%AA%97",
    "404.html",
];

const HARNESS: &str = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>audit</title></head><body>
<iframe id="frame" title="被检查的页面" style="width:375px;height:700px;border:0"></iframe>
<pre id="out">running</pre>
<script>
var PAGES = __PAGES__;
var AXE = new URL("axe.min.js", location.href).href;
function open(url) {
  return new Promise(function (resolve) {
    var f = document.getElementById("frame");
    f.onload = function () { setTimeout(function () { resolve(f); }, 50); };
    f.src = url;
  });
}
function inject(doc) {
  return new Promise(function (resolve, reject) {
    var s = doc.createElement("script");
    s.src = AXE; s.onload = resolve; s.onerror = reject;
    doc.head.appendChild(s);
  });
}
function fontSize(f) {
  return f.contentWindow.getComputedStyle(f.contentDocument.documentElement).fontSize;
}
async function main() {
  var report = { pages: {}, desktop: {} };
  // At a desktop width first: every violation of any impact (what Lighthouse scores).
  document.getElementById("frame").style.width = "1280px";
  for (var i = 0; i < PAGES.length; i++) {
    var f = await open("../" + PAGES[i]);
    await inject(f.contentDocument);
    var wide = await f.contentWindow.axe.run(f.contentDocument);
    // What axe could not decide (text over a picture) counts too, as pa11y counts it.
    report.desktop[PAGES[i]] = wide.violations.concat(wide.incomplete).map(function (v) {
      return v.id + " (" + v.impact + ") @ " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(" | ");
    });
  }
  document.getElementById("frame").style.width = "375px";
  for (var i = 0; i < PAGES.length; i++) {
    var f = await open("../" + PAGES[i]);
    var doc = f.contentDocument;
    await inject(doc);
    var result = await f.contentWindow.axe.run(doc, { resultTypes: ["violations"] });
    var small = Array.prototype.filter.call(
      doc.querySelectorAll(".site-nav a, .reader-tools button, .site-search button, .page-tools button, .pager a, .more a, .search-row button, .embed-play"),
      function (el) { var r = el.getBoundingClientRect(); return r.width > 0 && (r.height < 44 || r.width < 44); }
    ).map(function (el) { return el.outerHTML.slice(0, 80); });
    report.pages[PAGES[i]] = {
      small: small,
      violations: result.violations.map(function (v) {
          return v.id + " (" + v.impact + ") @ " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(" | ");
        }),
      width: doc.documentElement.scrollWidth,
    };
  }
  var article = await open("../" + PAGES[1]);
  var normal = fontSize(article);
  article.contentDocument.querySelector('[data-font="large"]').click();
  var large = fontSize(article);
  var other = await open("../" + PAGES[4]);
  var remembered = fontSize(other);
  other.contentDocument.querySelector('[data-font="medium"]').click();
  report.font = { normal: normal, large: large, remembered: remembered, reset: fontSize(other) };
  document.getElementById("out").textContent = JSON.stringify(report);
}
main().catch(function (e) { document.getElementById("out").textContent = "ERROR " + e; });
</script>
</body></html>
"#;

#[test]
fn every_page_kind_passes_axe_and_fits_a_phone() {
    if !browser_tests_enabled("every_page_kind_passes_axe_and_fits_a_phone") {
        return;
    }
    let axe = std::env::var("AXE_CORE_JS")
        .expect("AXE_CORE_JS must name axe.min.js (npm install axe-core), as .ci/run does");
    let site = fixture("build/basic");
    // With a banner and an emblem, as county sites have.
    let config = site.path().join("site.yaml");
    let yaml = read(&config).replace(
        "organization:\n",
        "banner: media/poster.png\norganization:\n  emblem: media/poster.png\n",
    );
    fs::write(&config, yaml).unwrap();
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    // The harness lives beside the pages for this test only, on the same origin.
    let harness = public.join("__audit");
    fs::create_dir_all(&harness).unwrap();
    fs::copy(&axe, harness.join("axe.min.js")).unwrap();
    let pages = serde_json::to_string(PAGES).unwrap();
    fs::write(
        harness.join("index.html"),
        HARNESS.replace("__PAGES__", &pages),
    )
    .unwrap();

    let base = serve(&public, "/pufa/");
    let dom = chromium_dom_with_budget(&format!("{base}__audit/"), 120_000);
    let out = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_default()
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("audit did not finish: {out}"));
    let mut problems = Vec::new();
    for page in PAGES {
        let result = &report["pages"][page];
        for violation in result["violations"].as_array().unwrap() {
            problems.push(format!("/{page} at 375 px: {violation}"));
        }
        for violation in report["desktop"][page].as_array().unwrap() {
            problems.push(format!("/{page} at 1280 px: {violation}"));
        }
        for target in result["small"].as_array().unwrap() {
            problems.push(format!("/{page}: touch target under 44 px: {target}"));
        }
        let width = result["width"].as_u64().unwrap();
        if width > 375 {
            problems.push(format!("/{page}: {width} px wide at 375 px"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let font = &report["font"];
    assert_eq!(
        font["normal"], "16px",
        "phones get 16 px by default: {font}"
    );
    assert_eq!(font["large"], "21px", "大 enlarges the text: {font}");
    assert_eq!(
        font["remembered"], "21px",
        "and the next page remembers it: {font}"
    );
    assert_eq!(font["reset"], "16px", "中 goes back: {font}");
}

#[test]
fn an_article_prints_as_a_handout_with_its_qr_code() {
    if !browser_tests_enabled("an_article_prints_as_a_handout_with_its_qr_code") {
        return;
    }
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let page = site
        .path()
        .join("public/articles/fang-fan-dian-xin-zha-pian/index.html");
    let pdf = site.path().join("article.pdf");
    let profile = tempfile::tempdir().unwrap();
    let status = chromium(profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success());
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(
        (1..=2).contains(&pages),
        "a one- or two-page handout, not {pages}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Page size:") && l.ends_with("(A4)")),
        "printed on A4:\n{info}"
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "防范电信诈骗",
        "2023年6月10日",
        "来源：测试县司法局",
        "扫码阅读全文",
        "https://example.org/pufa/articles/fang-fan-dian-xin-zha-pian/",
    ] {
        assert!(
            text.contains(expected),
            "{expected} missing from the print:\n{text}"
        );
    }
    for hidden in ["搜索", "字号", "打印", "普法视频", "上一篇"] {
        assert!(!text.contains(hidden), "{hidden} should not print:\n{text}");
    }
}

/// An episode's handout says its code leads to the video.
#[test]
fn an_episode_handout_says_the_code_plays_the_video() {
    if !browser_tests_enabled("an_episode_handout_says_the_code_plays_the_video") {
        return;
    }
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let page = site.path().join("public/episodes/di-yi-ji/index.html");
    let pdf = site.path().join("episode.pdf");
    let profile = tempfile::tempdir().unwrap();
    let status = chromium(profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success());
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("扫码观看视频"), "{text}");
    assert!(!text.contains("扫码阅读全文"), "{text}");
}

/// The 手机扫码阅读 button opens the code at the foot of a long article, scrolls to it and
/// moves the focus there.
#[tokio::test(flavor = "multi_thread")]
async fn the_qr_button_scrolls_to_the_code_and_focuses_it() {
    if !browser_tests_enabled("the_qr_button_scrolls_to_the_code_and_focuses_it") {
        return;
    }
    let site = fixture("build/basic");
    // A long article: the code is well below the first screen.
    let article = site.path().join("content/articles/防范电信诈骗.md");
    let mut text = read(&article);
    for n in 0..80 {
        text.push_str(&format!(
            "\n第{n}段：接到陌生来电要求转账，先挂断，再拨打官方电话核实。\n"
        ));
    }
    fs::write(&article, text).unwrap();
    build_ok(site.path(), &[]);
    let page = site
        .path()
        .join("public/articles/fang-fan-dian-xin-zha-pian/index.html");
    let driver = driver::Driver::start();
    let (client, _profile) = driver::browser(&driver).await;
    client.set_window_size(375, 740).await.unwrap();
    client
        .goto(&format!("file://{}", page.display()))
        .await
        .unwrap();
    client
        .find(fantoccini::Locator::Css("button[data-qr]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let seen = client
        .execute(
            "var box = document.getElementById('qr-box'); var r = box.getBoundingClientRect();
             return [r.top >= 0 && r.bottom <= innerHeight, document.activeElement === box, scrollY];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(seen[0], true, "the code is on screen: {seen}");
    assert_eq!(seen[1], true, "the code has the focus: {seen}");
    assert!(
        seen[2].as_f64().unwrap() > 1000.0,
        "the page scrolled: {seen}"
    );
    client.close().await.unwrap();
}

/// Opened from disk (`--offline`, from a USB stick), an episode still shows its captions:
/// Chromium refuses a `.vtt` file beside a `file://` page, so the page carries them.
#[tokio::test(flavor = "multi_thread")]
async fn captions_show_on_a_page_opened_from_disk() {
    if !browser_tests_enabled("captions_show_on_a_page_opened_from_disk") {
        return;
    }
    let site = fixture("build/basic");
    build_ok(site.path(), &["--offline"]);
    let page = site.path().join("public/episodes/di-yi-ji/index.html");
    let driver = driver::Driver::start();
    let (client, _profile) = driver::browser(&driver).await;
    client
        .goto(&format!("file://{}", page.display()))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let cues = loop {
        // readyState 2: loaded; 3: failed.
        let state = client
            .execute(
                "var t = document.querySelector('track');
                 return [t.readyState, t.track.cues ? t.track.cues.length : 0, t.track.mode];",
                vec![],
            )
            .await
            .unwrap();
        if state[0] == 2 || state[0] == 3 || started.elapsed().as_secs() > 10 {
            break state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(cues[0], 2, "the captions loaded: {cues}");
    assert!(cues[1].as_u64().unwrap() > 0, "with cues: {cues}");
    client.close().await.unwrap();
}

/// The kiosk on a portrait service-station screen: the page fills the screen, every control
/// outside the text takes a finger (64 px), there is no 打印, 返回 goes back, and with nobody
/// at the screen an inner page returns to the home screen by itself.
#[tokio::test(flavor = "multi_thread")]
async fn the_kiosk_fills_a_portrait_screen_goes_back_and_returns_home_when_idle() {
    if !browser_tests_enabled(
        "the_kiosk_fills_a_portrait_screen_goes_back_and_returns_home_when_idle",
    ) {
        return;
    }
    let site = fixture("build/basic");
    let config = site.path().join("site.yaml");
    fs::write(
        &config,
        format!("{}theme: kiosk\nextra:\n  idle_seconds: 3\n", read(&config)),
    )
    .unwrap();
    // A screen in a village service station opens the site from a folder.
    build_ok(site.path(), &["--offline"]);
    let public = site.path().join("public");
    let home = format!("file://{}/index.html", public.display());
    let driver = driver::Driver::start();
    let (client, _profile) = driver::browser(&driver).await;
    client.set_window_size(1080, 1920).await.unwrap();
    // Controls smaller than a finger, on a page (links inside the text excepted).
    const SMALL: &str = "var small = [];
        document.querySelectorAll('a, button').forEach(function (e) {
          if (e.closest('.prose') || e.classList.contains('skip-link')) return;
          var r = e.getBoundingClientRect();
          if (r.width === 0 || getComputedStyle(e).visibility === 'hidden') return;
          if (r.width < 64 || r.height < 64) small.push(e.textContent.trim() + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
        });
        return small;";
    client.goto(&home).await.unwrap();
    let seen = client
        .execute(
            "var f = document.querySelector('.kiosk-footer').getBoundingClientRect();
             return [f.bottom >= innerHeight - 1, !!document.getElementById('kiosk-articles'),
                     !!document.querySelector('[data-back]')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(seen[0], true, "the home screen fills the screen: {seen}");
    assert_eq!(
        seen[1], true,
        "the newest articles are on the home screen: {seen}"
    );
    assert_eq!(seen[2], false, "no 返回 on the home screen: {seen}");
    let small = client.execute(SMALL, vec![]).await.unwrap();
    assert_eq!(small, serde_json::json!([]), "on the home screen");

    for page in [
        "articles/fang-fan-dian-xin-zha-pian/",
        "episodes/di-yi-ji/",
        "articles/",
        "topics/dianxin-zhapian/",
        "laws/min-fa-dian/",
    ] {
        client
            .goto(&format!("file://{}/{page}index.html", public.display()))
            .await
            .unwrap();
        let small = client.execute(SMALL, vec![]).await.unwrap();
        assert_eq!(small, serde_json::json!([]), "on {page}");
        let print = client
            .execute("return !!document.querySelector('[data-print]');", vec![])
            .await
            .unwrap();
        assert_eq!(print, false, "no 打印 on {page}");
    }

    // 返回 goes back to where the reader came from (here the list, not the home screen).
    let list = format!("file://{}/articles/index.html", public.display());
    client.goto(&list).await.unwrap();
    client
        .find(fantoccini::Locator::Css(".item a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let article = client.current_url().await.unwrap();
    assert!(article.as_str().contains("/articles/"), "{article}");
    client
        .wait()
        .for_element(fantoccini::Locator::Css("[data-back]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&client, &list).await;

    // Left alone on an inner page, the screen goes home by itself.
    client
        .goto(&format!(
            "file://{}/articles/fang-fan-dian-xin-zha-pian/index.html",
            public.display()
        ))
        .await
        .unwrap();
    let left = std::time::Instant::now();
    wait_for_url(&client, &home).await;
    assert!(
        left.elapsed() >= std::time::Duration::from_secs(3),
        "not before the idle time: {:?}",
        left.elapsed()
    );
    client.close().await.unwrap();
}

/// Waits up to 15 s for the browser to be at `url`.
async fn wait_for_url(client: &fantoccini::Client, url: &str) {
    let started = std::time::Instant::now();
    loop {
        let now = client.current_url().await.unwrap();
        if now.as_str() == url {
            return;
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "still at {now}, not {url}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// On a 375 px phone the header leaves room for the page: what the reader came for starts
/// within 200 px, and 字号 and 高对比度 are still there.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_page_starts_within_200_px() {
    if !browser_tests_enabled("on_a_phone_the_page_starts_within_200_px") {
        return;
    }
    let site = fixture("build/basic");
    build_ok(site.path(), &["--offline"]);
    let public = site.path().join("public");
    let driver = driver::Driver::start();
    let (client, _profile) = driver::browser(&driver).await;
    client.set_window_size(375, 812).await.unwrap();
    for page in [
        "index.html",
        "articles/fang-fan-dian-xin-zha-pian/index.html",
        "articles/index.html",
        "episodes/di-yi-ji/index.html",
    ] {
        client
            .goto(&format!("file://{}/{page}", public.display()))
            .await
            .unwrap();
        let seen = client
            .execute(
                "var main = document.querySelector('main');
                 var first = Array.prototype.find.call(main.children,
                     function (e) { return !e.classList.contains('breadcrumbs'); });
                 var shown = function (s) { var e = document.querySelector(s);
                   var r = e.getBoundingClientRect(); return r.width > 0 && r.bottom <= 200; };
                 return [Math.round(first.getBoundingClientRect().top),
                         shown('[data-font=large]'), shown('[data-contrast]'),
                         shown('.search-link'),
                         document.documentElement.scrollWidth <= innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            seen[0].as_f64().unwrap() <= 200.0,
            "{page}: the page starts at {seen}"
        );
        assert_eq!(seen[1], true, "{page}: 字号 is in the header: {seen}");
        assert_eq!(seen[2], true, "{page}: 高对比度 is in the header: {seen}");
        assert_eq!(seen[3], true, "{page}: 搜索 is in the header: {seen}");
        assert_eq!(seen[4], true, "{page}: nothing scrolls sideways: {seen}");
    }
    client.close().await.unwrap();
}

/// A mistyped or removed address deep under the site's sub-path gets the site's 404 page,
/// styled, with links that stay on this host and lead to pages.
#[tokio::test(flavor = "multi_thread")]
async fn a_deep_404_under_a_sub_path_is_styled_and_its_links_work() {
    if !browser_tests_enabled("a_deep_404_under_a_sub_path_is_styled_and_its_links_work") {
        return;
    }
    let site = fixture("build/basic");
    // The fixture's base_url is https://example.org/pufa/: the host here is another one.
    build_ok(site.path(), &[]);
    let base = serve(&site.path().join("public"), "/pufa/");
    let driver = driver::Driver::start();
    let (client, _profile) = driver::browser(&driver).await;
    client
        .goto(&format!("{base}articles/no/such/"))
        .await
        .unwrap();
    let seen = client
        .execute(
            "return [getComputedStyle(document.querySelector('.site-header')).backgroundColor,
                     document.title,
                     Array.prototype.map.call(document.querySelectorAll('a[href]'), function (a) { return a.href; })];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(seen[0], "rgb(179, 38, 30)", "styled: {seen}");
    assert!(seen[1].as_str().unwrap().contains("页面不存在"), "{seen}");
    let links: Vec<String> = seen[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .filter(|l| l.starts_with("http://127.0.0.1"))
        // 跳到正文 stays on this page.
        .filter(|l| !l.contains("/no/such/#"))
        .collect();
    assert!(links.len() > 5, "{seen}");
    for link in &links {
        assert!(
            link.starts_with(&base),
            "{link} leaves the site's path {base}"
        );
        let status = http_status(link);
        assert_eq!(status, 200, "{link} from the 404 page");
    }
    client.close().await.unwrap();
}

/// The status code of a GET of `url` (http://host:port/path, on this machine).
fn http_status(url: &str) -> u16 {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let path = path.split('#').next().unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}
