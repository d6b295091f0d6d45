//! Slugs read Chinese by the word: `tests/fixtures/pinyin/heteronyms.tsv` lists common
//! words of legal-publicity text with a character of two readings, and how each is read.

use std::fs;

/// How many of the words of the list `name` `pufa::url::slugify` reads right, and the others.
fn scored(name: &str) -> (usize, usize, Vec<String>) {
    let path = format!(
        "{}/tests/fixtures/pinyin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = fs::read_to_string(path).unwrap();
    let (mut right, mut total, mut wrong) = (0, 0, Vec::new());
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (word, reading) = line.split_once('\t').expect("word, a tab, its reading");
        let expected = reading.trim().replace(' ', "-");
        let got = pufa::url::slugify(word);
        total += 1;
        if got == expected {
            right += 1;
        } else {
            wrong.push(format!("{word}: {got}, not {expected}"));
        }
    }
    (right, total, wrong)
}

#[test]
fn heteronyms_are_read_by_the_word() {
    let (right, total, wrong) = scored("heteronyms.tsv");
    assert!(total >= 200, "the list has {total} words");
    println!("{right} of {total} right; wrong:\n{}", wrong.join("\n"));
    // At least 98%.
    assert!(
        right * 100 >= total * 98,
        "{right} of {total}:\n{}",
        wrong.join("\n")
    );
}

/// The held-out list was written apart from the word table (none of its words holds one of
/// the table's): it measures the reading of words the table does not know, character by
/// character: 84 of 150 (pinyin-converter, a crate with a word dictionary, reads 126). A
/// guard against making that worse, not a target.
#[test]
fn words_the_table_was_not_made_for() {
    let (right, total, wrong) = scored("heldout.tsv");
    assert!(total >= 100, "the list has {total} words");
    println!(
        "held out: {right} of {total} right; wrong:\n{}",
        wrong.join("\n")
    );
    assert!(
        right * 100 >= total * 55,
        "{right} of {total}:\n{}",
        wrong.join("\n")
    );
}

/// Everyday words, not chosen for their readings: the most frequent words of a general
/// dictionary that hold a character of several readings. Before the five words the review
/// found were added, 2,744 of 2,752 read right.
#[test]
fn frequent_words_read_right() {
    let (right, total, wrong) = scored("frequent.tsv");
    assert!(total >= 2_000, "the list has {total} words");
    println!(
        "frequent: {right} of {total} right; wrong:\n{}",
        wrong.join("\n")
    );
    assert!(
        right * 1000 >= total * 995,
        "{right} of {total}:\n{}",
        wrong.join("\n")
    );
}

#[path = "common/mod.rs"]
mod common;

/// An address that pufa used to read otherwise (冒充 as mou chong) is named by `pufa check`,
/// until an alias keeps it; with the alias, the old address leads to the page.
#[test]
fn check_names_an_address_that_changed_until_an_alias_keeps_it() {
    use common::*;
    let site = fixture("build/basic");
    let article = site.path().join("content/articles/冒充客服.md");
    fs::write(
        &article,
        "---\ntitle: 冒充客服\ndate: 2023-06-01\n---\n\n正文。\n",
    )
    .unwrap();
    let out = pufa(site.path(), &["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "说明[content/address-changed]: 这一篇的网址从 /articles/mou-chong-ke-fu/ 改成了 /articles/mao-chong-ke-fu/"
        ),
        "{stdout}"
    );
    fs::write(
        &article,
        "---\ntitle: 冒充客服\ndate: 2023-06-01\naliases: [\"/articles/mou-chong-ke-fu/\"]\n---\n\n正文。\n",
    )
    .unwrap();
    let out = pufa(site.path(), &["check"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("address-changed"));
    build_ok(site.path(), &[]);
    let old = read(
        &site
            .path()
            .join("public/articles/mou-chong-ke-fu/index.html"),
    );
    assert!(old.contains("url=../../articles/mao-chong-ke-fu/"), "{old}");
}
