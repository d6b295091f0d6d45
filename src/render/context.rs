//! Typed template contexts.
//!
//! Every value a template sees is built here from the site model, with links already made
//! relative to the page being rendered. docs/theming.md documents each field; change both
//! together.

use super::Linker;
use crate::config::{Config, LawDecl};
use crate::content::{Date, Details, Kind, Media, Page, date::month_chinese};
use crate::markdown::{Heading, Rendered};
use crate::taxonomy::{MonthEntry, Taxonomies};
use crate::url;
use serde::Serialize;

/// Everything the build knows, borrowed by the context builders.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub pages: &'a [Page],
    pub rendered: &'a [Rendered],
    /// Names of the laws each page cites (front matter and text).
    pub cited: &'a [std::collections::BTreeSet<String>],
    pub tax: &'a Taxonomies,
    pub offline: bool,
    /// The site folder, for the captions `--offline` pages carry inside them.
    pub site_root: &'a std::path::Path,
    /// The build's date: the home page shows the newest month theme not after it.
    pub today: Date,
    /// Pictures published resized: covers and posters show a smaller version.
    pub pictures: &'a crate::picture::Pictures,
}

/// A date in the forms templates need.
#[derive(Serialize, Clone)]
pub struct DateView {
    /// `2023-06-01`
    pub iso: String,
    /// `2023年6月1日`
    pub zh: String,
    /// `2023-06-01T09:30:00+08:00`
    pub rfc3339: String,
}

impl From<Date> for DateView {
    fn from(d: Date) -> Self {
        DateView {
            iso: d.iso(),
            zh: d.chinese(),
            rfc3339: d.rfc3339(),
        }
    }
}

/// `site`: the configuration and the site-wide lists, identical on every page of a depth.
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: Option<&'a str>,
    pub language: &'a str,
    /// Link to the output root, ending in `/` (`../../`, or `./` on the home page): prefix
    /// for the theme's static files, e.g. `{{ site.root }}style.css`.
    pub root: String,
    pub home_url: String,
    /// The site's Atom feed, absolute; none without `base_url`.
    pub feed_url: Option<String>,
    /// The theme's picture for share cards of pages without one of their own, absolute;
    /// none without `base_url`.
    pub share_image: Option<String>,
    /// The header's wide picture, linked from this page; none without `banner:`.
    pub banner: Option<String>,
    pub organization: OrganizationView<'a>,
    /// Main navigation: only sections with something in them.
    pub nav: Vec<NavItem>,
    /// Links to the generated section pages (each exists only when `nav` lists it).
    pub urls: SectionUrls,
    pub topics: Vec<TermView>,
    pub months: Vec<MonthView>,
    pub series: Vec<SeriesView>,
    pub laws: Vec<LawView>,
    /// Standalone pages (关于我们 …), by weight.
    pub pages: Vec<LinkView>,
    pub extra: &'a serde_json::Value,
    /// True when built with `--offline` (links end in index.html).
    pub offline: bool,
}

#[derive(Serialize)]
pub struct OrganizationView<'a> {
    pub name: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub site_code: Option<&'a str>,
    pub icp: Option<&'a str>,
    /// https://beian.miit.gov.cn/ when `icp` is set.
    pub icp_url: Option<&'static str>,
    pub police: Option<&'a str>,
    /// The 公安 record page for the number in `police`.
    pub police_url: Option<String>,
    /// 党政机关网站标识: where the badge links, and the badge image's address from this page.
    pub conac: Option<&'a str>,
    pub conac_image: Option<String>,
    /// The body's emblem, linked from this page; none without `emblem:`.
    pub emblem: Option<String>,
    /// 我为政府网站找错, with this site's address.
    pub zhaocuo: Option<String>,
}

#[derive(Serialize)]
pub struct SectionUrls {
    pub articles: String,
    pub episodes: String,
    pub months: String,
    pub topics: String,
    pub laws: String,
    pub search: String,
}

#[derive(Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    /// Compared with `page.section` to mark the current item.
    pub section: String,
    /// A link to another site.
    pub external: bool,
}

/// `column`: the column whose list a page shows.
#[derive(Serialize)]
pub struct ColumnView {
    pub title: String,
    pub url: String,
    /// Its items and those of the columns inside it.
    pub count: usize,
    /// Its Atom feed; none without `base_url`.
    pub feed_url: Option<String>,
    /// The columns directly inside it.
    pub children: Vec<ColumnLink>,
}

/// A block of the home page: a top-level column and its newest items.
#[derive(Serialize)]
pub struct HomeColumn {
    pub title: String,
    pub url: String,
    /// [`ItemView`]s, already converted for the template engine.
    pub items: Vec<tera::Value>,
}

