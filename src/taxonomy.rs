//! Topics, months, series and laws: which pages each one lists, in which order.
//!
//! Built once from the loaded pages and the laws their Markdown cites; the render stage only
//! reads it. Orders are total (ties broken by source path), so output is deterministic. A
//! topic, series or law with nothing published is left out entirely: it gets no page and no
//! link, since inspections count empty columns against a site.

use crate::content::{Date, Kind, Page};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct Taxonomies {
    /// Articles, pinned first, then newest first ([`listed_first`]; indices into the site's
    /// pages). Every other list of items is in this order too.
    pub articles: Vec<usize>,
    /// Episodes, newest first.
    pub episodes: Vec<usize>,
    /// Topics with at least one article or episode, in site.yaml order.
    pub topics: Vec<Term>,
    /// Months with a theme file or something published, newest first.
    pub months: Vec<MonthEntry>,
    /// Series with at least one published episode, by title.
    pub series: Vec<SeriesEntry>,
    /// Laws cited by at least one page, in site.yaml order.
    pub laws: Vec<LawEntry>,
    /// Standalone pages, by weight then title.
    pub pages: Vec<usize>,
    /// Columns (栏目) with something published in them or in a column inside them, in
    /// content path order (a column before those inside it).
    pub columns: Vec<ColumnEntry>,
    /// The main navigation ([`crate::menu`]), and what is wrong with site.yaml's `menu:`.
    pub menu: Vec<crate::menu::MenuItem>,
    pub menu_diagnostics: crate::diagnostic::Diagnostics,
    /// Older and newer neighbours: articles by date, episodes within their series.
    pub neighbours: BTreeMap<usize, (Option<usize>, Option<usize>)>,
}

#[derive(Debug)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// The topic's description page (content/topics/NAME.md), if any.
    pub description: Option<usize>,
    /// Articles and episodes, newest first.
    pub pages: Vec<usize>,
}

#[derive(Debug)]
pub struct ColumnEntry {
    /// The column's `_index.md` page.
    pub page: usize,
    /// The column it is in, if any (an index into the columns).
    pub parent: Option<usize>,
    /// Columns directly inside it, by weight, then title.
    pub children: Vec<usize>,
    /// Its items and those of the columns inside it, in the column's order.
    pub items: Vec<usize>,
}

#[derive(Debug)]
pub struct MonthEntry {
    /// `YYYY-MM`
    pub key: String,
    /// The theme file (content/months/YYYY-MM.md), if any.
    pub page: Option<usize>,
    /// Articles and episodes of the month, newest first.
    pub items: Vec<usize>,
}

#[derive(Debug)]
pub struct SeriesEntry {
    pub page: usize,
    /// Episodes in season, then episode order.
    pub episodes: Vec<usize>,
}

#[derive(Debug)]
pub struct LawEntry {
    /// Index into the config's laws.
    pub law: usize,
    /// Citing pages, newest first.
    pub pages: Vec<usize>,
}

/// Newest first; undated pages last; ties by source path.
pub fn newest_first(pages: &[Page], a: usize, b: usize) -> Ordering {
    let (pa, pb) = (&pages[a], &pages[b]);
    let date = |d: Option<Date>| std::cmp::Reverse(d);
    (date(pa.date), &pa.content_path).cmp(&(date(pb.date), &pb.content_path))
}

/// The order of every list: pinned items first (by `weight`, then newest first), then the
/// rest, newest first. Feeds and older/newer links keep to [`newest_first`].
pub fn listed_first(pages: &[Page], a: usize, b: usize) -> Ordering {
    let (pa, pb) = (&pages[a], &pages[b]);
    let group = |p: &Page| (!p.pinned, if p.pinned { p.weight } else { 0 });
    group(pa)
        .cmp(&group(pb))
        .then_with(|| newest_first(pages, a, b))
}

