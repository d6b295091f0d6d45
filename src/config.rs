//! site.yaml → [`Config`].
//!
//! The configuration is read first; every later stage takes its settings and its controlled
//! vocabularies (topics, laws) from here. Mistakes are reported with the line and column in
//! site.yaml; unknown keys are warnings that suggest the nearest known one.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml::{self, Fields, Located, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Ends with `/` when set.
    pub base_url: Option<String>,
    pub language: String,
    pub theme: String,
    pub paginate: usize,
    pub organization: Organization,
    /// A wide picture for the header (the county's scenery, a campaign image): a path under
    /// content/.
    pub banner: Option<String>,
    pub topics: Vec<TopicDecl>,
    pub laws: Vec<LawDecl>,
    /// The navigation as `menu:` lists it; `None` for the default one.
    pub menu: Option<Vec<MenuDecl>>,
    /// Site-specific wrong → right wordings.
    pub lint_words: BTreeMap<String, String>,
    /// Days a column may go without a new item (`lint.stale_days`, 14 unless set; 0: not
    /// checked, for an archive).
    pub stale_days: u32,
    /// site.yaml as written, for the checks that quote it at its lines (wording).
    pub text: String,
    pub extra: serde_json::Value,
}

/// The footer elements a government site must show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Organization {
    /// 主办单位
    pub name: Option<String>,
    /// 联系方式
    pub contact: Option<String>,
    /// 网站标识码
    pub site_code: Option<String>,
    /// ICP 备案号
    pub icp: Option<String>,
    /// 公安备案号
    pub police: Option<String>,
    /// 党政机关网站标识: the address the 开办单位 badge links to (given with the badge).
    pub conac: Option<String>,
    /// The badge image, a file in content/ (`images/conac.png`).
    pub conac_image: Option<String>,
    /// The body's emblem (徽标), shown before the site's name: a path under content/.
    pub emblem: Option<String>,
    /// 我为政府网站找错: the address of the national platform's form for this site (built
    /// from `site_code` when site.yaml says `zhaocuo: true`).
    pub zhaocuo: Option<String>,
}

/// One `menu:` entry: a name to look up (a column, a page, 首页, 普法文章 …), or a name with
/// the address it links to (`url:`: a path of the site, or another site's address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuDecl {
    pub name: String,
    pub url: Option<String>,
    /// Where in site.yaml the entry is.
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicDecl {
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawDecl {
    /// Short name, as cited in 《》: 反电信网络诈骗法.
    pub name: String,
    /// Full name: 中华人民共和国反电信网络诈骗法.
    pub full_name: String,
    /// The official text.
    pub url: Option<String>,
    pub slug: String,
    /// How many articles it has, where known (from site.yaml or [`crate::laws`]): a
    /// citation of an article beyond is an error.
    pub articles: Option<u32>,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "paginate",
    "organization",
    "banner",
    "topics",
    "laws",
    "menu",
    "lint",
    "extra",
];

impl Config {
    /// Reads `site.yaml` under `root`.
    pub fn load(root: &Path) -> Result<(Config, Diagnostics), Diagnostics> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Err(vec![
                Diagnostic::error(
                    "config/missing",
                    format!("在 {} 中找不到网站配置文件 site.yaml", root.display()),
                )
                .with_suggestion("用 --root 指定网站所在的文件夹，或在这里新建 site.yaml"),
            ]);
        }
        let (text, removed) =
            crate::fs::read_text(&path, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?;
        match Config::parse(&text) {
            Ok((config, mut warnings)) => {
                warnings.extend(removed);
                Ok((config, warnings))
            }
            Err(mut errors) => {
                errors.extend(removed);
                Err(errors)
            }
        }
    }

    /// Parses the text of site.yaml.
    pub fn parse(text: &str) -> Result<(Config, Diagnostics), Diagnostics> {
        let file = Path::new(CONFIG_FILE);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let node = yaml::parse(text)
            .map_err(|e| vec![e.diagnostic("config/yaml-syntax", "site.yaml", file, 0)])?;
        let entries = match &node.value {
            Value::Map(entries) => entries.as_slice(),
            Value::Null => &[],
            _ => {
                return Err(vec![
                    Diagnostic::error(
                        "config/not-a-map",
                        "site.yaml 应当由“字段: 值”组成，例如 title: \"某某县普法网\"",
                    )
                    .in_file(file)
                    .at(node.line, node.column),
                ]);
            }
        };
        let mut f = Fields::new(entries, file, 0);
        f.warn_unknown_keys(KNOWN_KEYS, "site.yaml ");

        let title = f.string("title").unwrap_or_default();
        if title.trim().is_empty() {
            f.diagnostics.push(
                Diagnostic::error("config/missing-title", "site.yaml 缺少网站名称 title")
                    .in_file(file)
                    .at(1, 1)
                    .with_suggestion("加一行 title: \"某某县普法网\""),
            );
        }
        let base_url = f
            .located("base_url")
            .and_then(|l| check_base_url(&mut f, l));
        let paginate = match f.integer("paginate") {
            None => 20,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(_) => {
                let node = f.get("paginate").expect("paginate was read");
                f.error_at(
                    node,
                    "config/paginate",
                    "paginate 应当是 1 到 1000 之间的整数",
                );
                20
            }
        };
        let organization = organization(&mut f);
        let topics = topics(&mut f);
        let laws = laws(&mut f);
        let menu = menu(&mut f);
        let (lint_words, stale_days) = lint(&mut f);
        let config = Config {
            title,
            description: f.string("description").unwrap_or_default(),
            base_url,
            language: f.string("language").unwrap_or_else(|| "zh-CN".into()),
            theme: theme_name(&mut f),
            paginate,
            organization,
            banner: content_file(f.string("banner")),
            topics,
            laws,
            menu,
            lint_words,
            stale_days,
            text: text.to_string(),
            extra: f
                .get("extra")
                .map_or(serde_json::Value::Null, |n| n.to_json()),
        };
        let diagnostics = f.diagnostics;
        if crate::diagnostic::has_errors(&diagnostics) {
            Err(diagnostics)
        } else {
            Ok((config, diagnostics))
        }
    }

    /// Replaces `base_url` (from `--base-url`), normalised like the one in site.yaml.
    pub fn set_base_url(&mut self, url: &str) -> Result<(), Diagnostic> {
        match normalise_base_url(url) {
            Some(url) => {
                self.base_url = Some(url);
                Ok(())
            }
            None => Err(Diagnostic::error(
                "config/base-url",
                format!("--base-url “{url}”不是网址，应当以 http:// 或 https:// 开头"),
            )),
        }
    }
}

