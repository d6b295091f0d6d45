//! Checks of the whole site that an inspection would make: serious wording errors, personal
//! data left in published cases, links to headings that do not exist, dates in the future and
//! a homepage that has not been updated for two weeks.
//!
//! They run on the loaded site and its rendered Markdown, after the per-file checks of
//! loading, for `build` and `check` alike; [`report`] prints the results.

mod lints;
pub mod report;

pub use lints::{
    PersonalData, Wording, mask_personal_data, number_digits, personal_data, visible_wording,
    wording,
};

use crate::content::{Date, Kind, Page, Site};
use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex};
use crate::markdown::Rendered;
use crate::taxonomy::Taxonomies;
use std::collections::BTreeMap;

/// How many stale columns an inspection fails a site for.
const STALE_COLUMNS: usize = 5;

/// The checks of one page's own text; the same for the same text, so they can be kept.
pub fn page_lints(site: &Site, page: &Page) -> Diagnostics {
    let mut out = Vec::new();
    text_lints(site, page, &mut out);
    out
}

/// What the authors should know of their pictures (location data, a file too large, one
/// that does not read as a picture): once a picture, at the first place that shows it, in
/// page order (front matter before the text), saying how many more do.
fn pictures(site: &Site, rendered: &[Rendered], out: &mut Diagnostics) {
    let mut first: std::collections::BTreeMap<&str, (&Page, (usize, usize), usize)> =
        std::collections::BTreeMap::new();
    for (page, r) in site.pages.iter().zip(rendered) {
        for (asset, at) in page.files_at.iter().chain(&r.pictures) {
            if !site.pictures.probes.contains_key(asset) {
                continue;
            }
            first
                .entry(asset.as_str())
                .and_modify(|(_, _, more)| *more += 1)
                .or_insert((page, *at, 0));
        }
    }
    for (asset, (page, (line, column), more)) in first {
        for mut d in crate::picture::warnings(&site.pictures, asset) {
            if more > 0 {
                d.message
                    .push_str(&format!("；另有 {more} 处也用到这张图片"));
            }
            out.push(d.in_file(&page.source).at(line, column));
        }
    }
}

/// The checks that look across pages: links to headings, dates.
pub fn across_pages(site: &Site, rendered: &[Rendered], tax: &Taxonomies) -> Diagnostics {
    let mut out = Vec::new();
    anchors(site, rendered, &mut out);
    dates(site, tax, &mut out);
    footer(site, &mut out);
    empty_columns(site, tax, &mut out);
    pictures(site, rendered, &mut out);
    out
}

/// A column with nothing published gets no page: say so, since inspections count empty
/// columns against a site.
fn empty_columns(site: &Site, tax: &Taxonomies, out: &mut Diagnostics) {
    for (i, page) in site.pages.iter().enumerate() {
        if page.kind == Kind::Column && !tax.columns.iter().any(|c| c.page == i) {
            out.push(
                Diagnostic::warning(
                    "content/empty-column",
                    format!(
                        "栏目“{}”里还没有发布的内容：不生成栏目页，也不出现在导航里",
                        page.title
                    ),
                )
                .in_file(&page.source)
                .with_suggestion("把文章放进这个文件夹；空栏目在政府网站检查中会被扣分"),
            );
        }
    }
}

