//! The main navigation: site.yaml's `menu:` in its order, or the default one (首页, the
//! lists with something in them, the top-level columns).
//!
//! Each entry has a *key* that a page's `section` is compared with to mark the current one:
//! the built-in lists keep their names (`articles`, `topics` …), columns and pages use their
//! output path, so that an item inside a column marks the column it is in.

use crate::config::{CONFIG_FILE, Config};
use crate::content::{Kind, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::taxonomy::Taxonomies;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub title: String,
    pub target: Target,
    /// What `page.section` is on the pages this entry is current for; empty for links to
    /// other sites.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An output path of this site (`yianshifa/`, the home page ``).
    Path(String),
    /// Another site's address.
    External(String),
}

/// The built-in lists: menu name(s), key, path.
const LISTS: &[(&[&str], &str, &str)] = &[
    (&["普法文章", "文章"], "articles", "articles/"),
    (&["普法视频", "视频"], "episodes", "episodes/"),
    (&["一月一主题", "主题月"], "months", "months/"),
    (&["专题"], "topics", "topics/"),
    (&["法律法规", "法律"], "laws", "laws/"),
    (&["搜索"], "search", "search/"),
];

/// Whether the built-in list `key` has a page (search always has).
fn list_shown(tax: &Taxonomies, key: &str) -> bool {
    match key {
        "articles" => !tax.articles.is_empty(),
        "episodes" => !tax.episodes.is_empty(),
        "months" => !tax.months.is_empty(),
        "topics" => !tax.topics.is_empty(),
        "laws" => !tax.laws.is_empty(),
        _ => true,
    }
}

/// The built-in list `key` (`articles`, `topics` …) as a step of the breadcrumbs: its title
/// in the menu (a site may call 普法文章 文章) or its own name, and its path; none when the
/// list has no page.
pub fn list_crumb(
    menu: &[MenuItem],
    tax: &Taxonomies,
    key: &str,
) -> Option<(String, &'static str)> {
    let (names, _, path) = LISTS.iter().find(|(_, k, _)| *k == key)?;
    if !list_shown(tax, key) {
        return None;
    }
    let title = menu
        .iter()
        .find(|m| m.key == key)
        .map_or_else(|| names[0].to_string(), |m| m.title.clone());
    Some((title, path))
}

/// The navigation, and what is wrong with `menu:`.
pub fn resolve(config: &Config, pages: &[Page], tax: &Taxonomies) -> (Vec<MenuItem>, Diagnostics) {
    let mut diagnostics = Vec::new();
    let Some(menu) = &config.menu else {
        return (default_menu(pages, tax), diagnostics);
    };
    let candidates = candidates(pages, tax);
    let mut items = Vec::new();
    for entry in menu {
        let at = |d: Diagnostic| d.in_file(CONFIG_FILE).at(entry.line, entry.column);
        let found = match &entry.url {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Some((Target::External(url.clone()), String::new()))
            }
            Some(url) => match url.strip_prefix('/') {
                Some(path) => {
                    let path = if path.is_empty() || path.ends_with('/') || path.contains('.') {
                        path.to_string()
                    } else {
                        format!("{path}/")
                    };
                    let known = path.is_empty()
                        || candidates.iter().any(|(_, _, p)| *p == path)
                        || published(config, pages, tax, &path);
                    if known {
                        // A built-in list by its address is that list, for marking.
                        let key = match LISTS.iter().find(|(_, _, p)| *p == path) {
                            Some((_, key, _)) => key.to_string(),
                            None if path.is_empty() => "home".to_string(),
                            None => path.clone(),
                        };
                        Some((Target::Path(path), key))
                    } else {
                        diagnostics.push(at(Diagnostic::error(
                            "config/menu-missing",
                            format!("导航项“{}”的网址 {url} 在这个网站里没有页面", entry.name),
                        )
                        .with_suggestion("站内地址从网站根目录写起，例如 /yianshifa/；也可以只写栏目或页面的名称")));
                        None
                    }
                }
                None => {
                    diagnostics.push(at(Diagnostic::error(
                        "config/menu-url",
                        format!("导航项“{}”的网址“{url}”看不懂", entry.name),
                    )
                    .with_suggestion(
                        "站内地址以 / 开头（/yianshifa/），其他网站的地址以 https:// 开头",
                    )));
                    None
                }
            },
            None => {
                let name = entry.name.as_str();
                match candidates
                    .iter()
                    .find(|(names, _, _)| names.iter().any(|n| n == name))
                {
                    Some((_, key, path)) => Some((Target::Path(path.clone()), key.clone())),
                    None => {
                        let mut d = Diagnostic::error(
                            "config/menu-unknown",
                            format!(
                                "导航项“{name}”不是栏目、页面或 pufa 生成的列表的名称，或者那里还没有内容"
                            ),
                        );
                        let names = candidates
                            .iter()
                            .flat_map(|(n, _, _)| n.iter().map(String::as_str));
                        d = match nearest(name, names) {
                            Some(near) => d.with_suggestion(format!("是不是“{near}”？")),
                            None => d.with_suggestion(
                                "写栏目（content 里有 _index.md 的文件夹）或页面的标题，或者写 { name: 名称, url: 网址 }",
                            ),
                        };
                        diagnostics.push(at(d));
                        None
                    }
                }
            }
        };
        if let Some((target, key)) = found {
            items.push(MenuItem {
                title: entry.name.clone(),
                target,
                key,
            });
        }
    }
    (items, diagnostics)
}