fn normalise_base_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

fn check_base_url(f: &mut Fields, l: Located) -> Option<String> {
    let url = normalise_base_url(&l.text);
    if url.is_none() {
        f.diagnostics.push(
            Diagnostic::error(
                "config/base-url",
                format!(
                    "base_url “{}”不是网址，应当以 http:// 或 https:// 开头",
                    l.text
                ),
            )
            .in_file(CONFIG_FILE)
            .at(l.line, l.column),
        );
    }
    url
}

fn organization(f: &mut Fields) -> Organization {
    let Some(node) = f.get("organization") else {
        return Organization::default();
    };
    let Some(entries) = node.entries() else {
        f.error_at(
            node,
            "config/organization",
            "organization 应当列出 name、contact 等字段",
        );
        return Organization::default();
    };
    let mut o = Fields::new(entries, Path::new(CONFIG_FILE), 0);
    o.warn_unknown_keys(
        &[
            "name",
            "contact",
            "site_code",
            "icp",
            "police",
            "conac",
            "conac_image",
            "emblem",
            "zhaocuo",
        ],
        "organization ",
    );
    let site_code = o.string("site_code");
    let zhaocuo = match o.get("zhaocuo").map(|n| (&n.value, n)) {
        None | Some((Value::Null, _)) => None,
        Some((Value::Bool(false), _)) => None,
        Some((Value::Bool(true), node)) => match &site_code {
            Some(code) => Some(format!("{ZHAOCUO}?site_code={}", code.trim())),
            None => {
                let d = o.diagnostic_at(
                    node,
                    Diagnostic::error(
                        "config/zhaocuo",
                        "zhaocuo: true 要用网站标识码生成“我为政府网站找错”的链接，但 organization 中没有 site_code",
                    )
                    .with_suggestion("加上 site_code: \"网站标识码\"（10 位，在全国政府网站基本信息数据库中可以查到）"),
                );
                o.diagnostics.push(d);
                None
            }
        },
        Some(_) => o.string("zhaocuo").filter(|u| !u.trim().is_empty()),
    };
    let org = Organization {
        name: o.string("name"),
        contact: o.string("contact"),
        site_code,
        icp: o.string("icp"),
        police: o.string("police"),
        conac: o.string("conac").filter(|u| !u.trim().is_empty()),
        conac_image: content_file(o.string("conac_image")),
        emblem: content_file(o.string("emblem")),
        zhaocuo,
    };
    f.diagnostics.append(&mut o.diagnostics);
    org
}

