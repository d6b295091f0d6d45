//! Pictures for phones: every JPEG and PNG under content/ is published in a few widths, as
//! WebP with a JPEG (or, with transparency, PNG) fallback, upright and without metadata.
//!
//! [`Pictures::load`] probes each picture once — size, orientation, transparency, whether it
//! carries location data — and remembers the answer in `.pufa-cache/` by the file's size and
//! time, so a rebuild does not read every photo again. [`Pictures::outputs`] lists the files
//! made from a picture: its widths ([`widths`], never wider than the picture), a share picture
//! 1,200 px wide for WeChat and QQ, a cover's cuts to the aspects the theme asks for, and —
//! when a page links to it, or shows it in no way pufa sees — the full-size picture at its
//! own address without EXIF, XMP or text (see [`clean`]); which of these a picture gets
//! follows from how the site uses it ([`Uses`]). The files are made once and kept in
//! `.pufa-cache/pictures/` under the hash of the picture's bytes and of the settings; a build
//! copies them from there ([`Pictures::publish`]), the preview makes them when first asked
//! for ([`Pictures::plan`]).
//!
//! Decoding is `image`'s (zune-jpeg, png), resizing `fast_image_resize`'s (Lanczos3, the
//! same bytes whichever SIMD it picks), JPEG encoding `jpeg-encoder`'s and WebP libwebp's
//! (docs/pictures.md says why these).

pub mod clean;
mod make;

use crate::diagnostic::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};

/// The folder under the site root where pufa keeps what it can make again.
pub const CACHE_DIR: &str = ".pufa-cache";
/// The widths a picture in the text is published in, where the picture is wider.
pub const WIDTHS: &[u32] = &[480, 960, 1600];
/// Widths of a picture cropped for a list or a card ([`Uses::crops`]): they show small.
pub const CROP_WIDTHS: &[u32] = &[480, 960];
/// The width of the picture for share cards (`og:image`).
pub const SHARE_WIDTH: u32 = 1200;
/// Originals larger than this are worth making smaller before they go on the site.
pub const LARGE_BYTES: u64 = 10 * 1024 * 1024;
/// Files named as pictures that are larger are not read at all: no photo is this large.
const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Pictures with more pixels are not decoded (about 12,000 × 8,000).
const MAX_PIXELS: u64 = 100_000_000;
const JPEG_QUALITY: u8 = 80;
const WEBP_QUALITY: f32 = 75.0;
/// libwebp's effort, 0–6. Its default 4 took 1.75 times as long on photos as 2, for WebP files
/// 1.7% smaller (docs/pictures.md).
const WEBP_METHOD: i32 = 2;
/// WebP's limit on either side.
const WEBP_MAX: u32 = 16_383;
/// Changes whenever what a cached file holds would change for the same picture and width.
const VERSION: u64 = 1;

/// A picture's file format, read from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

/// What pufa knows of a picture without decoding it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    /// As shown, after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    /// EXIF orientation, 1–8 (1: as stored).
    pub orientation: u8,
    /// The file holds GPS fields.
    pub gps: bool,
    /// The file holds metadata the published copy leaves out.
    pub metadata: bool,
    /// xxh3 of the file's bytes.
    pub hash: u64,
    pub bytes: u64,
}

/// A picture as a page shows it (`item.cover_image`, `page.cover_image` …): addresses
/// relative to the page, the size of the picture at `src`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct View {
    pub src: String,
    /// `480w` descriptors of the fallback files.
    pub srcset: Option<String>,
    /// The same widths as WebP.
    pub webp: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The picture cropped to each aspect the theme asks for (`"16:9"` → its view), for
    /// covers and posters; the `picture` function's `crop` picks one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub crops: BTreeMap<String, View>,
}

/// A width-to-height ratio a theme crops covers to (theme.yaml `crops: ["16:9"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Aspect {
    pub width: u32,
    pub height: u32,
}

impl Aspect {
    /// `16:9` (also `16/9`, `16x9`); `None` unless both are whole numbers from 1 to 100.
    pub fn parse(text: &str) -> Option<Aspect> {
        let (w, h) = text.trim().split_once([':', '/', 'x', '：'])?;
        let number = |t: &str| {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100).contains(n))
        };
        Some(Aspect {
            width: number(w)?,
            height: number(h)?,
        })
    }
}

impl std::fmt::Display for Aspect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.width, self.height)
    }
}

/// How the site uses its pictures, which decides the files made of each: set by the
/// pipeline once the pages are read ([`Pictures::set_uses`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Uses {
    /// The aspects the theme crops covers to (theme.yaml `crops`).
    pub crops: Vec<Aspect>,
    /// Pictures named as a cover or a poster: also made cropped to each of `crops`.
    pub framed: BTreeSet<String>,
    /// Pictures pufa shows resized (a Markdown image, a cover, a poster): their original is
    /// not published unless it is linked.
    pub shown: BTreeSet<String>,
    /// Pictures linked as files (a Markdown link such as `[查看原图](海报.jpg)`, a shortcode's
    /// argument, site.yaml): their original is published, without metadata.
    pub linked: BTreeSet<String>,
}
/// How [`View::html`] writes its element.
#[derive(Debug, Clone, Default)]
pub struct Look<'a> {
    pub alt: &'a str,
    pub title: Option<&'a str>,
    /// The `sizes` attribute: how wide the picture shows.
    pub sizes: &'a str,
    pub class: Option<&'a str>,
    /// Load it at once (`eager`), for a picture at the top of the page; else lazily.
    pub eager: bool,
}

