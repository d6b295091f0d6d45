//! Text lints: serious wording errors and personal data.
//!
//! Both scan the raw text of a content file, so what they find is reported at its exact line
//! and column, wherever it stands (front matter, body, a table, a caption).

use std::collections::BTreeMap;

/// Miswritings that are never right, the kind an inspection fails a whole site for. Kept
/// small and certain: each wrong form has no legitimate use. docs/check.md lists where each
/// comes from.
const BUILT_IN_WORDING: &[(&str, &str)] = &[
    // Misspelt names of the state, the Party and state organs.
    ("中华人民共合国", "中华人民共和国"),
    ("中华人名共和国", "中华人民共和国"),
    ("中华人们共和国", "中华人民共和国"),
    ("中华人民共和过", "中华人民共和国"),
    ("中国共产觉", "中国共产党"),
    ("全国人大常委员会", "全国人大常委会"),
    ("人民检查院", "人民检察院"),
    ("人民法完", "人民法院"),
    ("攻府", "政府"),
    ("国务院办工厅", "国务院办公厅"),
    ("社会主意核心价值观", "社会主义核心价值观"),
    ("社会主意法治", "社会主义法治"),
    // The rule of law: 法治 since the 1999 constitutional amendment (宪法第五条“建设社会主义
    // 法治国家”) and the 2014 decision on 全面推进依法治国 (“中国特色社会主义法治体系”).
    ("社会主义法制国家", "社会主义法治国家"),
    ("中国特色社会主义法制体系", "中国特色社会主义法治体系"),
    // Taiwan, as 新华社《新闻信息报道中的禁用词和慎用词》 requires.
    ("台湾总统", "台湾地区领导人"),
    ("台湾政府", "台湾当局"),
];

