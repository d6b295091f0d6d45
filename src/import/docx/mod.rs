//! Word documents (.docx, as Word, WPS and LibreOffice save them) read into the import model.
//!
//! A .docx is a zip of XML parts: `word/document.xml` holds the text, `styles.xml` says which
//! paragraph styles are headings and lists, `numbering.xml` how lists are numbered,
//! `footnotes.xml` the footnotes, `_rels/` where links and pictures point, `docProps/core.xml`
//! the title and author. Parts are read with a size limit each, so a zip bomb is refused,
//! and the walk over the XML stops at a depth no real document reaches.
//!
//! Tracked changes are imported as if accepted (inserted text kept, deleted text dropped) and
//! counted; comments, text boxes, equations, charts and embedded objects are not converted
//! and each is reported with the start of its text so the author can find it.

mod package;
mod styles;

use super::{Block, Document, Inline, Marker, Picture};
use crate::diagnostic::Diagnostic;
use package::{
    Relationships, attr, child, child_val, is, main_part, parse, parse_part, read_bytes, read_part,
    toggle, zip_reason,
};
use roxmltree::Node;
use std::collections::HashMap;
use std::path::Path;
use styles::{Numbering, Styles, format_number, num_pr};

/// The largest XML part read; Word's own limit on a document is far below.
const MAX_PART: u64 = 64 * 1024 * 1024;
/// The largest picture taken out of a document.
const MAX_PICTURE: u64 = 64 * 1024 * 1024;
/// All the pictures of one document together.
const MAX_PICTURES: u64 = 512 * 1024 * 1024;
/// How deep the walk goes into nested elements (tables in tables, fields in links …).
const MAX_DEPTH: usize = 64;
/// The longest list number kept as text (`第一百二十三条`, `（十二）`).
const MAX_NUMBER_TEXT: usize = 32;
/// How many XML nodes all the parts of one document may have together: a long document has
/// a few hundred thousand; parsed, a node takes some 60 bytes.
const MAX_NODES_IN_ALL: u32 = 4_000_000;
/// How many characters of a skipped part a message quotes.
const QUOTED: usize = 20;

/// Names document properties give that are not an author: programs' and Windows' defaults.
const NOT_AUTHORS: &[&str] = &[
    "administrator",
    "admin",
    "user",
    "python-docx",
    "microsoft office 用户",
    "microsoft office user",
    "windows 用户",
    "windows user",
    "lenovo",
    "dell",
    "hp",
    "微软用户",
    "微软中国",
    "china",
];

type Archive = zip::ZipArchive<std::fs::File>;

