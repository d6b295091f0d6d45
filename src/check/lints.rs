//! Text lints: serious wording errors and personal data.
//!
//! Both scan the raw text of a content file, so what they find is reported at its exact line
//! and column, wherever it stands (front matter, body, a table, a caption).

use std::collections::BTreeMap;

/// Miswritings that are never right, the kind an inspection fails a whole site for. Kept
/// small and certain: each wrong form has no legitimate use.
const BUILT_IN_WORDING: &[(&str, &str)] = &[
    ("中华人民共合国", "中华人民共和国"),
    ("中华人名共和国", "中华人民共和国"),
    ("中华人民共和过", "中华人民共和国"),
    ("中国共产觉", "中国共产党"),
    ("全国人大常委员会", "全国人大常委会"),
    ("人民检查院", "人民检察院"),
    ("攻府", "政府"),
    ("国务院办工厅", "国务院办公厅"),
    ("社会主意核心价值观", "社会主义核心价值观"),
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

/// A number that looks like personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    pub offset: usize,
    /// 身份证号 or 手机号
    pub kind: &'static str,
    /// The number with its middle hidden, safe to print.
    pub masked: String,
    /// Length in characters (all ASCII).
    pub len: usize,
}

/// 18-digit resident ID numbers with a valid check digit and 11-digit mobile numbers, standing
/// alone (not part of a longer run of digits).
pub fn personal_data(text: &str) -> Vec<PersonalData> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        // An ID may end in X.
        let mut end = i;
        if end - start == 17 && matches!(bytes.get(end), Some(b'X' | b'x')) {
            end += 1;
            i += 1;
        }
        let glued = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        if glued(bytes.get(end)) || glued(start.checked_sub(1).and_then(|p| bytes.get(p))) {
            continue;
        }
        let run = &text[start..end];
        if run.len() == 18 && id_check_digit_valid(run) {
            found.push(PersonalData {
                offset: start,
                kind: "身份证号",
                masked: mask_id(run),
                len: run.len(),
            });
        } else if run.len() == 11 && is_mobile(run) {
            found.push(PersonalData {
                offset: start,
                kind: "手机号",
                masked: mask_mobile(run),
                len: run.len(),
            });
        }
    }
    found
}

/// `text` with every number [`personal_data`] finds masked, for quoting lines safely.
pub fn mask_personal_data(text: &str) -> String {
    let mut out = text.to_string();
    // Back to front, so earlier offsets stay valid; masks keep the length.
    for found in personal_data(text).into_iter().rev() {
        out.replace_range(found.offset..found.offset + found.len, &found.masked);
    }
    out
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
