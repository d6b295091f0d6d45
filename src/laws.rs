//! The laws a legal-publicity site cites most, built in: full and short names, how many
//! articles each has, and which are repealed and by what, so that a citation of 《合同法》 or
//! of 《民法典》第一千二百六十一条 is caught before a reviewer catches it.
//!
//! Only facts that are certain go in: an article count is given only for a law whose
//! current text is settled and known; a law revised recently without a count known here
//! has none, and its citations are not counted. Each entry names where the fact comes
//! from: the text as promulgated by the 全国人民代表大会 or its 常务委员会 (or, for a
//! regulation, the 国务院令), as published in the 国家法律法规数据库 (flk.npc.gov.cn).
//! site.yaml's `laws` add laws and override names, addresses and article counts.

/// Whether a law is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    InForce,
    /// Repealed on the date, its matter now governed by `by`.
    Repealed {
        on: &'static str,
        by: &'static str,
    },
}

/// One built-in law.
#[derive(Debug)]
pub struct Law {
    pub full_name: &'static str,
    /// The name it is cited by in 《》: the full name without 中华人民共和国.
    pub short_name: &'static str,
    /// Number of articles of the text in force, where certain.
    pub articles: Option<u32>,
    pub status: Status,
}

const fn law(full_name: &'static str, short_name: &'static str, articles: Option<u32>) -> Law {
    Law {
        full_name,
        short_name,
        articles,
        status: Status::InForce,
    }
}

const fn repealed(
    full_name: &'static str,
    short_name: &'static str,
    on: &'static str,
    by: &'static str,
) -> Law {
    Law {
        full_name,
        short_name,
        articles: None,
        status: Status::Repealed { on, by },
    }
}

/// Repealed by the Civil Code, article 1260: "本法自2021年1月1日起施行。《中华人民共和国婚姻
/// 法》、《中华人民共和国继承法》、《中华人民共和国民法通则》、《中华人民共和国收养法》、《中华人民
/// 共和国担保法》、《中华人民共和国合同法》、《中华人民共和国物权法》、《中华人民共和国侵权责任
/// 法》、《中华人民共和国民法总则》同时废止。"
const CIVIL_CODE_DAY: &str = "2021-01-01";

