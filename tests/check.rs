//! `pufa check` on fixture sites: one fixture per family of mistakes, with the human and the
//! JSON report snapshotted, and a malformed-input corpus that must give diagnostics, not
//! panics.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Runs `pufa check` on the site in `dir` in both formats; returns (exit code, human, JSON).
fn check(dir: &Path, epoch: &str) -> (i32, String, String) {
    let env = [("SOURCE_DATE_EPOCH", epoch)];
    let human = pufa_with_env(dir, &["check"], &env);
    let json = pufa_with_env(dir, &["check", "--format", "json"], &env);
    assert_eq!(human.status.code(), json.status.code());
    assert!(
        human.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&human.stderr)
    );
    let code = human.status.code().expect("exit code");
    let text = |b: &[u8]| {
        String::from_utf8(b.to_vec())
            .unwrap()
            .replace(&dir.display().to_string(), "[SITE]")
    };
    let json_text = text(&json.stdout);
    // The JSON report is valid JSON with the documented fields.
    let value: serde_json::Value = serde_json::from_str(&json_text).expect("valid JSON");
    for item in value.as_array().expect("an array") {
        for key in [
            "file",
            "line",
            "column",
            "severity",
            "code",
            "message",
            "suggestion",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    (code, text(&human.stdout), json_text)
}

/// Checks the fixture `name` and snapshots both reports.
fn snapshot_fixture(name: &str, epoch: &str, expected_code: i32) {
    let site = fixture(name);
    let (code, human, json) = check(site.path(), epoch);
    assert_eq!(code, expected_code, "{name}:\n{human}");
    let snapshot = name.replace('/', "_");
    insta::assert_snapshot!(format!("{snapshot}_human"), human);
    insta::assert_snapshot!(format!("{snapshot}_json"), json);
}

#[test]
fn front_matter_mistakes() {
    for name in ["yaml-syntax", "missing-fields", "bad-date"] {
        snapshot_fixture(&format!("errors/{name}"), ERRORS_TODAY_EPOCH, 1);
    }
}

#[test]
fn reference_mistakes() {
    for name in ["unknown-topic", "episodes", "broken-link", "duplicate-url"] {
        snapshot_fixture(&format!("errors/{name}"), ERRORS_TODAY_EPOCH, 1);
    }
    snapshot_fixture("check/references", ERRORS_TODAY_EPOCH, 1);
}

#[test]
fn configuration_and_template_mistakes() {
    snapshot_fixture("errors/config", ERRORS_TODAY_EPOCH, 1);
    snapshot_fixture("errors/template-error", ERRORS_TODAY_EPOCH, 1);
}

#[test]
fn wording_errors_and_personal_data() {
    snapshot_fixture("check/lints", ERRORS_TODAY_EPOCH, 1);
    // Personal data is never printed in full, in either format.
    let site = fixture("check/lints");
    let (_, human, json) = check(site.path(), ERRORS_TODAY_EPOCH);
    for number in [
        "00000019900101123X",
        "13812345678",
        "138-1234-5678",
        "6222 0000 0000 0000 004",
        "000000 19900101 123X",
    ] {
        assert!(
            !human.contains(number),
            "{number} printed in full:\n{human}"
        );
        assert!(!json.contains(number), "{number} printed in full:\n{json}");
    }
    // A site with an unmasked number does not build: nothing is written.
    let built = pufa_with_env(
        site.path(),
        &["build"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(built.status.code(), Some(1));
    assert!(!site.path().join("public").exists());
}

#[test]
fn repealed_laws_missing_articles_and_unknown_laws() {
    snapshot_fixture("check/laws", ERRORS_TODAY_EPOCH, 1);
}

#[test]
fn the_footer_an_inspection_requires() {
    // Missing elements are named; a badge image that is not there is an error.
    snapshot_fixture("check/footer-missing", ERRORS_TODAY_EPOCH, 1);
    // Configured, the badge and the 找错 link are in every page's footer.
    let site = fixture("check/footer");
    let (code, human, _) = check(site.path(), ERRORS_TODAY_EPOCH);
    assert_eq!(code, 0, "{human}");
    assert!(!human.contains("footer-missing"), "{human}");
    let built = pufa_with_env(
        site.path(),
        &["build"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert!(built.status.success());
    let page = read(&site.path().join("public/articles/a/index.html"));
    let footer = &page[page.find("<footer").unwrap()..page.find("</footer>").unwrap()];
    insta::assert_snapshot!(footer);
    assert!(site.path().join("public/images/conac.png").is_file());
}

#[test]
fn every_column_is_checked_for_freshness() {
    // Five columns (two topics, the video list, a series, …) older than two weeks fail the
    // site; a fresh one is not named.
    snapshot_fixture("check/stale-columns", ERRORS_TODAY_EPOCH, 1);
    // With lint.stale_days: 30, the topic of 2023-04-01 is the only stale column: a warning.
    snapshot_fixture("check/stale-columns-few", ERRORS_TODAY_EPOCH, 0);
}

#[test]
fn the_report_a_leader_signs() {
    let site = fixture("check/lints");
    let out = pufa_with_env(
        site.path(),
        &["check", "--report", "检查报告.html"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = read(&site.path().join("检查报告.html"));
    // Every finding, with its place, and nothing of the numbers in full.
    for place in [
        "content/articles/a.md:8:4",
        "content/articles/a.md:10:12",
        "content/articles/a.md:16:10",
    ] {
        assert!(report.contains(place), "{place}");
    }
    for number in ["00000019900101123X", "13812345678", "138-1234-5678"] {
        assert!(!report.contains(number), "{number} in full");
    }
    let folder = std::path::absolute(site.path()).unwrap();
    let report = report.replace(&folder.display().to_string(), "[网站文件夹]");
    insta::assert_snapshot!(report);
    // Without a name it is 检查报告.html, as the double-click script writes it.
    fs::remove_file(site.path().join("检查报告.html")).unwrap();
    let out = pufa_with_env(
        site.path(),
        &["check", "--report"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(site.path().join("检查报告.html").is_file());
    // A report that cannot be written is said so, in Chinese.
    let out = pufa(
        site.path(),
        &["check", "--report", "没有的文件夹/报告.html"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法写入检查报告"));
}

/// The report opens in a real browser and prints: its findings are in the printed text.
#[test]
fn the_report_prints_from_a_browser() {
    if !browser_tests_enabled("the_report_prints_from_a_browser") {
        return;
    }
    let site = fixture("check/lints");
    let report = site.path().join("report.html");
    let out = pufa_with_env(
        site.path(),
        &["check", "--report", report.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(out.status.code(), Some(1));
    let pdf = site.path().join("report.pdf");
    let profile = tempfile::tempdir().unwrap();
    let status = chromium(profile.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success());
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "测试县普法网 发布前检查报告",
        "有 14 个错误",
        "没有打码的身份证号",
        "审核人",
    ] {
        assert!(text.contains(expected), "{expected} not printed:\n{text}");
    }
}

#[test]
fn date_warnings_do_not_fail_the_check() {
    snapshot_fixture("check/dates", ERRORS_TODAY_EPOCH, 0);
}

#[test]
fn malformed_input_gets_diagnostics_not_panics() {
    let site = fixture("check/malformed");
    // A symlink loop and a 100 MB file join the corpus here rather than in the repository.
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", site.path().join("content/articles/loop")).unwrap();
    let big = "正文。".repeat(100 * 1024 * 1024 / 9);
    fs::write(
        site.path().join("content/articles/big.md"),
        format!("---\ntitle: 很大的文件\ndate: 2023-06-01\n---\n\n{big}\n"),
    )
    .unwrap();
    let (code, human, _) = check(site.path(), ERRORS_TODAY_EPOCH);
    assert_eq!(code, 1, "{human}");
    assert!(!human.contains("panicked"), "{human}");
    insta::assert_snapshot!(human);
}

#[test]
fn a_template_that_does_not_parse() {
    let site = fixture("build/basic");
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block main %}\n{% if page.title %}\n{% endblock main %}\n",
    )
    .unwrap();
    let (code, human, _) = check(site.path(), TODAY_EPOCH);
    assert_eq!(code, 1);
    assert!(human.contains("templates/page.html:4:"), "{human}");
    assert!(human.contains("模板语法错误"), "{human}");
}

#[test]
fn the_sample_site_checks_clean() {
    let (code, human, json) = check(&repo_root(), SAMPLE_TODAY_EPOCH);
    assert_eq!(code, 0, "{human}");
    assert_eq!(human, "检查完成：没有发现问题。\n");
    assert_eq!(json.trim(), "[]");
}

#[test]
fn the_basic_fixture_checks_clean() {
    let site = fixture("build/basic");
    let (code, human, _) = check(site.path(), TODAY_EPOCH);
    assert_eq!(code, 0, "{human}");
    assert_eq!(human, "检查完成：没有发现问题。\n");
}

#[test]
fn check_writes_nothing() {
    let site = fixture("build/basic");
    let before = files(site.path());
    check(site.path(), TODAY_EPOCH);
    assert_eq!(files(site.path()), before);
}

#[test]
fn build_refuses_on_lint_errors_and_prints_warnings() {
    let site = fixture("check/lints");
    let out = pufa_with_env(
        site.path(),
        &["build"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("严重表述错误"), "{stderr}");
    assert!(!site.path().join("public").exists());

    let site = fixture("check/dates");
    let out = pufa_with_env(
        site.path(),
        &["build"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // An item dated later waits for its date; --future publishes it, with a warning.
    assert!(!stderr.contains("lint/future-date"), "{stderr}");
    assert!(!site.path().join("public/articles/future").exists());
    let out = pufa_with_env(
        site.path(),
        &["build", "--future"],
        &[("SOURCE_DATE_EPOCH", ERRORS_TODAY_EPOCH)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("lint/future-date"), "{stderr}");
    assert!(
        site.path()
            .join("public/articles/future/index.html")
            .exists()
    );
}
