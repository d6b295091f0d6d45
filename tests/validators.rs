//! Every page pufa writes is valid HTML to the Nu Html Checker (the W3C validator): the sample
//! site with the default and the kiosk theme and opened from disk (`--offline`), and every
//! fixture site that builds. Runs when `VNU_JAR` names vnu.jar (npm `vnu-jar`, with a Java
//! runtime such as Debian's `default-jre-headless`); `.ci/run` installs both and sets it.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// vnu.jar from `VNU_JAR`; `None` (after saying how to run the test) when it is not set.
/// With the browser tests switched on, as in CI, it must be set.
fn vnu_jar(test: &str) -> Option<PathBuf> {
    match std::env::var_os("VNU_JAR") {
        Some(jar) => Some(PathBuf::from(jar)),
        None => {
            assert!(
                std::env::var("PUFA_BROWSER_TESTS").is_err(),
                "PUFA_BROWSER_TESTS is set but VNU_JAR is not: set it to vnu.jar (npm install vnu-jar), as .ci/run does"
            );
            eprintln!(
                "跳过 {test}：需要 Nu Html Checker（npm install vnu-jar，apt-get install default-jre-headless），用 VNU_JAR=node_modules/vnu-jar/build/dist/vnu.jar cargo test 运行"
            );
            None
        }
    }
}

/// The checker's errors for `files`, one line each: file, line, message.
fn nu_errors(jar: &Path, files: &[PathBuf]) -> Vec<String> {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .args(files)
        .output()
        .expect("run java (apt-get install default-jre-headless)");
    let report: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "the checker's report is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["messages"]
        .as_array()
        .expect("a list of messages")
        .iter()
        .map(|m| {
            format!(
                "{}:{}: {}",
                m["url"].as_str().unwrap_or("?"),
                m["lastLine"],
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| dir.join(f))
        .collect()
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let Some(jar) = vnu_jar("every_page_passes_the_nu_html_checker") else {
        return;
    };
    // The checker is really reading: a page with a misplaced element is an error.
    let control = tempfile::tempdir().unwrap();
    let bad = control.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!doctype html><html lang=\"zh-CN\"><title>x</title><body><li>项</li></body></html>",
    )
    .unwrap();
    assert_eq!(
        nu_errors(&jar, &[bad]).len(),
        1,
        "the checker finds the <li>"
    );

    let mut pages = Vec::new();
    let mut sites = Vec::new();
    // The sample site: default theme, offline, and the kiosk theme.
    let sample = tempfile::tempdir().unwrap();
    for name in ["content", "site.yaml"] {
        let from = repo_root().join(name);
        if from.is_dir() {
            copy_dir(&from, &sample.path().join(name));
        } else {
            std::fs::copy(&from, sample.path().join(name)).unwrap();
        }
    }
    let env = [("SOURCE_DATE_EPOCH", SAMPLE_TODAY_EPOCH)];
    for (output, args) in [
        ("default", &["build", "--output", "default"][..]),
        (
            "offline",
            &["build", "--offline", "--output", "offline"][..],
        ),
    ] {
        let out = pufa_with_env(sample.path(), args, &env);
        assert!(
            out.status.success(),
            "{}",
            redacted_stderr(&out, sample.path())
        );
        pages.extend(html_files(&sample.path().join(output)));
    }
    let yaml = std::fs::read_to_string(sample.path().join("site.yaml")).unwrap();
    std::fs::write(
        sample.path().join("site.yaml"),
        yaml.replace("theme: default", "theme: kiosk"),
    )
    .unwrap();
    let out = pufa_with_env(sample.path(), &["build", "--output", "kiosk"], &env);
    assert!(
        out.status.success(),
        "{}",
        redacted_stderr(&out, sample.path())
    );
    let kiosk = html_files(&sample.path().join("kiosk"));
    assert!(
        std::fs::read_to_string(&kiosk[0])
            .unwrap()
            .contains("kiosk"),
        "the kiosk theme was used"
    );
    pages.extend(kiosk);

    // Every fixture site that builds (the others are there for their errors).
    let fixtures = repo_root().join("tests/fixtures");
    for feature in std::fs::read_dir(&fixtures).unwrap() {
        let feature = feature.unwrap().path();
        for case in std::fs::read_dir(&feature).into_iter().flatten() {
            let case = case.unwrap().path();
            if !case.join("site.yaml").is_file() {
                continue;
            }
            let site = tempfile::tempdir().unwrap();
            copy_dir(&case, site.path());
            if pufa(site.path(), &["build"]).status.success() {
                pages.extend(html_files(&site.path().join("public")));
                sites.push(site);
            }
        }
    }
    assert!(sites.len() >= 10, "{} fixture sites built", sites.len());
    assert!(pages.len() > 300, "{} pages", pages.len());
    let errors = nu_errors(&jar, &pages);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