pub const LAWS: &[Law] = &[
    // 宪法：2018年3月11日第五次修正后共 143 条。
    law("中华人民共和国宪法", "宪法", Some(143)),
    // 民法典：2020年5月28日通过，2021年1月1日施行，共 1260 条。
    law("中华人民共和国民法典", "民法典", Some(1260)),
    // 刑法：条文编号到第四百五十二条（修正案增加的条文编为“之一”等，不改变编号）。
    law("中华人民共和国刑法", "刑法", Some(452)),
    // 反电信网络诈骗法：2022年9月2日通过，2022年12月1日施行，共 50 条。
    law(
        "中华人民共和国反电信网络诈骗法",
        "反电信网络诈骗法",
        Some(50),
    ),
    // 未成年人保护法：2020年10月17日修订，2021年6月1日施行，共 132 条。
    law("中华人民共和国未成年人保护法", "未成年人保护法", Some(132)),
    // 预防未成年人犯罪法：2020年12月26日修订，2021年6月1日施行，共 68 条。
    law(
        "中华人民共和国预防未成年人犯罪法",
        "预防未成年人犯罪法",
        Some(68),
    ),
    // 家庭教育促进法：2021年10月23日通过，2022年1月1日施行，共 55 条。
    law("中华人民共和国家庭教育促进法", "家庭教育促进法", Some(55)),
    // 禁毒法：2007年12月29日通过，2008年6月1日施行，共 71 条。
    law("中华人民共和国禁毒法", "禁毒法", Some(71)),
    // 劳动法：共 107 条（2009 年、2018 年两次修正未改变条数）。
    law("中华人民共和国劳动法", "劳动法", Some(107)),
    // 劳动合同法：2012年12月28日修正，共 98 条。
    law("中华人民共和国劳动合同法", "劳动合同法", Some(98)),
    // 保障农民工工资支付条例：国务院令第724号，2020年5月1日施行，共 64 条。
    law("保障农民工工资支付条例", "保障农民工工资支付条例", Some(64)),
    // 个人信息保护法：2021年8月20日通过，2021年11月1日施行，共 74 条。
    law("中华人民共和国个人信息保护法", "个人信息保护法", Some(74)),
    // 数据安全法：2021年6月10日通过，2021年9月1日施行，共 55 条。
    law("中华人民共和国数据安全法", "数据安全法", Some(55)),
    // 网络安全法：2025 年修正，条数这里不计。
    law("中华人民共和国网络安全法", "网络安全法", None),
    // 反家庭暴力法：2015年12月27日通过，2016年3月1日施行，共 38 条。
    law("中华人民共和国反家庭暴力法", "反家庭暴力法", Some(38)),
    // 妇女权益保障法：2022年10月30日修订，2023年1月1日施行，共 86 条。
    law("中华人民共和国妇女权益保障法", "妇女权益保障法", Some(86)),
    // 老年人权益保障法：2018年12月29日修正，共 85 条。
    law(
        "中华人民共和国老年人权益保障法",
        "老年人权益保障法",
        Some(85),
    ),
    // 残疾人保障法：2018年10月26日修正，共 68 条。
    law("中华人民共和国残疾人保障法", "残疾人保障法", Some(68)),
    // 法律援助法：2021年8月20日通过，2022年1月1日施行，共 71 条。
    law("中华人民共和国法律援助法", "法律援助法", Some(71)),
    // 人民调解法：2010年8月28日通过，2011年1月1日施行，共 35 条。
    law("中华人民共和国人民调解法", "人民调解法", Some(35)),
    // 消费者权益保护法：2013年10月25日修正，共 63 条。
    law(
        "中华人民共和国消费者权益保护法",
        "消费者权益保护法",
        Some(63),
    ),
    // 食品安全法：2015年4月24日修订后共 154 条（此后两次修正未改变条数）。
    law("中华人民共和国食品安全法", "食品安全法", Some(154)),
    // 道路交通安全法：共 124 条（历次修正未改变条数）。
    law("中华人民共和国道路交通安全法", "道路交通安全法", Some(124)),
    // 安全生产法：2021年6月10日修正，2021年9月1日施行，共 119 条。
    law("中华人民共和国安全生产法", "安全生产法", Some(119)),
    // 国家安全法：2015年7月1日通过，共 84 条。
    law("中华人民共和国国家安全法", "国家安全法", Some(84)),
    // 反有组织犯罪法：2021年12月24日通过，2022年5月1日施行，共 77 条。
    law("中华人民共和国反有组织犯罪法", "反有组织犯罪法", Some(77)),
    // 治安管理处罚法：2025年6月27日修订，2026年1月1日施行，条数这里不计。
    law("中华人民共和国治安管理处罚法", "治安管理处罚法", None),
    // 行政处罚法：2021年1月22日修订，2021年7月15日施行，共 86 条。
    law("中华人民共和国行政处罚法", "行政处罚法", Some(86)),
    // 行政诉讼法：2017年6月27日修正，共 103 条。
    law("中华人民共和国行政诉讼法", "行政诉讼法", Some(103)),
    // 行政复议法：2023年9月1日修订，2024年1月1日施行，条数这里不计。
    law("中华人民共和国行政复议法", "行政复议法", None),
    // 刑事诉讼法：2018年10月26日修正，共 308 条。
    law("中华人民共和国刑事诉讼法", "刑事诉讼法", Some(308)),
    // 民事诉讼法：2023年9月1日修正，条数这里不计。
    law("中华人民共和国民事诉讼法", "民事诉讼法", None),
    // 社区矫正法：2019年12月28日通过，2020年7月1日施行，共 63 条。
    law("中华人民共和国社区矫正法", "社区矫正法", Some(63)),
    // 土地管理法：2019年8月26日修正，2020年1月1日施行，共 87 条。
    law("中华人民共和国土地管理法", "土地管理法", Some(87)),
    // 农村土地承包法：2018年12月29日修正，共 70 条。
    law("中华人民共和国农村土地承包法", "农村土地承包法", Some(70)),
    // 乡村振兴促进法：2021年4月29日通过，2021年6月1日施行，共 74 条。
    law("中华人民共和国乡村振兴促进法", "乡村振兴促进法", Some(74)),
    // 反食品浪费法：2021年4月29日通过并施行，共 32 条。
    law("中华人民共和国反食品浪费法", "反食品浪费法", Some(32)),
    // 英雄烈士保护法：2018年4月27日通过，2018年5月1日施行，共 30 条。
    law("中华人民共和国英雄烈士保护法", "英雄烈士保护法", Some(30)),
    // 环境保护法：2014年4月24日修订，2015年1月1日施行，共 70 条。
    law("中华人民共和国环境保护法", "环境保护法", Some(70)),
    // 电子商务法：2018年8月31日通过，2019年1月1日施行，共 89 条。
    law("中华人民共和国电子商务法", "电子商务法", Some(89)),
    // 外商投资法：2019年3月15日通过，2020年1月1日施行，共 42 条。
    law("中华人民共和国外商投资法", "外商投资法", Some(42)),
    // 义务教育法：共 63 条（2006 年修订后历次修正未改变条数）。
    law("中华人民共和国义务教育法", "义务教育法", Some(63)),
    // 兵役法：2021年8月20日修订，2021年10月1日施行，共 65 条。
    law("中华人民共和国兵役法", "兵役法", Some(65)),
    // 国防教育法：2024年9月13日修订，条数这里不计。
    law("中华人民共和国国防教育法", "国防教育法", None),
    // 反洗钱法：2024年11月8日修订，条数这里不计。
    law("中华人民共和国反洗钱法", "反洗钱法", None),
    // 突发事件应对法：2024年6月28日修订，条数这里不计。
    law("中华人民共和国突发事件应对法", "突发事件应对法", None),
    // 反不正当竞争法：2025年6月27日修订，条数这里不计。
    law("中华人民共和国反不正当竞争法", "反不正当竞争法", None),
    // 监察法：2024年12月25日修正，条数这里不计。
    law("中华人民共和国监察法", "监察法", None),
    // 民法典第一千二百六十条废止的九部法律（见 CIVIL_CODE_DAY）。
    repealed(
        "中华人民共和国民法通则",
        "民法通则",
        CIVIL_CODE_DAY,
        "民法典（主要是总则编）",
    ),
    repealed(
        "中华人民共和国民法总则",
        "民法总则",
        CIVIL_CODE_DAY,
        "民法典总则编",
    ),
    repealed(
        "中华人民共和国物权法",
        "物权法",
        CIVIL_CODE_DAY,
        "民法典物权编",
    ),
    repealed(
        "中华人民共和国担保法",
        "担保法",
        CIVIL_CODE_DAY,
        "民法典物权编的担保物权分编和合同编的保证合同一章",
    ),
    repealed(
        "中华人民共和国合同法",
        "合同法",
        CIVIL_CODE_DAY,
        "民法典合同编",
    ),
    repealed(
        "中华人民共和国婚姻法",
        "婚姻法",
        CIVIL_CODE_DAY,
        "民法典婚姻家庭编",
    ),
    repealed(
        "中华人民共和国收养法",
        "收养法",
        CIVIL_CODE_DAY,
        "民法典婚姻家庭编第五章“收养”",
    ),
    repealed(
        "中华人民共和国继承法",
        "继承法",
        CIVIL_CODE_DAY,
        "民法典继承编",
    ),
    repealed(
        "中华人民共和国侵权责任法",
        "侵权责任法",
        CIVIL_CODE_DAY,
        "民法典侵权责任编",
    ),
    // 食品安全法（2009年2月28日通过）第一百零四条：自2009年6月1日起施行，食品卫生法同时废止。
    repealed(
        "中华人民共和国食品卫生法",
        "食品卫生法",
        "2009-06-01",
        "食品安全法",
    ),
    // 外商投资法第四十二条：自2020年1月1日起施行，中外合资经营企业法、外资企业法、中外合作
    // 经营企业法同时废止。
    repealed(
        "中华人民共和国中外合资经营企业法",
        "中外合资经营企业法",
        "2020-01-01",
        "外商投资法",
    ),
    repealed(
        "中华人民共和国外资企业法",
        "外资企业法",
        "2020-01-01",
        "外商投资法",
    ),
    repealed(
        "中华人民共和国中外合作经营企业法",
        "中外合作经营企业法",
        "2020-01-01",
        "外商投资法",
    ),
    // 合同法（1999年3月15日通过）第四百二十八条：自1999年10月1日起施行，经济合同法、涉外
    // 经济合同法、技术合同法同时废止；合同法本身又由民法典废止。
    repealed(
        "中华人民共和国经济合同法",
        "经济合同法",
        "1999-10-01",
        "民法典合同编",
    ),
    repealed(
        "中华人民共和国涉外经济合同法",
        "涉外经济合同法",
        "1999-10-01",
        "民法典合同编",
    ),
    repealed(
        "中华人民共和国技术合同法",
        "技术合同法",
        "1999-10-01",
        "民法典合同编",
    ),
    // 治安管理处罚法（2005年8月28日通过）第一百一十九条：自2006年3月1日起施行，治安管理
    // 处罚条例同时废止。
    repealed(
        "中华人民共和国治安管理处罚条例",
        "治安管理处罚条例",
        "2006-03-01",
        "治安管理处罚法",
    ),
];