#[derive(Serialize)]
pub struct ColumnLink {
    pub title: String,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize, Clone)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

#[derive(Serialize, Clone)]
pub struct TermView {
    pub name: String,
    pub slug: String,
    pub url: String,
    /// Published articles and episodes.
    pub count: usize,
    /// The topic description's summary, if content/topics/ has one.
    pub summary: Option<String>,
    pub feed_url: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct MonthView {
    /// `2023-06`
    pub key: String,
    pub year: i64,
    pub month: u8,
    /// `2023年6月`
    pub label: String,
    /// The theme (from the month file's `theme`, else its title); none without a file.
    pub theme: Option<String>,
    /// 牵头单位
    pub lead: Option<String>,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize, Clone)]
pub struct SeriesView {
    pub title: String,
    pub slug: String,
    pub url: String,
    pub count: usize,
    pub summary: String,
    pub cover: Option<String>,
    /// The cover for the `picture` function.
    pub cover_image: Option<crate::picture::View>,
}

#[derive(Serialize, Clone)]
pub struct LawView {
    pub name: String,
    pub full_name: String,
    pub slug: String,
    /// The law's page on this site.
    pub url: String,
    /// The official text.
    pub official_url: Option<String>,
    pub count: usize,
}

/// An article or episode in a list: the fields that read the same on every page. With
/// the links of [`ItemLinks`] (relative, so different on each page depth) it makes a list
/// item (`item` in templates).
#[derive(Serialize)]
pub struct ItemView {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub date: Option<DateView>,
    /// 置顶: listed first.
    pub pinned: bool,
    pub summary: String,
    /// Episodes: the series' title.
    pub series: Option<String>,
    pub episode: Option<i64>,
    pub duration: Option<String>,
}

/// A list item's links, relative to the page showing it.
pub struct ItemLinks {
    pub url: String,
    pub cover: Option<String>,
    /// The cover (or an episode's poster) for the `picture` function.
    pub cover_image: Option<crate::picture::View>,
    pub topics: Vec<LinkView>,
}

/// `page`: the item being rendered. List pages get a `page` too, with their own title and
/// url and the item fields empty.
#[derive(Serialize, Default)]
pub struct PageView {
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// The navigation section the page belongs to: the `section` of a `site.nav` entry
    /// (`articles`, a column's path …).
    pub section: String,
    /// 当前位置: the home page and the columns above this page, outermost first.
    pub breadcrumbs: Vec<LinkView>,
    pub title: String,
    /// Link to this page, relative to itself.
    pub url: String,
    /// Absolute address; none without `base_url`.
    pub permalink: Option<String>,
    pub date: Option<DateView>,
    /// 更新时间: `updated:` when later than `date`.
    pub updated: Option<DateView>,
    pub pinned: bool,
    pub summary: String,
    /// HTML.
    pub content: String,
    pub toc: Vec<Heading>,
    pub cover: Option<String>,
    /// The cover for the `picture` function.
    pub cover_image: Option<crate::picture::View>,
    pub topics: Vec<LinkView>,
    pub laws: Vec<LawView>,
    pub author: Option<String>,
    /// 来源
    pub source: Option<String>,
    /// 责任编辑
    pub editor: Option<String>,
    /// The month page the item belongs to.
    pub month: Option<LinkView>,
    pub previous: Option<LinkView>,
    pub next: Option<LinkView>,
    // Episodes.
    pub series: Option<LinkView>,
    pub season: Option<i64>,
    pub episode: Option<i64>,
    pub video: Option<VideoView>,
    pub embed: Option<EmbedView>,
    pub poster: Option<String>,
    /// The poster for the `picture` function.
    pub poster_image: Option<crate::picture::View>,
    /// As written: `03:20`.
    pub duration: Option<String>,
    pub subtitles: Option<String>,
    /// With `--offline`: the captions as a `data:` address, since browsers refuse captions
    /// from another file of a page opened from disk.
    pub subtitles_inline: Option<String>,
    /// Structured data (JSON-LD), ready to place in a script element.
    pub json_ld: Option<String>,
    /// An SVG QR code of `permalink` (articles and episodes; none without `base_url`).
    pub qr_code: Option<String>,
    /// Absolute address of the picture for share cards: the cover or poster, else the
    /// theme's share picture; none without `base_url`.
    pub image: Option<String>,
    /// What the share picture shows, for `og:image:alt`: the page's title for its own cover
    /// or poster; none for the theme's picture (the theme says the site's name).
    pub image_alt: Option<String>,
    // Months.
    pub theme: Option<String>,
    pub lead: Option<String>,
    pub extra: serde_json::Value,
}