/// Reads the .docx at `path`.
pub fn read(path: &Path, shown: &Path) -> Result<Document, Diagnostic> {
    let broken = |why: String| {
        Diagnostic::error("import/bad-docx", format!("无法读取这个 Word 文档：{why}"))
            .in_file(shown)
            .with_suggestion("在 Word 或 WPS 里打开它，确认能打开后“另存为” .docx，再导入")
    };
    let file =
        std::fs::File::open(path).map_err(|e| crate::fs::error("io/read", "读取", shown, &e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| broken(zip_reason(&e)))?;
    let main = main_part(&mut archive).map_err(&broken)?;
    let folder = main.rsplit_once('/').map_or("", |(f, _)| f).to_string();
    let rels_name = format!(
        "{folder}{}_rels/{}.rels",
        if folder.is_empty() { "" } else { "/" },
        main.rsplit('/').next().unwrap_or(&main)
    );
    let main_xml = read_part(&mut archive, &main, MAX_PART)
        .map_err(&broken)?
        .ok_or_else(|| broken("缺少正文部分".to_string()))?;
    let rels = match read_part(&mut archive, &rels_name, MAX_PART).map_err(&broken)? {
        Some(text) => Relationships::parse(&text, &folder).map_err(&broken)?,
        None => Relationships::default(),
    };
    let part = |archive: &mut Archive, kind: &str| -> Result<Option<String>, String> {
        match rels.of_kind(kind) {
            Some(name) => read_part(archive, &name, MAX_PART),
            None => Ok(None),
        }
    };
    let styles_xml = part(&mut archive, "/styles").map_err(&broken)?;
    let numbering_xml = part(&mut archive, "/numbering").map_err(&broken)?;
    let footnotes_xml = part(&mut archive, "/footnotes").map_err(&broken)?;
    let endnotes_xml = part(&mut archive, "/endnotes").map_err(&broken)?;
    let comments_xml = part(&mut archive, "/comments").map_err(&broken)?;
    let core_xml = read_part(&mut archive, "docProps/core.xml", MAX_PART).map_err(&broken)?;

    // One budget of nodes for all the parts held at once.
    let mut budget = MAX_NODES_IN_ALL;
    let main_doc = parse_part(Some(&main_xml), &mut budget)
        .map_err(&broken)?
        .ok_or_else(|| broken("缺少正文部分".to_string()))?;
    let styles_doc = parse_part(styles_xml.as_deref(), &mut budget).map_err(&broken)?;
    let numbering_doc = parse_part(numbering_xml.as_deref(), &mut budget).map_err(&broken)?;
    let footnotes_doc = parse_part(footnotes_xml.as_deref(), &mut budget).map_err(&broken)?;
    let endnotes_doc = parse_part(endnotes_xml.as_deref(), &mut budget).map_err(&broken)?;

    let mut reader = Reader {
        archive: &mut archive,
        rels: &rels,
        styles: styles_doc
            .as_ref()
            .map(|d| Styles::parse(d.root_element()))
            .unwrap_or_default(),
        numbering: numbering_doc
            .as_ref()
            .map(|d| Numbering::parse(d.root_element()))
            .unwrap_or_default(),
        notes: HashMap::new(),
        counters: HashMap::new(),
        document: Document::default(),
        picture_names: HashMap::new(),
        picture_bytes: 0,
        fields: Vec::new(),
        counts: Counts::default(),
        too_deep: false,
    };
    for (doc, prefix) in [(&footnotes_doc, "f"), (&endnotes_doc, "e")] {
        if let Some(doc) = doc {
            for note in doc.root_element().children().filter(|n| n.is_element()) {
                if attr(note, "type").is_some_and(|t| t != "normal") {
                    continue;
                }
                if let Some(id) = attr(note, "id") {
                    reader
                        .notes
                        .insert(format!("{prefix}{id}"), Note::Unused(note));
                }
            }
        }
    }
    let body = main_doc
        .root_element()
        .children()
        .find(|n| is(n, "body"))
        .ok_or_else(|| broken("缺少正文部分".to_string()))?;
    let mut blocks = Vec::new();
    reader.blocks(body, &mut blocks, 0);
    reader.document.blocks = blocks;
    let Reader {
        mut document,
        counts,
        too_deep,
        ..
    } = reader;
    take_title(&mut document);
    if document.title.is_none() || document.author.is_none() {
        let core = core_xml
            .as_deref()
            .map(parse)
            .transpose()
            .map_err(&broken)?;
        if let Some(core) = &core {
            let property = |name: &str| {
                core.root_element()
                    .children()
                    .find(|n| n.tag_name().name() == name)
                    .and_then(|n| n.text())
                    .map(|t| super::clean(t).trim().to_string())
                    .filter(|t| !t.is_empty())
            };
            if document.title.is_none() {
                document.title = property("title");
            }
            document.author =
                property("creator").filter(|a| !NOT_AUTHORS.contains(&a.to_lowercase().as_str()));
        }
    }
    counts.report(&mut document.skipped, comments_xml.as_deref());
    if too_deep {
        document
            .skipped
            .push("文档里有嵌套过深的部分（几十层的表格套表格、一个接一个引用的脚注等），超出的部分没有导入".to_string());
    }
    Ok(document)
}

/// What the numbering of a paragraph shows.
enum Numbered {
    /// A list item Markdown can mark itself.
    Item(Marker),
    /// Numbering Markdown has no marker for (`第一条`, `（一）`, `1、`): kept as text.
    Text(String),
    /// Numbering that shows nothing.
    Nothing,
}

/// A footnote or endnote, before and after its first reference.
enum Note<'a, 'i> {
    Unused(Node<'a, 'i>),
    Numbered(usize),
}

/// An open Word field (`HYPERLINK`, `PAGE` …) in the runs of a paragraph.
struct Field {
    instruction: String,
    /// Past the separator: what follows is the field's shown result.
    showing: bool,
    /// For a hyperlink, where its text starts in the paragraph's pieces.
    link_start: Option<usize>,
}

/// What was counted to report.
#[derive(Default)]
struct Counts {
    inserted: usize,
    deleted: usize,
    comments: usize,
    text_boxes: Vec<String>,
    equations: Vec<String>,
    charts: usize,
    objects: usize,
    shapes: usize,
    pictures: Vec<String>,
    links: Vec<String>,
    contents_lines: usize,
    hidden: usize,
}

impl Counts {
    fn report(self, out: &mut Vec<String>, comments_xml: Option<&str>) {
        if self.inserted + self.deleted > 0 {
            out.push(format!(
                "文档里有尚未处理的修订：已按“全部接受”导入（保留了 {} 处插入的文字，去掉了 {} 处删除的文字），请核对",
                self.inserted, self.deleted
            ));
        }
        if self.comments > 0 {
            let first = comments_xml
                .and_then(|t| {
                    let doc = parse(t).ok()?;
                    let first = doc.root_element().children().find(|n| is(n, "comment"))?;
                    Some(all_text(first))
                })
                .filter(|t| !t.trim().is_empty())
                .map(|t| format!("，第一条是“{}”", super::snippet(&t, QUOTED)))
                .unwrap_or_default();
            out.push(format!("批注没有导入：共 {} 条{first}", self.comments));
        }
        if let Some(first) = self.text_boxes.first() {
            out.push(format!(
                "文本框没有导入：{}“{}”；需要的话把文字复制到正文里",
                counted(self.text_boxes.len(), "第一个是"),
                first
            ));
        }
        if let Some(first) = self.equations.first() {
            out.push(format!(
                "公式没有导入：{}“{}”；需要的话写成文字或截图插入",
                counted(self.equations.len(), "第一个是"),
                first
            ));
        }
        if self.charts > 0 {
            out.push(format!(
                "图表没有导入：共 {} 个；需要的话截图保存为 PNG 图片再插入",
                self.charts
            ));
        }
        if self.objects > 0 {
            out.push(format!(
                "嵌入的对象（Excel 表格、其他文件等）没有导入：共 {} 个",
                self.objects
            ));
        }
        if self.shapes > 0 {
            out.push(format!("自选图形、艺术字没有导入：共 {} 个", self.shapes));
        }
        out.extend(self.pictures);
        out.extend(self.links);
        if self.hidden > 0 {
            out.push(format!(
                "隐藏的文字没有导入：共 {} 处（Word 里设了“隐藏”的文字，打印出来也看不到）",
                self.hidden
            ));
        }
        if self.contents_lines > 0 {
            out.push("Word 自动生成的目录没有导入：网页上的标题就是目录".to_string());
        }
    }
}

/// The start of the text under `node`, as a message quotes it.
fn quote(node: Node) -> String {
    super::snippet(&all_text(node), QUOTED)
}

/// `共 N 个，{then}` when there are several, nothing for one.
fn counted(n: usize, then: &str) -> String {
    if n > 1 {
        format!("共 {n} 个，{then}")
    } else {
        String::new()
    }
}

/// All text under `node`, for quoting what was not converted.
fn all_text(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("")
}

/// The run formatting in force.
#[derive(Clone, Copy, Default)]
struct Format {
    bold: bool,
    italic: bool,
}

struct Reader<'r, 'a, 'i> {
    archive: &'r mut Archive,
    rels: &'r Relationships,
    styles: Styles,
    numbering: Numbering,
    notes: HashMap<String, Note<'a, 'i>>,
    /// Per numbering instance, the current number at each level.
    counters: HashMap<String, [u32; 9]>,
    document: Document,
    /// Picture part → its index in `document.pictures`.
    picture_names: HashMap<String, usize>,
    picture_bytes: u64,
    fields: Vec<Field>,
    counts: Counts,
    too_deep: bool,
}

