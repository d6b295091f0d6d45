//! `pufa init` and `pufa new`.

mod common;

use common::*;
use std::fs;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = pufa_with_env(dir, args, &[("SOURCE_DATE_EPOCH", SAMPLE_TODAY_EPOCH)]);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_initialised_site_builds_and_checks_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(dir.path(), &["init", "site"]);
    assert_eq!(code, 0);
    // The next step names pufa as it was started (here by its full path), so that it can be
    // copied as it stands.
    let binary = env!("CARGO_BIN_EXE_pufa");
    assert!(stdout.contains(&format!("{binary} build")), "{stdout}");
    insta::assert_snapshot!(stdout.replace(binary, "pufa"));
    let site = dir.path().join("site");
    let (code, _, stderr) = run(&site, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let public = site.join("public");
    assert_eq!(broken_links(&public), Vec::<String>::new());
    for page in [
        "articles/huan-ying-shi-yong/index.html",
        "episodes/di-yi-ji/index.html",
        "series/pu-fa-xiao-ju-chang/index.html",
        "months/2026-11/index.html",
        "guanyu/index.html",
        "topics/dianxin-zhapian/index.html",
        "laws/fan-dian-xin-wang-luo-zha-pian-fa/index.html",
    ] {
        assert!(public.join(page).is_file(), "{page}");
    }
    let (code, stdout, _) = run(&site, &["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("检查完成：1 个警告。"),
        "only the missing base_url: {stdout}"
    );
}

#[test]
fn init_refuses_a_folder_with_files() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "别动").unwrap();
    let (code, _, stderr) = run(dir.path(), &["init", "."]);
    assert_eq!(code, 1);
    assert!(stderr.contains("不是空文件夹"), "{stderr}");
    assert_eq!(files(dir.path()), ["notes.txt"]);
}

#[test]
fn new_writes_each_kind_with_its_front_matter() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init", "site"]);
    let site = dir.path().join("site");
    let cases = [
        (
            "article",
            "警惕“刷单返利”骗局",
            "content/articles/jing-ti-shua-dan-fan-li-pian-ju.md",
        ),
        (
            "episode",
            "第2集 客服来电",
            "content/episodes/di-2-ji-ke-fu-lai-dian.md",
        ),
        ("month", "民法典宣传月", "content/months/2026-12.md"),
        ("page", "联系我们", "content/pages/lian-xi-wo-men.md"),
    ];
    for (kind, title, path) in cases {
        let (code, stdout, stderr) = run(&site, &["new", kind, title]);
        assert_eq!(code, 0, "{kind}: {stderr}");
        assert!(stdout.contains(path), "{kind}: {stdout}");
        insta::assert_snapshot!(format!("new_{kind}"), read(&site.join(path)));
    }
    // Drafts: the site still builds, and the new article is not published yet.
    let (code, _, stderr) = run(&site, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let page = site.join("public/articles/jing-ti-shua-dan-fan-li-pian-ju/index.html");
    assert!(!page.exists());

    // Once the author turns draft off, it is published.
    let article = site.join(cases[0].2);
    fs::write(
        &article,
        read(&article).replace("draft: true", "draft: false"),
    )
    .unwrap();
    let (code, _, stderr) = run(&site, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&page).contains("警惕“刷单返利”骗局"));
}

#[test]
fn new_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init", "site"]);
    let site = dir.path().join("site");
    let path = site.join("content/pages/guanyu.md");
    let before = read(&path);
    let (code, _, stderr) = run(&site, &["new", "page", "guanyu"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("文件已经存在，pufa 不会覆盖它"), "{stderr}");
    assert!(stderr.contains("content/pages/guanyu.md"), "{stderr}");
    assert_eq!(read(&path), before);
}

#[test]
fn new_outside_a_site_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(dir.path(), &["new", "article", "标题"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("不是 pufa 网站"), "{stderr}");
    assert!(files(dir.path()).is_empty());
}
