//! The QR code printed with every article and episode, leading a reader of the paper copy
//! back to the page.
//!
//! Every page has one, so on a large site encoding them was a tenth of the build: the
//! general encoder of the `qrcode` crate finds each data module by testing every position
//! against the function patterns. Page addresses are short, so the common case has an
//! encoder of its own here: byte mode, error correction level M, versions 1–10 (addresses
//! up to 213 bytes), one fixed mask, and the order of a version's data modules computed once.
//! Longer addresses go through the `qrcode` crate. A test checks that both draw the same
//! modules for every version the fast path covers.

use std::sync::OnceLock;

/// The largest version the fast path draws.
const MAX_VERSION: usize = 10;

/// Error correction level M, per version 1–10: data codewords, error correction codewords
/// per block, blocks. Blocks differ in length by at most one codeword, the short ones first.
const LEVEL_M: [(usize, usize, usize); MAX_VERSION] = [
    (16, 10, 1),
    (28, 16, 1),
    (44, 26, 1),
    (64, 18, 2),
    (86, 24, 2),
    (108, 16, 4),
    (124, 18, 4),
    (154, 22, 4),
    (182, 22, 5),
    (216, 26, 5),
];

/// Format information for level M with mask 0 (`(x + y) % 2 == 0`): the 5 data bits are
/// all zero, so the BCH remainder is zero too and only the fixed XOR pattern is left.
const FORMAT_M_MASK0: u32 = 0x5412;

/// Quiet zone around the code, in modules.
const QUIET: usize = 4;

/// An inline SVG QR code of `address`. Each run of dark modules in a row is one stroke of a
/// single path: `M` starts a row at the middle of its modules, `m` steps over the light
/// ones, `h` draws the dark ones. A page carries one of these, so the short form keeps a
/// large site's HTML a tenth smaller than drawing every run as a closed rectangle did.
pub fn svg(address: &str) -> String {
    let Some((width, dark)) = modules(address.as_bytes()) else {
        return String::new();
    };
    let size = width + 2 * QUIET;
    let mut d = Vec::with_capacity(width * width);
    for (y, row) in dark.chunks(width).enumerate() {
        // Where the pen stands after the row's last run, once it has one.
        let mut pen = None;
        let mut x = 0;
        while x < width {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] {
                x += 1;
            }
            match pen {
                None => {
                    d.push(b'M');
                    push_number(&mut d, start + QUIET);
                    d.push(b' ');
                    push_number(&mut d, y + QUIET);
                    d.extend_from_slice(b".5h");
                }
                Some(pen) => {
                    d.push(b'm');
                    push_number(&mut d, start - pen);
                    d.extend_from_slice(b" 0h");
                }
            }
            push_number(&mut d, x - start);
            pen = Some(x);
        }
    }
    let d = String::from_utf8(d).unwrap_or_default();
    format!(
        "<svg class=\"qr-code\" role=\"img\" aria-label=\"扫码阅读\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path stroke=\"#000\" d=\"{d}\"/></svg>"
    )
}

/// Appends `n` in decimal.
#[inline(always)]
fn push_number(out: &mut Vec<u8>, n: usize) {
    // Module coordinates: one or two digits, three only on the largest codes.
    if n < 10 {
        out.push(b'0' + n as u8);
    } else if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
    } else {
        push_large_number(out, n);
    }
}

#[cold]
fn push_large_number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(n.to_string().as_bytes());
}

/// The modules of a QR code of `data`: the width and, row by row, which are dark. `None`
/// when `data` is too long for any QR code.
fn modules(data: &[u8]) -> Option<(usize, Vec<bool>)> {
    match version_for(data.len()) {
        Some(version) => Some(encode(data, version)),
        None => general(data),
    }
}

/// The smallest version 1–10 whose level M holds `len` bytes in byte mode.
fn version_for(len: usize) -> Option<usize> {
    (1..=MAX_VERSION).find(|&v| 4 + count_bits(v) + 8 * len <= LEVEL_M[v - 1].0 * 8)
}

/// Bits of the character count in byte mode.
fn count_bits(version: usize) -> usize {
    if version < 10 { 8 } else { 16 }
}

fn width_of(version: usize) -> usize {
    17 + 4 * version
}