impl View {
    /// A `<picture>` with a WebP source and the fallback `<img>`, or a plain `<img>` for a
    /// picture pufa publishes as it is; `width` and `height` whenever they are known.
    pub fn html(&self, look: &Look) -> String {
        let esc = crate::text::escape_html;
        let mut html = String::new();
        if let Some(webp) = &self.webp {
            html.push_str(&format!(
                "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{}\">",
                esc(webp),
                esc(look.sizes)
            ));
        }
        html.push_str(&format!("<img src=\"{}\"", esc(&self.src)));
        if let Some(srcset) = self.srcset.as_deref().filter(|s| !s.is_empty()) {
            html.push_str(&format!(
                " srcset=\"{}\" sizes=\"{}\"",
                esc(srcset),
                esc(look.sizes)
            ));
        }
        if let (Some(w), Some(h)) = (self.width, self.height) {
            html.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        if let Some(class) = look.class.filter(|c| !c.is_empty()) {
            html.push_str(&format!(" class=\"{}\"", esc(class)));
        }
        html.push_str(&format!(" alt=\"{}\"", esc(look.alt)));
        if let Some(title) = look.title.filter(|t| !t.is_empty()) {
            html.push_str(&format!(" title=\"{}\"", esc(title)));
        }
        if !look.eager {
            html.push_str(" loading=\"lazy\"");
        }
        html.push_str(" decoding=\"async\">");
        if self.webp.is_some() {
            html.push_str("</picture>");
        }
        html
    }
}

/// One file made from a picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Output path (relative to the output root).
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub kind: Kind,
    /// Cut to this aspect before resizing.
    pub crop: Option<Aspect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Webp,
    Jpeg,
    Png,
    /// The full-size picture without metadata, at the original's address.
    Clean,
}

impl Kind {
    fn extension(self) -> &'static str {
        match self {
            Kind::Webp => "webp",
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Clean => "orig",
        }
    }
}

/// The pictures of a site, by path under content/.
#[derive(Debug, Default, Clone)]
pub struct Pictures {
    root: PathBuf,
    /// Probed pictures; an `Err` holds why the file could not be read as a picture.
    pub probes: BTreeMap<String, Result<Probe, String>>,
    /// Width and height of the GIF and SVG files, which are published as they are.
    pub sizes: BTreeMap<String, (u32, u32)>,
    /// The WebP, GIF and SVG files: published as they are, but without EXIF and XMP when
    /// they are (or, misnamed, hold) a JPEG, PNG or WebP file that carries them.
    passed: Vec<String>,
    /// What to remember in `.pufa-cache/pictures.tsv` once a build used the probes; `None`
    /// when it remembers them already.
    remember: Option<Vec<(String, Stamp, Probe)>>,
    uses: Uses,
}

/// Whether pufa resizes the file at `path` (under content/): JPEG and PNG.
pub fn is_raster(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png"].iter().any(|e| lower.ends_with(e))
}

/// Whether the file at `path` is a picture pufa publishes as it is, giving only its size to
/// the page: GIF and SVG.
fn is_passed_through(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".gif") || lower.ends_with(".svg")
}

/// The width and height of a GIF (its header) or an SVG (the root element's `width` and
/// `height` in pixels, else its `viewBox`), from the file's first bytes.
pub fn passthrough_size(head: &[u8]) -> Option<(u32, u32)> {
    let sane = |w: f64, h: f64| {
        let ok = |v: f64| v.is_finite() && (0.5..=100_000.0).contains(&v);
        (ok(w) && ok(h)).then(|| (w.round() as u32, h.round() as u32))
    };
    if (head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a")) && head.len() >= 10 {
        let le = |at: usize| f64::from(u16::from_le_bytes([head[at], head[at + 1]]));
        return sane(le(6), le(8));
    }
    let text = String::from_utf8_lossy(head);
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    // The value of attribute `name` in the tag, if it is quoted.
    let attribute = |name: &str| -> Option<&str> {
        let mut rest = tag;
        while let Some(at) = rest.find(name) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + name.len()..].trim_start();
            rest = &rest[at + name.len()..];
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let Some(value) = after.strip_prefix('=') else {
                continue;
            };
            let value = value.trim_start();
            let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            let value = &value[1..];
            return value.find(quote).map(|end| &value[..end]);
        }
        None
    };
    let pixels = |v: &str| -> Option<f64> {
        let v = v.trim();
        v.strip_suffix("px").unwrap_or(v).trim().parse().ok()
    };
    if let (Some(w), Some(h)) = (
        attribute("width").and_then(pixels),
        attribute("height").and_then(pixels),
    ) {
        return sane(w, h);
    }
    let numbers: Vec<f64> = attribute("viewBox")?
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|n| !n.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [_, _, w, h] => sane(w, h),
        _ => None,
    }
}

/// The widths `probe` is published in: those of [`WIDTHS`] narrower than the picture, and
/// the picture's own width when it is not wider than the largest.
pub fn widths(probe: &Probe) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|&w| w < probe.width)
        .collect();
    if probe.width <= WIDTHS[WIDTHS.len() - 1] {
        widths.push(probe.width);
    }
    widths
}

/// The height of a cut `cw` × `ch` at `width`, rounded, at least 1.
fn cut_height(cw: u32, ch: u32, width: u32) -> u32 {
    let h = (u64::from(ch) * u64::from(width) + u64::from(cw) / 2) / u64::from(cw.max(1));
    (h as u32).max(1)
}

/// The height of `probe` at `width`, rounded, at least 1.
fn height_at(probe: &Probe, width: u32) -> u32 {
    let h = (u64::from(probe.height) * u64::from(width) + u64::from(probe.width) / 2)
        / u64::from(probe.width.max(1));
    (h as u32).max(1)
}

/// `media/photo.jpg` with `-480w.webp` in place of its extension.
/// The widths of a cut `width` pixels wide: those of [`CROP_WIDTHS`] narrower, and its own
/// when it is not wider than the largest.
fn crop_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = CROP_WIDTHS.iter().copied().filter(|&w| w < width).collect();
    if width <= CROP_WIDTHS[CROP_WIDTHS.len() - 1] {
        widths.push(width);
    }
    widths
}

