//! `pufa build` over a folder it built before: only what changed is written, each file
//! whole, and a killed build is repaired by the next.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// Every file of an output with its modification time.
fn times(public: &Path) -> BTreeMap<String, SystemTime> {
    files(public)
        .into_iter()
        .map(|f| {
            let time = fs::metadata(public.join(&f)).unwrap().modified().unwrap();
            (f, time)
        })
        .collect()
}

/// The closing line's counts: (added, updated, removed, unchanged).
fn counts(stderr: &str) -> (usize, usize, usize, usize) {
    let line = stderr.lines().last().unwrap();
    let number = |after: &str| -> usize {
        let rest = &line[line.rfind(after).unwrap_or_else(|| panic!("{line}")) + after.len()..];
        rest.trim_start()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        number("新增"),
        number("更新"),
        number("删除"),
        number("文件，"),
    )
}

#[test]
fn a_rebuild_without_changes_writes_nothing_and_keeps_every_time() {
    let site = fixture("build/basic");
    let first = build_ok(site.path(), &[]);
    let (added, _, _, _) = counts(&first);
    let public = site.path().join("public");
    let before = times(&public);
    assert_eq!(added, before.len() - 1, "everything but the marker is new");
    std::thread::sleep(Duration::from_millis(20));
    let second = build_ok(site.path(), &["--changes", "changes.txt"]);
    assert_eq!(counts(&second), (0, 0, 0, before.len() - 1), "{second}");
    assert_eq!(
        times(&public),
        before,
        "no file was touched, the marker neither"
    );
    assert_eq!(read(&site.path().join("changes.txt")), "");
}

#[test]
fn an_edited_article_rewrites_only_what_shows_it() {
    let site = fixture("build/basic");
    let extra = site.path().join("content/articles/临时.md");
    fs::write(
        &extra,
        "---\ntitle: 临时通知\ndate: 2023-06-03\n---\n\n通知。\n",
    )
    .unwrap();
    build_ok(site.path(), &[]);
    let public = site.path().join("public");
    let before = times(&public);
    std::thread::sleep(Duration::from_millis(20));
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("家长要先倾听。", "家长要先耐心倾听。"),
    )
    .unwrap();
    let stderr = build_ok(site.path(), &["--changes", "changes.txt"]);
    let listing = read(&site.path().join("changes.txt"));
    assert!(
        listing.contains("M\tarticles/xiao-yuan-qi-ling/index.html\n"),
        "{listing}"
    );
    for unrelated in [
        "articles/di-san-pian/index.html",
        "episodes/di-yi-ji/index.html",
        "style.css",
    ] {
        assert!(
            !listing.contains(unrelated),
            "{unrelated} does not show the edit: {listing}"
        );
    }
    // Every file not listed kept its time; the closing line counts what the list lists.
    let after = times(&public);
    for (file, time) in &before {
        let listed = listing.lines().any(|l| l.ends_with(&format!("\t{file}")));
        if file != ".pufa-output" && !listed {
            assert_eq!(
                after.get(file),
                Some(time),
                "{file} was rewritten though unchanged"
            );
        }
    }
    let (added, updated, removed, _) = counts(&stderr);
    assert_eq!((added, removed), (0, 0));
    assert_eq!(updated, listing.lines().count());
    // A removed article is listed as removed, and is gone.
    fs::remove_file(&extra).unwrap();
    build_ok(site.path(), &["--changes", "changes.txt"]);
    let listing = read(&site.path().join("changes.txt"));
    assert!(
        listing.contains("D\tarticles/lin-shi/index.html\n"),
        "{listing}"
    );
    assert!(!public.join("articles/lin-shi").exists());
}

/// The site built afresh into a folder of its own (kept while the guard lives): what a
/// repaired output must equal.
fn fresh_build(site: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let reference = tempfile::tempdir().unwrap();
    let fresh = reference.path().join("p");
    let out = pufa(site, &["build", "--output", fresh.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (reference, fresh)
}

/// Starts `pufa ARGS` in `site` and kills it (SIGKILL) after `micros` microseconds.
fn kill_build_after(site: &Path, args: &[&str], micros: u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(args)
        .current_dir(site)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_micros(micros));
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_is_repaired_by_the_next() {
    let site = fixture("build/basic");
    build_ok(site.path(), &[]);
    let article = site.path().join("content/articles/校园欺凌.md");
    let original = read(&article);
    for round in 0..12u64 {
        // Each round changes the site, starts a build and kills it after a different time.
        fs::write(
            &article,
            original.replace("家长要先倾听。", &format!("家长要先倾听。第{round}次。")),
        )
        .unwrap();
        kill_build_after(site.path(), &["build"], round * round * 700);
        // Whatever was left, the next build gives exactly what a fresh build gives.
        build_ok(site.path(), &[]);
        let (_reference, fresh) = fresh_build(site.path());
        assert!(
            contents(&site.path().join("public")) == contents(&fresh),
            "round {round}: the repaired folder differs from a fresh build"
        );
        assert!(
            !site.path().join("public/.pufa-tmp").exists(),
            "round {round}"
        );
        let beside: Vec<String> = fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("pufa") && n != ".pufa-cache")
            .collect();
        assert!(
            beside.is_empty(),
            "round {round}: left beside the output: {beside:?}"
        );
    }
}

#[test]
fn a_reader_never_sees_a_file_half_written() {
    let site = fixture("build/basic");
    let article = site.path().join("content/articles/校园欺凌.md");
    let original = read(&article);
    build_ok(site.path(), &[]);
    let page = site
        .path()
        .join("public/articles/xiao-yuan-qi-ling/index.html");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        let page = page.clone();
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let text = fs::read_to_string(&page).expect("the page is always there");
                assert!(
                    text.trim_end().ends_with("</html>"),
                    "a partial page was read"
                );
                reads += 1;
            }
            reads
        })
    };
    for round in 0..8 {
        let long = "很长的一段补充说明。".repeat(2000 * (round % 3 + 1));
        fs::write(&article, format!("{original}\n{long}\n")).unwrap();
        build_ok(site.path(), &[]);
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
}