/// Every wrong wording in `text`, built-in or the site's own: (byte offset, wrong, right).
pub fn wording(text: &str, site_words: &BTreeMap<String, String>) -> Vec<(usize, String, String)> {
    let mut words: Vec<(&str, &str)> = BUILT_IN_WORDING
        .iter()
        .map(|(w, r)| (*w, *r))
        .chain(site_words.iter().map(|(w, r)| (w.as_str(), r.as_str())))
        .filter(|(w, _)| !w.is_empty())
        .collect();
    // By first character: a character that starts some form is tried against those only.
    words.sort_by_key(|(w, _)| w.chars().next());
    // One pass over the text: a character that starts no wrong form (nearly all of them)
    // costs one look-up in a bitmap of the forms' first characters (by their low 10 bits),
    // instead of one search of the whole text per form.
    let mut starts = [0u64; 16];
    for first in words.iter().filter_map(|(w, _)| w.chars().next()) {
        let bit = first as usize & 0x3ff;
        starts[bit >> 6] |= 1 << (bit & 63);
    }
    // Matches of one form do not overlap, as `str::match_indices` finds them.
    let mut free_from = vec![0; words.len()];
    let mut found = Vec::new();
    for (offset, c) in text.char_indices() {
        let bit = c as usize & 0x3ff;
        if starts[bit >> 6] & (1 << (bit & 63)) == 0 {
            continue;
        }
        let rest = &text[offset..];
        let from = words.partition_point(|(w, _)| w.chars().next() < Some(c));
        let same_first = words[from..]
            .iter()
            .take_while(|(w, _)| w.starts_with(c))
            .enumerate();
        for (n, (wrong, right)) in same_first.map(|(k, form)| (from + k, form)) {
            if offset < free_from[n] || !rest.starts_with(wrong) {
                continue;
            }
            free_from[n] = offset + wrong.len();
            // Where the right form contains the wrong one (a site rule 法制 → 法制化), a match
            // inside any occurrence of the right form is no error: wherever the wrong form
            // stands in the right one, see if the right one stands around this match.
            let inside_right = right
                .char_indices()
                .filter(|&(k, _)| right[k..].starts_with(wrong))
                .any(|(k, _)| {
                    offset
                        .checked_sub(k)
                        .and_then(|start| text.get(start..))
                        .is_some_and(|from| from.starts_with(right))
                });
            if !inside_right {
                found.push((offset, wrong.to_string(), right.to_string()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// A wrong wording as a reader sees it: its byte range in the text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub offset: usize,
    pub end: usize,
    pub wrong: String,
    pub right: String,
}

/// Every wrong wording in `text` as it reads once inline markup (`*`, `_`, `~`, `` ` ``) and
/// single line breaks with the indentation after them are left out: `中华人民**共合**国` and a
/// form broken across two lines are found too. A blank line (a new paragraph) keeps the two
/// sides apart. Offsets are mapped back to `text`.
pub fn visible_wording(text: &str, site_words: &BTreeMap<String, String>) -> Vec<Wording> {
    // The visible text, and where it jumps in `text`: (offset in `visible`, offset in
    // `text`) at the start and after each left-out stretch.
    let mut visible = String::with_capacity(text.len());
    let mut jumps: Vec<(usize, usize)> = vec![(0, 0)];
    let bytes = text.as_bytes();
    // The characters left out are ASCII, never part of a longer UTF-8 sequence: runs between
    // them are copied whole.
    let special = |b: &u8| matches!(b, b'*' | b'_' | b'~' | b'`' | b'\r' | b'\n');
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .position(special)
            .map_or(bytes.len(), |k| i + k);
        if run > i {
            if visible.len() != jumps[jumps.len() - 1].0 + (i - jumps[jumps.len() - 1].1) {
                jumps.push((visible.len(), i));
            }
            visible.push_str(&text[i..run]);
        }
        if run == bytes.len() {
            break;
        }
        i = run + 1;
        if bytes[run] == b'\n' {
            // The indentation and quote marks of the next line go with the break.
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'>' | b'\r') {
                i += 1;
            }
            // A line break inside a paragraph is left out; a blank line stays a break.
            if bytes.get(i) == Some(&b'\n') {
                jumps.push((visible.len(), i));
                visible.push('\n');
                i += 1;
            }
        }
    }
    let to_text = |at: usize| {
        let k = jumps.partition_point(|&(v, _)| v <= at) - 1;
        jumps[k].1 + (at - jumps[k].0)
    };
    wording(&visible, site_words)
        .into_iter()
        .map(|(at, wrong, right)| {
            let last = visible[at..at + wrong.len()]
                .char_indices()
                .last()
                .map_or(at, |(k, _)| at + k);
            let end_char = visible[last..].chars().next().map_or(0, char::len_utf8);
            Wording {
                offset: to_text(at),
                end: to_text(last) + end_char,
                wrong,
                right,
            }
        })
        .collect()
}

/// A number that looks like personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    /// Byte offsets of the number as written (separators and a leading `+` included).
    pub offset: usize,
    pub end: usize,
    /// 身份证号, 手机号 or 银行卡号
    pub kind: &'static str,
    /// The digits alone, in ASCII: what a site's list of public numbers is compared with.
    pub digits: String,
    /// The number with its middle hidden, safe to print.
    pub masked: String,
    /// How many digits of it (from the start, from the end) stay when it is masked.
    pub keep: (usize, usize),
    /// Length in characters.
    pub len: usize,
}

/// One group of digits in a number as people write it.
struct Group {
    start: usize,
    end: usize,
    digits: String,
}

/// A decimal digit, ASCII or full-width (`１３８` is as readable as `138`).
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10),
        _ => None,
    }
}

/// A character that makes a number part of a longer code (`A138…`, `…5678B`).
fn glued(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

/// What people put between the groups of a number: `138 1234 5678`, `138-1234-5678`.
fn separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{3000}' | '\u{a0}' | '－')
}

