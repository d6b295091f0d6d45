//! What styles.xml and numbering.xml say about a paragraph: whether its style is a heading,
//! which list numbering it has, and how Word writes each list number (一、第二条、③、iv).

use super::package::{attr, child, child_val, is, toggle};
use roxmltree::Node;
use std::collections::HashMap;

/// What a paragraph style makes of a paragraph.
#[derive(Default, Clone)]
pub(super) struct Style {
    /// The style's name, lower case (`heading 1`, `list bullet 2`, `title`).
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    numbering: Option<(String, Option<usize>)>,
    bold: Option<bool>,
    italic: Option<bool>,
}

#[derive(Default)]
pub(super) struct Styles {
    by_id: HashMap<String, Style>,
}

impl Styles {
    pub(super) fn parse(root: Node) -> Styles {
        let mut by_id = HashMap::new();
        for node in root.children().filter(|n| is(n, "style")) {
            let Some(id) = attr(node, "styleId") else {
                continue;
            };
            let ppr = child(node, "pPr");
            let rpr = child(node, "rPr");
            let style = Style {
                name: child_val(node, "name").unwrap_or("").to_lowercase(),
                based_on: child_val(node, "basedOn").map(str::to_string),
                outline: ppr
                    .and_then(|p| child_val(p, "outlineLvl"))
                    .and_then(|v| v.parse().ok()),
                numbering: ppr.and_then(|p| child(p, "numPr")).and_then(num_pr),
                bold: rpr.and_then(|r| toggle(r, "b")),
                italic: rpr.and_then(|r| toggle(r, "i")),
            };
            by_id.insert(id.to_string(), style);
        }
        Styles { by_id }
    }

