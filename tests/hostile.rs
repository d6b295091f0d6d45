//! Sites made as an attacker or a careless editor would make them: one fixture per class of
//! input that once wrote outside the site, overwrote a page, panicked or changed a value
//! (`tests/fixtures/hostile/<case>/`), and a test that `check` and `build` report the same
//! on every fixture of the project.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Runs `check` and `build` on the fixture `name` (today being 2023-06-05); asserts they
/// agree and returns (exit code, the report with the site's folder redacted).
fn check_and_build(site: &Path) -> (i32, String) {
    let env = [("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)];
    let check = pufa_with_env(site, &["check"], &env);
    let build = pufa_with_env(site, &["build"], &env);
    let code = check.status.code().expect("exit code");
    assert_eq!(build.status.code(), Some(code), "check and build disagree");
    let checked = String::from_utf8_lossy(&check.stdout).into_owned();
    let built = redacted_stderr(&build, site);
    // Notes are check's alone.
    assert_eq!(
        without_notes(diagnostics_of(&built)),
        without_notes(diagnostics_of(&checked))
    );
    if code != 0 {
        assert!(
            !site.join("public").exists(),
            "a failed build wrote its output"
        );
    }
    (code, checked.replace(&site.display().to_string(), "[SITE]"))
}

/// A report's diagnostics without the notes (说明), which only `check` shows.
fn without_notes(report: &str) -> Vec<&str> {
    report
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty() && !block.starts_with("说明["))
        .collect()
}

/// A report without its last line (the tally, which `check` and `build` word differently).
fn diagnostics_of(report: &str) -> &str {
    let report = report.trim_end();
    report.rfind('\n').map_or("", |i| &report[..i])
}

/// Every file under the folder that holds the site, except the site's own output.
fn around(site: &Path) -> Vec<String> {
    let parent = site.parent().unwrap();
    files(parent)
        .into_iter()
        .filter(|f| !f.contains("/public/"))
        .collect()
}

#[test]
fn a_topic_slug_cannot_climb_out_of_the_site() {
    let holder = tempfile::tempdir().unwrap();
    let site = holder.path().join("site");
    copy_dir(
        &repo_root().join("tests/fixtures/hostile/topic-slug-climbs"),
        &site,
    );
    let before = around(&site);
    let (code, report) = check_and_build(&site);
    assert_eq!(code, 0, "{report}");
    assert_eq!(around(&site), before, "nothing is written outside public/");
    // `../../../x` is a slug like any other name: only its letters count.
    assert!(site.join("public/topics/x/index.html").is_file());
    assert!(!holder.path().join("x").exists());
}

#[test]
fn slugs_without_letters_are_errors_at_their_line() {
    let site = fixture("hostile/topic-slug-dots");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn badly_named_month_files_are_errors_not_panics() {
    let site = fixture("hostile/month-file-names");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn shortcodes_nested_a_thousand_deep_are_an_error() {
    let site = fixture("hostile/deep-shortcodes");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    assert!(!report.contains("panicked"));
    insta::assert_snapshot!(report);
}

#[test]
fn quotes_and_lists_nested_a_hundred_deep_are_an_error() {
    let site = fixture("hostile/deep-shortcodes");
    fs::remove_file(site.path().join("content/articles/shen.md")).unwrap();
    for (name, marker) in [("yin", "> "), ("lie", "- ")] {
        fs::write(
            site.path().join(format!("content/articles/{name}.md")),
            format!(
                "---\ntitle: 很深\ndate: 2023-06-02\n---\n\n{}最里面\n",
                marker.repeat(100)
            ),
        )
        .unwrap();
    }
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    assert_eq!(
        report.matches("错误[markdown/too-deep]").count(),
        2,
        "{report}"
    );
    assert!(
        report.contains("--> content/articles/lie.md:6:"),
        "{report}"
    );
}

#[test]
fn aliases_cannot_replace_generated_pages() {
    let site = fixture("hostile/alias-conflicts");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn aliases_cannot_leave_the_output() {
    let site = fixture("hostile/alias-outside");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn files_in_content_cannot_replace_pages_or_each_other() {
    let site = fixture("hostile/content-file-conflicts");
    // Two names that only differ in case are one file on Windows and on a USB stick; made
    // here, since a checkout on such a disk could not hold them.
    fs::write(site.path().join("content/media/photo.png"), "b").unwrap();
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
    // The same, whatever the number of threads.
    for threads in ["1", "2"] {
        let out = pufa_with_env(
            site.path(),
            &["check"],
            &[
                ("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH),
                ("RAYON_NUM_THREADS", threads),
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout)
            .replace(&site.path().display().to_string(), "[SITE]");
        assert_eq!(text, report, "{threads} threads");
    }
}

#[test]
fn a_file_cannot_stand_where_a_folder_must() {
    let site = fixture("hostile/file-folder-conflicts");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn names_windows_keeps_and_themes_from_elsewhere_are_refused() {
    let site = fixture("hostile/reserved-names");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn an_item_with_thousands_of_topics_is_an_error_not_a_hang() {
    let site = fixture("hostile/topic-slug-climbs");
    let names: Vec<String> = (0..2000).map(|i| format!("专题{i}")).collect();
    let mut config = read(&site.path().join("site.yaml"));
    config = config.replace(
        "topics:\n",
        &format!(
            "topics:\n{}",
            names
                .iter()
                .map(|n| format!("  - {n}\n"))
                .collect::<String>()
        ),
    );
    fs::write(site.path().join("site.yaml"), config).unwrap();
    fs::write(
        site.path().join("content/articles/many.md"),
        format!(
            "---\ntitle: 很多专题\ndate: 2023-06-02\ntopics: [{}]\n---\n\n正文。\n",
            names.join(", ")
        ),
    )
    .unwrap();
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    assert!(
        report.contains("最多写 20 个专题，这里写了 2000 个"),
        "{report}"
    );
}

#[cfg(unix)]
#[test]
fn an_output_folder_linked_into_content_is_not_published_again() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    std::os::unix::fs::symlink("../public", site.path().join("content/pub")).unwrap();
    let stderr = build_ok(site.path(), &[]);
    assert!(
        stderr.contains("这是 pufa 生成的输出文件夹，不作为网站内容发布"),
        "{stderr}"
    );
    assert!(!site.path().join("public/pub").exists());
}

#[test]
fn the_output_cannot_be_led_into_content() {
    let site = fixture("build/basic");
    #[cfg(unix)]
    std::os::unix::fs::symlink("content", site.path().join("link")).unwrap();
    let before = files(&site.path().join("content"));
    let mut outputs = vec!["missing/../content/new", "content/../content/x"];
    if cfg!(unix) {
        outputs.extend(["link/new", "link/../content/y"]);
    }
    for output in outputs {
        let out = pufa(site.path(), &["build", "--output", output]);
        assert_eq!(out.status.code(), Some(1), "{output}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("它在网站的 content 文件夹里"),
            "{output}: {stderr}"
        );
    }
    assert_eq!(files(&site.path().join("content")), before);
    assert!(!site.path().join("missing").exists());
}

#[test]
fn an_output_under_a_file_says_why_in_chinese() {
    let site = fixture("build/basic");
    let out = pufa(site.path(), &["build", "--output", "site.yaml/public"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(redacted_stderr(&out, site.path()));
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_not_published() {
    let holder = tempfile::tempdir().unwrap();
    fs::write(holder.path().join("secret.txt"), "机密").unwrap();
    fs::create_dir_all(holder.path().join("folder")).unwrap();
    fs::write(holder.path().join("folder/a.png"), "图").unwrap();
    let site = holder.path().join("site");
    copy_dir(&repo_root().join("tests/fixtures/build/basic"), &site);
    let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, site.join(at)).unwrap();
    link(&holder.path().join("secret.txt"), "content/passwd.txt");
    link(&holder.path().join("folder"), "content/elsewhere");
    link(&site.join("content/media"), "content/inside");
    link(&site.join("content"), "content/media/loop");
    let stderr = build_ok(&site, &[]);
    for at in ["content/passwd.txt", "content/elsewhere"] {
        let warned = format!(
            "以外（{}），不发布\n--> {at}\n",
            holder
                .path()
                .join(if at.ends_with("txt") {
                    "secret.txt"
                } else {
                    "folder"
                })
                .display()
        );
        assert!(stderr.contains(&warned), "{warned}: {stderr}");
    }
    assert!(stderr.contains("符号链接指回了上层文件夹"), "{stderr}");
    let public = site.join("public");
    assert!(!public.join("passwd.txt").exists());
    assert!(!public.join("elsewhere").exists());
    // A link inside the site is followed, once.
    assert!(public.join("inside/poster.png").is_file());
    assert!(!public.join("media/loop").exists());
}

#[test]
fn characters_xml_forbids_never_reach_the_output() {
    let site = fixture("hostile/control-characters");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 0, "{report}");
    insta::assert_snapshot!(report);
    let public = site.path().join("public");
    for file in files(&public) {
        let Ok(text) = fs::read_to_string(public.join(&file)) else {
            continue;
        };
        let bad = text.chars().find(|&c| pufa::text::is_forbidden(c));
        assert_eq!(bad, None, "{file}");
    }
    let article = read(&public.join("articles/fang-zha/index.html"));
    assert!(article.contains("字符引用 ab  也一样"), "{article}");
    let feed = read(&public.join("feed.xml"));
    assert!(feed.contains("<title>防范电信诈骗</title>"), "{feed}");
    assert!(read(&public.join("index.html")).contains("测试县司法局"));
}

#[test]
fn text_fields_keep_their_leading_zeros_and_words() {
    let site = fixture("hostile/yaml-scalars");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 0, "{report}");
    let page = read(&site.path().join("public/articles/fang-zha/index.html"));
    for written in [
        "0512000001",
        "08381234567",
        "作者：007",
        "0x10",
        "<h1>yes</h1>",
    ] {
        assert!(page.contains(written), "{written} missing from the page");
    }
    assert!(read(&site.path().join("public/articles/index.html")).contains("1e3"));
}

#[test]
fn a_key_written_twice_names_both_lines() {
    let site = fixture("hostile/duplicate-keys");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 1);
    insta::assert_snapshot!(report);
}

#[test]
fn a_long_title_gets_a_short_address_and_a_warning() {
    let site = fixture("hostile/long-slug");
    let (code, report) = check_and_build(site.path());
    assert_eq!(code, 0, "{report}");
    insta::assert_snapshot!(report);
    let articles: Vec<String> = files(&site.path().join("public/articles"))
        .into_iter()
        .filter(|f| f.ends_with("/index.html") && !f.starts_with("page/"))
        .collect();
    assert!(articles.iter().all(|f| f.len() <= 130), "{articles:?}");
}

/// `check` finds exactly what would stop `build`: on every fixture of every test, both
/// report the same diagnostics and exit with the same code.
#[test]
fn check_and_build_agree_on_every_fixture() {
    let fixtures = repo_root().join("tests/fixtures");
    let mut sites = Vec::new();
    for entry in walkdir::WalkDir::new(&fixtures).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_name() == "site.yaml" {
            sites.push(entry.path().parent().unwrap().to_path_buf());
        }
    }
    assert!(sites.len() >= 25, "found only {} fixtures", sites.len());
    for from in sites {
        let name = from.strip_prefix(&fixtures).unwrap().display().to_string();
        let site = tempfile::tempdir().unwrap();
        copy_dir(&from, site.path());
        for epoch in [ERRORS_TODAY_EPOCH, TODAY_EPOCH] {
            let env = [("SOURCE_DATE_EPOCH", epoch)];
            let check = pufa_with_env(site.path(), &["check"], &env);
            let build = pufa_with_env(site.path(), &["build", "--output", "out"], &env);
            let checked = String::from_utf8_lossy(&check.stdout).into_owned();
            let built = String::from_utf8_lossy(&build.stderr).into_owned();
            assert_eq!(
                check.status.code(),
                build.status.code(),
                "{name}:\n{checked}\n{built}"
            );
            // Notes (numbers declared public) are for `check` alone.
            let checked: String = checked
                .split_inclusive("\n\n")
                .filter(|block| !block.starts_with("说明["))
                .collect();
            assert_eq!(diagnostics_of(&built), diagnostics_of(&checked), "{name}");
            let _ = fs::remove_dir_all(site.path().join("out"));
        }
    }
}