/// Resident ID numbers with a valid check digit (GB 11643), mobile numbers (also written
/// `138-1234-5678`, `138 1234 5678`, `+8613812345678`) and bank card numbers (UnionPay, Visa
/// and Mastercard prefixes with a valid Luhn digit), in ASCII or full-width digits, standing
/// alone (not part of a longer code). Groups of digits joined by one space or hyphen are read
/// as one number when each has at least three digits; a run that makes no such number is
/// tried group by group. Linear in the text.
pub fn personal_data(text: &str) -> Vec<PersonalData> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // A number starts at an ASCII digit or a full-width one (EF BC 90–99); continuation
        // bytes of other characters are neither, so stepping a byte at a time is safe.
        let b = bytes[i];
        let starts = b.is_ascii_digit()
            || (b == 0xEF && bytes.get(i + 1) == Some(&0xBC))
                && bytes.get(i + 2).is_some_and(|c| (0x90..=0x99).contains(c));
        if !starts {
            i += 1;
            continue;
        }
        let prev = text[..i].chars().next_back();
        let mut groups = read_groups(text, i);
        // After a letter (`A138…`) the first group is part of a code; what follows a
        // separator may still be a number.
        if prev.is_some_and(glued) {
            i = groups[0].end.max(i + 1);
            continue;
        }
        let end = groups.last().map_or(i + 1, |g| g.end);
        // Followed by a letter (`…5678B`), the last group is part of a code too.
        if text[end..].chars().next().is_some_and(glued) {
            groups.pop();
        }
        if !groups.is_empty() {
            classify(text, &groups, matches!(prev, Some('+' | '＋')), &mut found);
        }
        i = end;
    }
    found
}

/// The groups of digits from `start`: each maximal run of digits, joined to the next by one
/// separator; the last may end in `X` (an ID's check character).
fn read_groups(text: &str, start: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut j = start;
    loop {
        let group_start = j;
        let mut digits = String::new();
        for c in text[j..].chars() {
            let Some(d) = digit(c) else { break };
            digits.push(d);
            j += c.len_utf8();
        }
        let mut rest = text[j..].chars();
        if let Some(x @ ('X' | 'x' | 'Ｘ' | 'ｘ')) = rest.next() {
            let total: usize = groups.iter().map(|g: &Group| g.digits.len()).sum();
            if total + digits.len() == 17 {
                digits.push('X');
                j += x.len_utf8();
                groups.push(Group {
                    start: group_start,
                    end: j,
                    digits,
                });
                return groups;
            }
        }
        groups.push(Group {
            start: group_start,
            end: j,
            digits,
        });
        let mut rest = text[j..].chars();
        match (rest.next(), rest.next()) {
            (Some(sep), Some(next)) if separator(sep) && digit(next).is_some() => {
                j += sep.len_utf8();
            }
            _ => return groups,
        }
    }
}

/// Adds what `groups` hold: the whole run as one number, or else each group alone.
fn classify(text: &str, groups: &[Group], plus: bool, found: &mut Vec<PersonalData>) {
    let (first, last) = (&groups[0], &groups[groups.len() - 1]);
    // `+86` or `86` before a mobile number belongs to it.
    let country = first.digits == "86" && (plus || groups.len() > 1);
    let joinable = groups.len() == 1
        || groups
            .iter()
            .enumerate()
            .all(|(k, g)| g.digits.len() >= 3 || (k == 0 && country));
    if joinable {
        let digits: String = groups.iter().map(|g| g.digits.as_str()).collect();
        let start = if plus {
            first.start
                - text[..first.start]
                    .chars()
                    .next_back()
                    .map_or(0, char::len_utf8)
        } else {
            first.start
        };
        if let Some((kind, masked, keep)) = number_kind(&digits, groups, plus) {
            found.push(PersonalData {
                offset: start,
                end: last.end,
                kind,
                len: text[start..last.end].chars().count(),
                digits,
                masked,
                keep,
            });
            return;
        }
    }
    if groups.len() > 1 {
        for g in groups {
            if let Some((kind, masked, keep)) =
                number_kind(&g.digits, std::slice::from_ref(g), false)
            {
                found.push(PersonalData {
                    offset: g.start,
                    end: g.end,
                    kind,
                    len: text[g.start..g.end].chars().count(),
                    digits: g.digits.clone(),
                    masked,
                    keep,
                });
            }
        }
    }
}