#[cfg(unix)]
#[test]
fn a_first_build_killed_at_any_moment_is_repaired_by_the_next() {
    let site = fixture("build/basic");
    let (_reference, fresh) = fresh_build(site.path());
    for round in 0..12u64 {
        // Into a folder that does not exist yet (even rounds) or exists and is empty.
        let target = site.path().join(format!("out-{round}"));
        if round % 2 == 1 {
            fs::create_dir(&target).unwrap();
        }
        kill_build_after(
            site.path(),
            &["build", "--output", target.to_str().unwrap()],
            round * round * 700,
        );
        // The folder is pufa's from its first moment: the next build takes it over.
        let again = pufa(
            site.path(),
            &["build", "--output", target.to_str().unwrap()],
        );
        assert!(
            again.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert!(
            contents(&target) == contents(&fresh),
            "round {round}: the repaired folder differs from a fresh build"
        );
        assert!(!target.join(".pufa-tmp").exists(), "round {round}");
    }
}

/// Makes `file` impossible to replace, as a file held open on Windows or locked by a
/// deploy tool is: immutable for root (who ignores permissions), its folder read-only for
/// anyone else. Returns the command that undoes it.
#[cfg(unix)]
fn lock(file: &Path) -> Box<dyn Fn()> {
    use std::os::unix::fs::PermissionsExt;
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if is_root {
        let status = Command::new("chattr").arg("+i").arg(file).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "chattr +i needs a file system with attributes (ext4, xfs, btrfs) for {}",
            file.display()
        );
        let file = file.to_path_buf();
        Box::new(move || {
            let _ = Command::new("chattr").arg("-i").arg(&file).status();
        })
    } else {
        let folder = file.parent().unwrap().to_path_buf();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o555)).unwrap();
        Box::new(move || {
            let _ = fs::set_permissions(&folder, fs::Permissions::from_mode(0o755));
        })
    }
}

#[cfg(unix)]
#[test]
fn an_output_file_that_cannot_be_replaced_is_named_and_the_next_build_repairs() {
    // In the build folder, not /tmp: that may be a memory file system without attributes.
    let site = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    copy_dir(&repo_root().join("tests/fixtures/build/basic"), site.path());
    build_ok(site.path(), &[]);
    let article = site.path().join("content/articles/校园欺凌.md");
    fs::write(
        &article,
        read(&article).replace("家长要先倾听。", "家长要先耐心倾听。"),
    )
    .unwrap();
    let other = site.path().join("content/articles/防范电信诈骗.md");
    fs::write(&other, read(&other) + "\n改过的另一篇。\n").unwrap();
    let page = site
        .path()
        .join("public/articles/xiao-yuan-qi-ling/index.html");
    let unlock = lock(&page);
    let listing = site.path().join("changes.txt");
    let failed = pufa(
        site.path(),
        &["build", "--changes", listing.to_str().unwrap()],
    );
    unlock();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{stderr}");
    assert!(
        stderr.contains("无法替换") && stderr.contains("articles/xiao-yuan-qi-ling/index.html"),
        "the message names the file: {stderr}"
    );
    assert!(stderr.contains("再生成一次就会完整"), "{stderr}");
    assert!(!read(&page).contains("耐心倾听"));
    // The files nobody held were put in place all the same.
    let other_page = site
        .path()
        .join("public/articles/fang-fan-dian-xin-zha-pian/index.html");
    assert!(read(&other_page).contains("改过的另一篇"));
    // And listed for the upload: the next build will not list them again.
    let listed = read(&listing);
    assert!(
        listed.contains("M\tarticles/fang-fan-dian-xin-zha-pian/index.html"),
        "{listed}"
    );
    assert!(
        !listed.contains("\tarticles/xiao-yuan-qi-ling/index.html"),
        "{listed}"
    );
    // Once the file may be replaced again, one build brings the folder up to date.
    build_ok(site.path(), &[]);
    assert!(read(&page).contains("耐心倾听"));
    let (_reference, fresh) = fresh_build(site.path());
    assert!(contents(&site.path().join("public")) == contents(&fresh));
}