/// The part of the upright picture kept when it is cropped to `aspect`, as x, y, width and
/// height: the middle of a picture too wide, the upper part of one too tall (where faces and
/// titles are), with a third of the rest above it. `None` when the picture is within 1% of
/// the aspect already and is shown as it is.
fn crop_rect(probe: &Probe, aspect: Aspect) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = (u64::from(probe.width), u64::from(probe.height));
    let (aw, ah) = (u64::from(aspect.width), u64::from(aspect.height));
    // Compare w/h with aw/ah as w·ah with h·aw.
    let (wide, tall) = (w * ah, h * aw);
    if wide.abs_diff(tall) * 100 <= wide.max(tall) {
        return None;
    }
    let (cw, ch) = if wide > tall {
        (((h * aw + ah / 2) / ah).clamp(1, w), h)
    } else {
        (w, ((w * ah + aw / 2) / aw).clamp(1, h))
    };
    let (x, y) = ((w - cw) / 2, (h - ch) / 3);
    Some((x as u32, y as u32, cw as u32, ch as u32))
}

fn variant_path(asset: &str, suffix: &str) -> String {
    let (dir, name) = match asset.rfind('/') {
        Some(i) => (&asset[..=i], &asset[i + 1..]),
        None => ("", asset),
    };
    let stem = match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    };
    format!("{dir}{stem}{suffix}")
}

impl Pictures {
    /// Probes the JPEG and PNG files among `assets`, using what `.pufa-cache/` remembers of
    /// the unchanged ones and remembering the rest.
    pub fn load(root: &Path, assets: &std::collections::BTreeSet<String>) -> Pictures {
        use rayon::prelude::*;
        let remembered = ProbeCache::read(root);
        let content = root.join(crate::content::CONTENT_DIR);
        let probes: Vec<(String, Option<Stamp>, Result<Probe, String>)> = assets
            .par_iter()
            .filter(|a| is_raster(a))
            .map(|asset| {
                let file = content.join(asset);
                let stamp = stamp(&file);
                let probe = match stamp.and_then(|s| remembered.get(asset, s)) {
                    Some(probe) => Ok(probe),
                    None if stamp.is_some_and(|(size, _)| size > MAX_BYTES) => Err(format!(
                        "文件有 {} MB，不像是一张照片",
                        stamp.map_or(0, |(size, _)| size >> 20)
                    )),
                    None => std::fs::read(&file)
                        .map_err(|e| crate::fs::reason(&e))
                        .and_then(|bytes| probe(&bytes)),
                };
                (asset.clone(), stamp, probe)
            })
            .collect();
        let mut pictures = Pictures {
            root: root.to_path_buf(),
            probes: BTreeMap::new(),
            sizes: assets
                .par_iter()
                .filter(|a| is_passed_through(a))
                .filter_map(|asset| {
                    use std::io::Read;
                    let mut head = Vec::with_capacity(4096);
                    let file = std::fs::File::open(content.join(asset)).ok()?;
                    file.take(4096).read_to_end(&mut head).ok()?;
                    Some((asset.clone(), passthrough_size(&head)?))
                })
                .collect(),
            passed: assets
                .iter()
                .filter(|a| is_passed_through(a) || a.to_ascii_lowercase().ends_with(".webp"))
                .cloned()
                .collect(),
            remember: None,
            uses: Uses::default(),
        };
        let mut lines = Vec::new();
        for (asset, stamp, probe) in probes {
            if let (Some(stamp), Ok(p)) = (stamp, &probe) {
                lines.push((asset.clone(), stamp, p.clone()));
            }
            pictures.probes.insert(asset, probe);
        }
        if !remembered.same(&lines) {
            pictures.remember = Some(lines);
        }
        pictures
    }

    /// Tells how the site uses its pictures; the files made of each follow ([`Uses`]).
    pub fn set_uses(&mut self, uses: Uses) {
        self.uses = uses;
    }

    pub fn uses(&self) -> &Uses {
        &self.uses
    }

    /// Whether the original of the picture at `asset` is published (without metadata): when
    /// it is linked, or when pufa does not show it resized anywhere (a page may use it in
    /// ways pufa does not see, such as HTML written into the Markdown).
    fn original_published(&self, asset: &str) -> bool {
        self.uses.linked.contains(asset) || !self.uses.shown.contains(asset)
    }

    /// Whether [`Pictures::publish`] publishes the file at `asset` (rather than the build
    /// copying it): JPEG, PNG, WebP, GIF and SVG.
    pub fn publishes(&self, asset: &str) -> bool {
        self.probes.contains_key(asset)
            || self
                .passed
                .binary_search_by(|w| w.as_str().cmp(asset))
                .is_ok()
    }

    /// How many files [`Pictures::publish`] hands on.
    pub fn output_count(&self) -> usize {
        self.probes
            .keys()
            .map(|a| self.outputs(a).len().max(1))
            .sum()
    }

    /// The probe of the picture at `asset`, when it is one pufa publishes resized.
    pub fn get(&self, asset: &str) -> Option<&Probe> {
        self.probes.get(asset)?.as_ref().ok()
    }

    /// The files made from the picture at `asset`: each width as WebP and as the fallback
    /// format, the share picture, the clean full-size copy when it is published, and for a
    /// cover or poster each width of each crop the theme asks for. Empty when it is not a
    /// picture pufa reads.
    pub fn outputs(&self, asset: &str) -> Vec<Output> {
        let Some(probe) = self.get(asset) else {
            return Vec::new();
        };
        let mut outputs = Vec::new();
        for w in widths(probe) {
            let h = height_at(probe, w);
            if w <= WEBP_MAX && h <= WEBP_MAX {
                outputs.push(self.output(asset, w, h, Kind::Webp));
            }
            outputs.push(self.fallback_at(asset, probe, w));
        }
        let share = self.share(asset, probe);
        if !outputs.contains(&share) {
            outputs.push(share);
        }
        let clean = clean_output(asset, probe);
        if self.original_published(asset) && !outputs.contains(&clean) {
            outputs.push(clean);
        }
        for &aspect in self.crops_of(asset) {
            let Some((_, _, cw, ch)) = crop_rect(probe, aspect) else {
                continue;
            };
            for w in crop_widths(cw) {
                let h = cut_height(cw, ch, w);
                if w <= WEBP_MAX && h <= WEBP_MAX {
                    outputs.push(self.cropped(asset, aspect, w, h, Kind::Webp));
                }
                outputs.push(self.cropped(asset, aspect, w, h, fallback(probe)));
            }
        }
        outputs
    }

