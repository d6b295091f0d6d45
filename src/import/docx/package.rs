//! The .docx package: its zip, the size limits on what it unpacks, its relationships, and
//! the small helpers the reader uses on its XML (elements and attributes by local name, so
//! Word's transitional and strict namespaces read alike).

use super::{Archive, MAX_NODES_IN_ALL, MAX_PART};
use roxmltree::Node;
use std::collections::HashMap;
use std::io::Read;

pub(super) fn zip_reason(e: &zip::result::ZipError) -> String {
    match e {
        zip::result::ZipError::InvalidArchive(_) | zip::result::ZipError::Io(_) => {
            "它不是完整的 .docx 文件（可能只下载了一部分，或者是改了扩展名的其他文件）".to_string()
        }
        zip::result::ZipError::UnsupportedArchive(_) => {
            "文件加了密码或用了不支持的压缩方式".to_string()
        }
        _ => "文件已损坏".to_string(),
    }
}

/// The name of the main document part, from the package relationships.
pub(super) fn main_part(archive: &mut Archive) -> Result<String, String> {
    let rels = read_part(archive, "_rels/.rels", MAX_PART)?;
    let from_rels = rels
        .as_deref()
        .and_then(|text| Relationships::parse(text, "").ok())
        .and_then(|r| r.of_kind("/officeDocument"));
    Ok(from_rels.unwrap_or_else(|| "word/document.xml".to_string()))
}

/// The part `name` as text, `None` when the package has none, refused when it unpacks to
/// more than `limit` bytes.
pub(super) fn read_part(
    archive: &mut Archive,
    name: &str,
    limit: u64,
) -> Result<Option<String>, String> {
    let Some(bytes) = read_bytes(archive, name, limit)? else {
        return Ok(None);
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(text.to_string())),
        Err(_) => Err(format!("{name} 不是 UTF-8 编码的 XML")),
    }
}

pub(super) fn read_bytes(
    archive: &mut Archive,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    // Part names are case-insensitive in the package format.
    let index = match archive.index_for_name(name) {
        Some(i) => i,
        None => match (0..archive.len()).find(|&i| {
            archive
                .name_for_index(i)
                .is_some_and(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
        }) {
            Some(i) => i,
            None => return Ok(None),
        },
    };
    let entry = archive.by_index(index).map_err(|e| zip_reason(&e))?;
    if entry.size() > limit {
        return Err(format!("{name} 解压后超过 {} MB", limit / (1024 * 1024)));
    }
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    // The size in the header may lie: read one byte past the limit to know.
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| format!("{name} 已损坏"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{name} 解压后超过 {} MB", limit / (1024 * 1024)));
    }
    Ok(Some(bytes))
}

/// A part of the document, its nodes taken from `budget`.
pub(super) fn parse_part<'t>(
    text: Option<&'t str>,
    budget: &mut u32,
) -> Result<Option<roxmltree::Document<'t>>, String> {
    let Some(text) = text else {
        return Ok(None);
    };
    let doc = parse_within(text, *budget)?;
    *budget = budget.saturating_sub(doc.descendants().len() as u32);
    Ok(Some(doc))
}

/// A small part (relationships, properties, comments), read on its own budget.
pub(super) fn parse(text: &str) -> Result<roxmltree::Document<'_>, String> {
    parse_within(text, MAX_NODES_IN_ALL / 4)
}

pub(super) fn parse_within(text: &str, nodes: u32) -> Result<roxmltree::Document<'_>, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: nodes.max(1),
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => {
            "文档的结构过于庞大（几百万个元素），不像是一篇稿件".to_string()
        }
        e => format!("XML 有错误（{e}）"),
    })
}

/// Whether `node` is an element with local name `name` (any namespace: Word's transitional
/// and strict formats name the same elements under different ones).
pub(super) fn is(node: &Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

/// The attribute `name` of `node`, whatever its namespace prefix.
pub(super) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name)
        .map(|a| a.value())
}

pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is(n, name))
}

/// `w:val` of the child `name` of `node`.
pub(super) fn child_val<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name).and_then(|c| attr(c, "val"))
}

/// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`), if `node` sets it.
pub(super) fn toggle(node: Node, name: &str) -> Option<bool> {
    child(node, name).map(|c| !matches!(attr(c, "val"), Some("0" | "false" | "off" | "none")))
}

/// The relationships of a part: id → target part name (or address, for external ones).
#[derive(Default)]
pub(super) struct Relationships {
    targets: HashMap<String, (String, String, bool)>,
}

impl Relationships {
    pub(super) fn parse(text: &str, folder: &str) -> Result<Relationships, String> {
        let doc = parse(text)?;
        let mut targets = HashMap::new();
        for rel in doc
            .root_element()
            .children()
            .filter(|n| is(n, "Relationship"))
        {
            let (Some(id), Some(kind), Some(target)) =
                (attr(rel, "Id"), attr(rel, "Type"), attr(rel, "Target"))
            else {
                continue;
            };
            let external = attr(rel, "TargetMode") == Some("External");
            let target = if external {
                target.to_string()
            } else {
                resolve(folder, target)
            };
            targets.insert(id.to_string(), (kind.to_string(), target, external));
        }
        Ok(Relationships { targets })
    }

    /// The part of the first relationship whose type ends with `kind` (`/styles`).
    pub(super) fn of_kind(&self, kind: &str) -> Option<String> {
        let mut found: Vec<&(String, String, bool)> = self
            .targets
            .values()
            .filter(|(k, _, external)| k.ends_with(kind) && !external)
            .collect();
        found.sort();
        found.first().map(|(_, target, _)| target.clone())
    }

    pub(super) fn get(&self, id: &str) -> Option<&(String, String, bool)> {
        self.targets.get(id)
    }
}

/// A part name from a target relative to `folder` (`media/image1.png` in `word`), with `..`
/// resolved and never above the package root.
pub(super) fn resolve(folder: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        folder.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_resolve_inside_the_package() {
        assert_eq!(resolve("word", "media/image1.png"), "word/media/image1.png");
        assert_eq!(resolve("word", "/word/media/a.png"), "word/media/a.png");
        assert_eq!(resolve("word", "../../../etc/passwd"), "etc/passwd");
    }
}