/// Groups `pages`. `cited[i]` is the set of law names page `i` cites (front matter and text).
pub fn build(
    pages: &[Page],
    cited: &[BTreeSet<String>],
    topics: &[crate::config::TopicDecl],
    laws: &[crate::config::LawDecl],
) -> Taxonomies {
    // Every list is in one order: order all pages once, then sort each list by that rank.
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by(|&a, &b| listed_first(pages, a, b));
    let mut rank = vec![0; pages.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let sort = |list: &mut Vec<usize>| list.sort_unstable_by_key(|&i| rank[i]);
    let of_kind = |kind: Kind| -> Vec<usize> {
        let mut list: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].kind == kind)
            .collect();
        sort(&mut list);
        list
    };
    let articles = of_kind(Kind::Article);
    let episodes = of_kind(Kind::Episode);
    let is_item = |i: &usize| matches!(pages[*i].kind, Kind::Article | Kind::Episode);

    // One pass over the pages for all topics, and one for all laws.
    let topic_index: HashMap<&str, usize> = topics
        .iter()
        .enumerate()
        .map(|(t, decl)| (decl.name.as_str(), t))
        .collect();
    let mut by_topic: Vec<Vec<usize>> = vec![Vec::new(); topics.len()];
    for i in (0..pages.len()).filter(is_item) {
        for name in &pages[i].topics {
            if let Some(&t) = topic_index.get(name.as_str())
                && by_topic[t].last() != Some(&i)
            {
                by_topic[t].push(i);
            }
        }
    }
    let topics = topics
        .iter()
        .zip(by_topic)
        .filter_map(|(decl, mut list)| {
            if list.is_empty() {
                return None;
            }
            sort(&mut list);
            let description = pages
                .iter()
                .position(|p| p.kind == Kind::Topic && p.slug == decl.slug);
            Some(Term {
                name: decl.name.clone(),
                slug: decl.slug.clone(),
                description,
                pages: list,
            })
        })
        .collect();

    let mut months: BTreeMap<String, MonthEntry> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        let key = match page.month() {
            Some(m) => m.key.clone(),
            None if is_item(&i) => match page.month_key() {
                Some(key) => key,
                None => continue,
            },
            None => continue,
        };
        let entry = months.entry(key.clone()).or_insert_with(|| MonthEntry {
            key,
            page: None,
            items: Vec::new(),
        });
        if page.kind == Kind::Month {
            entry.page = Some(i);
        } else {
            entry.items.push(i);
        }
    }
    let mut months: Vec<MonthEntry> = months.into_values().rev().collect();
    for m in &mut months {
        sort(&mut m.items);
    }

    let mut series: Vec<SeriesEntry> = (0..pages.len())
        .filter(|&i| pages[i].kind == Kind::Series)
        .filter_map(|s| {
            let mut list: Vec<usize> = episodes
                .iter()
                .copied()
                .filter(|&e| {
                    pages[e].episode().and_then(|x| x.series.as_ref()) == Some(&pages[s].slug)
                })
                .collect();
            if list.is_empty() {
                return None;
            }
            list.sort_by(|&a, &b| series_order(pages, a, b));
            Some(SeriesEntry {
                page: s,
                episodes: list,
            })
        })
        .collect();
    series.sort_by(|a, b| {
        (&pages[a.page].weight, &pages[a.page].title)
            .cmp(&(&pages[b.page].weight, &pages[b.page].title))
    });

    let law_index: HashMap<&str, usize> = laws
        .iter()
        .enumerate()
        .map(|(l, decl)| (decl.name.as_str(), l))
        .collect();
    let mut by_law: Vec<Vec<usize>> = vec![Vec::new(); laws.len()];
    for (i, names) in cited.iter().enumerate().take(pages.len()) {
        for name in names {
            if let Some(&l) = law_index.get(name.as_str()) {
                by_law[l].push(i);
            }
        }
    }
    let laws = by_law
        .into_iter()
        .enumerate()
        .filter_map(|(l, mut list)| {
            if list.is_empty() {
                return None;
            }
            sort(&mut list);
            Some(LawEntry {
                law: l,
                pages: list,
            })
        })
        .collect();

    let mut standalone: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].kind == Kind::Page)
        .collect();
    standalone.sort_by(|&a, &b| {
        (pages[a].weight, &pages[a].title, &pages[a].content_path).cmp(&(
            pages[b].weight,
            &pages[b].title,
            &pages[b].content_path,
        ))
    });

    let mut neighbours = BTreeMap::new();
    let mut by_date = articles.clone();
    by_date.sort_by(|&a, &b| newest_first(pages, a, b));
    chain(&mut neighbours, by_date.iter().rev().copied());
    for s in &series {
        chain(&mut neighbours, s.episodes.iter().copied());
    }

    let columns = columns(pages, &rank);

    Taxonomies {
        articles,
        episodes,
        topics,
        months,
        series,
        laws,
        pages: standalone,
        columns,
        menu: Vec::new(),
        menu_diagnostics: Vec::new(),
        neighbours,
    }
}

