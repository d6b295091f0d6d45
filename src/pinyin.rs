//! Toneless pinyin for URL slugs, read by the word.
//!
//! Each Chinese character gets one syllable. A character alone takes the `pinyin` crate's
//! most common reading (a few corrected in [`READING`]); words whose characters read
//! otherwise (银行 yin hang, 还款 huan kuan, 调解 tiao jie …) come from the table in
//! `pinyin_phrases.txt`, matched longest first from the left. Three rules cover what no
//! table can list: a title's office (局长, 县长 …) reads 长 zhang, a surname before 某 takes
//! its surname reading (曾某 zeng), and 地 after a doubled character (慢慢地) is de.
//! `ü` is written `v`.
//!
//! Why not a crate with a word dictionary: measured on `tests/fixtures/pinyin/heteronyms.tsv`
//! the most accurate one (pinyin-converter, 95.5%) adds 8.5 MiB to the program and about a
//! second and 137 MB to every build, and a slug would change whenever its dictionary does.
//! The `pinyin` crate adds 262 KiB; this table keeps addresses stable (docs/content.md).
//!
//! How well it reads words nobody chose for it: of the 2,752 most frequent words of a general
//! dictionary that hold a character of several readings (`tests/fixtures/pinyin/frequent.tsv`),
//! 2,744 read right before the eight the review found were looked at; of 150 rarer words
//! whose reading is the less common one (`heldout.tsv`), 84.

use pinyin::ToPinyin;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Characters whose most common reading is not the crate's first.
const READING: &[(char, &str)] = &[
    ('长', "chang"),
    ('似', "si"),
    ('泊', "bo"),
    ('翟', "zhai"),
    ('缪', "miao"),
    ('嚼', "jiao"),
    ('卜', "bu"),
    ('覃', "qin"),
    ('爪', "zhua"),
    ('佛', "fo"),
];

/// Surnames read otherwise before 某 (曾某, 单某: how case reports name people).
const SURNAME: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('翟', "zhai"),
    ('盖', "ge"),
    ('区', "ou"),
    ('缪', "miao"),
    ('乐', "yue"),
    ('覃', "qin"),
    ('种', "chong"),
    ('繁', "po"),
    ('员', "yun"),
    ('过', "guo"),
    ('召', "shao"),
    ('秘', "bi"),
    ('尉', "wei"),
    ('万', "wan"),
];

/// Characters after which 长 is an office's head (局长, 村长, 校长 …), read zhang.
const OFFICE: &str =
    "局县镇乡村院校所站组部厅庭处科社省市区州团军连营排船机会馆台店园学族酋司署室段";

struct Table {
    words: HashMap<&'static str, &'static str>,
    /// Characters in the longest word.
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words = HashMap::new();
        let mut longest = 1;
        for line in include_str!("pinyin_phrases.txt").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some((word, reading)) = line.split_once('\t') {
                longest = longest.max(word.chars().count());
                words.insert(word, reading);
            }
        }
        Table { words, longest }
    })
}

/// The syllable of one character read alone, or `None` for a character without pinyin.
fn alone(c: char) -> Option<String> {
    if let Some((_, reading)) = READING.iter().find(|(r, _)| *r == c) {
        return Some((*reading).to_string());
    }
    let p = c.to_pinyin()?;
    Some(p.plain().replace('ü', "v"))
}

/// Whether `c` has a pinyin reading (a Chinese character).
pub fn is_han(c: char) -> bool {
    c.to_pinyin().is_some()
}

/// The syllables of `run`, a sequence of Chinese characters ([`is_han`]), one each.
pub fn syllables(run: &[char]) -> Vec<String> {
    let table = table();
    let mut out: Vec<String> = Vec::with_capacity(run.len());
    let mut word = String::new();
    let mut i = 0;
    while i < run.len() {
        // The longest word of the table that starts here.
        let mut matched = None;
        for len in (2..=table.longest.min(run.len() - i)).rev() {
            word.clear();
            word.extend(&run[i..i + len]);
            if let Some(reading) = table.words.get(word.as_str()) {
                matched = Some((len, *reading));
                break;
            }
        }
        if let Some((len, reading)) = matched {
            let parts: Vec<&str> = reading.split(' ').collect();
            // A table line with a syllable too many or few is read character by character.
            if parts.len() == len {
                out.extend(parts.into_iter().map(str::to_string));
                i += len;
                continue;
            }
        }
        let c = run[i];
        let previous = i.checked_sub(1).map(|p| run[p]);
        let next = run.get(i + 1).copied();
        let surname = SURNAME
            .iter()
            .find(|(s, _)| *s == c && next == Some('某'))
            .map(|(_, r)| (*r).to_string());
        let syllable = match (c, previous) {
            _ if surname.is_some() => surname,
            ('长', Some(p)) if OFFICE.contains(p) => Some("zhang".to_string()),
            ('地', Some(p)) if i >= 2 && run[i - 2] == p => Some("de".to_string()),
            _ => alone(c),
        };
        out.push(syllable.unwrap_or_else(|| c.to_string()));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        syllables(&chars).join(" ")
    }

    #[test]
    fn every_table_line_has_a_syllable_a_character() {
        for line in include_str!("pinyin_phrases.txt").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (word, reading) = line.split_once('\t').expect("word, a tab, its reading");
            assert_eq!(word.chars().count(), reading.split(' ').count(), "{line}");
            assert!(
                reading.bytes().all(|b| b.is_ascii_lowercase() || b == b' '),
                "{line}"
            );
        }
    }

    #[test]
    fn words_rules_and_single_characters() {
        let cases = [
            ("银行卡", "yin hang ka"),
            ("冒充", "mao chong"),
            ("重庆", "chong qing"),
            ("长辈", "zhang bei"),
            ("校长", "xiao zhang"),
            ("县长", "xian zhang"),
            ("进行长期宣传", "jin xing chang qi xuan chuan"),
            ("冻结了", "dong jie le"),
            ("慢慢地", "man man de"),
            ("曾某", "zeng mou"),
            ("律师", "lv shi"),
            ("警惕刷单返利骗局", "jing ti shua dan fan li pian ju"),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text), expected, "{text}");
        }
    }
}