/// The footer elements a government site's inspection requires, and the badge image.
fn footer(site: &Site, out: &mut Diagnostics) {
    let org = &site.config.organization;
    let pictures = [
        (
            "organization 的 conac_image",
            &org.conac_image,
            "把党政机关网站标识的图片（开办单位下载的 red.png）放进 content/，例如 content/images/conac.png，再写 conac_image: images/conac.png",
        ),
        (
            "organization 的 emblem",
            &org.emblem,
            "把单位徽标的图片放进 content/，例如 content/images/emblem.png，再写 emblem: images/emblem.png",
        ),
        (
            "banner",
            &site.config.banner,
            "把页头横幅图片（宽 1600 像素左右）放进 content/，例如 content/images/banner.jpg，再写 banner: images/banner.jpg",
        ),
    ];
    let text = &site.config.text;
    for (key, image, suggestion) in pictures {
        if let Some(image) = image
            && !site.assets.contains(image)
        {
            let name = key.rsplit(' ').next().unwrap_or(key);
            let in_organization = key.starts_with("organization");
            let mut d = Diagnostic::error(
                "config/missing-file",
                format!("{key} 指向 content/{image}，但没有这个文件"),
            )
            .in_file("site.yaml")
            .with_suggestion(suggestion);
            if let Some((line, column)) = key_position(text, name, in_organization) {
                d = d.at(line, column);
            }
            out.push(d);
        }
    }
    // A site without an address is not yet published: nothing to inspect.
    if site.config.base_url.is_none() {
        return;
    }
    let missing: Vec<&str> = [
        (org.name.is_some(), "主办单位（name）"),
        (org.contact.is_some(), "联系方式（contact）"),
        (org.site_code.is_some(), "网站标识码（site_code）"),
        (org.icp.is_some(), "ICP 备案号（icp）"),
        (org.police.is_some(), "公安机关备案号（police）"),
    ]
    .into_iter()
    .filter(|(given, _)| !given)
    .map(|(_, what)| what)
    .collect();
    if !missing.is_empty() {
        let d = Diagnostic::warning(
            "config/footer-missing",
            format!("页脚缺少政府网站检查要求的：{}", missing.join("、")),
        )
        .in_file("site.yaml");
        let d = match key_position(&site.config.text, "organization", false) {
            Some((line, column)) => d.at(line, column),
            None => d,
        };
        out.push(
            d.with_suggestion(
                "在 site.yaml 的 organization 中补上，例如 organization: { name: \"某某县司法局\", contact: \"0000-0000000\", site_code: \"0000000000\", icp: \"某ICP备00000000号\", police: \"某公网安备00000000000000号\" }",
            ),
        );
    }
}

/// Wording errors and personal data, at their exact place in the file.
fn text_lints(site: &Site, page: &Page, out: &mut Diagnostics) {
    let text = &page.text;
    let found_words = visible_wording(text, &site.config.lint_words);
    let found_data = personal_data(text);
    let found_laws = law_citations(site, &text[page.body_offset.min(text.len())..]);
    if found_words.is_empty() && found_data.is_empty() && found_laws.is_empty() {
        return;
    }
    let index = LineIndex::new(text);
    for (offset, d) in found_laws {
        let (line, column) = index.position(text, page.body_offset + offset);
        out.push(d.in_file(&page.source).at(line, column));
    }
    for found in found_words {
        out.push(wording_error(text, &index, &found).in_file(&page.source));
    }
    for found in found_data {
        let (line, column) = index.position(text, found.offset);
        let mut declared = page
            .public_numbers
            .iter()
            .filter(|(n, _)| *n == found.digits);
        let d = if let Some(first) = declared.next() {
            // The declaration itself is no occurrence.
            if first.1 == line || declared.any(|(_, l)| *l == line) {
                continue;
            }
            Diagnostic::note(
                "lint/public-number",
                format!(
                    "{}（{}）在 front matter 的 public_numbers 中声明为公开号码，照原样发布",
                    found.kind, found.masked
                ),
            )
        } else {
            personal_data_error(&found)
        };
        out.push(d.in_file(&page.source).at(line, column).spanning(found.len));
    }
}

/// The error for unmasked personal data (`check`, `build` and `import` report it alike); the
/// caller places it.
pub fn personal_data_error(found: &PersonalData) -> Diagnostic {
    Diagnostic::error(
        "lint/personal-data",
        format!(
            "没有打码的{}：会原样发布到页面、列表、订阅和搜索数据中（下面显示时隐去了中间的数字，文件里这一处仍是完整号码）",
            found.kind
        ),
    )
    .with_suggestion(format!(
        "公开的案例要去标识化，改成 {}；确实要公开的号码（例如单位的值班手机），把它写进这篇的 front matter，例如 public_numbers: [\"13800000000\"]",
        found.masked
    ))
}

/// The error for a wrong wording found in `text`, at its place; the underline covers it to
/// the end of its first line when markup or a line break splits it.
fn wording_error(text: &str, index: &LineIndex, found: &Wording) -> Diagnostic {
    let (line, column) = index.position(text, found.offset);
    let written = &text[found.offset..found.end];
    let span = written.split('\n').next().unwrap_or("").chars().count();
    let (wrong, right) = (&found.wrong, &found.right);
    let split = if written.len() == wrong.len() {
        ""
    } else {
        "（中间隔着格式符号或换行，读者看到的仍是这几个字）"
    };
    Diagnostic::error(
        "lint/wording",
        format!("严重表述错误：“{wrong}”应为“{right}”{split}"),
    )
    .at(line, column)
    .spanning(span)
    .with_suggestion(format!("改为“{right}”"))
}