#[derive(Serialize)]
pub struct VideoView {
    pub src: String,
    /// MIME type from the file extension.
    pub mime: &'static str,
}

#[derive(Serialize)]
pub struct EmbedView {
    pub provider: &'static str,
    pub provider_name: &'static str,
    pub id: String,
    /// The player's address, for an iframe.
    pub src: String,
    /// The video's page on the platform.
    pub page_url: String,
}

/// `paginator` on list pages.
#[derive(Serialize)]
pub struct Paginator {
    /// [`ItemView`]s, already converted for the template engine.
    pub items: Vec<tera::Value>,
    /// 1-based.
    pub number: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The first and last page, and the two on each side of the current one, with gaps.
    pub pages: Vec<PagerLink>,
    /// This page's own absolute address (page 2 is not page 1), for its canonical link;
    /// none without `base_url`.
    pub permalink: Option<String>,
}

#[derive(Serialize)]
pub struct PagerLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Stands for skipped page numbers (shown as …); `number` and `url` are empty.
    pub gap: bool,
}

/// One calendar year on the months page.
#[derive(Serialize)]
pub struct YearView {
    pub year: i64,
    /// January first.
    pub months: Vec<MonthView>,
}

impl<'a> SiteData<'a> {
    pub fn permalink(&self, path: &str) -> Option<String> {
        self.config
            .base_url
            .as_deref()
            .map(|base| url::absolute(base, path))
    }

    fn asset_url(&self, link: &Linker, asset: &str) -> String {
        link.file(&url::encode_path(asset))
    }

    /// The address of a picture shown by one address (a cover, a poster): its resized
    /// version about 960 px wide, or the file itself when pufa does not resize it.
    fn picture_url(&self, link: &Linker, asset: &str) -> String {
        match self.pictures.display(asset) {
            Some(shown) => link.file(&url::encode_path(&shown.path)),
            None => self.asset_url(link, asset),
        }
    }

    /// How a page shows a picture through the `picture` function: resized, or (SVG, GIF)
    /// the file itself.
    pub fn picture_view(&self, link: &Linker, asset: &str) -> crate::picture::View {
        let to = |path: &str| link.file(&url::encode_path(path));
        self.pictures
            .view(asset, &to)
            .unwrap_or_else(|| crate::picture::View {
                src: self.asset_url(link, asset),
                ..Default::default()
            })
    }

    /// The absolute address of a picture for share cards: its 1,200 px JPEG.
    fn share_url(&self, asset: &str) -> Option<String> {
        let path = self
            .pictures
            .share_path(asset)
            .unwrap_or_else(|| asset.to_string());
        self.permalink(&url::encode_path(&path))
    }