/// A picture named in site.yaml, as a path under content/ (a leading `/` allowed).
fn content_file(value: Option<String>) -> Option<String> {
    value
        .map(|p| p.trim().trim_start_matches('/').to_string())
        .filter(|p| !p.is_empty())
}

/// The national platform's 我为政府网站找错 form; `site_code` names the site.
pub const ZHAOCUO: &str = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html";

fn menu(f: &mut Fields) -> Option<Vec<MenuDecl>> {
    let node = f.get("menu")?;
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Null => return None,
        _ => {
            f.error_at(
                node,
                "config/menu",
                "menu 应当是导航项的列表，例如 - 首页 换一行 - 以案释法",
            );
            return None;
        }
    };
    let mut menu = Vec::new();
    for item in items {
        let (line, column) = f.position(item);
        let (name, url) = match item.entries() {
            Some(entries) => {
                let mut m = Fields::new(entries, Path::new(CONFIG_FILE), 0);
                m.warn_unknown_keys(&["name", "url"], "导航项");
                let name = m.string("name");
                let url = m.string("url").filter(|u| !u.trim().is_empty());
                f.diagnostics.append(&mut m.diagnostics);
                (name, url)
            }
            None => (item.as_scalar_string(), None),
        };
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            f.error_at(
                item,
                "config/menu",
                "每个导航项都要有名称：写栏目或页面的名称，或者写 { name: 名称, url: 网址 }",
            );
            continue;
        };
        menu.push(MenuDecl {
            name: name.trim().to_string(),
            url: url.map(|u| u.trim().to_string()),
            line,
            column,
        });
    }
    Some(menu)
}

fn topics(f: &mut Fields) -> Vec<TopicDecl> {
    let Some(node) = f.get("topics") else {
        return Vec::new();
    };
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Null => return Vec::new(),
        _ => {
            f.error_at(node, "config/topics", "topics 应当是专题名称的列表");
            return Vec::new();
        }
    };
    let mut topics: Vec<TopicDecl> = Vec::new();
    for item in items {
        let (name, slug, at) = match (&item.value, item.entries()) {
            (_, Some(entries)) => {
                let mut t = Fields::new(entries, Path::new(CONFIG_FILE), 0);
                t.warn_unknown_keys(&["name", "slug"], "专题");
                let name = t.string("name");
                let slug = t.located("slug");
                f.diagnostics.append(&mut t.diagnostics);
                (name, slug, item)
            }
            _ => (item.as_scalar_string(), None, item),
        };
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            f.error_at(
                at,
                "config/topic-name",
                "每个专题都要有名称，例如 - 电信诈骗",
            );
            continue;
        };
        let slug = match slug {
            // Written slugs are made safe like front matter's: `../../x` can only be `x`.
            Some(written) => match crate::url::written_slug(&written.text) {
                Ok(slug) => slug,
                Err(message) => {
                    f.diagnostics.push(
                        Diagnostic::error("config/bad-slug", message)
                            .in_file(CONFIG_FILE)
                            .at(written.line, written.column)
                            .with_suggestion(
                                "slug 用英文字母、数字和 -，例如 slug: dianxin-zhapian",
                            ),
                    );
                    continue;
                }
            },
            None => named_slug(f, &name, at, "topics"),
        };
        if let Some(other) = topics.iter().find(|t| t.name == name || t.slug == slug) {
            let message = format!(
                "专题“{name}”与“{}”重复（网址都是 topics/{slug}/）",
                other.name
            );
            f.error_at(at, "config/duplicate-topic", message);
            continue;
        }
        if !publishable(f, &format!("topics/{slug}/"), at) {
            continue;
        }
        topics.push(TopicDecl { name, slug });
    }
    topics
}