    /// The aspects the picture at `asset` is cropped to: the theme's, for a cover or poster.
    fn crops_of(&self, asset: &str) -> &[Aspect] {
        if self.uses.framed.contains(asset) {
            &self.uses.crops
        } else {
            &[]
        }
    }

    fn output(&self, asset: &str, width: u32, height: u32, kind: Kind) -> Output {
        Output {
            path: variant_path(asset, &format!("-{width}w.{}", kind.extension())),
            width,
            height,
            kind,
            crop: None,
        }
    }

    fn cropped(&self, asset: &str, aspect: Aspect, width: u32, height: u32, kind: Kind) -> Output {
        let suffix = format!(
            "-{}x{}-{width}w.{}",
            aspect.width,
            aspect.height,
            kind.extension()
        );
        Output {
            path: variant_path(asset, &suffix),
            width,
            height,
            kind,
            crop: Some(aspect),
        }
    }

    /// The JPEG or PNG of `probe` at width `w`: the clean original itself at its own width
    /// when it is light enough to show as it is ([`reused`]).
    fn fallback_at(&self, asset: &str, probe: &Probe, w: u32) -> Output {
        if w == probe.width && reused(probe) {
            return clean_output(asset, probe);
        }
        self.output(asset, w, height_at(probe, w), fallback(probe))
    }

    fn share(&self, asset: &str, probe: &Probe) -> Output {
        let w = SHARE_WIDTH.min(probe.width);
        if w == probe.width && reused(probe) && probe.format == Format::Jpeg {
            return clean_output(asset, probe);
        }
        self.output(asset, w, height_at(probe, w), Kind::Jpeg)
    }

    /// The share picture (`og:image`) of the picture at `asset`: output path.
    pub fn share_path(&self, asset: &str) -> Option<String> {
        let probe = self.get(asset)?;
        Some(self.share(asset, probe).path)
    }

    /// The file a list or template shows for the picture at `asset` when it asks for one
    /// address: the fallback at the width nearest 960.
    pub fn display(&self, asset: &str) -> Option<Output> {
        let probe = self.get(asset)?;
        let w = widths(probe).into_iter().min_by_key(|w| w.abs_diff(960))?;
        Some(self.fallback_at(asset, probe, w))
    }