/// Whether this build makes a page (or a feed) at `path`: an item, a series, a topic, a
/// month, a law, the feeds. (Lists and columns are among the names of [`candidates`].)
fn published(config: &Config, pages: &[Page], tax: &Taxonomies, path: &str) -> bool {
    let item = tax
        .articles
        .iter()
        .chain(&tax.episodes)
        .any(|&i| pages[i].path == path);
    let series = tax.series.iter().any(|s| pages[s.page].path == path);
    let topic = tax
        .topics
        .iter()
        .any(|t| format!("topics/{}/", t.slug) == path);
    let month = tax
        .months
        .iter()
        .any(|m| format!("months/{}/", m.key) == path);
    let law = tax
        .laws
        .iter()
        .any(|l| format!("laws/{}/", config.laws[l.law].slug) == path);
    let feed = config.base_url.is_some() && matches!(path, "feed.xml" | "sitemap.xml");
    item || series || topic || month || law || feed
}

/// What a menu entry may name: names, key, path.
fn candidates(pages: &[Page], tax: &Taxonomies) -> Vec<(Vec<String>, String, String)> {
    let mut out = vec![(vec!["首页".to_string()], "home".to_string(), String::new())];
    for (names, key, path) in LISTS {
        if list_shown(tax, key) {
            let names = names.iter().map(|n| n.to_string()).collect();
            out.push((names, key.to_string(), path.to_string()));
        }
    }
    for c in &tax.columns {
        let p = &pages[c.page];
        let mut names = vec![p.title.clone()];
        names.extend(p.column.clone());
        out.push((names, p.path.clone(), p.path.clone()));
    }
    for &i in &tax.pages {
        let p = &pages[i];
        let stem = crate::content::file_stem(&p.content_path).to_string();
        out.push((vec![p.title.clone(), stem], p.path.clone(), p.path.clone()));
    }
    out
}

/// 首页, 普法文章 and 普法视频, the top-level columns, then the other lists; each only with
/// something in it. A site without columns gets the navigation it always had.
fn default_menu(pages: &[Page], tax: &Taxonomies) -> Vec<MenuItem> {
    let list = |(names, key, path): &(&[&str], &str, &str)| MenuItem {
        title: names[0].to_string(),
        target: Target::Path(path.to_string()),
        key: key.to_string(),
    };
    let mut items = vec![MenuItem {
        title: "首页".into(),
        target: Target::Path(String::new()),
        key: "home".into(),
    }];
    let shown = |l: &&(&[&str], &str, &str)| list_shown(tax, l.1);
    items.extend(LISTS[..2].iter().filter(shown).map(list));
    let mut top: Vec<usize> = (0..tax.columns.len())
        .filter(|&c| tax.columns[c].parent.is_none())
        .collect();
    top.sort_by(|&a, &b| {
        let (pa, pb) = (&pages[tax.columns[a].page], &pages[tax.columns[b].page]);
        (pa.weight, &pa.path).cmp(&(pb.weight, &pb.path))
    });
    items.extend(top.into_iter().map(|c| {
        let p = &pages[tax.columns[c].page];
        MenuItem {
            title: p.title.clone(),
            target: Target::Path(p.path.clone()),
            key: p.path.clone(),
        }
    }));
    // Search has its box in the header, not an entry.
    items.extend(LISTS[2..5].iter().filter(shown).map(list));
    items
}

/// The `section` of a page: the key of the menu entry it is under (the longest entry path
/// its own path starts with, for columns and pages), else its kind's list.
pub fn section_of(menu: &[MenuItem], page: &Page) -> String {
    let under = menu
        .iter()
        .filter(|m| m.key.ends_with('/') && page.path.starts_with(&m.key))
        .max_by_key(|m| m.key.len());
    if let Some(item) = under {
        return item.key.clone();
    }
    match page.kind {
        Kind::Home => "home",
        Kind::Article => "articles",
        Kind::Episode | Kind::Series => "episodes",
        Kind::Month => "months",
        Kind::Topic => "topics",
        Kind::Page | Kind::Column => "page",
    }
    .to_string()
}