/// Wrong wordings in site.yaml (the title, description and organization appear on every
/// page) and in the theme's templates, whose text every page shows.
pub fn site_wording(
    config_text: &str,
    theme: &crate::theme::Theme,
    site_words: &BTreeMap<String, String>,
) -> Diagnostics {
    let mut out = Vec::new();
    // The site's own rules in site.yaml (`lint: { words: … }`) name the wrong forms.
    let rules = top_level_section(config_text, "lint");
    let mut check = |text: &str, file: &str, skip: &std::ops::Range<usize>| {
        let found = visible_wording(text, site_words);
        if found.is_empty() {
            return;
        }
        let index = LineIndex::new(text);
        for f in found.iter().filter(|f| !skip.contains(&f.offset)) {
            out.push(wording_error(text, &index, f).in_file(file));
        }
    };
    check(config_text, crate::config::CONFIG_FILE, &rules);
    for template in &theme.templates {
        check(&template.source, &template.shown, &(0..0));
    }
    out
}

/// The bytes of the top-level YAML key `key` and everything indented under it (empty when
/// there is none).
fn top_level_section(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '#', '\n', '\r']);
        match start {
            None if top_level
                && line
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':')) =>
            {
                start = Some(offset);
            }
            Some(s) if top_level => return s..offset,
            _ => {}
        }
        offset += line.len();
    }
    start.map_or(0..0, |s| s..text.len())
}

/// What is wrong with the laws `body` cites in 《》: a repealed law, an article the law does
/// not have, a law pufa does not know. Each with its byte offset in `body`.
fn law_citations(site: &Site, body: &str) -> Vec<(usize, Diagnostic)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = body[from..].find('《').map(|o| from + o) {
        let title_start = open + '《'.len_utf8();
        let Some(close) = body[title_start..]
            .find(['》', '《', '\n'])
            .map(|c| title_start + c)
        else {
            break;
        };
        from = close;
        if !body[close..].starts_with('》') {
            continue;
        }
        let title = &body[title_start..close];
        let after = body[close + '》'.len_utf8()..].trim_start_matches([' ', '\u{3000}']);
        let span = title.chars().count() + 2;
        let registered = site
            .config
            .laws
            .iter()
            .find(|l| l.name == title || l.full_name == title);
        let known = crate::laws::find(title);
        if let (None, Some(law)) = (registered, known)
            && let crate::laws::Status::Repealed { on, by } = law.status
        {
            found.push((
                open,
                Diagnostic::error(
                    "law/repealed",
                    format!(
                        "《{title}》已于{}废止，现在适用{by}",
                        crate::laws::chinese_date(on)
                    ),
                )
                .spanning(span)
                .with_suggestion(format!(
                    "改为引用{by}的相应条文；讲法律沿革时，写明“原《{title}》（已废止）”并在 site.yaml 的 laws 中登记它"
                )),
            ));
            continue;
        }
        if let Some(law) = registered {
            if let (Some(count), Some((number, len))) =
                (law.articles, crate::laws::article_number(after))
                && (number == 0 || number > count)
            {
                let written = &after[..len];
                found.push((
                    open,
                    Diagnostic::error(
                        "law/no-such-article",
                        format!("《{title}》共 {count} 条，没有{written}"),
                    )
                    .spanning(span + 1 + written.chars().count())
                    .with_suggestion("核对条文的序号；引用的若是别的法律，改正书名号里的名称"),
                ));
            }
            continue;
        }
        let names = || {
            site.config
                .laws
                .iter()
                .flat_map(|l| [l.name.as_str(), l.full_name.as_str()])
        };
        // A title one character off a law's name (《民法点》) is a typo of it.
        let one_off = title.chars().count() >= 3
            && names().any(|n| crate::diagnostic::edit_distance(title, n) == 1);
        // A wrong wording in the title (《中华人民共合国刑法》) is reported as that.
        let miswritten = || !wording(title, &site.config.lint_words).is_empty();
        if (looks_like_a_law(title) || one_off) && !miswritten() {
            let names = names();
            let mut d = Diagnostic::warning(
                "law/unknown",
                format!("《{title}》不在 pufa 知道的法律中，也没有在 site.yaml 登记"),
            )
            .spanning(span);
            d = match crate::diagnostic::nearest(title, names) {
                Some(near) => d.with_suggestion(format!(
                    "是不是《{near}》？确实是这个名称的，在 site.yaml 的 laws 中登记（name、full_name、url）"
                )),
                None => d.with_suggestion(
                    "核对法律的名称；确实是这个名称的，在 site.yaml 的 laws 中登记（name、full_name、url）",
                ),
            };
            found.push((open, d));
        }
    }
    found
}