    /// How a page shows the picture at `asset`, its files' addresses made with `link`
    /// (output path → address): resized, or (GIF, SVG) as it is with its size; `None` when
    /// pufa knows neither.
    pub fn view(&self, asset: &str, link: &dyn Fn(&str) -> String) -> Option<View> {
        let Some(probe) = self.get(asset) else {
            let &(width, height) = self.sizes.get(asset)?;
            return Some(View {
                src: link(asset),
                width: Some(width),
                height: Some(height),
                ..View::default()
            });
        };
        let widths = widths(probe);
        let set = |of: &dyn Fn(u32) -> Output| -> String {
            widths
                .iter()
                .map(|&w| of(w))
                .map(|o| format!("{} {}w", link(&o.path), o.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown = self.display(asset)?;
        let webp = set(&|w| self.output(asset, w, height_at(probe, w), Kind::Webp));
        let large = widths
            .iter()
            .any(|&w| w > WEBP_MAX || height_at(probe, w) > WEBP_MAX);
        let mut view = View {
            src: link(&shown.path),
            srcset: Some(set(&|w| self.fallback_at(asset, probe, w))),
            webp: (!large).then_some(webp),
            width: Some(shown.width),
            height: Some(shown.height),
            crops: BTreeMap::new(),
        };
        let crops = self
            .crops_of(asset)
            .iter()
            .map(|&aspect| {
                let cut = match crop_rect(probe, aspect) {
                    Some(rect) => self.cut_view(asset, probe, aspect, rect, link),
                    None => view.clone(),
                };
                (aspect.to_string(), cut)
            })
            .collect();
        view.crops = crops;
        Some(view)
    }

    /// How a page shows the picture at `asset` cut to `aspect` (`rect` of [`crop_rect`]).
    fn cut_view(
        &self,
        asset: &str,
        probe: &Probe,
        aspect: Aspect,
        rect: (u32, u32, u32, u32),
        link: &dyn Fn(&str) -> String,
    ) -> View {
        let (cw, ch) = (rect.2, rect.3);
        let widths = crop_widths(cw);
        let at = |w: u32, kind: Kind| self.cropped(asset, aspect, w, cut_height(cw, ch, w), kind);
        let set = |kind: Kind| -> String {
            widths
                .iter()
                .map(|&w| at(w, kind))
                .map(|o| format!("{} {}w", link(&o.path), o.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown = at(*widths.last().unwrap_or(&cw), fallback(probe));
        let large = widths
            .iter()
            .any(|&w| w > WEBP_MAX || cut_height(cw, ch, w) > WEBP_MAX);
        View {
            src: link(&shown.path),
            srcset: Some(set(fallback(probe))),
            webp: (!large).then(|| set(Kind::Webp)),
            width: Some(shown.width),
            height: Some(shown.height),
            crops: BTreeMap::new(),
        }
    }

    /// For the preview: hands every file of every picture to `sink` as [`Pictures::publish`]
    /// does, but by where it will be in the cache, without making it; the preview makes a
    /// picture's files when a page first asks for one of them ([`Pictures::make_for`]), so
    /// that it opens at once on a site of many new photos. A picture whose structure cannot
    /// be read is handled as `publish` does (it is not decoded).
    pub fn plan(
        &self,
        sink: &dyn crate::pipeline::Sink,
        tick: &(dyn Fn() + Sync),
    ) -> Vec<Diagnostic> {
        let copy = |from: &Path, path: &str| {
            let result = sink.copy(from, path);
            tick();
            result
        };
        let cache = self.root.join(CACHE_DIR).join("pictures");
        let mut problems = Vec::new();
        if self.probes.values().any(Result::is_ok)
            && let Err(d) = cache_folder(&self.root, &cache)
        {
            problems.push(d);
            return problems;
        }
        for (asset, probe) in &self.probes {
            let shown = Path::new(crate::content::CONTENT_DIR).join(asset);
            let original = self.root.join(&shown);
            let result = match probe {
                Ok(probe) => self.outputs(asset).iter().try_for_each(|o| {
                    if o.kind == Kind::Clean && !probe.metadata {
                        copy(&original, &o.path)
                    } else {
                        copy(
                            &cache.join(cache_name(probe, o, cache_key(probe, o))),
                            &o.path,
                        )
                    }
                }),
                Err(_) => self.publish_unreadable(asset, &original, &cache, sink, tick),
            };
            problems.extend(result.map_err(|d| d.in_file(&shown)).err());
        }
        for asset in &self.passed {
            let shown = Path::new(crate::content::CONTENT_DIR).join(asset);
            let original = self.root.join(&shown);
            let result = self.publish_unreadable(asset, &original, &cache, sink, tick);
            problems.extend(result.map_err(|d| d.in_file(&shown)).err());
        }
        if let Some(lines) = &self.remember {
            ProbeCache::write(&self.root, lines);
        }
        problems
    }

    /// Makes the files of the picture that `path` (an output path) is made from, where the
    /// cache does not hold them yet: for the preview, which [`Pictures::plan`]ned them.
    /// `false` when no picture makes `path`.
    pub fn make_for(&self, path: &str) -> Result<bool, Diagnostic> {
        let cache = self.root.join(CACHE_DIR).join("pictures");
        // A file made of `media/a.jpg` is that file itself, `media/a-480w.webp` or
        // `media/a-16x9-480w.webp` ([`variant_path`]): only the pictures named so are
        // looked at, not every picture of the site.
        let mut stems = vec![path];
        for _ in 0..2 {
            let last = stems[stems.len() - 1];
            if let Some(i) = last.rfind('-') {
                stems.push(&last[..i]);
            }
        }
        let mut candidates = stems.into_iter().flat_map(|stem| {
            let dotted = format!("{stem}.");
            self.probes
                .range::<str, _>((Bound::Included(stem), Bound::Unbounded))
                .take_while(move |(asset, _)| asset.starts_with(stem))
                .filter(move |(asset, _)| *asset == stem || asset.starts_with(&dotted))
        });
        let found = candidates.find_map(|(asset, probe)| {
            let probe = probe.as_ref().ok()?;
            self.outputs(asset)
                .iter()
                .any(|o| o.path == path)
                .then_some((asset, probe))
        });
        let Some((asset, probe)) = found else {
            return Ok(false);
        };
        let shown = Path::new(crate::content::CONTENT_DIR).join(asset);
        let original = self.root.join(&shown);
        self.publish_one(asset, probe, &original, &cache, None)
            .map_err(|d| d.in_file(&shown))?;
        Ok(true)
    }

    /// Makes what is missing from the cache and hands every file of every picture to
    /// `sink`, calling `tick` for each. A file the output folder already holds as the last
    /// build made it is kept ([`crate::pipeline::Sink::keep`]) without looking in the
    /// cache. Runs the pictures in parallel; returns the problems, each naming the picture.
    pub fn publish(
        &self,
        sink: &dyn crate::pipeline::Sink,
        tick: &(dyn Fn() + Sync),
    ) -> Vec<Diagnostic> {
        use rayon::prelude::*;
        let cache = self.root.join(CACHE_DIR).join("pictures");
        let problems = self
            .probes
            .par_iter()
            .filter_map(|(asset, probe)| {
                let shown = Path::new(crate::content::CONTENT_DIR).join(asset);
                let original = self.root.join(&shown);
                let result = match probe {
                    Ok(probe) => {
                        self.publish_one(asset, probe, &original, &cache, Some((sink, tick)))
                    }
                    Err(_) => self.publish_unreadable(asset, &original, &cache, sink, tick),
                };
                result
                    .map_err(|d| match d.file {
                        None => d.in_file(&shown),
                        Some(_) => d,
                    })
                    .err()
            })
            .chain(self.passed.par_iter().filter_map(|asset| {
                let shown = Path::new(crate::content::CONTENT_DIR).join(asset);
                self.publish_unreadable(asset, &self.root.join(&shown), &cache, sink, tick)
                    .map_err(|d| d.in_file(&shown))
                    .err()
            }))
            .collect();
        // Only a build that used them remembers the probes (`check` writes nothing).
        if let Some(lines) = &self.remember {
            ProbeCache::write(&self.root, lines);
        }
        problems
    }

    /// A WebP, GIF or SVG file, or a file named as a JPEG or PNG that does not read as one:
    /// published without the metadata found in it, as it is when it has none. A GIF or SVG
    /// that does not start as one of the formats [`clean`] reads is published as it is; any other
    /// file whose structure cannot be read is not published (it may hold a location nobody
    /// can take out).
    fn publish_unreadable(
        &self,
        asset: &str,
        original: &Path,
        cache: &Path,
        sink: &dyn crate::pipeline::Sink,
        tick: &(dyn Fn() + Sync),
    ) -> Result<(), Diagnostic> {
        let copy = |from: &Path| {
            let result = sink.copy(from, asset);
            tick();
            result
        };
        let plain = is_passed_through(asset);
        if std::fs::metadata(original).is_ok_and(|m| m.len() > MAX_BYTES) {
            return if plain { copy(original) } else { Ok(()) };
        }
        let bytes = std::fs::read(original).map_err(|e| read_error(&e))?;
        match clean::has_metadata(&bytes) {
            Some(false) => copy(original),
            Some(true) => {
                let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
                let key = xxhash_rust::xxh3::xxh3_64_with_seed(
                    format!("{VERSION} clean").as_bytes(),
                    hash,
                );
                if sink.keep(asset, key) {
                    tick();
                    return Ok(());
                }
                let Some(clean) = clean::clean(&bytes, 1) else {
                    return Ok(());
                };
                cache_folder(&self.root, cache)?;
                let cached = cache.join(format!("{hash:016x}-clean"));
                if !is_cached(&cached) {
                    write_cached(&cached, &clean)?;
                }
                let result = sink.copy_made(&cached, asset, key);
                tick();
                result
            }
            // Named GIF or SVG but starting as a JPEG, PNG or WebP file does: not read whole,
            // so it may hold a location.
            None if plain && !clean::is_container(&bytes) => copy(original),
            None => Ok(()),
        }
    }

    /// Makes the files of the picture at `asset` that neither `sink` (when given) nor the
    /// cache holds, and hands them all to `sink`.
    fn publish_one(
        &self,
        asset: &str,
        probe: &Probe,
        original: &Path,
        cache: &Path,
        sink: Option<(&dyn crate::pipeline::Sink, &(dyn Fn() + Sync))>,
    ) -> Result<(), Diagnostic> {
        let outputs = self.outputs(asset);
        // The clean original of a picture without metadata is the original itself.
        let (copied, made): (Vec<&Output>, Vec<&Output>) = outputs
            .iter()
            .partition(|o| o.kind == Kind::Clean && !probe.metadata);
        let wanted: Vec<(&Output, u64)> = made
            .iter()
            .map(|&o| (o, cache_key(probe, o)))
            .filter(|&(o, key)| match sink {
                Some((sink, tick)) if sink.keep(&o.path, key) => {
                    tick();
                    false
                }
                _ => true,
            })
            .collect();
        let cached = |o: &Output, key: u64| cache.join(cache_name(probe, o, key));
        if wanted.iter().any(|&(o, key)| !is_cached(&cached(o, key))) {
            // All are made together, so that each is made the same way whatever the cache
            // holds: a width is resized from the next larger one made with it.
            cache_folder(&self.root, cache)?;
            let bytes = std::fs::read(original).map_err(|e| read_error(&e))?;
            let data = make::make(&bytes, probe, &made)?;
            for (o, data) in made.iter().zip(data) {
                let file = cached(o, cache_key(probe, o));
                if !is_cached(&file) {
                    write_cached(&file, &data)?;
                }
            }
        }
        let Some((sink, tick)) = sink else {
            return Ok(());
        };
        for o in copied {
            sink.copy(original, &o.path)?;
            tick();
        }
        for (o, key) in wanted {
            sink.copy_made(&cached(o, key), &o.path, key)?;
            tick();
        }
        Ok(())
    }
}

/// What the author of a page using the picture at `asset` should know of it, without file
/// or place: location data, a file too large, a file that cannot be read as a picture.
pub fn warnings(pictures: &Pictures, asset: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match pictures.probes.get(asset) {
        None => {}
        Some(Err(why)) => out.push(
            Diagnostic::warning(
                "picture/undecodable",
                format!("图片“{asset}”读不出来（{why}），不生成适合手机的小图；其中可能记着拍摄地点，读不懂结构的文件不发布"),
            )
            .with_suggestion("用看图软件打开它另存为 JPEG 或 PNG；文件也可能没有复制完整"),
        ),
        Some(Ok(probe)) => {
            if probe.gps {
                out.push(
                    Diagnostic::warning(
                        "picture/gps",
                        format!("照片“{asset}”里记着拍摄地点（GPS 位置）"),
                    )
                    .with_suggestion(
                        "网站上发布的图片已经去掉了位置和其他拍摄信息；content 里的原图仍带着，不要把原图另外转发或上传",
                    ),
                );
            }
            if probe.bytes > LARGE_BYTES {
                out.push(
                    Diagnostic::warning(
                        "picture/large",
                        format!(
                            "图片“{asset}”有 {:.1} MB，超过 10 MB",
                            probe.bytes as f64 / (1024.0 * 1024.0)
                        ),
                    )
                    .with_suggestion(
                        "读者看到的是缩小的图片，但每次生成都要读这个大文件：用手机或看图软件先压缩到几 MB 以内",
                    ),
                );
            }
        }
    }
    out
}

fn read_error(e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "picture/read",
        format!("读不出图片：{}", crate::fs::reason(e)),
    )
}

/// The full-size picture at its own address.
fn clean_output(asset: &str, probe: &Probe) -> Output {
    Output {
        path: asset.to_string(),
        width: probe.width,
        height: probe.height,
        kind: Kind::Clean,
        crop: None,
    }
}

/// Pictures this light need no copy made at their own width: the clean original serves
/// (a turned PNG is drawn upright instead, so it is made again).
const LIGHT_BYTES: u64 = 200 * 1024;

/// Whether the clean original serves as the fallback at its own width.
fn reused(probe: &Probe) -> bool {
    probe.bytes <= LIGHT_BYTES && (probe.format == Format::Jpeg || probe.orientation <= 1)
}

/// The fallback format beside WebP: JPEG for photos, PNG for pictures with transparency.
fn fallback(probe: &Probe) -> Kind {
    if probe.alpha { Kind::Png } else { Kind::Jpeg }
}

/// What tells output `o` of the picture `probe` from any other file pufa makes: the hash of
/// the picture's bytes and of every setting its bytes depend on.
fn cache_key(probe: &Probe, o: &Output) -> u64 {
    let mut settings = format!(
        "{VERSION} {:?} {} {} {JPEG_QUALITY} {WEBP_QUALITY} {}",
        o.kind, o.width, o.height, probe.orientation
    );
    if o.kind == Kind::Webp {
        settings.push_str(&format!(" m{WEBP_METHOD}"));
    }
    if let Some(aspect) = o.crop {
        settings.push_str(&format!(" crop {aspect}"));
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(settings.as_bytes(), probe.hash)
}

/// The cache file of output `o` of the picture `probe`, whose [`cache_key`] is `key`.
fn cache_name(probe: &Probe, o: &Output, key: u64) -> String {
    format!("{:016x}-{key:016x}.{}", probe.hash, o.kind.extension())
}

/// A cached file that may be used: a regular file, not a link.
fn is_cached(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// `.pufa-cache/pictures/` exists as a real folder inside the site (made if missing).
fn cache_folder(root: &Path, cache: &Path) -> Result<(), Diagnostic> {
    let refuse = |what: &str| {
        Diagnostic::error(
            "picture/cache",
            format!("{CACHE_DIR}/pictures {what}，pufa 不往里写缩小的图片"),
        )
        .in_file(Path::new(CACHE_DIR))
        .with_suggestion(format!(
            "删掉网站文件夹里的 {CACHE_DIR}（pufa 会重新生成它）"
        ))
    };
    for dir in [root.join(CACHE_DIR), cache.to_path_buf()] {
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(refuse("不是普通的文件夹")),
            Err(_) => std::fs::create_dir(&dir).map_err(|e| {
                Diagnostic::error(
                    "picture/cache",
                    format!("无法建立 {CACHE_DIR} 文件夹：{}", crate::fs::reason(&e)),
                )
            })?,
        }
    }
    Ok(())
}

/// Writes a cache file whole: through a temporary file of its own and a rename (two copies
/// of one photo under different names make the same cache file at the same time).
fn write_cached(path: &Path, data: &[u8]) -> Result<(), Diagnostic> {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
    let result = std::fs::write(&tmp, data).and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Diagnostic::error(
            "picture/cache",
            format!("无法写入 {CACHE_DIR}：{}", crate::fs::reason(&e)),
        )
    })
}

/// A file's size and modification time in nanoseconds.
type Stamp = (u64, i128);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    let t = m.modified().ok()?;
    let ns = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((m.len(), ns))
}

/// Reads what the picture's bytes say of it.
pub fn probe(bytes: &[u8]) -> Result<Probe, String> {
    use image::ImageDecoder;
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| "文件读不出来".to_string())?;
    let format = match reader.format() {
        Some(image::ImageFormat::Jpeg) => Format::Jpeg,
        Some(image::ImageFormat::Png) => Format::Png,
        Some(other) => {
            return Err(format!(
                "文件里其实是 {} 格式，不是 JPEG 或 PNG",
                other.extensions_str().first().unwrap_or(&"?")
            ));
        }
        None => return Err("不是 JPEG 或 PNG 图片".into()),
    };
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    // Reading the EXIF data can fail on a file cut short, too.
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err("图片的宽或高是 0".into());
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("图片有 {w}×{h} 像素，太大了"));
    }
    let alpha = decoder.color_type().has_alpha();
    let exif = decoder.exif_metadata().ok().flatten();
    let orientation = exif
        .as_deref()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .map_or(1, image::metadata::Orientation::to_exif);
    let gps = exif.is_some_and(has_gps);
    let (width, height) = if orientation >= 5 { (h, w) } else { (w, h) };
    Ok(Probe {
        format,
        width,
        height,
        alpha,
        orientation,
        gps,
        metadata: clean::has_metadata(bytes).unwrap_or(false),
        hash: xxhash_rust::xxh3::xxh3_64(bytes),
        bytes: bytes.len() as u64,
    })
}