/// What kind of personal number `digits` (written in `groups`) is, its masked form and how
/// many digits masking keeps at each end.
fn number_kind(
    digits: &str,
    groups: &[Group],
    plus: bool,
) -> Option<(&'static str, String, (usize, usize))> {
    let lengths: Vec<usize> = groups.iter().map(|g| g.digits.len()).collect();
    if digits.len() == 18 && id_check_digit_valid(digits) {
        return Some(("身份证号", mask_id(digits), (6, 4)));
    }
    let mobile_grouping = |l: &[usize]| l == [11] || l == [3, 4, 4];
    if digits.len() == 11 && is_mobile(digits) && mobile_grouping(&lengths) {
        return Some(("手机号", mask_mobile(digits), (3, 4)));
    }
    if digits.len() == 13
        && digits.starts_with("86")
        && is_mobile(&digits[2..])
        && (plus || lengths[0] == 2)
        && (mobile_grouping(&lengths[1..]) || lengths == [13])
    {
        return Some((
            "手机号",
            format!("+86 {}", mask_mobile(&digits[2..])),
            (5, 4),
        ));
    }
    if (16..=19).contains(&digits.len())
        && !digits.contains('X')
        && is_card_prefix(digits)
        && luhn_valid(digits)
    {
        return Some(("银行卡号", mask_card(digits), (4, 4)));
    }
    None
}

/// The digits of a number as written (`138-1234-5678`, `１３８…`), in ASCII, with an ID's `X`.
pub fn number_digits(written: &str) -> String {
    written
        .chars()
        .filter_map(|c| match c {
            'X' | 'x' | 'Ｘ' | 'ｘ' => Some('X'),
            c => digit(c),
        })
        .collect()
}

/// `text` with the middle digits of every number [`personal_data`] finds replaced by `*`,
/// one for one, so that a quoted line keeps its columns.
pub fn mask_personal_data(text: &str) -> String {
    let found = personal_data(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for f in found {
        out.push_str(&text[from..f.offset]);
        let total = f.digits.len();
        let mut n = 0;
        for c in text[f.offset..f.end].chars() {
            if digit(c).is_some() || matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ') {
                out.push(if n < f.keep.0 || n >= total - f.keep.1 {
                    c
                } else {
                    '*'
                });
                n += 1;
            } else {
                out.push(c);
            }
        }
        from = f.end;
    }
    out.push_str(&text[from..]);
    out
}

/// UnionPay (62), Visa (4) and Mastercard (51–55, 2221–2720): the cards issued in China.
fn is_card_prefix(digits: &str) -> bool {
    let b = digits.as_bytes();
    let two = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let four: u32 = digits[..4].parse().unwrap_or(0);
    two == 62 || b[0] == b'4' || (51..=55).contains(&two) || (2221..=2720).contains(&four)
}

/// ISO/IEC 7812: doubling every second digit from the right, the sum ends in 0.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(k, b)| {
            let d = u32::from(b - b'0');
            if k % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `6222021234567890123` → `6222***********0123`.
pub fn mask_card(card: &str) -> String {
    format!(
        "{}{}{}",
        &card[..4],
        "*".repeat(card.len() - 8),
        &card[card.len() - 4..]
    )
}

/// GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits.
fn id_check_digit_valid(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == bytes[17].to_ascii_uppercase()
}