/// Draws `data` as a version `version` (1–10) code, level M, mask 0.
fn encode(data: &[u8], version: usize) -> (usize, Vec<bool>) {
    let layout = layout(version);
    let codewords = interleaved(&data_codewords(data, version), version, &layout.generator);
    let mut dark = layout.function.clone();
    // Mask 0 flips the data modules where x + y is even; the width is odd, so that is where
    // y * width + x is even. The few modules after the last codeword hold zeros.
    let mut modules = layout.data_order.iter();
    for byte in codewords {
        for (i, &at) in (0..8).rev().zip(modules.by_ref()) {
            dark[usize::from(at)] = (byte >> i & 1 == 1) != (at % 2 == 0);
        }
    }
    for &at in modules {
        dark[usize::from(at)] = at % 2 == 0;
    }
    (layout.width, dark)
}

/// Mode, count, bytes, terminator and padding: the data codewords of level M.
fn data_codewords(data: &[u8], version: usize) -> Vec<u8> {
    let capacity = LEVEL_M[version - 1].0;
    let mut bits = BitWriter::default();
    bits.push(0b0100, 4);
    bits.push(data.len() as u32, count_bits(version));
    for &b in data {
        bits.push(u32::from(b), 8);
    }
    let room = capacity * 8 - bits.len;
    bits.push(0, room.min(4));
    let pad = (8 - bits.len % 8) % 8;
    bits.push(0, pad);
    let mut bytes = bits.bytes;
    for filler in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity {
            break;
        }
        bytes.push(filler);
    }
    bytes
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    len: usize,
}

impl BitWriter {
    /// Appends the low `count` bits of `value`, most significant first.
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if value >> i & 1 == 1 {
                *self.bytes.last_mut().expect("a byte was pushed") |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }
}

/// The data split into blocks, each followed by its error correction, interleaved in the
/// order the modules take them. `generator`: see [`generator`].
fn interleaved(data: &[u8], version: usize, generator: &[usize]) -> Vec<u8> {
    let (total, ec_len, blocks) = LEVEL_M[version - 1];
    let short = total / blocks;
    let long_blocks = total % blocks;
    let mut parts = Vec::with_capacity(blocks);
    let mut start = 0;
    for b in 0..blocks {
        let len = short + usize::from(b >= blocks - long_blocks);
        let block = &data[start..start + len];
        parts.push((block, reed_solomon(block, generator)));
        start += len;
    }
    let mut out = Vec::with_capacity(total + ec_len * blocks);
    for i in 0..=short {
        out.extend(parts.iter().filter_map(|(block, _)| block.get(i)));
    }
    for i in 0..ec_len {
        out.extend(parts.iter().map(|(_, ec)| ec[i]));
    }
    out
}

/// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1: antilogarithms (twice over, so
/// that a sum of two logarithms needs no reduction) and logarithms.
struct Field {
    exp: [u8; 512],
    log: [u8; 256],
}

fn field() -> &'static Field {
    static FIELD: OnceLock<Field> = OnceLock::new();
    FIELD.get_or_init(|| {
        let mut field = Field {
            exp: [0; 512],
            log: [0; 256],
        };
        let mut x: u16 = 1;
        for i in 0..255 {
            field.exp[i] = x as u8;
            field.exp[i + 255] = x as u8;
            field.log[x as usize] = i as u8;
            x <<= 1;
            if x & 0x100 != 0 {
                x ^= 0x11D;
            }
        }
        field
    })
}

impl Field {
    fn multiply(&self, a: u8, b: u8) -> u8 {
        if a == 0 || b == 0 {
            return 0;
        }
        self.exp[usize::from(self.log[usize::from(a)]) + usize::from(self.log[usize::from(b)])]
    }
}

/// The Reed–Solomon generator of degree `len`, (x − α⁰)(x − α¹)…(x − α^(len−1)): the
/// logarithms of its coefficients, highest power first, leading 1 left out (none is zero).
fn generator(len: usize) -> Vec<usize> {
    let field = field();
    let mut generator = vec![0u8; len];
    generator[len - 1] = 1;
    let mut root = 1u8;
    for _ in 0..len {
        for j in 0..len {
            let next = generator.get(j + 1).copied().unwrap_or(0);
            generator[j] = field.multiply(generator[j], root) ^ next;
        }
        root = field.multiply(root, 2);
    }
    generator
        .iter()
        .map(|&g| usize::from(field.log[usize::from(g)]))
        .collect()
}