fn laws(f: &mut Fields) -> Vec<LawDecl> {
    let Some(node) = f.get("laws") else {
        return Vec::new();
    };
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Null => return Vec::new(),
        _ => {
            f.error_at(
                node,
                "config/laws",
                "laws 应当是法律的列表，每项写 name、full_name、url",
            );
            return Vec::new();
        }
    };
    let mut laws: Vec<LawDecl> = Vec::new();
    for item in items {
        let (name, full_name, url, articles) = match item.entries() {
            Some(entries) => {
                let mut l = Fields::new(entries, Path::new(CONFIG_FILE), 0);
                l.warn_unknown_keys(&["name", "full_name", "url", "articles"], "法律");
                let v = (
                    l.string("name"),
                    l.string("full_name"),
                    l.string("url"),
                    l.integer("articles")
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|&n| n > 0),
                );
                f.diagnostics.append(&mut l.diagnostics);
                v
            }
            None => (item.as_scalar_string(), None, None, None),
        };
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
            f.error_at(
                item,
                "config/law-name",
                "每部法律都要有简称 name，例如 name: 民法典",
            );
            continue;
        };
        let name = strip_book_marks(&name);
        // A built-in law registered by one of its names: what site.yaml leaves out, the
        // registry fills in.
        let known = crate::laws::find(&name).or_else(|| {
            full_name
                .as_deref()
                .and_then(|n| crate::laws::find(&strip_book_marks(n)))
        });
        let full_name = full_name.map_or_else(
            || known.map_or_else(|| name.clone(), |k| k.full_name.to_string()),
            |n| strip_book_marks(&n),
        );
        let articles = articles.or_else(|| known.and_then(|k| k.articles));
        let slug = named_slug(f, &name, item, "laws");
        if laws.iter().any(|l| l.slug == slug) {
            f.error_at(
                item,
                "config/duplicate-law",
                format!("法律“{name}”重复登记（网址都是 laws/{slug}/）"),
            );
            continue;
        }
        if !publishable(f, &format!("laws/{slug}/"), item) {
            continue;
        }
        laws.push(LawDecl {
            name,
            full_name,
            url,
            slug,
            articles,
        });
    }
    // The built-in laws in force that site.yaml does not register are known too: citing one
    // gives it a page like a registered law.
    for known in crate::laws::LAWS {
        if known.status != crate::laws::Status::InForce {
            continue;
        }
        let registered = laws.iter().any(|l| {
            [l.name.as_str(), l.full_name.as_str()]
                .iter()
                .any(|n| *n == known.short_name || *n == known.full_name)
        });
        let slug = crate::url::slugify(known.short_name);
        if registered || laws.iter().any(|l| l.slug == slug) {
            continue;
        }
        laws.push(LawDecl {
            name: known.short_name.to_string(),
            full_name: known.full_name.to_string(),
            url: None,
            slug,
            articles: known.articles,
        });
    }
    laws
}

/// Whether a topic's or law's page may be published at `path`; an error at `at` if not (a
/// slug such as `con`, which Windows cannot make a folder of).
fn publishable(f: &mut Fields, path: &str, at: &yaml::Node) -> bool {
    match crate::confine::output_path(path, true) {
        Ok(_) => true,
        Err(refusal) => {
            f.error_at(
                at,
                "config/bad-slug",
                format!("网址 {path} 不能用：{}", refusal.reason()),
            );
            false
        }
    }
}

/// `theme`: the name of a built-in theme or of a folder in themes/, never a path that could
/// load templates and static files from elsewhere on the machine.
fn theme_name(f: &mut Fields) -> String {
    let Some(l) = f.located("theme") else {
        return "default".into();
    };
    let name = l.text.trim();
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control);
    if plain {
        return name.to_string();
    }
    f.diagnostics.push(
        Diagnostic::error(
            "config/theme",
            format!("theme“{}”应当是主题的名字，不能是路径", l.text),
        )
        .in_file(CONFIG_FILE)
        .at(l.line, l.column)
        .with_suggestion("写内置主题 default 或 kiosk，或 themes/ 下某个文件夹的名字"),
    );
    "default".into()
}

/// The slug made from a topic's or law's name, cut with a warning when too long.
/// The slug of a topic or law named `name` (its page is under `folder`, `topics` or `laws`).
fn named_slug(f: &mut Fields, name: &str, at: &yaml::Node, folder: &str) -> String {
    let (slug, capped) = crate::url::capped_slug(name);
    let earlier = crate::url::earlier_slug(name);
    if earlier != slug && !earlier.is_empty() {
        let d = f.diagnostic_at(
            at,
            Diagnostic::note(
                "config/address-changed",
                format!(
                    "“{name}”的网址从 /{folder}/{earlier}/ 改成了 /{folder}/{slug}/：pufa 转拼音的办法改进了（多音字按词读）"
                ),
            )
            .with_suggestion(format!(
                "旧网址已经印在宣传单或二维码上的，写成 name: {name} 和 slug: {earlier} 两项，网址就不变"
            )),
        );
        f.diagnostics.push(d);
    }
    if capped {
        let d = f.diagnostic_at(
            at,
            Diagnostic::warning(
                "config/long-slug",
                format!("“{name}”转成的网址太长，已截短为 {slug}"),
            )
            .with_suggestion("写成 name 和 slug 两项，给它一个简短的 slug"),
        );
        f.diagnostics.push(d);
    }
    slug
}