    /// The style `id` and those it is based on, nearest first (a loop ends the chain).
    pub(super) fn chain(&self, id: &str) -> Vec<&Style> {
        let mut chain = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            let Some(style) = self.by_id.get(id) else {
                break;
            };
            if chain.len() >= 16 {
                break;
            }
            chain.push(style);
            next = style.based_on.as_deref();
        }
        chain
    }

    pub(super) fn name(&self, id: &str) -> String {
        self.by_id
            .get(id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The heading level a paragraph of style `id` has: 0 for a title, 1 and more for
    /// headings; `None` for body text.
    pub(super) fn heading(&self, id: &str) -> Option<u8> {
        for style in self.chain(id) {
            if style.name == "title" || style.name == "标题" {
                return Some(0);
            }
            let number = style
                .name
                .strip_prefix("heading")
                .or_else(|| style.name.strip_prefix("标题"))
                .and_then(|n| n.trim().parse::<u8>().ok());
            if let Some(n) = number.filter(|n| (1..=9).contains(n)) {
                return Some(n);
            }
            if let Some(level) = style.outline {
                return (level < 9).then_some(level + 1);
            }
        }
        None
    }

    pub(super) fn numbering(&self, id: &str) -> Option<(String, Option<usize>)> {
        self.chain(id).into_iter().find_map(|s| s.numbering.clone())
    }

    pub(super) fn emphasis(&self, id: &str) -> (Option<bool>, Option<bool>) {
        let chain = self.chain(id);
        (
            chain.iter().find_map(|s| s.bold),
            chain.iter().find_map(|s| s.italic),
        )
    }
}

/// `<w:numPr>`: the numbering instance and level.
pub(super) fn num_pr(node: Node) -> Option<(String, Option<usize>)> {
    let id = child_val(node, "numId")?.to_string();
    let level = child_val(node, "ilvl").and_then(|v| v.parse().ok());
    Some((id, level))
}

/// One level of a list's numbering.
#[derive(Clone)]
pub(super) struct Level {
    pub(super) start: u32,
    pub(super) format: String,
    pub(super) text: String,
}

#[derive(Default)]
pub(super) struct Numbering {
    /// numId → the levels of its abstract numbering, with start overrides applied.
    pub(super) levels: HashMap<String, Vec<Level>>,
}

impl Numbering {
    pub(super) fn parse(root: Node) -> Numbering {
        let mut abstracts: HashMap<&str, Vec<Level>> = HashMap::new();
        for node in root.children().filter(|n| is(n, "abstractNum")) {
            let Some(id) = attr(node, "abstractNumId") else {
                continue;
            };
            let mut levels = vec![
                Level {
                    start: 1,
                    format: "decimal".to_string(),
                    text: String::new(),
                };
                9
            ];
            for lvl in node.children().filter(|n| is(n, "lvl")) {
                let Some(i) = attr(lvl, "ilvl").and_then(|v| v.parse::<usize>().ok()) else {
                    continue;
                };
                if let Some(level) = levels.get_mut(i) {
                    *level = read_level(lvl);
                }
            }
            abstracts.insert(id, levels);
        }
        let mut levels = HashMap::new();
        for node in root.children().filter(|n| is(n, "num")) {
            let (Some(id), Some(abstract_id)) =
                (attr(node, "numId"), child_val(node, "abstractNumId"))
            else {
                continue;
            };
            let Some(mut these) = abstracts.get(abstract_id).cloned() else {
                continue;
            };
            for o in node.children().filter(|n| is(n, "lvlOverride")) {
                let Some(i) = attr(o, "ilvl").and_then(|v| v.parse::<usize>().ok()) else {
                    continue;
                };
                let Some(level) = these.get_mut(i) else {
                    continue;
                };
                if let Some(lvl) = child(o, "lvl") {
                    *level = read_level(lvl);
                }
                if let Some(start) = child_val(o, "startOverride").and_then(|v| v.parse().ok()) {
                    level.start = start;
                }
            }
            levels.insert(id.to_string(), these);
        }
        Numbering { levels }
    }
}

pub(super) fn read_level(lvl: Node) -> Level {
    Level {
        start: child_val(lvl, "start")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        format: child_val(lvl, "numFmt").unwrap_or("decimal").to_string(),
        text: child_val(lvl, "lvlText").unwrap_or("").to_string(),
    }
}

/// A number written in the format Word names `format`.
pub(super) fn format_number(n: u32, format: &str) -> String {
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    match format {
        // Word's letters stop at 780 (zz…z, thirty times); past it, digits.
        "upperLetter" | "lowerLetter" if n <= 780 => {
            // Word repeats the letter: a … z, aa … zz.
            let n = n.max(1) as usize - 1;
            let letter = LOWER[n % 26] as char;
            let text = letter.to_string().repeat(n / 26 + 1);
            if format == "upperLetter" {
                text.to_uppercase()
            } else {
                text
            }
        }
        "upperRoman" | "lowerRoman" => {
            let text = roman(n);
            if format == "lowerRoman" {
                text.to_lowercase()
            } else {
                text
            }
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32('①' as u32 + n - 1).map_or(n.to_string(), String::from)
        }
        "ideographTraditional" if (1..=10).contains(&n) => "甲乙丙丁戊己庚辛壬癸"
            .chars()
            .nth(n as usize - 1)
            .map_or(n.to_string(), String::from),
        "ideographZodiac" if (1..=12).contains(&n) => "子丑寅卯辰巳午未申酉戌亥"
            .chars()
            .nth(n as usize - 1)
            .map_or(n.to_string(), String::from),
        "ideographDigital" | "japaneseDigitalTenThousand" => n
            .to_string()
            .chars()
            .map(|c| {
                "〇一二三四五六七八九"
                    .chars()
                    .nth(c as usize - '0' as usize)
                    .unwrap_or(c)
            })
            .collect(),
        "chineseLegalSimplified" => chinese(n)
            .chars()
            .map(|c| match c {
                '零' => '零',
                '一' => '壹',
                '二' => '贰',
                '三' => '叁',
                '四' => '肆',
                '五' => '伍',
                '六' => '陆',
                '七' => '柒',
                '八' => '捌',
                '九' => '玖',
                '十' => '拾',
                '百' => '佰',
                '千' => '仟',
                other => other,
            })
            .collect(),
        f if f.contains("Counting") || f == "chineseCounting" => chinese(n),
        _ => n.to_string(),
    }
}

/// `n` in Chinese numerals as documents count articles: 一, 十, 十一, 二十一, 一百零一.
pub(super) fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let units = ["千", "百", "十", ""];
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push_str(DIGITS[0]);
            zero = false;
        }
        // 十一, not 一十一, when the tens lead.
        if !(i == 2 && d == 1 && out.is_empty()) {
            out.push_str(DIGITS[d as usize]);
        }
        out.push_str(units[i]);
    }
    out
}

pub(super) fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_documents_write_them() {
        let cases = [
            (1, "chineseCounting", "一"),
            (10, "chineseCounting", "十"),
            (11, "taiwaneseCountingThousand", "十一"),
            (21, "chineseCountingThousand", "二十一"),
            (101, "chineseCounting", "一百零一"),
            (110, "chineseCounting", "一百一十"),
            (1042, "chineseCountingThousand", "一千零四十二"),
            (3, "ideographTraditional", "丙"),
            (2, "decimalEnclosedCircle", "②"),
            (12, "decimalFullWidth", "１２"),
            (4, "lowerRoman", "iv"),
            (28, "upperLetter", "BB"),
            (7, "decimal", "7"),
        ];
        for (n, format, want) in cases {
            assert_eq!(format_number(n, format), want, "{n} {format}");
        }
    }
}