/// The error correction codewords of `block`: the remainder of block·x^len divided by
/// `generator` (of degree len).
fn reed_solomon(block: &[u8], generator: &[usize]) -> Vec<u8> {
    let field = field();
    let len = generator.len();
    let mut remainder = vec![0u8; len];
    for &b in block {
        let factor = b ^ remainder[0];
        remainder.copy_within(1.., 0);
        remainder[len - 1] = 0;
        if factor != 0 {
            let factor = usize::from(field.log[usize::from(factor)]);
            for (r, &g) in remainder.iter_mut().zip(generator) {
                *r ^= field.exp[g + factor];
            }
        }
    }
    remainder
}

/// What every code of one version shares: its function patterns, format and version
/// information (already drawn, masked as mask 0 needs), and where each data bit goes.
struct Layout {
    width: usize,
    /// The function modules drawn; every other module light.
    function: Vec<bool>,
    /// Data modules (`y * width + x`) in placement order.
    data_order: Vec<u16>,
    /// The error correction generator of the version's blocks.
    generator: Vec<usize>,
}

fn layout(version: usize) -> &'static Layout {
    static LAYOUTS: [OnceLock<Layout>; MAX_VERSION] = [const { OnceLock::new() }; MAX_VERSION];
    LAYOUTS[version - 1].get_or_init(|| Layout::new(version))
}