    pub fn site_view(&self, link: &Linker) -> SiteView<'a> {
        let c = self.config;
        let org = &c.organization;
        let police_url = org.police.as_deref().map(|p| {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            format!("https://beian.mps.gov.cn/#/query/webSearch?code={digits}")
        });
        let tax = self.tax;
        let nav = tax
            .menu
            .iter()
            .map(|m| {
                let (url, external) = match &m.target {
                    crate::menu::Target::Path(path) => (link.to(path), false),
                    crate::menu::Target::External(url) => (url.clone(), true),
                };
                NavItem {
                    title: m.title.clone(),
                    url,
                    section: m.key.clone(),
                    external,
                }
            })
            .collect();
        SiteView {
            title: &c.title,
            description: &c.description,
            base_url: c.base_url.as_deref(),
            language: &c.language,
            root: link.file(""),
            home_url: link.to(""),
            feed_url: self.permalink("feed.xml"),
            share_image: self.permalink(SHARE_IMAGE),
            banner: c.banner.as_deref().map(|image| self.asset_url(link, image)),
            organization: OrganizationView {
                name: org.name.as_deref(),
                contact: org.contact.as_deref(),
                site_code: org.site_code.as_deref(),
                icp: org.icp.as_deref(),
                icp_url: org.icp.as_ref().map(|_| "https://beian.miit.gov.cn/"),
                police: org.police.as_deref(),
                police_url,
                conac: org.conac.as_deref(),
                conac_image: org
                    .conac_image
                    .as_deref()
                    .map(|image| self.asset_url(link, image)),
                emblem: org
                    .emblem
                    .as_deref()
                    .map(|image| self.asset_url(link, image)),
                zhaocuo: org.zhaocuo.as_deref().map(|form| {
                    let address = c.base_url.as_deref().unwrap_or("");
                    if address.is_empty() || !form.starts_with(crate::config::ZHAOCUO) {
                        form.to_string()
                    } else {
                        let encoded = percent_encoding::utf8_percent_encode(
                            address,
                            percent_encoding::NON_ALPHANUMERIC,
                        );
                        format!("{form}&url={encoded}")
                    }
                }),
            },
            nav,
            urls: SectionUrls {
                articles: link.to("articles/"),
                episodes: link.to("episodes/"),
                months: link.to("months/"),
                topics: link.to("topics/"),
                laws: link.to("laws/"),
                search: link.to("search/"),
            },
            topics: (0..tax.topics.len())
                .map(|t| self.term_view(link, t))
                .collect(),
            months: tax
                .months
                .iter()
                .map(|m| self.month_view(link, m))
                .collect(),
            series: (0..tax.series.len())
                .map(|s| self.series_view(link, s))
                .collect(),
            laws: (0..tax.laws.len())
                .map(|l| self.law_view(link, l))
                .collect(),
            pages: tax.pages.iter().map(|&p| self.link_view(link, p)).collect(),
            extra: &c.extra,
            offline: self.offline,
        }
    }

    pub fn link_view(&self, link: &Linker, page: usize) -> LinkView {
        let p = &self.pages[page];
        LinkView {
            title: p.title.clone(),
            url: link.to(&p.path),
        }
    }

    pub fn term_view(&self, link: &Linker, t: usize) -> TermView {
        let term = &self.tax.topics[t];
        let path = format!("topics/{}/", term.slug);
        TermView {
            name: term.name.clone(),
            slug: term.slug.clone(),
            url: link.to(&path),
            count: term.pages.len(),
            summary: term.description.map(|d| self.summary(d)),
            feed_url: self.permalink(&format!("{path}feed.xml")),
        }
    }

    pub fn month_view(&self, link: &Linker, m: &MonthEntry) -> MonthView {
        let file = m.page.map(|p| &self.pages[p]);
        let details = file.and_then(Page::month);
        MonthView {
            key: m.key.clone(),
            year: m.key[..4].parse().unwrap_or(0),
            month: m.key[5..].parse().unwrap_or(0),
            label: month_chinese(&m.key),
            theme: details
                .and_then(|d| d.theme.clone())
                .or_else(|| file.map(|f| f.title.clone())),
            lead: details.and_then(|d| d.lead.clone()),
            url: link.to(&format!("months/{}/", m.key)),
            count: m.items.len(),
        }
    }

    pub fn series_view(&self, link: &Linker, s: usize) -> SeriesView {
        let entry = &self.tax.series[s];
        let p = &self.pages[entry.page];
        SeriesView {
            title: p.title.clone(),
            slug: p.slug.clone(),
            url: link.to(&p.path),
            count: entry.episodes.len(),
            summary: self.summary(entry.page),
            cover: p.cover.as_deref().map(|c| self.picture_url(link, c)),
            cover_image: p.cover.as_deref().map(|c| self.picture_view(link, c)),
        }
    }

    pub fn law_view(&self, link: &Linker, l: usize) -> LawView {
        let entry = &self.tax.laws[l];
        let decl: &LawDecl = &self.config.laws[entry.law];
        LawView {
            name: decl.name.clone(),
            full_name: decl.full_name.clone(),
            slug: decl.slug.clone(),
            url: link.to(&format!("laws/{}/", decl.slug)),
            official_url: decl.url.clone(),
            count: entry.pages.len(),
        }
    }

    /// The front matter summary, else the start of the first paragraph.
    pub fn summary(&self, page: usize) -> String {
        self.pages[page]
            .summary
            .clone()
            .unwrap_or_else(|| self.rendered[page].summary.clone())
    }

    fn topic_links(&self, link: &Linker, page: &Page) -> Vec<LinkView> {
        page.topics
            .iter()
            .filter_map(|name| self.tax.topics.iter().find(|t| &t.name == name))
            .map(|t| LinkView {
                title: t.name.clone(),
                url: link.to(&format!("topics/{}/", t.slug)),
            })
            .collect()
    }

    fn series_title(&self, page: &Page) -> Option<(String, String)> {
        let slug = page.episode()?.series.as_ref()?;
        let s = self
            .tax
            .series
            .iter()
            .find(|s| &self.pages[s.page].slug == slug)?;
        let sp = &self.pages[s.page];
        Some((sp.title.clone(), sp.path.clone()))
    }

    pub fn item_view(&self, i: usize) -> ItemView {
        let p = &self.pages[i];
        let episode = p.episode();
        ItemView {
            kind: p.kind.as_str(),
            kind_label: p.kind.label(),
            title: p.title.clone(),
            date: p.date.map(DateView::from),
            pinned: p.pinned,
            summary: self.summary(i),
            series: self.series_title(p).map(|(t, _)| t),
            episode: episode.and_then(|e| e.number),
            duration: episode.and_then(|e| e.duration.as_ref().map(|d| d.0.clone())),
        }
    }

    pub fn item_links(&self, link: &Linker, i: usize) -> ItemLinks {
        let p = &self.pages[i];
        ItemLinks {
            url: link.to(&p.path),
            cover: p
                .cover
                .as_deref()
                .or(p.episode().and_then(|e| e.poster.as_deref()))
                .map(|c| self.picture_url(link, c)),
            cover_image: p
                .cover
                .as_deref()
                .or(p.episode().and_then(|e| e.poster.as_deref()))
                .map(|c| self.picture_view(link, c)),
            topics: self.topic_links(link, p),
        }
    }

    /// A `page` for a generated list page.
    pub fn section_page(&self, link: &Linker, title: &str, section: &str, path: &str) -> PageView {
        // A list's own page (文章列表, 专题) is under 首页; a topic's, a month's or a law's
        // page is under its list too.
        let breadcrumbs = match path.trim_end_matches('/').split_once('/') {
            _ if path.is_empty() => Vec::new(),
            Some((list, _)) => self.list_crumbs(link, Some(list)),
            None => self.list_crumbs(link, None),
        };
        PageView {
            kind: "section",
            kind_label: "栏目",
            section: section.to_string(),
            breadcrumbs,
            title: title.to_string(),
            url: link.to(path),
            permalink: self.permalink(path),
            extra: serde_json::Value::Null,
            ..PageView::default()
        }
    }

    /// `column` on a column's list pages.
    pub fn column_view(&self, link: &Linker, column: usize) -> ColumnView {
        let entry = &self.tax.columns[column];
        let p = &self.pages[entry.page];
        ColumnView {
            title: p.title.clone(),
            url: link.to(&p.path),
            count: entry.items.len(),
            feed_url: self.permalink(&format!("{}feed.xml", p.path)),
            children: entry
                .children
                .iter()
                .map(|&c| {
                    let child = &self.tax.columns[c];
                    let cp = &self.pages[child.page];
                    ColumnLink {
                        title: cp.title.clone(),
                        url: link.to(&cp.path),
                        count: child.items.len(),
                    }
                })
                .collect(),
        }
    }

    /// 首页 and the columns above page `p` (for a column, above it), when it is in one.
    fn breadcrumbs(&self, link: &Linker, p: &Page) -> Vec<LinkView> {
        let Some(column) = p
            .column
            .as_ref()
            .and_then(|folder| self.tax.column_of(self.pages, folder))
        else {
            // Not in a column: 首页, the list the page belongs to, and an episode's series.
            let list = match p.kind {
                Kind::Home => return Vec::new(),
                Kind::Article => Some("articles"),
                Kind::Episode | Kind::Series => Some("episodes"),
                Kind::Month => Some("months"),
                Kind::Topic => Some("topics"),
                Kind::Page | Kind::Column => None,
            };
            let mut crumbs = self.list_crumbs(link, list);
            if let Some((title, path)) = self.series_title(p) {
                crumbs.push(LinkView {
                    title,
                    url: link.to(&path),
                });
            }
            return crumbs;
        };
        let mut chain = self.tax.column_chain(column);
        if p.kind == Kind::Column {
            chain.pop();
        }
        let mut crumbs = vec![LinkView {
            title: "首页".into(),
            url: link.to(""),
        }];
        crumbs.extend(
            chain
                .into_iter()
                .map(|c| self.link_view(link, self.tax.columns[c].page)),
        );
        crumbs
    }

    /// 首页, then the built-in list `list` when it has a page.
    fn list_crumbs(&self, link: &Linker, list: Option<&str>) -> Vec<LinkView> {
        let mut crumbs = vec![LinkView {
            title: "首页".into(),
            url: link.to(""),
        }];
        if let Some((title, path)) =
            list.and_then(|key| crate::menu::list_crumb(&self.tax.menu, self.tax, key))
        {
            crumbs.push(LinkView {
                title,
                url: link.to(path),
            });
        }
        crumbs
    }

    /// The full `page` for a content page.
    pub fn page_view(&self, link: &Linker, i: usize) -> PageView {
        let p = &self.pages[i];
        let r = &self.rendered[i];
        let asset = |a: &Option<String>| a.as_deref().map(|a| self.asset_url(link, a));
        let shown = |a: &Option<String>| a.as_deref().map(|a| self.picture_url(link, a));
        let laws = (0..self.tax.laws.len())
            .filter(|&l| self.cited[i].contains(&self.config.laws[self.tax.laws[l].law].name))
            .map(|l| self.law_view(link, l))
            .collect();
        let month = p.month_key().and_then(|key| {
            self.tax
                .months
                .iter()
                .find(|m| m.key == key)
                .map(|m| LinkView {
                    title: self
                        .month_view(link, m)
                        .theme
                        .unwrap_or_else(|| month_chinese(&m.key)),
                    url: link.to(&format!("months/{}/", m.key)),
                })
        });
        let (previous, next) = self
            .tax
            .neighbours
            .get(&i)
            .map_or((None, None), |(prev, next)| {
                (
                    prev.map(|x| self.link_view(link, x)),
                    next.map(|x| self.link_view(link, x)),
                )
            });
        let section = crate::menu::section_of(&self.tax.menu, p);
        let breadcrumbs = self.breadcrumbs(link, p);
        let mut view = PageView {
            kind: p.kind.as_str(),
            kind_label: p.kind.label(),
            section,
            breadcrumbs,
            title: p.title.clone(),
            url: link.to(&p.path),
            permalink: self.permalink(&p.path),
            date: p.date.map(DateView::from),
            updated: p
                .updated
                .filter(|u| p.date.is_none_or(|d| *u > d))
                .map(DateView::from),
            pinned: p.pinned,
            summary: self.summary(i),
            content: r.html.clone(),
            toc: r.toc.clone(),
            cover: shown(&p.cover),
            cover_image: p.cover.as_deref().map(|c| self.picture_view(link, c)),
            topics: self.topic_links(link, p),
            laws,
            author: p.author.clone(),
            source: p.origin.clone(),
            editor: p.editor.clone(),
            month,
            previous,
            next,
            extra: p.extra.clone(),
            ..PageView::default()
        };
        let picture = p
            .cover
            .as_deref()
            .or(p.episode().and_then(|e| e.poster.as_deref()));
        view.image = match picture {
            Some(asset) => {
                view.image_alt = Some(p.title.clone());
                self.share_url(asset)
            }
            None => self.permalink(SHARE_IMAGE),
        };
        if matches!(p.kind, Kind::Article | Kind::Episode)
            && let Some(address) = &view.permalink
        {
            view.qr_code = Some(super::qr::svg(address));
        }
        if p.kind == Kind::Article {
            view.json_ld = Some(self.article_json_ld(i, &view));
        }
        match &p.details {
            Details::Episode(e) => {
                view.series = self.series_title(p).map(|(title, path)| LinkView {
                    title,
                    url: link.to(&path),
                });
                view.season = e.season;
                view.episode = e.number;
                view.poster = shown(&e.poster);
                view.poster_image = e.poster.as_deref().map(|c| self.picture_view(link, c));
                view.subtitles = asset(&e.subtitles);
                if self.offline {
                    view.subtitles_inline =
                        e.subtitles.as_deref().and_then(|s| self.inline_captions(s));
                }
                view.duration = e.duration.as_ref().map(|d| d.0.clone());
                match &e.media {
                    Media::Video(v) => {
                        view.video = Some(VideoView {
                            src: self.asset_url(link, v),
                            mime: video_mime(v),
                        });
                    }
                    Media::Embed(embed) => {
                        view.embed = Some(EmbedView {
                            provider: embed.provider,
                            provider_name: embed.provider_name,
                            id: embed.id.clone(),
                            src: embed.player_url.clone(),
                            page_url: embed.page_url.clone(),
                        });
                    }
                    Media::None => {}
                }
                view.json_ld = Some(self.video_json_ld(i, &view));
            }
            Details::Month(m) => {
                view.theme = m.theme.clone();
                view.lead = m.lead.clone();
            }
            _ => {}
        }
        view
    }

    /// The captions file `path` (relative to content/) as a `data:` address; none when it
    /// cannot be read or is too large to carry in every copy of the page.
    fn inline_captions(&self, path: &str) -> Option<String> {
        const LARGEST: u64 = 512 * 1024;
        let file = self.site_root.join(crate::content::CONTENT_DIR).join(path);
        if std::fs::metadata(&file).ok()?.len() > LARGEST {
            return None;
        }
        let bytes = std::fs::read(&file).ok()?;
        Some(format!(
            "data:text/vtt;charset=utf-8;base64,{}",
            data_encoding::BASE64.encode(&bytes)
        ))
    }

    /// schema.org Article for an article page.
    fn article_json_ld(&self, i: usize, view: &PageView) -> String {
        let p = &self.pages[i];
        let mut data = serde_json::Map::new();
        data.insert("@context".into(), "https://schema.org".into());
        data.insert("@type".into(), "Article".into());
        data.insert("headline".into(), p.title.clone().into());
        data.insert("description".into(), view.summary.clone().into());
        if let Some(date) = p.date {
            data.insert("datePublished".into(), date.rfc3339().into());
        }
        if let Some(modified) = p.modified() {
            data.insert("dateModified".into(), modified.rfc3339().into());
        }
        if let Some(author) = &p.author {
            data.insert("author".into(), author_json_ld(author));
        }
        let publisher = p
            .origin
            .clone()
            .or_else(|| self.config.organization.name.clone());
        if let Some(publisher) = publisher {
            data.insert(
                "publisher".into(),
                serde_json::json!({ "@type": "Organization", "name": publisher }),
            );
        }
        if let Some(image) = &view.image {
            data.insert("image".into(), image.clone().into());
        }
        if let Some(address) = &view.permalink {
            data.insert("mainEntityOfPage".into(), address.clone().into());
        }
        script_json(data)
    }

    /// schema.org VideoObject for an episode page.
    fn video_json_ld(&self, i: usize, view: &PageView) -> String {
        let p = &self.pages[i];
        let e = p.episode().expect("episode pages have episode details");
        let mut data = serde_json::Map::new();
        data.insert("@context".into(), "https://schema.org".into());
        data.insert("@type".into(), "VideoObject".into());
        data.insert("name".into(), p.title.clone().into());
        data.insert("description".into(), view.summary.clone().into());
        if let Some(date) = p.date {
            data.insert("uploadDate".into(), date.rfc3339().into());
        }
        if let Some((_, seconds)) = e.duration {
            data.insert(
                "duration".into(),
                format!("PT{}M{}S", seconds / 60, seconds % 60).into(),
            );
        }
        let thumbnail = e.poster.as_deref().or(p.cover.as_deref());
        if let Some(t) = thumbnail.and_then(|t| self.share_url(t)) {
            data.insert("thumbnailUrl".into(), t.into());
        }
        match &e.media {
            Media::Video(v) => {
                if let Some(u) = self.permalink(&url::encode_path(v)) {
                    data.insert("contentUrl".into(), u.into());
                }
            }
            Media::Embed(embed) => {
                data.insert("embedUrl".into(), embed.player_url.clone().into());
            }
            Media::None => {}
        }
        if let Some(u) = self.permalink(&p.path) {
            data.insert("url".into(), u.into());
        }
        script_json(data)
    }

    /// Page `number` of the list `items` at `base`; `item` gives an item's value.
    pub fn paginator(
        &self,
        link: &Linker,
        items: &[usize],
        base: &str,
        number: usize,
        item: &dyn Fn(usize) -> tera::Value,
    ) -> Paginator {
        self.paginator_of(link, items, base, number, self.config.paginate, item)
    }

    /// [`Self::paginator`] with `per_page` items a page.
    pub fn paginator_of(
        &self,
        link: &Linker,
        items: &[usize],
        base: &str,
        number: usize,
        per_page: usize,
        item: &dyn Fn(usize) -> tera::Value,
    ) -> Paginator {
        let total_pages = crate::taxonomy::page_count(items.len(), per_page);
        let url_of = |n: usize| link.to(&crate::taxonomy::pager_path(base, n));
        let start = (number - 1) * per_page;
        Paginator {
            items: items
                .iter()
                .skip(start)
                .take(per_page)
                .map(|&i| item(i))
                .collect(),
            number,
            total_pages,
            total_items: items.len(),
            permalink: self.permalink(&crate::taxonomy::pager_path(base, number)),
            previous: (number > 1).then(|| url_of(number - 1)),
            next: (number < total_pages).then(|| url_of(number + 1)),
            pages: crate::taxonomy::pager_window(number, total_pages)
                .into_iter()
                .map(|n| match n {
                    Some(n) => PagerLink {
                        number: n,
                        url: url_of(n),
                        current: n == number,
                        gap: false,
                    },
                    None => PagerLink {
                        number: 0,
                        url: String::new(),
                        current: false,
                        gap: true,
                    },
                })
                .collect(),
        }
    }

    /// Every published page the search index holds, newest first.
    pub fn search_docs(&self) -> Vec<crate::search::Doc<'a>> {
        let tax = self.tax;
        let mut order: Vec<usize> = tax.articles.iter().chain(&tax.episodes).copied().collect();
        order.sort_by(|&a, &b| crate::taxonomy::newest_first(self.pages, a, b));
        order.extend(tax.months.iter().filter_map(|m| m.page));
        order.extend(tax.series.iter().map(|s| s.page));
        order.extend(&tax.pages);
        order
            .into_iter()
            .map(|i| {
                let p = &self.pages[i];
                let mut url = p.path.clone();
                if self.offline {
                    url.push_str("index.html");
                }
                crate::search::Doc {
                    title: &p.title,
                    url,
                    kind: p.kind.label(),
                    date: p.date.map(|d| d.iso()).unwrap_or_default(),
                    topics: &p.topics,
                    summary: p.summary.as_deref().unwrap_or(""),
                    text: &self.rendered[i].text,
                }
            })
            .collect()
    }

    /// The months page: a calendar year by year, newest year first.
    pub fn years(&self, link: &Linker) -> Vec<YearView> {
        let mut years: Vec<YearView> = Vec::new();
        for m in self.tax.months.iter().rev() {
            let view = self.month_view(link, m);
            match years.last_mut() {
                Some(y) if y.year == view.year => y.months.push(view),
                _ => years.push(YearView {
                    year: view.year,
                    months: vec![view],
                }),
            }
        }
        years.reverse();
        years
    }
}