/// Whether a title in 《》 names a law: it ends in 法 (not 说法, 办法, 方法 and the like, which
/// name programmes, rules and books) or is a full name of the 中华人民共和国.
fn looks_like_a_law(title: &str) -> bool {
    const NOT_LAW: &str =
        "说看想做办方用写手书技刀笔语算兵心魔佛章立执司守普护学讲谈问知懂依家国王";
    let mut chars = title.chars().rev();
    if title.chars().count() < 3 || title.contains(['：', ':', '，', ',', ' ', '　', '—', '·'])
    {
        return false;
    }
    match (chars.next(), chars.next()) {
        (Some('法'), Some(before)) => !NOT_LAW.contains(before),
        _ => title.starts_with("中华人民共和国") && title.ends_with("条例"),
    }
}

/// Links to `#headings` that the linked page does not have.
fn anchors(site: &Site, rendered: &[Rendered], out: &mut Diagnostics) {
    for (i, r) in rendered.iter().enumerate() {
        for link in &r.anchors {
            let target = match &link.target {
                None => Some(i),
                Some(path) => site.by_source.get(path).copied(),
            };
            // A missing page is reported where the link is rewritten.
            let Some(target) = target else { continue };
            if rendered[target].toc.iter().any(|h| h.id == link.fragment) {
                continue;
            }
            let page = &site.pages[target];
            let mut d = Diagnostic::error(
                "link/missing-anchor",
                format!("“{}”中没有小标题“#{}”", page.title, link.fragment),
            )
            .in_file(&site.pages[i].source)
            .at(link.line, link.column);
            let known = rendered[target].toc.iter().map(|h| h.id.as_str());
            d = match crate::diagnostic::nearest(&link.fragment, known) {
                Some(near) => d.with_suggestion(format!("是不是“#{near}”？")),
                None => d.with_suggestion("# 后面写小标题的文字，例如 #第十二条"),
            };
            out.push(d);
        }
    }
}

/// Publication dates: in the future, a homepage gone stale, a past month theme left empty.
fn dates(site: &Site, tax: &Taxonomies, out: &mut Diagnostics) {
    let today = site.today;
    let items = tax.articles.iter().chain(&tax.episodes).copied();
    for i in items.clone() {
        let page = &site.pages[i];
        if let Some(date) = page.date
            && date > today
        {
            let (line, column) = page.date_at.unwrap_or((1, 1));
            out.push(
                Diagnostic::warning(
                    "lint/future-date",
                    format!(
                        "发布日期 {} 晚于今天（{}）",
                        date.chinese(),
                        today.chinese()
                    ),
                )
                .in_file(&page.source)
                .at(line, column)
                .with_suggestion(
                    "这次用 --future 提前发布了；不加 --future 时，它要到那一天才出现在网站上",
                ),
            );
        }
    }
    let newest = items
        .filter_map(|i| site.pages[i].date.map(|d| (d, i)))
        .filter(|(d, _)| *d <= today)
        .max();
    let stale_days = i64::from(site.config.stale_days);
    let mut stale_home = None;
    if let Some((date, i)) = newest
        && stale_days > 0
    {
        let days = days_between(date, today);
        if days > stale_days {
            stale_home = Some(i);
            let newest = &site.pages[i];
            let (line, column) = newest.date_at.unwrap_or((1, 1));
            out.push(
                Diagnostic::warning(
                    "lint/stale",
                    format!(
                        "网站已经 {days} 天没有发布新文章或视频了：最新的是 {} 发布的“{}”",
                        date.chinese(),
                        newest.title
                    ),
                )
                .in_file(&newest.source)
                .at(line, column)
                .with_suggestion("检查时首页两周不更新会被扣分，请及时发布新内容"),
            );
        }
    }
    if stale_days > 0 {
        columns(site, tax, stale_days, stale_home, out);
    }
    let this_month = today.month_key();
    let published: BTreeMap<&str, usize> = tax
        .months
        .iter()
        .map(|m| (m.key.as_str(), m.items.len()))
        .collect();
    for page in site.pages.iter().filter(|p| p.kind == Kind::Month) {
        let Some(month) = page.month() else { continue };
        let count = published.get(month.key.as_str()).copied().unwrap_or(0);
        if count == 0 && month.key < this_month {
            out.push(
                Diagnostic::warning(
                    "lint/empty-month",
                    format!(
                        "主题月 {} 已经过去，但没有发布任何文章或视频",
                        crate::content::date::month_chinese(&month.key)
                    ),
                )
                .in_file(&page.source)
                .with_suggestion(
                    "为这个月补发活动报道，或在文章的 front matter 中用 month 指定所属月份",
                ),
            );
        }
    }
}