/// The columns with items, each with its items (its own and its sub-columns') in its order.
fn columns(pages: &[Page], rank: &[usize]) -> Vec<ColumnEntry> {
    use crate::content::{ColumnSort, Details};
    let folders: Vec<(usize, &str)> = (0..pages.len())
        .filter(|&i| pages[i].kind == Kind::Column)
        .filter_map(|i| Some((i, pages[i].column.as_deref()?)))
        .collect();
    let inside = |item: &str, folder: &str| {
        item == folder
            || item
                .strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let mut entries: Vec<ColumnEntry> = Vec::new();
    let mut kept_folders: Vec<&str> = Vec::new();
    for &(page, folder) in &folders {
        let mut items: Vec<usize> = (0..pages.len())
            .filter(|&i| {
                pages[i].kind == Kind::Article
                    && pages[i]
                        .column
                        .as_deref()
                        .is_some_and(|c| inside(c, folder))
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        let sort = match &pages[page].details {
            Details::Column(c) => c.sort,
            _ => ColumnSort::Date,
        };
        match sort {
            ColumnSort::Date => items.sort_unstable_by_key(|&i| rank[i]),
            // Pinned first, then by weight (those without one last), then newest first.
            ColumnSort::Weight => items.sort_by(|&a, &b| {
                let key = |p: &Page| (!p.pinned, p.weight == 0, p.weight);
                key(&pages[a])
                    .cmp(&key(&pages[b]))
                    .then_with(|| newest_first(pages, a, b))
            }),
            // In pinyin order, as a Chinese reader looks a title up.
            ColumnSort::Title => items.sort_by_cached_key(|&i| {
                (
                    crate::url::slugify(&pages[i].title),
                    pages[i].title.clone(),
                    pages[i].content_path.clone(),
                )
            }),
        }
        // Folders are in path order, so a parent comes before the columns inside it.
        let parent = kept_folders.iter().rposition(|&p| {
            folder
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
        });
        entries.push(ColumnEntry {
            page,
            parent,
            children: Vec::new(),
            items,
        });
        kept_folders.push(folder);
    }
    for c in 0..entries.len() {
        if let Some(parent) = entries[c].parent {
            entries[parent].children.push(c);
        }
    }
    let by_weight = |a: &usize, b: &usize| {
        let (pa, pb) = (&pages[entries[*a].page], &pages[entries[*b].page]);
        (pa.weight, &pa.title).cmp(&(pb.weight, &pb.title))
    };
    let mut sorted: Vec<Vec<usize>> = entries.iter().map(|e| e.children.clone()).collect();
    for children in &mut sorted {
        children.sort_by(by_weight);
    }
    for (entry, children) in entries.iter_mut().zip(sorted) {
        entry.children = children;
    }
    entries
}

impl Taxonomies {
    /// The column entry of the folder `folder` (under content/), if it is published.
    pub fn column_of(&self, pages: &[Page], folder: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| pages[c.page].column.as_deref() == Some(folder))
    }

    /// The columns from the outermost to `column`.
    pub fn column_chain(&self, column: usize) -> Vec<usize> {
        let mut chain = vec![column];
        while let Some(parent) = self.columns[*chain.last().unwrap_or(&column)].parent {
            chain.push(parent);
        }
        chain.reverse();
        chain
    }
}

/// Records each item's previous and next in `order`.
fn chain(
    neighbours: &mut BTreeMap<usize, (Option<usize>, Option<usize>)>,
    order: impl Iterator<Item = usize>,
) {
    let order: Vec<usize> = order.collect();
    for (n, &i) in order.iter().enumerate() {
        let previous = n.checked_sub(1).map(|p| order[p]);
        let next = order.get(n + 1).copied();
        neighbours.insert(i, (previous, next));
    }
}

/// Season, then episode number, then date; unnumbered episodes after numbered ones.
fn series_order(pages: &[Page], a: usize, b: usize) -> Ordering {
    let key = |i: usize| {
        let e = pages[i].episode();
        let season = e.and_then(|e| e.season).unwrap_or(1);
        let number = e.and_then(|e| e.number).unwrap_or(i64::MAX);
        (season, number, pages[i].date, &pages[i].content_path)
    };
    key(a).cmp(&key(b))
}

/// Page numbers for `total` items, `per_page` a page; always at least one page.
pub fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

/// The path of page `number` (1-based) of a list at `base` (`articles/`):
/// `articles/`, `articles/page/2/` …
pub fn pager_path(base: &str, number: usize) -> String {
    if number <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{number}/")
    }
}

/// The page numbers a pager shows: the first and last, and two on each side of `current`;
/// `None` marks skipped numbers. A list of 500 pages stays usable on a phone.
pub fn pager_window(current: usize, total: usize) -> Vec<Option<usize>> {
    let mut shown = Vec::new();
    for n in 1..=total {
        let near = n + 2 >= current && n <= current + 2;
        if n == 1 || n == total || near {
            if let Some(Some(last)) = shown.last()
                && n > last + 1
            {
                shown.push(None);
            }
            shown.push(Some(n));
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_windows() {
        let show = |c, t| {
            pager_window(c, t)
                .into_iter()
                .map(|n| n.map_or("…".to_string(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(show(1, 1), "1");
        assert_eq!(show(1, 5), "1 2 3 … 5");
        assert_eq!(show(3, 5), "1 2 3 4 5");
        assert_eq!(show(250, 500), "1 … 248 249 250 251 252 … 500");
        assert_eq!(show(500, 500), "1 … 498 499 500");
    }

    #[test]
    fn pagination() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_count(5, 0), 5);
        assert_eq!(pager_path("articles/", 1), "articles/");
        assert_eq!(pager_path("articles/", 2), "articles/page/2/");
        assert_eq!(
            pager_path("topics/dian-xin-zha-pian/", 3),
            "topics/dian-xin-zha-pian/page/3/"
        );
    }
}