/// `《民法典》` and `民法典` name the same law.
fn strip_book_marks(name: &str) -> String {
    name.trim()
        .trim_start_matches('《')
        .trim_end_matches('》')
        .to_string()
}

/// Days without a new item before a column counts as not updated, unless site.yaml says.
pub const STALE_DAYS: u32 = 14;

/// `lint`: the site's own wrong → right wordings and `stale_days`.
fn lint(f: &mut Fields) -> (BTreeMap<String, String>, u32) {
    let Some(lint) = f.get("lint") else {
        return (BTreeMap::new(), STALE_DAYS);
    };
    let Some(entries) = lint.entries() else {
        f.error_at(
            lint,
            "config/lint",
            "lint 应当是键值表，例如 lint: { words: { 错: 对 } }",
        );
        return (BTreeMap::new(), STALE_DAYS);
    };
    let mut l = Fields::new(entries, Path::new(CONFIG_FILE), 0);
    l.warn_unknown_keys(&["words", "stale_days"], "lint ");
    let stale_days = match l.integer("stale_days") {
        None => STALE_DAYS,
        Some(n) if (0..=3650).contains(&n) => n as u32,
        Some(_) => {
            let node = l.get("stale_days").expect("stale_days was read");
            l.error_at(
                node,
                "config/stale-days",
                "lint.stale_days 是栏目多少天不更新算过期，应当是 0 到 3650 之间的整数（0 表示不检查）",
            );
            STALE_DAYS
        }
    };
    let mut words = BTreeMap::new();
    if let Some(node) = l.get("words") {
        match node.entries() {
            Some(pairs) => {
                for (wrong, right) in pairs {
                    match (wrong.as_scalar_string(), right.as_scalar_string()) {
                        (Some(w), Some(r)) => {
                            words.insert(w, r);
                        }
                        _ => l.error_at(
                            wrong,
                            "config/lint",
                            "lint.words 的每一项写成 错误写法: 正确写法",
                        ),
                    }
                }
            }
            None => l.error_at(
                node,
                "config/lint",
                "lint.words 应当写成 { 错误写法: 正确写法 }",
            ),
        }
    }
    f.diagnostics.append(&mut l.diagnostics);
    (words, stale_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_shape() {
        let (config, warnings) = Config::parse(
            r#"
title: "某某县普法网"
base_url: "https://pufa.example.gov.cn"
paginate: 10
organization:
  name: "某某县司法局"
  police: "川公网安备51000000000000号"
topics:
  - name: 电信诈骗
    slug: dianxin-zhapian
  - 校园欺凌
laws:
  - name: 《反电信网络诈骗法》
    full_name: 中华人民共和国反电信网络诈骗法
    url: "https://flk.npc.gov.cn/detail?id=1"
lint:
  words: { "中华人民共合国": "中华人民共和国" }
"#,
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://pufa.example.gov.cn/")
        );
        assert_eq!(config.paginate, 10);
        assert_eq!(config.topics[0].slug, "dianxin-zhapian");
        assert_eq!(config.topics[1].slug, "xiao-yuan-qi-ling");
        assert_eq!(config.laws[0].name, "反电信网络诈骗法");
        assert_eq!(config.laws[0].slug, "fan-dian-xin-wang-luo-zha-pian-fa");
        assert_eq!(config.lint_words["中华人民共合国"], "中华人民共和国");
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion() {
        let (_, warnings) = Config::parse("title: 某县\npaginat: 10\n").unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 2);
        assert_eq!(
            warnings[0].suggestion.as_deref(),
            Some("是不是想写“paginate”？")
        );
    }

    #[test]
    fn wrong_shapes_are_errors_with_positions() {
        let mut errors =
            Config::parse("title: 某县\ntopics: 电信诈骗\npaginate: 很多\n").unwrap_err();
        errors.sort_by_key(|e| e.line);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (2, 9));
        assert_eq!(errors[1].line, 3);
    }
}