/// JSON for a `<script>` element: `</` would end the element early.
fn script_json(data: serde_json::Map<String, serde_json::Value>) -> String {
    serde_json::Value::Object(data)
        .to_string()
        .replace("</", "<\\/")
}

/// Endings of the names of bodies (县司法局, 柳塘乡司法所, 湖滨街道人民调解委员会,
/// 县禁毒办, 法治副校长团队): what an author named so is, is an Organization.
const BODY_ENDINGS: &[&str] = &[
    "局", "所", "院", "厅", "委", "会", "办", "室", "中心", "站", "队", "庭", "处", "科", "部",
    "组", "社", "台", "馆", "校", "团", "署", "府", "协会", "团队", "小组", "公司", "联盟",
];

/// schema.org for `author:` as officers write it: a body (县司法局), a person (陈晓), or a
/// body then its people (县司法局 陈晓: a Person working for the Organization).
fn author_json_ld(author: &str) -> serde_json::Value {
    let is_body = |name: &str| BODY_ENDINGS.iter().any(|e| name.ends_with(e));
    let parts: Vec<&str> = author.split_whitespace().collect();
    let entity = |name: &str| {
        let kind = if is_body(name) {
            "Organization"
        } else {
            "Person"
        };
        serde_json::json!({ "@type": kind, "name": name })
    };
    match parts.as_slice() {
        [] => entity(author),
        [one] => entity(one),
        [body, people @ ..] if is_body(body) && people.iter().all(|p| !is_body(p)) => {
            let people: Vec<serde_json::Value> = people
                .iter()
                .map(|name| {
                    serde_json::json!({
                        "@type": "Person",
                        "name": name,
                        "affiliation": { "@type": "Organization", "name": body },
                    })
                })
                .collect();
            match <[serde_json::Value; 1]>::try_from(people) {
                Ok([person]) => person,
                Err(people) => people.into(),
            }
        }
        parts => parts.iter().map(|name| entity(name)).collect(),
    }
}