/// The built-in law cited as `title` (its full or short name).
pub fn find(title: &str) -> Option<&'static Law> {
    LAWS.iter()
        .find(|l| l.short_name == title || l.full_name == title)
}

/// `2021-01-01` → `2021年1月1日`.
pub fn chinese_date(date: &str) -> String {
    let mut parts = date.split('-').map(|p| p.trim_start_matches('0'));
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
        _ => date.to_string(),
    }
}

/// The number of an article written `第一千二百六十一条`, `第1261条` or `第十二条之一` (the
/// part before 条; 之一 and the like do not change it): the digits or Chinese numeral between
/// 第 and 条. `None` when `text` does not start with such a number.
pub fn article_number(text: &str) -> Option<(u32, usize)> {
    let rest = text.strip_prefix('第')?;
    let end = rest.find('条')?;
    let numeral = &rest[..end];
    if numeral.is_empty() || numeral.chars().count() > 12 {
        return None;
    }
    let n = if numeral.bytes().all(|b| b.is_ascii_digit()) {
        numeral.parse().ok()?
    } else {
        chinese_numeral(numeral)?
    };
    Some((n, '第'.len_utf8() + end + '条'.len_utf8()))
}

/// A Chinese numeral below ten thousand: 一千二百六十一, 一千零四十二, 十二, 两百.
fn chinese_numeral(text: &str) -> Option<u32> {
    let mut total = 0;
    let mut digit: Option<u32> = None;
    for c in text.chars() {
        let d = match c {
            '〇' | '零' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        // 十二 is 12: a unit with no digit before it counts once.
        total += digit.take().unwrap_or(1) * unit;
    }
    Some(total + digit.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_numbers_as_written() {
        assert_eq!(article_number("第一千二百六十条"), Some((1260, 24)));
        assert_eq!(article_number("第一千零四十二条第一款"), Some((1042, 24)));
        assert_eq!(article_number("第十二条之一"), Some((12, 12)));
        assert_eq!(article_number("第二十条"), Some((20, 12)));
        assert_eq!(article_number("第两百条"), Some((200, 12)));
        assert_eq!(article_number("第1261条"), Some((1261, 10)));
        assert_eq!(article_number("第三章"), None);
        assert_eq!(article_number("第二编第三条"), None);
        assert_eq!(article_number("第条"), None);
    }

    #[test]
    fn the_registry_is_consistent() {
        for law in LAWS {
            assert!(law.full_name.ends_with(law.short_name), "{}", law.full_name);
            if let Status::Repealed { by, .. } = law.status {
                // What replaced it is a law in force here.
                let replacement = LAWS
                    .iter()
                    .filter(|l| l.status == Status::InForce)
                    .any(|l| by.starts_with(l.short_name));
                assert!(replacement, "{} → {by}", law.full_name);
            }
        }
        for (i, a) in LAWS.iter().enumerate() {
            for b in &LAWS[i + 1..] {
                assert_ne!(a.short_name, b.short_name);
            }
        }
        assert_eq!(find("合同法").unwrap().full_name, "中华人民共和国合同法");
        assert_eq!(find("中华人民共和国民法典").unwrap().articles, Some(1260));
    }
}