impl Layout {
    fn new(version: usize) -> Layout {
        let width = width_of(version);
        let mut grid = Grid {
            width,
            dark: vec![false; width * width],
            reserved: vec![false; width * width],
        };
        grid.draw_function_patterns(version);
        let mut data_order = Vec::new();
        // Two columns at a time from the right, up then down, skipping the timing column.
        let mut right = width - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            let upward = (right + 1) & 2 == 0;
            for step in 0..width {
                let y = if upward { width - 1 - step } else { step };
                for x in [right, right - 1] {
                    if !grid.reserved[y * width + x] {
                        data_order.push((y * width + x) as u16);
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
        Layout {
            width,
            function: grid.dark,
            data_order,
            generator: generator(LEVEL_M[version - 1].1),
        }
    }
}

struct Grid {
    width: usize,
    dark: Vec<bool>,
    reserved: Vec<bool>,
}

impl Grid {
    fn set(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.width + x;
        self.dark[i] = dark;
        self.reserved[i] = true;
    }

    fn draw_function_patterns(&mut self, version: usize) {
        let w = self.width;
        // Timing patterns; the finders below overwrite their ends.
        for i in 0..w {
            self.set(6, i, i % 2 == 0);
            self.set(i, 6, i % 2 == 0);
        }
        for (x, y) in [(3, 3), (w - 4, 3), (3, w - 4)] {
            self.draw_finder(x, y);
        }
        let centres = alignment_centres(version);
        let last = centres.len().saturating_sub(1);
        for (i, &cy) in centres.iter().enumerate() {
            for (j, &cx) in centres.iter().enumerate() {
                // The top-left, top-right and bottom-left corners hold finder patterns.
                let on_finder = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
                if !on_finder {
                    self.draw_alignment(cx, cy);
                }
            }
        }
        self.draw_format();
        if version >= 7 {
            self.draw_version(version);
        }
    }

    /// A finder pattern centred on (`cx`, `cy`) with its light separator.
    fn draw_finder(&mut self, cx: usize, cy: usize) {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                if x < 0 || y < 0 || x >= self.width as i32 || y >= self.width as i32 {
                    continue;
                }
                let ring = dx.abs().max(dy.abs());
                self.set(x as usize, y as usize, ring != 2 && ring != 4);
            }
        }
    }

    fn draw_alignment(&mut self, cx: usize, cy: usize) {
        for dy in -2i32..=2 {
            for dx in -2i32..=2 {
                let ring = dx.abs().max(dy.abs());
                self.set(
                    (cx as i32 + dx) as usize,
                    (cy as i32 + dy) as usize,
                    ring != 1,
                );
            }
        }
    }

    /// Both copies of the format information, and the dark module beside the lower one.
    fn draw_format(&mut self) {
        let w = self.width;
        let bit = |i: usize| FORMAT_M_MASK0 >> i & 1 == 1;
        for i in 0..6 {
            self.set(8, i, bit(i));
        }
        self.set(8, 7, bit(6));
        self.set(8, 8, bit(7));
        self.set(7, 8, bit(8));
        for i in 9..15 {
            self.set(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set(w - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set(8, w - 15 + i, bit(i));
        }
        self.set(8, w - 8, true);
    }

    /// The version number with its BCH(18, 6) code, in the two 6×3 blocks.
    fn draw_version(&mut self, version: usize) {
        let mut remainder = version as u32;
        for _ in 0..12 {
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25);
        }
        let bits = (version as u32) << 12 | remainder;
        for i in 0..18 {
            let on = bits >> i & 1 == 1;
            let (a, b) = (self.width - 11 + i % 3, i / 3);
            self.set(a, b, on);
            self.set(b, a, on);
        }
    }
}

/// Row and column coordinates of the alignment patterns' centres.
fn alignment_centres(version: usize) -> Vec<usize> {
    if version == 1 {
        return Vec::new();
    }
    let last = width_of(version) - 7;
    let count = version / 7 + 2;
    // Evenly spaced back from the last, by an even step, the first always at 6.
    let step = (last - 6).div_ceil(count - 1).div_ceil(2) * 2;
    let mut centres: Vec<usize> = (0..count - 1).map(|i| last - i * step).collect();
    centres.push(6);
    centres.reverse();
    centres
}

/// Any length the fast path does not cover, through the `qrcode` crate, with the same mask.
fn general(data: &[u8]) -> Option<(usize, Vec<bool>)> {
    use qrcode::{EcLevel, canvas};
    let bits = qrcode::bits::encode_auto(data, EcLevel::M).ok()?;
    let version = bits.version();
    let bytes = bits.into_bytes();
    let (encoded, error_correction) =
        qrcode::ec::construct_codewords(&bytes, version, EcLevel::M).ok()?;
    let mut code = canvas::Canvas::new(version, EcLevel::M);
    code.draw_all_functional_patterns();
    code.draw_data(&encoded, &error_correction);
    code.apply_mask(canvas::MaskPattern::Checkerboard);
    let dark = code
        .into_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((version.width() as usize, dark))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `qrcode` crate's drawing of `data` in byte mode at `version`, level M, mask 0.
    fn reference(data: &[u8], version: usize) -> Vec<bool> {
        use qrcode::{EcLevel, Version, bits::Bits, canvas};
        let v = Version::Normal(version as i16);
        let mut bits = Bits::new(v);
        bits.push_byte_data(data).unwrap();
        bits.push_terminator(EcLevel::M).unwrap();
        let bytes = bits.into_bytes();
        let (encoded, ec) = qrcode::ec::construct_codewords(&bytes, v, EcLevel::M).unwrap();
        let mut code = canvas::Canvas::new(v, EcLevel::M);
        code.draw_all_functional_patterns();
        code.draw_data(&encoded, &ec);
        code.apply_mask(canvas::MaskPattern::Checkerboard);
        code.into_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect()
    }

    #[test]
    fn every_fast_version_draws_what_the_general_encoder_draws() {
        let mut seen = std::collections::BTreeSet::new();
        for len in 0..=213 {
            let data: Vec<u8> = (0..len)
                .map(|i| b"https://pufa.example/a0123/"[i % 27])
                .collect();
            let version = version_for(len).expect("213 bytes fit version 10");
            seen.insert(version);
            let (width, dark) = encode(&data, version);
            assert_eq!(width, width_of(version));
            assert!(
                dark == reference(&data, version),
                "{len} bytes, version {version}"
            );
        }
        assert_eq!(
            seen.len(),
            MAX_VERSION,
            "every version is covered: {seen:?}"
        );
        assert_eq!(version_for(214), None);
    }

    #[test]
    fn alignment_centres_follow_the_standard() {
        assert_eq!(alignment_centres(1), Vec::<usize>::new());
        assert_eq!(alignment_centres(2), [6, 18]);
        assert_eq!(alignment_centres(6), [6, 34]);
        assert_eq!(alignment_centres(7), [6, 22, 38]);
        assert_eq!(alignment_centres(8), [6, 24, 42]);
        assert_eq!(alignment_centres(10), [6, 28, 50]);
    }

    #[test]
    fn long_addresses_still_get_a_code() {
        let long = format!("https://pufa.example/{}/", "a".repeat(400));
        let (width, dark) = modules(long.as_bytes()).expect("400 bytes fit a QR code");
        assert!(width > width_of(MAX_VERSION));
        assert_eq!(dark.len(), width * width);
        assert!(modules(&vec![b'a'; 5000]).is_none());
    }
}