impl<'a, 'i> Reader<'_, 'a, 'i> {
    /// The blocks of a container (the body, a table cell, a content control).
    fn blocks(&mut self, node: Node<'a, 'i>, out: &mut Vec<Block>, depth: usize) {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        for element in node.children().filter(|n| n.is_element()) {
            match element.tag_name().name() {
                "p" => {
                    if let Some(block) = self.paragraph(element, depth) {
                        out.push(block);
                    }
                }
                "tbl" => {
                    let rows = self.table(element, depth + 1);
                    if !rows.is_empty() {
                        out.push(Block::Table(rows));
                    }
                }
                "sdt" => {
                    if let Some(content) = child(element, "sdtContent") {
                        self.blocks(content, out, depth + 1);
                    }
                }
                "customXml" | "ins" | "moveTo" => {
                    if element.tag_name().name() != "customXml" {
                        self.counts.inserted += 1;
                    }
                    self.blocks(element, out, depth + 1);
                }
                "del" | "moveFrom" => self.counts.deleted += 1,
                "AlternateContent" => {
                    if let Some(chosen) = alternative(element) {
                        self.blocks(chosen, out, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn paragraph(&mut self, p: Node<'a, 'i>, depth: usize) -> Option<Block> {
        let ppr = child(p, "pPr");
        let style = ppr.and_then(|ppr| child_val(ppr, "pStyle")).unwrap_or("");
        let style_name = self.styles.name(style);
        let mut content = Vec::new();
        self.inlines(p, Format::default(), &mut content, depth + 1);
        // A field's instruction never runs past its paragraph; one left open (a broken
        // document) must not hide the rest of the document.
        self.fields.retain(|f| f.showing);
        if style_name.starts_with("toc ") || style_name.starts_with("目录 ") {
            self.counts.contents_lines += 1;
            return None;
        }
        let heading = ppr
            .and_then(|ppr| child_val(ppr, "outlineLvl"))
            .and_then(|v| v.parse::<u8>().ok())
            .map(|level| (level < 9).then_some(level + 1))
            .unwrap_or_else(|| self.styles.heading(style));
        let numbered = self.numbered(ppr, style, &style_name);
        let content = super::trim(content);
        if let Some(level) = heading {
            // Emphasis inside a heading is its style's: the text goes plain, links as their
            // text; footnote marks and pictures stay, so none is left without its place.
            let mut pieces = Vec::new();
            if let Numbered::Text(prefix) = &numbered {
                pieces.push(Inline::plain(format!("{prefix} ")));
            }
            for piece in content {
                match piece {
                    Inline::Text { text, .. } => pieces.push(Inline::plain(text)),
                    Inline::Break => pieces.push(Inline::plain(" ")),
                    Inline::Link { content, .. } => {
                        pieces.push(Inline::plain(super::text_of(&content)))
                    }
                    other => pieces.push(other),
                }
            }
            if super::text_of(&pieces).trim().is_empty() {
                // A heading of pictures alone is a paragraph of them.
                let pictures: Vec<Inline> = pieces
                    .into_iter()
                    .filter(|p| !matches!(p, Inline::Text { .. }))
                    .collect();
                return (!pictures.is_empty()).then_some(Block::Paragraph(pictures));
            }
            return Some(Block::Heading {
                level,
                content: super::trim(pieces),
            });
        }
        if content.is_empty() {
            return None;
        }
        match numbered {
            Numbered::Item(marker) => {
                let level = self.list_depth(ppr, style);
                Some(Block::Item {
                    depth: level,
                    marker,
                    content,
                })
            }
            Numbered::Text(prefix) => {
                let mut with_number = vec![Inline::plain(format!("{prefix}\u{3000}"))];
                with_number.extend(content);
                Some(Block::Paragraph(with_number))
            }
            Numbered::Nothing => Some(Block::Paragraph(content)),
        }
    }

    /// The numbering a paragraph shows, advancing the counters of its list.
    fn numbered(&mut self, ppr: Option<Node>, style: &str, style_name: &str) -> Numbered {
        let direct = ppr.and_then(|p| child(p, "numPr")).and_then(num_pr);
        let from_style = self.styles.numbering(style);
        let (id, level) = match (direct, from_style) {
            (Some((id, level)), style) => (id, level.or(style.and_then(|s| s.1))),
            (None, Some(style)) => style,
            (None, None) => return Numbered::Nothing,
        };
        let level = level.unwrap_or(0).min(8);
        let Some(levels) = self.numbering.levels.get(&id) else {
            // numId 0 and unknown ids mean no numbering.
            return Numbered::Nothing;
        };
        let counters = self.counters.entry(id.clone()).or_insert_with(|| [0; 9]);
        let this = &levels[level];
        counters[level] = if counters[level] == 0 {
            this.start
        } else {
            counters[level].saturating_add(1)
        };
        for deeper in counters.iter_mut().skip(level + 1) {
            *deeper = 0;
        }
        match this.format.as_str() {
            "bullet" => return Numbered::Item(Marker::Bullet),
            "none" => {
                // Text a level shows without a number (`注：`) is still text.
                let text = this.text.trim();
                return if text.is_empty() || text.contains('%') {
                    Numbered::Nothing
                } else {
                    Numbered::Text(text.to_string())
                };
            }
            _ => {}
        }
        let own = format!("%{}", level + 1);
        if this.format == "decimal"
            && (this.text == format!("{own}.") || this.text == format!("{own})"))
            && !style_name.starts_with("heading")
        {
            return Numbered::Item(Marker::Number(counters[level]));
        }
        // A level's text is a few characters (`第%1条`); a longer one is not numbering.
        let mut text: String = this.text.chars().take(MAX_NUMBER_TEXT).collect();
        for (i, l) in levels.iter().enumerate().rev() {
            let n = if counters[i] == 0 {
                l.start
            } else {
                counters[i]
            };
            text = text.replace(&format!("%{}", i + 1), &format_number(n, &l.format));
        }
        let text: String = super::clean(&text)
            .trim()
            .chars()
            .take(MAX_NUMBER_TEXT)
            .collect();
        if text.is_empty() {
            Numbered::Nothing
        } else {
            Numbered::Text(text)
        }
    }

    /// How deep in its list a list paragraph stands: its level, or for Word's numbered list
    /// styles (`List Bullet 2`), the number in the style's name.
    fn list_depth(&self, ppr: Option<Node>, style: &str) -> usize {
        let direct = ppr
            .and_then(|p| child(p, "numPr"))
            .and_then(|n| child_val(n, "ilvl"))
            .and_then(|v| v.parse::<usize>().ok());
        let from_style = self.styles.numbering(style).and_then(|(_, l)| l);
        match direct.or(from_style) {
            Some(level) if level > 0 => level.min(8),
            _ => {
                let name = self.styles.name(style);
                name.strip_prefix("list")
                    .and_then(|rest| rest.rsplit(' ').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (2..=9).contains(n))
                    .map_or(0, |n| n - 1)
            }
        }
    }

    fn table(&mut self, tbl: Node<'a, 'i>, depth: usize) -> Vec<Vec<Vec<Inline>>> {
        let mut rows = Vec::new();
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return rows;
        }
        for tr in wrapped(tbl, "tr") {
            let mut row = Vec::new();
            for tc in wrapped(tr, "tc") {
                let span = child(tc, "tcPr")
                    .and_then(|p| child_val(p, "gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let mut blocks = Vec::new();
                self.blocks(tc, &mut blocks, depth + 1);
                row.push(cell(blocks));
                for _ in 1..span {
                    row.push(Vec::new());
                }
            }
            if !row.is_empty() {
                rows.push(row);
            }
        }
        rows
    }

    /// The inline pieces under `node` (a paragraph, run, link …), in reading order.
    fn inlines(&mut self, node: Node<'a, 'i>, format: Format, out: &mut Vec<Inline>, depth: usize) {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        for element in node.children().filter(|n| n.is_element()) {
            match element.tag_name().name() {
                "r" => self.run(element, format, out, depth + 1),
                "hyperlink" => {
                    let start = out.len();
                    self.inlines(element, format, out, depth + 1);
                    let url = attr(element, "id")
                        .and_then(|id| self.rels.get(id))
                        .filter(|(_, _, external)| *external)
                        .map(|(_, target, _)| target.clone());
                    if let Some(url) = url {
                        self.link(url, start, out);
                    }
                }
                "fldSimple" => {
                    let start = out.len();
                    self.inlines(element, format, out, depth + 1);
                    if let Some(url) = attr(element, "instr").and_then(hyperlink_target) {
                        self.link(url, start, out);
                    }
                }
                "ins" | "moveTo" => {
                    self.counts.inserted += 1;
                    self.inlines(element, format, out, depth + 1);
                }
                "del" | "moveFrom" => self.counts.deleted += 1,
                "smartTag" | "customXml" | "dir" | "bdo" => {
                    self.inlines(element, format, out, depth + 1)
                }
                "sdt" => {
                    if let Some(content) = child(element, "sdtContent") {
                        self.inlines(content, format, out, depth + 1);
                    }
                }
                "oMath" | "oMathPara" => self.counts.equations.push(quote(element)),
                "AlternateContent" => {
                    if let Some(chosen) = alternative(element) {
                        self.inlines(chosen, format, out, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// Wraps `out[start..]` in a link to `url` when it is a web or mail address; other
    /// targets (files on the author's PC, scripts) keep their text and are reported.
    fn link(&mut self, url: String, start: usize, out: &mut Vec<Inline>) {
        let url = url.trim().to_string();
        let lower = url.to_ascii_lowercase();
        let start = start.min(out.len());
        if out[start..].is_empty() {
            return;
        }
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:")
        {
            let content: Vec<Inline> = out.drain(start..).collect();
            out.push(Inline::Link { url, content });
        } else {
            self.counts.links.push(format!(
                "链接“{}”指向的不是网址（{}），只导入了文字",
                super::snippet(&super::text_of(&out[start..]), QUOTED),
                super::snippet(&url, 40)
            ));
        }
    }

    fn run(&mut self, r: Node<'a, 'i>, format: Format, out: &mut Vec<Inline>, depth: usize) {
        let mut format = format;
        if let Some(rpr) = child(r, "rPr") {
            if let Some(style) = child_val(rpr, "rStyle") {
                let (bold, italic) = self.styles.emphasis(style);
                format.bold = bold.unwrap_or(format.bold);
                format.italic = italic.unwrap_or(format.italic);
            }
            format.bold = toggle(rpr, "b").unwrap_or(format.bold);
            format.italic = toggle(rpr, "i").unwrap_or(format.italic);
            // Hidden text (字体 → 隐藏) is not shown in Word, so it is not published.
            if toggle(rpr, "vanish") == Some(true) || toggle(rpr, "specVanish") == Some(true) {
                if r.children().any(|c| is(&c, "t")) {
                    self.counts.hidden += 1;
                }
                return;
            }
        }
        for piece in r.children().filter(|n| n.is_element()) {
            let name = piece.tag_name().name();
            // Inside a field's instruction, only the instruction is read.
            let hidden = self.fields.last().is_some_and(|f| !f.showing);
            match name {
                "fldChar" => self.field_char(piece, out),
                "instrText" => {
                    if let (Some(field), Some(text)) = (self.fields.last_mut(), piece.text()) {
                        field.instruction.push_str(text);
                    }
                }
                _ if hidden => {}
                "t" => {
                    if let Some(text) = piece.text() {
                        push_text(out, &super::clean(text), format);
                    }
                }
                "tab" | "ptab" => push_text(out, " ", format),
                "noBreakHyphen" => push_text(out, "-", format),
                "br" if !matches!(attr(piece, "type"), Some("page" | "column")) => {
                    out.push(Inline::Break);
                }
                "cr" => out.push(Inline::Break),
                "footnoteReference" | "endnoteReference" => {
                    let prefix = if name == "footnoteReference" {
                        "f"
                    } else {
                        "e"
                    };
                    if let Some(id) = attr(piece, "id")
                        && let Some(n) = self.note(&format!("{prefix}{id}"), depth)
                    {
                        out.push(Inline::Footnote(n));
                    }
                }
                "commentReference" => self.counts.comments += 1,
                "drawing" => self.drawing(piece, out),
                "pict" => self.pict(piece, out),
                "object" => self.counts.objects += 1,
                "ruby" => {
                    if let Some(base) = child(piece, "rubyBase") {
                        self.inlines(base, format, out, depth + 1);
                    }
                }
                "AlternateContent" => {
                    if let Some(chosen) = alternative(piece) {
                        self.run(chosen, format, out, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn field_char(&mut self, node: Node, out: &mut Vec<Inline>) {
        match attr(node, "fldCharType") {
            Some("begin") if self.fields.len() < MAX_DEPTH => {
                self.fields.push(Field {
                    instruction: String::new(),
                    showing: false,
                    link_start: None,
                });
            }
            Some("separate") => {
                if let Some(field) = self.fields.last_mut() {
                    field.showing = true;
                    if hyperlink_target(&field.instruction).is_some() {
                        field.link_start = Some(out.len());
                    }
                }
            }
            Some("end") => {
                if let Some(field) = self.fields.pop()
                    && let (Some(start), Some(url)) =
                        (field.link_start, hyperlink_target(&field.instruction))
                    && start <= out.len()
                {
                    self.link(url, start, out);
                }
            }
            _ => {}
        }
    }

    /// The number of the note `key` (`f2`: footnote 2), reading its text at its first
    /// reference.
    fn note(&mut self, key: &str, depth: usize) -> Option<usize> {
        match self.notes.get(key)? {
            Note::Numbered(n) => Some(*n),
            Note::Unused(node) => {
                let node = *node;
                let n = self.document.footnotes.len() + 1;
                self.notes.insert(key.to_string(), Note::Numbered(n));
                // Numbered before it is read: a note that refers to itself stops here.
                self.document.footnotes.push(Vec::new());
                let mut content = Vec::new();
                for p in node.children().filter(|c| is(c, "p")) {
                    let mut piece = Vec::new();
                    self.inlines(p, Format::default(), &mut piece, depth + 1);
                    let piece = super::trim(piece);
                    if piece.is_empty() {
                        continue;
                    }
                    if !content.is_empty() {
                        content.push(Inline::Break);
                    }
                    content.extend(piece);
                }
                self.document.footnotes[n - 1] = content;
                Some(n)
            }
        }
    }

    /// A DrawingML object: pictures are taken out; text boxes, charts and shapes reported.
    fn drawing(&mut self, node: Node, out: &mut Vec<Inline>) {
        let alt = node
            .descendants()
            .find(|n| is(n, "docPr"))
            .and_then(|d| {
                attr(d, "descr")
                    .filter(|t| !t.trim().is_empty())
                    .or_else(|| attr(d, "title").filter(|t| !t.trim().is_empty()))
            })
            .unwrap_or("")
            .to_string();
        let mut found = false;
        for blip in node.descendants().filter(|n| is(n, "blip")) {
            found = true;
            match attr(blip, "embed") {
                Some(id) => self.picture(id, &alt, out),
                None => self.counts.pictures.push(format!(
                    "图片“{}”只是链接到作者电脑上的文件，没有嵌入文档，没有导入",
                    super::snippet(&alt, QUOTED)
                )),
            }
        }
        if let Some(text_box) = node.descendants().find(|n| is(n, "txbxContent")) {
            self.counts.text_boxes.push(quote(text_box));
            found = true;
        }
        if !found {
            let data = node
                .descendants()
                .find(|n| is(n, "graphicData"))
                .and_then(|g| attr(g, "uri"))
                .unwrap_or("");
            if data.contains("chart") || data.contains("diagram") {
                self.counts.charts += 1;
            } else {
                self.counts.shapes += 1;
            }
        }
    }

    /// A VML picture or text box (older Word, WPS).
    fn pict(&mut self, node: Node, out: &mut Vec<Inline>) {
        let mut found = false;
        for image in node.descendants().filter(|n| is(n, "imagedata")) {
            if let Some(id) = attr(image, "id") {
                let alt = image
                    .parent()
                    .and_then(|s| attr(s, "alt"))
                    .or_else(|| attr(image, "title"))
                    .unwrap_or("")
                    .to_string();
                self.picture(id, &alt, out);
                found = true;
            }
        }
        if let Some(text_box) = node.descendants().find(|n| is(n, "txbxContent")) {
            self.counts.text_boxes.push(quote(text_box));
            found = true;
        }
        if !found {
            self.counts.shapes += 1;
        }
    }

    /// Takes out the picture of relationship `id` (once, however often it is shown).
    fn picture(&mut self, id: &str, alt: &str, out: &mut Vec<Inline>) {
        let alt = super::clean(alt).trim().to_string();
        let Some((_, part, external)) = self.rels.get(id).cloned() else {
            return;
        };
        let quoted = if alt.is_empty() {
            String::new()
        } else {
            format!("“{}”", super::snippet(&alt, QUOTED))
        };
        if external {
            self.counts.pictures.push(format!(
                "图片{quoted}只是链接到别处的文件，没有嵌入文档，没有导入"
            ));
            return;
        }
        if let Some(&index) = self.picture_names.get(&part) {
            out.push(Inline::Picture { index, alt });
            return;
        }
        let extension = part
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let extension = match extension.as_str() {
            "jpeg" | "jpg" | "jpe" => "jpg",
            "png" => "png",
            "gif" => "gif",
            "svg" => "svg",
            "webp" => "webp",
            other => {
                let shown = if other.is_empty() { "未知" } else { other };
                self.counts.pictures.push(format!(
                    "图片{quoted}是 {} 格式，网页显示不了，没有导入；在 Word 里把它另存为 PNG 或 JPEG 图片再插入",
                    shown.to_uppercase()
                ));
                return;
            }
        };
        let left = MAX_PICTURES.saturating_sub(self.picture_bytes);
        match read_bytes(self.archive, &part, MAX_PICTURE.min(left)) {
            Ok(Some(bytes)) if extension == "svg" && svg_is_active(&bytes) => {
                self.counts.pictures.push(format!(
                    "图片{quoted}是带脚本或事件的 SVG 文件，为了网站安全没有导入；请换成 PNG 或 JPEG 图片"
                ));
            }
            Ok(Some(bytes)) => {
                self.picture_bytes += bytes.len() as u64;
                let index = self.document.pictures.len();
                self.document.pictures.push(Picture {
                    name: format!("{}.{extension}", index + 1),
                    bytes,
                });
                self.picture_names.insert(part, index);
                out.push(Inline::Picture { index, alt });
            }
            Ok(None) => self
                .counts
                .pictures
                .push(format!("图片{quoted}在文档里找不到，没有导入")),
            Err(why) => self
                .counts
                .pictures
                .push(format!("图片{quoted}没有导入：{why}")),
        }
    }
}

/// The children `name` of `node`, also when wrapped in content controls or custom XML.
fn wrapped<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Vec<Node<'a, 'i>> {
    fn collect<'a, 'i>(
        node: Node<'a, 'i>,
        name: &str,
        depth: usize,
        found: &mut Vec<Node<'a, 'i>>,
    ) {
        for c in node.children().filter(|n| n.is_element()) {
            if is(&c, name) {
                found.push(c);
            } else if depth < 8 && matches!(c.tag_name().name(), "sdt" | "sdtContent" | "customXml")
            {
                collect(c, name, depth + 1, found);
            }
        }
    }
    let mut found = Vec::new();
    collect(node, name, 0, &mut found);
    found
}

/// Whether an SVG file can run script when a browser opens it: a `<script>` element, an
/// `on…=` event attribute, a `javascript:` address or embedded HTML. Such a file published on
/// the site would run on the site's own address.
fn svg_is_active(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("<script") || text.contains("javascript:") || text.contains("<foreignobject") {
        return true;
    }
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).any(|i| {
        // ` onload=`: white space, `on`, letters, optional white space, `=`.
        if !(bytes[i].is_ascii_whitespace() && &bytes[i + 1..i + 3] == b"on") {
            return false;
        }
        let rest = &bytes[i + 3..];
        let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        letters > 0 && rest[letters..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'=')
    })
}

/// The branch of an `mc:AlternateContent` to read: the first choice (what Word itself
/// shows), else the fallback.
fn alternative<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    child(node, "Choice").or_else(|| child(node, "Fallback"))
}

/// The address of a `HYPERLINK "…"` field instruction; `\l` links within the document
/// have none.
fn hyperlink_target(instruction: &str) -> Option<String> {
    let rest = instruction.trim().strip_prefix("HYPERLINK")?.trim();
    if rest.starts_with("\\l") {
        return None;
    }
    let url = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split_whitespace().next()?,
    };
    (!url.is_empty()).then(|| url.to_string())
}

/// Appends text as a piece of its own (the Markdown writer joins neighbours of the same
/// formatting), so that a link or field can take the pieces from where it started.
fn push_text(out: &mut Vec<Inline>, text: &str, format: Format) {
    if text.is_empty() {
        return;
    }
    out.push(Inline::Text {
        text: text.to_string(),
        bold: format.bold,
        italic: format.italic,
    });
}

/// A table cell's blocks as one line of pieces: paragraphs joined by line breaks, list
/// items with their marker as text, a nested table's cells in a row.
fn cell(blocks: Vec<Block>) -> Vec<Inline> {
    let mut out = Vec::new();
    for block in blocks {
        let pieces = match block {
            Block::Paragraph(content) => content,
            Block::Heading { content, .. } => content,
            Block::Item {
                marker, content, ..
            } => {
                let mut pieces = vec![Inline::plain(match marker {
                    Marker::Bullet => "• ".to_string(),
                    Marker::Number(n) => format!("{n}. "),
                })];
                pieces.extend(content);
                pieces
            }
            Block::Table(rows) => {
                let mut pieces = Vec::new();
                for row in rows {
                    for cell in row {
                        if !pieces.is_empty() {
                            pieces.push(Inline::plain(" "));
                        }
                        pieces.extend(cell);
                    }
                }
                pieces
            }
        };
        if pieces.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Inline::Break);
        }
        out.extend(pieces);
    }
    out
}

/// Takes the document's title out of its blocks: a paragraph in the Title style, or a first
/// heading before any text.
fn take_title(document: &mut Document) {
    let position = document
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 0, .. }))
        .or_else(|| match document.blocks.first() {
            Some(Block::Heading { .. }) => Some(0),
            _ => None,
        });
    if let Some(i) = position
        && let Block::Heading { content, .. } = document.blocks.remove(i)
    {
        document.title = Some(super::text_of(&content).trim().to_string());
    }
    // The highest heading left becomes the first level under the title (`##`): a document
    // titled in Heading 1 has its sections in Heading 2. A second Title-styled paragraph is
    // a heading like any other.
    let top = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some((*level).max(1)),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    for block in &mut document.blocks {
        if let Block::Heading { level, .. } = block {
            *level = (*level).max(1) - (top - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperlink_fields_give_their_address() {
        assert_eq!(
            hyperlink_target(r#" HYPERLINK "https://flk.npc.gov.cn/" \o "提示" "#).as_deref(),
            Some("https://flk.npc.gov.cn/")
        );
        assert_eq!(hyperlink_target(r#"HYPERLINK \l "_Toc1""#), None);
        assert_eq!(hyperlink_target("PAGEREF _Toc1 \\h"), None);
    }
}