/// Why `image` could not read a picture, in words an author follows (its own message is
/// English and technical).
fn undecodable(e: image::ImageError) -> String {
    match e {
        image::ImageError::Limits(_) => "图片太大，读不进来".into(),
        image::ImageError::Unsupported(_) => "用了 pufa 不支持的压缩方式".into(),
        image::ImageError::IoError(_) => "文件读到一半就没有了，可能没有复制完整".into(),
        _ => "文件内容不完整或已经损坏".into(),
    }
}

/// Whether EXIF data (a TIFF structure, with or without the `Exif\0\0` prefix) holds GPS
/// fields.
fn has_gps(exif: Vec<u8>) -> bool {
    let data = match exif.strip_prefix(b"Exif\0\0") {
        Some(rest) => rest.to_vec(),
        None => exif,
    };
    match exif::Reader::new().read_raw(data) {
        Ok(parsed) => parsed.fields().any(|f| {
            f.tag.context() == exif::Context::Gps || f.tag == exif::Tag::GPSInfoIFDPointer
        }),
        Err(_) => false,
    }
}

/// What `.pufa-cache/pictures.tsv` remembers: a probe by picture path, size and time.
#[derive(Default)]
struct ProbeCache {
    lines: std::collections::HashMap<String, (Stamp, Probe)>,
}