/// The theme's picture for share cards when a page has none of its own.
const SHARE_IMAGE: &str = "share.png";

fn video_mime(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "webm" => "video/webm",
        "ogv" | "ogg" => "video/ogg",
        "m4v" | "mp4" => "video/mp4",
        _ => "video/mp4",
    }
}

#[cfg(test)]
mod tests {
    use super::author_json_ld;
    use serde_json::json;

    #[test]
    fn authors_are_bodies_people_or_people_of_a_body() {
        assert_eq!(
            author_json_ld("县司法局"),
            json!({ "@type": "Organization", "name": "县司法局" })
        );
        assert_eq!(
            author_json_ld("湖滨街道人民调解委员会"),
            json!({ "@type": "Organization", "name": "湖滨街道人民调解委员会" })
        );
        assert_eq!(
            author_json_ld("陈晓"),
            json!({ "@type": "Person", "name": "陈晓" })
        );
        assert_eq!(
            author_json_ld("县司法局 陈晓"),
            json!({ "@type": "Person", "name": "陈晓",
                    "affiliation": { "@type": "Organization", "name": "县司法局" } })
        );
        assert_eq!(
            author_json_ld("县司法局 陈晓 赵敏")[1]["affiliation"]["name"],
            "县司法局"
        );
        assert_eq!(
            author_json_ld("县教育局 法治副校长团队"),
            json!([{ "@type": "Organization", "name": "县教育局" },
                   { "@type": "Organization", "name": "法治副校长团队" }])
        );
    }
}
