//! The command line speaks Chinese: help, every usage error, titles of several words, and
//! `serve --open` handing the preview's address to the browser.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = pufa(dir.path(), args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// No English from clap: its headings, placeholders and messages.
fn assert_chinese(text: &str) {
    for english in [
        "Usage",
        "error:",
        "Options",
        "Commands",
        "Arguments",
        "Print help",
        "[OPTIONS]",
        "tip:",
        "For more information",
    ] {
        assert!(!text.contains(english), "“{english}” in:\n{text}");
    }
}

#[test]
fn help_is_in_chinese() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["build", "--help"],
        &["new", "--help"],
        &["serve", "-h"],
        &["check", "--help"],
        &["init", "--help"],
    ] {
        let (code, stdout, _) = run(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(stdout.contains("用法：pufa"), "{args:?}:\n{stdout}");
        assert!(stdout.contains("选项"), "{args:?}:\n{stdout}");
        assert_chinese(&stdout);
    }
    let (_, top, _) = run(&["--help"]);
    assert!(top.contains("命令") && top.contains("显示版本"), "{top}");
    let (_, new, _) = run(&["new", "--help"]);
    assert!(new.contains("参数") && new.contains("<类型>"), "{new}");
    insta::assert_snapshot!(new);
}

#[test]
fn usage_errors_are_in_chinese_and_say_what_was_meant() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["build", "--outptu", "x"],
            &["错误：不认识的参数“--outptu”", "是不是：--output？"],
        ),
        (&["build", "--output"], &["--output", "后面要写一个值"]),
        (&["serve", "--port", "八千"], &["“八千”不对", "1 到 65535"]),
        (&["biuld"], &["没有“biuld”这个命令", "是不是：build？"]),
        (
            &["new", "artcle", "标题"],
            &["“artcle”不是", "可以用的值：article、episode、month、page"],
        ),
        (&["new", "article"], &["缺少", "<标题>"]),
        (&["init"], &["缺少", "<文件夹>"]),
    ];
    for (args, expected) in cases {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        for part in *expected {
            assert!(
                stderr.contains(part),
                "{args:?}: “{part}” not in:\n{stderr}"
            );
        }
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
        assert_chinese(&stderr);
    }
    let (_, _, stderr) = run(&["build", "--outptu", "x"]);
    insta::assert_snapshot!(stderr.replace(env!("CARGO_BIN_EXE_pufa"), "[pufa]"));
}

#[test]
fn a_title_of_several_words_needs_no_quotes() {
    let site = fixture("build/basic");
    let out = pufa(
        site.path(),
        &["new", "episode", "见事说法04", "宅基地", "纠纷"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = String::from_utf8_lossy(&out.stdout);
    let path = made
        .lines()
        .find_map(|l| l.strip_prefix("已新建 "))
        .expect("the new file is named");
    let text = read(&site.path().join(path.trim()));
    assert!(text.contains("title: \"见事说法04 宅基地 纠纷\""), "{text}");
}

#[test]
fn new_prints_the_address_the_page_will_have() {
    let site = fixture("build/basic");
    let out = pufa(site.path(), &["new", "article", "银行卡被冻结了怎么办"]);
    let made = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{made}");
    let address = made
        .lines()
        .find_map(|l| l.strip_prefix("发布后的网址：/"))
        .and_then(|l| l.split('（').next())
        .expect("the address is printed");
    assert_eq!(address, "articles/yin-hang-ka-bei-dong-jie-le-zen-me-ban/");
    build_ok(site.path(), &["--drafts"]);
    assert!(
        site.path()
            .join("public")
            .join(address)
            .join("index.html")
            .is_file()
    );
}

#[cfg(unix)]
#[test]
fn serve_open_hands_the_address_to_the_browser() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let site = fixture("build/basic");
    // A "browser" that writes down what it was asked to open.
    let opened = site.path().join("opened.txt");
    let browser = site.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--port", "0", "--open"])
        .current_dir(site.path())
        .env("BROWSER", &browser)
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read to the end in a thread of its own: the server goes on printing.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("预览地址：") {
                let _ = tx.send(address.to_string());
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the address is printed");
    let started = Instant::now();
    while !opened.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(read(&opened).trim(), address.trim());
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
}

/// A preview whose output nobody reads any more (the pipe closed) goes on serving.
#[cfg(unix)]
#[test]
fn serve_goes_on_when_nobody_reads_its_output() {
    use std::io::{BufRead, BufReader, Read, Write};
    let site = fixture("build/basic");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pufa"))
        .args(["serve", "--port", "0"])
        .current_dir(site.path())
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("预览地址：http://").map(str::to_string))
        .expect("the address is printed");
    drop(lines);
    // Each save prints a line, into the closed pipe.
    let article = site.path().join("content/articles/校园欺凌.md");
    let text = read(&article);
    let host = address.trim_end_matches('/').to_string();
    let get = || -> String {
        let fetch = || -> Option<String> {
            let mut stream = std::net::TcpStream::connect(&host).ok()?;
            write!(
                stream,
                "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            )
            .ok()?;
            let mut answer = String::new();
            stream.read_to_string(&mut answer).ok()?;
            Some(answer)
        };
        fetch().unwrap_or_default()
    };
    for round in 0..3 {
        std::fs::write(&article, format!("{text}\n第{round}次补充。\n")).unwrap();
        std::thread::sleep(Duration::from_millis(600));
    }
    let answer = get();
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(alive, "the preview stopped");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