impl ProbeCache {
    const FILE: &'static str = "pictures.tsv";

    fn read(root: &Path) -> ProbeCache {
        let path = root.join(CACHE_DIR).join(Self::FILE);
        let Ok(text) = std::fs::read_to_string(path) else {
            return ProbeCache::default();
        };
        let mut lines = std::collections::HashMap::new();
        for line in text.lines() {
            if let Some((asset, entry)) = parse_line(line) {
                lines.insert(asset, entry);
            }
        }
        ProbeCache { lines }
    }

    fn get(&self, asset: &str, stamp: Stamp) -> Option<Probe> {
        let (s, probe) = self.lines.get(asset)?;
        (*s == stamp).then(|| probe.clone())
    }

    /// Whether it remembers exactly `lines`.
    fn same(&self, lines: &[(String, Stamp, Probe)]) -> bool {
        lines.len() == self.lines.len()
            && lines
                .iter()
                .all(|(a, s, p)| self.lines.get(a) == Some(&(*s, p.clone())))
    }

    /// Remembers `lines`, in place of what it held.
    fn write(root: &Path, lines: &[(String, Stamp, Probe)]) {
        let mut text = String::new();
        for (asset, (size, time), p) in lines {
            if asset.contains(['\t', '\n', '\r']) {
                continue;
            }
            text.push_str(&format!(
                "{size}\t{time}\t{:016x}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{asset}\n",
                p.hash,
                match p.format {
                    Format::Jpeg => "jpeg",
                    Format::Png => "png",
                },
                p.width,
                p.height,
                u8::from(p.alpha),
                p.orientation,
                u8::from(p.gps),
                u8::from(p.metadata),
            ));
        }
        // The cache only saves time: a site whose cache cannot be written still builds.
        let dir = root.join(CACHE_DIR);
        if cache_folder(root, &dir.join("pictures")).is_ok() {
            let _ = write_cached(&dir.join(Self::FILE), text.as_bytes());
        }
    }
}