/// Each column with a page — the article and video lists, every topic, every series — by
/// the date of its newest item: a warning for each not updated within `stale_days`, and an
/// error when so many are that an inspection would fail the site. A column whose newest item
/// is the one the stale homepage's warning names is counted but not told again.
fn columns(
    site: &Site,
    tax: &Taxonomies,
    stale_days: i64,
    stale_home: Option<usize>,
    out: &mut Diagnostics,
) {
    let today = site.today;
    let newest = |items: &[usize]| {
        items
            .iter()
            .filter_map(|&i| site.pages[i].date.map(|d| (d, i)))
            .filter(|(d, _)| *d <= today)
            .max()
    };
    let mut columns: Vec<(String, Option<(Date, usize)>)> = vec![
        ("普法文章栏目".to_string(), newest(&tax.articles)),
        ("普法视频栏目".to_string(), newest(&tax.episodes)),
    ];
    for column in &tax.columns {
        columns.push((
            format!("栏目“{}”", site.pages[column.page].title),
            newest(&column.items),
        ));
    }
    for topic in &tax.topics {
        columns.push((format!("专题“{}”", topic.name), newest(&topic.pages)));
    }
    for series in &tax.series {
        columns.push((
            format!("视频系列“{}”", site.pages[series.page].title),
            newest(&series.episodes),
        ));
    }
    let mut stale = Vec::new();
    for (name, newest) in columns {
        // A column with nothing published has no page (and no link) at all.
        let Some((date, i)) = newest else { continue };
        let days = days_between(date, today);
        if days <= stale_days {
            continue;
        }
        stale.push(name.clone());
        if stale_home == Some(i) {
            continue;
        }
        let page = &site.pages[i];
        let (line, column) = page.date_at.unwrap_or((1, 1));
        out.push(
            Diagnostic::warning(
                "lint/stale-column",
                format!(
                    "{name}已经 {days} 天没有更新：最新的是 {} 发布的“{}”",
                    date.chinese(),
                    page.title
                ),
            )
            .in_file(&page.source)
            .at(line, column)
            .with_suggestion(format!(
                "检查时逐个栏目看是否 {stale_days} 天内有更新；给这个栏目补发内容"
            )),
        );
    }
    if stale.len() >= STALE_COLUMNS {
        out.push(
            Diagnostic::error(
                "lint/stale-columns",
                format!(
                    "有 {} 个栏目超过 {stale_days} 天没有更新：{}",
                    stale.len(),
                    stale.join("、")
                ),
            )
            .in_file("site.yaml")
            .with_suggestion(format!(
                "应更新而未更新的栏目达到 {STALE_COLUMNS} 个，政府网站检查会判为不合格：给这些栏目补发内容；整个网站只作存档、不再更新时，在 site.yaml 中写 lint: {{ stale_days: 0 }}"
            )),
        );
    }
}

fn days_between(earlier: Date, later: Date) -> i64 {
    let (a, b) = (earlier.civil().date(), later.civil().date());
    a.until(b).map_or(0, |span| span.get_days() as i64)
}

/// Line and column (1-based) of `key:` in site.yaml's text: a top-level key, or with
/// `in_organization` one under `organization:`. None when it is not written so (a flow
/// mapping, a key missing altogether).
fn key_position(text: &str, key: &str, in_organization: bool) -> Option<(usize, usize)> {
    let names = |line: &str, key: &str| {
        line.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let is_key = |line: &str| names(line, key);
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        let indented = line.starts_with([' ', '\t']);
        if !in_organization {
            if !indented && is_key(line) {
                return Some((n + 1, 1));
            }
            continue;
        }
        if !indented && !line.trim().is_empty() && !line.starts_with('#') {
            inside = names(line, "organization");
        } else if inside && indented && is_key(line) {
            let column = line.chars().take_while(|c| c.is_whitespace()).count() + 1;
            return Some((n + 1, column));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::key_position;

    #[test]
    fn keys_of_site_yaml_are_found_where_they_are_written() {
        let text = "title: 县\n# organization: 注释\nbanner: a.jpg\norganization:\n  name: 局\n  emblem: e.png\nextra:\n  emblem: x\n";
        assert_eq!(key_position(text, "banner", false), Some((3, 1)));
        assert_eq!(key_position(text, "organization", false), Some((4, 1)));
        assert_eq!(key_position(text, "emblem", true), Some((6, 3)));
        assert_eq!(key_position(text, "conac_image", true), None);
        assert_eq!(
            key_position("organization: { emblem: e.png }\n", "emblem", true),
            None
        );
    }
}