fn is_mobile(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// `510104199001011234` → `510104********1234`.
pub fn mask_id(id: &str) -> String {
    format!("{}********{}", &id[..6], &id[14..])
}

/// `13812345678` → `138****5678`.
pub fn mask_mobile(number: &str) -> String {
    format!("{}****{}", &number[..3], &number[7..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_built_in_and_site_wording() {
        let site = BTreeMap::from([("明湖县司法所".to_string(), "明湖县司法局".to_string())]);
        let text = "依据中华人民共合国宪法，攻府依法行政。明湖县司法所发布。中华人民共和国";
        let found = wording(text, &site);
        let wrong: Vec<&str> = found.iter().map(|(_, w, _)| w.as_str()).collect();
        assert_eq!(wrong, ["中华人民共合国", "攻府", "明湖县司法所"]);
        assert_eq!(&text[found[0].0..found[0].0 + 3], "中");
    }

    #[test]
    fn a_right_form_containing_the_wrong_one_is_not_flagged() {
        let site = BTreeMap::from([("法制".to_string(), "法制化".to_string())]);
        assert!(wording("推进法制化建设", &site).is_empty());
        assert_eq!(wording("推进法制建设", &site).len(), 1);
        // Each 化 stands in some 化化, the last in one that overlaps the first.
        let site = BTreeMap::from([("化".to_string(), "化化".to_string())]);
        assert!(wording("化化化a", &site).is_empty());
        assert_eq!(wording("化a化", &site).len(), 2);
    }

    /// The rule as first written: one search of the whole text per form.
    fn wording_by_searching(
        text: &str,
        words: &BTreeMap<String, String>,
    ) -> Vec<(usize, String, String)> {
        let mut found = Vec::new();
        for (wrong, right) in words.iter().filter(|(w, _)| !w.is_empty()) {
            for (offset, _) in text.match_indices(wrong.as_str()) {
                // Any occurrence of the right form around the match, overlapping ones too.
                let inside_right = (0..=offset).any(|r| {
                    text.get(r..)
                        .is_some_and(|from| from.starts_with(right.as_str()))
                        && offset + wrong.len() <= r + right.len()
                });
                if !inside_right {
                    found.push((offset, wrong.clone(), right.clone()));
                }
            }
        }
        found.sort();
        found
    }

    proptest::proptest! {
        #[test]
        fn one_pass_finds_what_searching_each_form_finds(
            text in "[法制化治理哈 ab]{0,40}",
            words in proptest::collection::btree_map("[法制化治哈ab]{0,3}", "[法制化治理哈ab]{1,4}", 0..4),
        ) {
            let mut expected = wording_by_searching(&text, &words);
            let built_in: BTreeMap<String, String> = BUILT_IN_WORDING
                .iter()
                .map(|(w, r)| (w.to_string(), r.to_string()))
                .collect();
            expected.extend(wording_by_searching(&text, &built_in));
            expected.sort();
            expected.dedup();
            proptest::prop_assert_eq!(wording(&text, &words), expected);
        }
    }

    #[test]
    fn resident_ids_need_a_valid_check_digit() {
        // Made-up numbers (region 000000 and 999999 do not exist), check digits computed.
        assert!(id_check_digit_valid("00000019900101123X"));
        assert!(id_check_digit_valid("000000200002290010"));
        assert!(!id_check_digit_valid("000000200002290011"));
        let found = personal_data(
            "当事人张某（身份证号00000019900101123X）与999999198511110020、999999198511110021",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].kind, "身份证号");
        assert_eq!(found[0].masked, "000000********123X");
        assert_eq!(found[1].masked, "999999********0020");
    }

    #[test]
    fn masking_keeps_everything_else() {
        assert_eq!(
            mask_personal_data("号码00000019900101123X和13812345678。"),
            "号码000000********123X和138****5678。"
        );
    }

    #[test]
    fn wording_as_readers_see_it() {
        let none = BTreeMap::new();
        let found = |text: &str| -> Vec<(String, String)> {
            visible_wording(text, &none)
                .into_iter()
                .map(|w| (text[w.offset..w.end].to_string(), w.wrong))
                .collect()
        };
        assert_eq!(
            found("依据中华人民**共合**国宪法"),
            [(
                "中华人民**共合**国".to_string(),
                "中华人民共合国".to_string()
            )]
        );
        assert_eq!(
            found("建设社会主义法制\n  国家，攻_府_"),
            [
                (
                    "社会主义法制\n  国家".to_string(),
                    "社会主义法制国家".to_string()
                ),
                ("攻_府".to_string(), "攻府".to_string())
            ]
        );
        assert_eq!(
            found("> 人民检\n> 查院"),
            [("人民检\n> 查院".to_string(), "人民检查院".to_string())]
        );
        assert!(found("中华人民共\n\n合国").is_empty());
        assert!(found("中华人民共\n \n合国").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn markup_and_breaks_do_not_hide_a_wrong_form(
            before in "[政府 a\n]{0,6}",
            cuts in proptest::collection::vec(0usize..3, 1),
            mark in "[*_~`]|\n|\n  |\n> ",
            after in "[政府 a\n]{0,6}",
        ) {
            // 攻府 with markup or a line break put somewhere into it.
            let cut = cuts[0].min(1) * "攻".len();
            let text = format!("{before}{}{mark}{}{after}", &"攻府"[..cut], &"攻府"[cut..]);
            let words = BTreeMap::new();
            let found = visible_wording(&text, &words);
            proptest::prop_assert!(found.iter().any(|w| w.wrong == "攻府"), "{text:?}");
            for w in &found {
                proptest::prop_assert!(text.is_char_boundary(w.offset) && text.is_char_boundary(w.end));
                let shown: String = text[w.offset..w.end]
                    .chars()
                    .filter(|c| !"*_~`\n >".contains(*c))
                    .collect();
                proptest::prop_assert_eq!(shown, w.wrong.clone());
            }
        }

        #[test]
        fn without_markup_it_finds_what_wording_finds(text in "[攻府政中华人民共合国 a]{0,30}") {
            let words = BTreeMap::new();
            let plain: Vec<(usize, String)> =
                wording(&text, &words).into_iter().map(|(o, w, _)| (o, w)).collect();
            let visible: Vec<(usize, String)> =
                visible_wording(&text, &words).into_iter().map(|w| (w.offset, w.wrong)).collect();
            proptest::prop_assert_eq!(plain, visible);
        }
    }

    #[test]
    fn numbers_as_people_write_them() {
        let kinds = |text: &str| -> Vec<(String, String)> {
            personal_data(text)
                .into_iter()
                .map(|f| (text[f.offset..f.end].to_string(), f.masked))
                .collect()
        };
        for written in [
            "138-1234-5678",
            "138 1234 5678",
            "１３８１２３４５６７８",
            "138　1234　5678",
        ] {
            assert_eq!(
                kinds(&format!("电话{written}。")),
                [(written.to_string(), "138****5678".to_string())],
                "{written}"
            );
        }
        assert_eq!(
            kinds("拨打+8613812345678或 +86 138 1234 5678"),
            [
                ("+8613812345678".to_string(), "+86 138****5678".to_string()),
                (
                    "+86 138 1234 5678".to_string(),
                    "+86 138****5678".to_string()
                )
            ]
        );
        assert_eq!(
            kinds("身份证 000000 19900101 123X，000000 1990 0101 123x"),
            [
                (
                    "000000 19900101 123X".to_string(),
                    "000000********123X".to_string()
                ),
                (
                    "000000 1990 0101 123x".to_string(),
                    "000000********123X".to_string()
                )
            ]
        );
        // Test card numbers of the card schemes, valid by Luhn.
        assert_eq!(
            kinds("卡号6222 0000 0000 0000 004、4111111111111111、5500-0000-0000-0004"),
            [
                (
                    "6222 0000 0000 0000 004".to_string(),
                    "6222***********0004".to_string()
                ),
                (
                    "4111111111111111".to_string(),
                    "4111********1111".to_string()
                ),
                (
                    "5500-0000-0000-0004".to_string(),
                    "5500********0004".to_string()
                )
            ]
        );
        // Not personal data: Luhn fails, an unknown prefix, dates, short groups, codes.
        assert!(kinds("4111111111111112 9111111111111111").is_empty());
        assert!(kinds("2023-06-01 1 3 8 1 2 3 4 5 6 7 8 第138 1234条").is_empty());
        assert!(kinds("编号A138-1234-5678 138-1234-5678B").is_empty());
        assert_eq!(
            kinds("13812345678 1234B"),
            [("13812345678".to_string(), "138****5678".to_string())]
        );
        assert_eq!(
            kinds("A1 13812345678"),
            [("13812345678".to_string(), "138****5678".to_string())]
        );
        // A landline and a mobile joined by a hyphen: the mobile is still found.
        assert_eq!(
            kinds("0000-1234567-13812345678"),
            [("13812345678".to_string(), "138****5678".to_string())]
        );
        assert_eq!(
            mask_personal_data("电话１３８１２３４５６７８。"),
            "电话１３８****５６７８。"
        );
    }

    proptest::proptest! {
        #[test]
        fn found_numbers_lie_inside_the_text_in_order(text in "[0-9０-９Xx+＋ \\-　a中]{0,80}") {
            let found = personal_data(&text);
            let mut from = 0;
            for f in &found {
                proptest::prop_assert!(f.offset >= from && f.offset < f.end && f.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(f.offset) && text.is_char_boundary(f.end));
                from = f.end;
            }
            proptest::prop_assert!(personal_data(&mask_personal_data(&text)).is_empty());
        }
    }

    #[test]
    fn mobile_numbers_standing_alone() {
        let found = personal_data(
            "联系电话13812345678，座机0000-1234567，热线12348，订单号123456789012345",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].masked, "138****5678");
        assert!(personal_data("编号A13812345678B").is_empty());
        assert!(personal_data("12812345678").is_empty());
    }
}