fn parse_line(line: &str) -> Option<(String, (Stamp, Probe))> {
    let mut f = line.splitn(11, '\t');
    let size: u64 = f.next()?.parse().ok()?;
    let time: i128 = f.next()?.parse().ok()?;
    let hash = u64::from_str_radix(f.next()?, 16).ok()?;
    let format = match f.next()? {
        "jpeg" => Format::Jpeg,
        "png" => Format::Png,
        _ => return None,
    };
    let width: u32 = f.next()?.parse().ok()?;
    let height: u32 = f.next()?.parse().ok()?;
    let alpha = f.next()? == "1";
    let orientation: u8 = f.next()?.parse().ok().filter(|o| (1..=8).contains(o))?;
    let gps = f.next()? == "1";
    let metadata = f.next()? == "1";
    let asset = f.next()?.to_string();
    if width == 0 || height == 0 {
        return None;
    }
    let probe = Probe {
        format,
        width,
        height,
        alpha,
        orientation,
        gps,
        metadata,
        hash,
        bytes: size,
    };
    Some((asset, ((size, time), probe)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_of(width: u32, height: u32) -> Probe {
        Probe {
            format: Format::Jpeg,
            width,
            height,
            alpha: false,
            orientation: 1,
            gps: false,
            metadata: false,
            hash: 0,
            bytes: 0,
        }
    }

    #[test]
    fn widths_never_exceed_the_picture() {
        assert_eq!(widths(&probe_of(3000, 2000)), [480, 960, 1600]);
        assert_eq!(widths(&probe_of(1000, 500)), [480, 960, 1000]);
        assert_eq!(widths(&probe_of(480, 270)), [480]);
        assert_eq!(widths(&probe_of(200, 900)), [200]);
        assert_eq!(height_at(&probe_of(3000, 2000), 1600), 1067);
        assert_eq!(height_at(&probe_of(5000, 1), 480), 1);
    }

    #[test]
    fn gif_and_svg_sizes_are_read_from_their_start() {
        let gif = b"GIF89a\x40\x01\xf0\x00\x80\x00";
        assert_eq!(passthrough_size(gif), Some((320, 240)));
        assert_eq!(passthrough_size(b"GIF89a\0\0\0\0"), None);
        let svg = |tag: &str| {
            passthrough_size(format!("<?xml version=\"1.0\"?>\n{tag}<g/></svg>").as_bytes())
        };
        assert_eq!(
            svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height='48px'>"),
            Some((64, 48))
        );
        assert_eq!(
            svg("<svg viewBox=\"0 0 1600 300\" width=\"100%\">"),
            Some((1600, 300))
        );
        assert_eq!(
            svg("<svg stroke-width=\"3\" viewBox=\"0,0,12.5,10\">"),
            Some((13, 10))
        );
        assert_eq!(svg("<svg width=\"5em\">"), None);
        assert_eq!(svg("<svg viewBox=\"0 0 -1 5\">"), None);
        assert_eq!(passthrough_size(b"<svg width=\"1\""), None);
        assert_eq!(
            passthrough_size("<svg 宽 width=\"9\" height=\"9\">".as_bytes()),
            Some((9, 9))
        );
    }

    #[test]
    fn variants_sit_beside_the_picture() {
        assert_eq!(
            variant_path("media/照片 1.jpg", "-480w.webp"),
            "media/照片 1-480w.webp"
        );
        assert_eq!(variant_path("a.b/c", "-480w.jpg"), "a.b/c-480w.jpg");
        assert_eq!(variant_path(".jpg", "-480w.jpg"), ".jpg-480w.jpg");
    }

    /// The SIMD kernels `fast_image_resize` picks on this machine give the bytes its plain
    /// code gives, so every computer publishes the same pictures.
    #[test]
    fn resizing_is_the_same_with_and_without_simd() {
        use fast_image_resize as fr;
        let (w, h) = (641u32, 427u32);
        let pixels: Vec<u8> = (0..w * h * 3)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let src = fr::images::ImageRef::new(w, h, &pixels, fr::PixelType::U8x3).unwrap();
        let run = |plain: bool| {
            let mut dst = fr::images::Image::new(301, 200, fr::PixelType::U8x3);
            let mut resizer = fr::Resizer::new();
            if plain {
                // SAFETY: no extensions is supported on every CPU.
                unsafe { resizer.set_cpu_extensions(fr::CpuExtensions::None) };
            }
            resizer.resize(&src, &mut dst, None).unwrap();
            dst.into_vec()
        };
        assert_eq!(run(false), run(true));
    }

    #[test]
    fn probe_cache_lines_read_back() {
        let p = Probe {
            alpha: true,
            orientation: 6,
            gps: true,
            metadata: true,
            hash: 0xdead_beef,
            bytes: 1234,
            ..probe_of(640, 480)
        };
        let line = format!(
            "1234\t-5\t{:016x}\tjpeg\t640\t480\t1\t6\t1\t1\tmedia/带\u{3000}空格.jpg",
            p.hash
        );
        let (asset, (stamp, read)) = parse_line(&line).unwrap();
        assert_eq!(asset, "media/带\u{3000}空格.jpg");
        assert_eq!(stamp, (1234, -5));
        assert_eq!(read, p);
        assert!(parse_line("1\t2\t3").is_none());
        assert!(parse_line(&line.replace("\t6\t", "\t9\t")).is_none());
    }
}
