//! The search index: built with the site, read by the browser from `<script>` tags, so it
//! works on any static host and opened from disk (browsers refuse `fetch` over `file://`).
//!
//! Chinese is indexed by overlapping character pairs (bigrams), so every substring of two or
//! more characters can be found, however a word segmenter would have split it; Latin words
//! and numbers are lower-cased tokens; title characters are also indexed one by one for
//! single-character queries. Postings are split into shards by key, each a small `.js` file,
//! so a query loads only the shards of its keys. The text of each page is stored in a file of
//! its own, loaded only for the results shown, to confirm that a hit holds the query as
//! written and to cut the snippet around it. The browser side is the theme's `search.js`;
//! both sides share the tokenizing rules below (see docs/search.md).

#[cfg(test)]
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Where the index lives in the output.
pub const DIR: &str = "search/data";
/// Aim for shards of about this many bytes.
const SHARD_BYTES: usize = 8 * 1024;

/// One page as the index sees it.
pub struct Doc<'a> {
    pub title: &'a str,
    /// Path from the output root, as a link from the root should read (with `index.html`
    /// when building for offline use).
    pub url: String,
    /// 文章, 视频 …
    pub kind: &'a str,
    /// `2023-06-01`, or empty.
    pub date: String,
    pub topics: &'a [String],
    pub summary: &'a str,
    pub text: &'a str,
}

/// What the browser may search for: a key and where it first occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub key: String,
    /// Character position in the normalised text.
    pub position: usize,
}

/// Full-width Latin letters and digits become ASCII, ASCII is lower-cased, the ideographic
/// space is a space. Must match `normalise` in search.js.
pub fn normalise(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase())
        }
        '\u{3000}' => ' ',
        _ => c.to_ascii_lowercase(),
    }
}

/// Chinese characters (the BMP ideograph blocks; characters beyond the BMP are rare in
/// legal publicity and are treated as separators). Must match `isHan` in search.js.
pub fn is_han(c: char) -> bool {
    is_han_code(u32::from(c))
}

/// The keys of `text`: a bigram for each pair of neighbouring Chinese characters, a token for
/// each run of ASCII letters and digits. Must match `tokens` in search.js.
pub fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().map(normalise).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            if let Some(&next) = chars.get(i + 1)
                && is_han(next)
            {
                out.push(Token {
                    key: [c, next].iter().collect(),
                    position: i,
                });
            }
            i += 1;
        } else if c.is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Token {
                key: chars[start..i].iter().collect(),
                position: start,
            });
        } else {
            i += 1;
        }
    }
    out
}

/// The key of a single title character, for one-character queries.
fn title_char_key(c: char) -> String {
    format!("^{c}")
}

/// FNV-1a over UTF-16 code units: the shard of a key. Must match `shardOf` in search.js.
pub fn shard_of(key: &str, shards: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in key.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shards.max(1)
}

/// A key, packed: a bigram or a title character as its characters, a word by its hash (the
/// word itself is kept aside). Packing keeps millions of postings out of `String`s.
type Key = u64;

/// Hashes a [`Key`] with one wide multiplication, folded. The index makes tens of millions
/// of map lookups by key; the standard SipHash, built to resist chosen keys, made them a
/// tenth of the build's CPU time, and a site's own text is not an attacker.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let product = u128::from(self.0 ^ n) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyMap<V> = HashMap<Key, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// The kinds of key above a pair's 42 bits; [`Counted`] keeps 54 bits of a key.
const TITLE_CHAR: u64 = 1 << 52;
const WORD: u64 = 1 << 53;

fn pair_key(a: impl Into<u32>, b: impl Into<u32>) -> Key {
    (u64::from(a.into()) << 21) | u64::from(b.into())
}

fn word_key(word: &str) -> Key {
    // 52 bits of FNV-1a: a collision among a site's few thousand words is not a concern.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    WORD | (hash & (TITLE_CHAR - 1))
}

/// One doc's keys: (key, `count * 4 + flags`, first position bucket), in no particular
/// order (each goes to its own postings list); and the words behind its word keys.
struct DocKeys {
    keys: Vec<(Key, u32, u32)>,
    words: Words,
}

/// The words behind a doc's word keys, each once: kept end to end in one string rather than
/// a string each, since most are already known from earlier docs and are dropped.
#[derive(Default)]
struct Words {
    text: String,
    /// Each word's key and where it ends in `text` (it starts where the one before ends).
    ends: Vec<(Key, usize)>,
}

impl Words {
    fn iter(&self) -> impl Iterator<Item = (Key, &str)> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        self.ends
            .iter()
            .zip(starts)
            .map(|(&(key, end), start)| (key, &self.text[start..end]))
    }
}

/// The position buckets "how early" is ranked by: 64 characters each, at most 31.
fn position_bucket(position: usize) -> u32 {
    (position / 64).min(31) as u32
}

/// Counts above this rank the same; keeps `count * 4 + flags` in one character.
const MAX_COUNT: u32 = 7;

/// The keys of `doc`, whose searchable text is `text`. `found` is scratch space, reused
/// from doc to doc.
fn doc_keys(doc: &Doc, text: &str, found: &mut KeyCounter) -> DocKeys {
    found.clear();
    let mut words = Words::default();
    add_tokens(doc.title, 1, found, &mut words);
    for c in doc.title.chars().map(normalise).filter(|c| is_han(*c)) {
        found.add(TITLE_CHAR | u64::from(c as u32), 0, 1);
    }
    for topic in doc.topics {
        add_tokens(topic, 2, found, &mut words);
    }
    add_tokens(text, 0, found, &mut words);
    let keys = found
        .counted()
        .map(|e| (e.key(), e.count() * 4 + e.flags(), e.bucket()))
        .collect();
    DocKeys { keys, words }
}

/// Counts a doc's keys: key → (count, flags, first position bucket). An open-addressing
/// table of its own rather than a `HashMap`: every character pair of every page passes
/// through here, and the general map's lookups were the largest part of building the index.
/// A repeated key, the common case, costs one multiplication, one load, one comparison and
/// one store. Cleared between docs by emptying only the slots used.
///
/// The table starts large ([`MIN_SLOTS`]) so that a page's keys seldom collide: a collision
/// is a mispredicted branch, and with 16,384 slots (128 KB, one per worker thread) the 2,000
/// page corpus tokenized about 15% faster than with 1,024. Updating a slot without branches
/// measured slower still.
#[derive(Default)]
struct KeyCounter {
    /// A power of two in length, at most half full; 0 marks an empty slot (no key is 0: a
    /// pair's characters are non-zero, the other kinds have a high bit set).
    slots: Vec<Counted>,
    /// The slots used, in the order their keys came.
    used: Vec<u32>,
    /// 64 minus the bits of a slot number.
    shift: u32,
}

/// The smallest [`KeyCounter`] table; it doubles whenever it is half full.
const MIN_SLOTS: usize = 1 << 14;

/// A counted key in eight bytes: the key in the top 54 bits, then the first position's
/// bucket (5 bits), the flags (2) and the count (3, saturating at [`MAX_COUNT`]: counts above
/// it rank the same). Half the size of the key, count, flags and position kept apart, so
/// twice as many slots fit the same cache.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Counted(u64);

impl Counted {
    const KEY_SHIFT: u32 = 10;

    fn new(key: Key, position: usize, flag: u32) -> Counted {
        debug_assert!(key >> (64 - Self::KEY_SHIFT) == 0, "a key fits 54 bits");
        Counted(
            key << Self::KEY_SHIFT
                | u64::from(position_bucket(position)) << 5
                | u64::from(flag) << 3
                | 1,
        )
    }

    fn key(self) -> Key {
        self.0 >> Self::KEY_SHIFT
    }

    fn count(self) -> u32 {
        (self.0 & 7) as u32
    }

    fn flags(self) -> u32 {
        (self.0 >> 3 & 3) as u32
    }

    fn bucket(self) -> u32 {
        (self.0 >> 5 & 31) as u32
    }
}

impl KeyCounter {
    fn clear(&mut self) {
        for &slot in &self.used {
            self.slots[slot as usize] = Counted::default();
        }
        self.used.clear();
    }

    /// The counted keys, in the order they came.
    fn counted(&self) -> impl ExactSizeIterator<Item = Counted> {
        self.used.iter().map(|&slot| self.slots[slot as usize])
    }

    /// Where the search for `key` starts. Fibonacci hashing: the top bits of the product.
    fn home(&self, key: Key) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// Counts one occurrence of `key` at `position`; true the first time. A doc's positions
    /// come in order (title and topics at 0, then the text), so the first one seen is the
    /// earliest.
    #[inline(always)]
    fn add(&mut self, key: Key, position: usize, flag: u32) -> bool {
        debug_assert_ne!(key, 0, "0 marks an empty slot");
        if (self.used.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let counted = &mut self.slots[slot];
            if counted.key() == key {
                counted.0 += u64::from(counted.count() != MAX_COUNT);
                counted.0 |= u64::from(flag) << 3;
                return false;
            }
            if counted.0 == 0 {
                *counted = Counted::new(key, position, flag);
                self.used.push(slot as u32);
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let counted: Vec<Counted> = self.counted().collect();
        let len = (self.slots.len() * 2).max(MIN_SLOTS);
        self.slots = vec![Counted::default(); len];
        self.shift = 64 - len.trailing_zeros();
        self.used.clear();
        for c in counted {
            let mut slot = self.home(c.key());
            while self.slots[slot] != Counted::default() {
                slot = (slot + 1) & (len - 1);
            }
            self.slots[slot] = c;
            self.used.push(slot as u32);
        }
    }
}

/// Counts the tokens of `text` (title: `flag` 1, topic: 2, text: 0; only the text's
/// positions count), keeping each word the first time it is seen. The keys and positions
/// are those [`tokens`] lists; every character of every page passes through here, so it
/// reads the UTF-8 bytes itself: Chinese is three bytes a character, and the character
/// pairs go straight to the counter.
fn add_tokens(text: &str, flag: u32, found: &mut KeyCounter, words: &mut Words) {
    let bytes = text.as_bytes();
    let at = |position: usize| if flag == 0 { position } else { 0 };
    let mut position = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(c) = three_byte_at(bytes, i) {
            if is_han_code(c) {
                // A run of Chinese characters, each paired with the one before: the inner
                // loop is where nearly all the time goes.
                let mut previous = c;
                i += 3;
                position += 1;
                while let Some(c) = three_byte_at(bytes, i).filter(|&c| is_han_code(c)) {
                    found.add(pair_key(previous, c), at(position - 1), flag);
                    previous = c;
                    i += 3;
                    position += 1;
                }
                continue;
            }
            if !(0xFF10..=0xFF5A).contains(&c) {
                // Chinese punctuation, or any other three-byte character outside the
                // full-width block from 0 to z: a separator.
                i += 3;
                position += 1;
                continue;
            }
        } else if b < 0x80 && !b.is_ascii_alphanumeric() {
            i += 1;
            position += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('\0');
        if word_char(u32::from(c)).is_none() {
            i += c.len_utf8();
            position += 1;
            continue;
        }
        // A word: letters and digits, ASCII or full-width, lower-cased. Written straight to
        // the doc's words, and taken back unless it is new.
        let start = position;
        let word_start = words.text.len();
        while let Some(c) = text[i..].chars().next() {
            let Some(a) = word_char(u32::from(c)) else {
                break;
            };
            words.text.push(char::from(a));
            i += c.len_utf8();
            position += 1;
        }
        let key = word_key(&words.text[word_start..]);
        if found.add(key, at(start), flag) {
            words.ends.push((key, words.text.len()));
        } else {
            words.text.truncate(word_start);
        }
    }
}

/// The character whose UTF-8 starts at `bytes[i]`, if it takes three bytes, as every Chinese
/// character and punctuation mark does.
#[inline(always)]
fn three_byte_at(bytes: &[u8], i: usize) -> Option<u32> {
    let &[b0, b1, b2] = bytes.get(i..i + 3)? else {
        return None;
    };
    (b0 & 0xF0 == 0xE0)
        .then(|| u32::from(b0 & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F))
}

/// What `c` adds to a word as [`normalise`] reads it: a lower-case ASCII letter or digit.
fn word_char(c: u32) -> Option<u8> {
    let c = normalise(char::from_u32(c)?);
    c.is_ascii_alphanumeric().then_some(c as u8)
}

/// [`is_han`] of a code point: one comparison for the common block, where nearly every
/// character of a page is.
#[inline(always)]
fn is_han_code(c: u32) -> bool {
    if (0x4E00..=0x9FFF).contains(&c) {
        return true;
    }
    (0x3400..=0x4DBF).contains(&c) || (0xF900..=0xFAFF).contains(&c) || c == 0x3007
}

/// The text of a packed key, as the browser looks it up.
fn key_text(key: Key, words: &KeyMap<String>) -> String {
    if key & WORD != 0 {
        words.get(&key).cloned().unwrap_or_default()
    } else if key & TITLE_CHAR != 0 {
        let c = char::from_u32((key & 0x1f_ffff) as u32).unwrap_or('\u{fffd}');
        title_char_key(c)
    } else {
        let a = char::from_u32((key >> 21) as u32).unwrap_or('\u{fffd}');
        let b = char::from_u32((key & 0x1f_ffff) as u32).unwrap_or('\u{fffd}');
        [a, b].iter().collect()
    }
}

/// The 64 characters of the postings encoding: safe inside a JSON string.
const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// `value` in base 32 with a continuation bit, least significant digits first: the digits as
/// the bytes of a number (the first digit lowest) and how many there are, at most seven.
/// Small numbers (most gaps, every count and position) take one digit.
fn varint(mut value: u32) -> (u64, usize) {
    let mut digits = 0u64;
    let mut n = 0;
    while value >= 32 {
        digits |= u64::from(DIGITS[(value & 31 | 32) as usize]) << (8 * n);
        value >>= 5;
        n += 1;
    }
    digits |= u64::from(DIGITS[value as usize]) << (8 * n);
    (digits, n + 1)
}

/// Appends one posting as search.js reads it, three varints: the gap from the key's previous
/// doc, `count * 4 + flags` and the position bucket (the last two below 32, one digit each).
/// The digits are gathered in one register and copied as eight bytes, the unused ones then
/// dropped: a large site has tens of millions of postings, and writing them a byte at a time
/// to an array and copying that out stalled on every one.
#[inline(always)]
fn push_posting(out: &mut Vec<u8>, gap: u32, flags: u32, bucket: u32) {
    debug_assert!(flags < 32 && bucket < 32);
    let (mut digits, n) = varint(gap);
    let last = [DIGITS[flags as usize], DIGITS[bucket as usize]];
    if n > 6 {
        // A gap of a billion docs or more: nine bytes in all.
        out.extend_from_slice(&digits.to_le_bytes()[..n]);
        out.extend_from_slice(&last);
        return;
    }
    digits |= u64::from(u16::from_le_bytes(last)) << (8 * n);
    let len = out.len();
    out.extend_from_slice(&digits.to_le_bytes());
    out.truncate(len + n + 2);
}

/// A key's postings so far.
struct KeyPostings {
    last_doc: u32,
    encoded: Vec<u8>,
}

/// How many docs are tokenized at once: bounds memory on large sites. A multiple of
/// [`DOCS_PER_FILE`].
const CHUNK: usize = 512;
/// Docs stored together in one file: fewer files make a faster build, more make a query
/// load text it does not show.
const DOCS_PER_FILE: usize = 2;

/// Builds the index of `docs` (in the order given, newest first: a doc's number is its rank
/// among equals) and hands every file to `write` (path relative to the output root). Returns
/// the number of files written.
pub fn build<W>(docs: &[Doc], write: W) -> Result<usize, crate::diagnostic::Diagnostic>
where
    W: Fn(&str, &[u8]) -> Result<(), crate::diagnostic::Diagnostic> + Sync,
{
    use rayon::prelude::*;
    let mut postings: KeyMap<KeyPostings> = KeyMap::default();
    let mut words: KeyMap<String> = KeyMap::default();
    for (chunk_index, chunk) in docs.chunks(CHUNK).enumerate() {
        let base = chunk_index * CHUNK;
        // Tokenize and write the chunk's doc files in parallel; merge postings in order.
        let keys: Vec<Vec<DocKeys>> = chunk
            .par_chunks(DOCS_PER_FILE)
            .enumerate()
            .map_init(KeyCounter::default, |found, (g, group)| {
                let first = base + g * DOCS_PER_FILE;
                let texts: Vec<Cow<str>> = group.iter().map(searchable_text).collect();
                // The texts and a little for the rest: one allocation, as a rule.
                let size = texts.iter().map(|t| t.len() + 512).sum::<usize>();
                let mut file_text = Vec::with_capacity(size);
                file_text.extend_from_slice(format!("pufaSearch.docs({first},[").as_bytes());
                for (i, (doc, text)) in group.iter().zip(&texts).enumerate() {
                    if i > 0 {
                        file_text.push(b',');
                    }
                    let stored = StoredDoc {
                        t: doc.title,
                        u: &doc.url,
                        k: doc.kind,
                        d: &doc.date,
                        p: doc.topics,
                        x: text,
                    };
                    stored.write_json(&mut file_text);
                }
                file_text.extend_from_slice(b"]);\n");
                let file = format!("{DIR}/d/{}.js", first / DOCS_PER_FILE);
                write(&file, &file_text)?;
                Ok(group
                    .iter()
                    .zip(&texts)
                    .map(|(doc, text)| doc_keys(doc, text, found))
                    .collect())
            })
            .collect::<Result<_, crate::diagnostic::Diagnostic>>()?;
        let keys = keys.into_iter().flatten();
        for (i, doc) in keys.into_iter().enumerate() {
            let id = (base + i) as u32;
            for (key, flags, first) in doc.keys {
                let entry = postings.entry(key).or_insert(KeyPostings {
                    last_doc: 0,
                    encoded: Vec::new(),
                });
                push_posting(&mut entry.encoded, id - entry.last_doc, flags, first);
                entry.last_doc = id;
            }
            for (key, word) in doc.words.iter() {
                words.entry(key).or_insert_with(|| word.to_owned());
            }
        }
    }

    let total: usize = postings.values().map(|p| p.encoded.len() + 12).sum();
    let shards = (total / SHARD_BYTES).max(1).next_power_of_two();
    let mut by_shard: Vec<Vec<(String, Vec<u8>)>> = (0..shards).map(|_| Vec::new()).collect();
    for (key, list) in postings {
        let text = key_text(key, &words);
        by_shard[shard_of(&text, shards)].push((text, list.encoded));
    }
    let meta = format!(
        "pufaSearch.meta({});\n",
        serde_json::json!({
            "version": 2,
            "shards": shards,
            "docs": docs.len(),
            "docs_per_file": DOCS_PER_FILE,
        })
    );
    write(&format!("{DIR}/meta.js"), meta.as_bytes())?;
    by_shard
        .into_par_iter()
        .enumerate()
        .try_for_each(|(n, mut keys)| {
            keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let mut text = format!("pufaSearch.shard({n},{{").into_bytes();
            for (i, (key, list)) in keys.iter().enumerate() {
                if i > 0 {
                    text.push(b',');
                }
                text.extend(
                    serde_json::to_string(key)
                        .expect("a key serialises")
                        .bytes(),
                );
                text.push(b':');
                text.push(b'"');
                text.extend_from_slice(list);
                text.push(b'"');
            }
            text.extend_from_slice(b"});\n");
            write(&format!("{DIR}/s/{n}.js"), &text)
        })?;
    Ok(docs.len().div_ceil(DOCS_PER_FILE) + shards + 1)
}

/// A doc as search.js reads it: title, url, kind, date, topics, text.
#[cfg_attr(test, derive(Serialize))]
struct StoredDoc<'a> {
    t: &'a str,
    u: &'a str,
    k: &'a str,
    d: &'a str,
    p: &'a [String],
    x: &'a str,
}

impl StoredDoc<'_> {
    /// Appends the doc as a JSON object, as `serde_json` would write it. Written by hand:
    /// the index holds every page's whole text, and serde_json escapes it byte by byte.
    fn write_json(&self, out: &mut Vec<u8>) {
        for (name, value) in [
            ("{\"t\":", self.t),
            (",\"u\":", self.u),
            (",\"k\":", self.k),
        ] {
            out.extend_from_slice(name.as_bytes());
            push_json_string(out, value);
        }
        out.extend_from_slice(b",\"d\":");
        push_json_string(out, self.d);
        out.extend_from_slice(b",\"p\":[");
        for (i, topic) in self.p.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_string(out, topic);
        }
        out.extend_from_slice(b"],\"x\":");
        push_json_string(out, self.x);
        out.push(b'}');
    }
}

/// Appends `text` as a JSON string: quotes, backslashes and control characters escaped,
/// runs of anything else copied whole.
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time past the common case: nothing to escape.
        if let Some(word) = bytes.get(i..i + 8)
            && !needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes")))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.extend_from_slice(short);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes in `word` is a control character, `"` or `\`: each test
/// sets the high bit of a byte that is below the given value (or zero after the XOR), and no
/// byte of 0x80 or above sets it.
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
        != 0
}

/// The text a query is confirmed against and snippets are cut from: summary and body.
fn searchable_text<'a>(doc: &Doc<'a>) -> Cow<'a, str> {
    let body = doc.text.trim();
    if doc.summary.is_empty() || doc.text.starts_with(doc.summary) {
        return Cow::Borrowed(body);
    }
    Cow::Owned(format!("{}\n{body}", doc.summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn chinese_is_indexed_by_bigrams() {
        assert_eq!(keys("根治欠薪"), ["根治", "治欠", "欠薪"]);
        // Punctuation breaks the run: no bigram across it.
        assert_eq!(keys("欠薪，帮信"), ["欠薪", "帮信"]);
        assert_eq!(keys("法"), Vec::<String>::new());
        // The edges of the blocks: U+4DC0 (a hexagram symbol) is not Chinese.
        assert_eq!(
            keys("\u{3400}\u{4DBF}\u{4DC0}\u{4E00}\u{9FFF}\u{F900}\u{FAFF}"),
            [
                "\u{3400}\u{4DBF}",
                "\u{4E00}\u{9FFF}",
                "\u{9FFF}\u{F900}",
                "\u{F900}\u{FAFF}"
            ]
        );
    }

    #[test]
    fn latin_and_digits_are_lower_cased_tokens() {
        assert_eq!(keys("拨打110报警"), ["拨打", "110", "报警"]);
        assert_eq!(keys("下载APP后"), ["下载", "app"]);
        assert_eq!(keys("ＡＰＰ１２３４８"), ["app12348"]);
        assert_eq!(keys("第12条　第十二条"), ["12", "第十", "十二", "二条"]);
    }

    #[test]
    fn positions_count_characters() {
        let t = tokens("甲乙 abc 丙丁");
        assert_eq!(
            t.iter()
                .map(|t| (t.key.as_str(), t.position))
                .collect::<Vec<_>>(),
            [("甲乙", 0), ("abc", 3), ("丙丁", 7)]
        );
    }

    #[test]
    fn shards_are_stable() {
        // search.js computes the same numbers (checked in tests/search/search.test.mjs).
        assert_eq!(shard_of("欠薪", 1 << 30), 59_984_975);
        assert_eq!(shard_of("110", 1 << 30), 758_520_997);
        assert_eq!(shard_of("^法", 1 << 30), 681_616_060);
        assert_eq!(shard_of("欠薪", 1), 0);
        let spread: std::collections::BTreeSet<usize> =
            ["欠薪", "帮信", "反诈", "民法", "110", "^法"]
                .iter()
                .map(|k| shard_of(k, 64))
                .collect();
        assert!(spread.len() >= 4, "keys spread over shards: {spread:?}");
    }

    fn doc<'a>(title: &'a str, topics: &'a [String], text: &'a str) -> Doc<'a> {
        Doc {
            title,
            url: "articles/a/".into(),
            kind: "文章",
            date: "2023-06-01".into(),
            topics,
            summary: "",
            text,
        }
    }

    type Counts = HashMap<Key, (u32, u32)>;

    /// What [`add_tokens`] counts for `text` (as body text), and what [`tokens`] lists,
    /// counted the same way: key → (count up to [`MAX_COUNT`], first position's bucket).
    fn counted(text: &str) -> (Counts, Counts) {
        let mut found = KeyCounter::default();
        let mut words = Words::default();
        add_tokens(text, 0, &mut found, &mut words);
        let streamed = found
            .counted()
            .map(|e| (e.key(), (e.count(), e.bucket())))
            .collect();
        let mut listed = Counts::new();
        for token in tokens(text) {
            let mut chars = token.key.chars();
            let key = match (chars.next(), chars.next(), chars.next()) {
                (Some(a), Some(b), None) if is_han(a) && is_han(b) => pair_key(a, b),
                _ => word_key(&token.key),
            };
            let entry = listed
                .entry(key)
                .or_insert((0, position_bucket(token.position)));
            entry.0 = (entry.0 + 1).min(MAX_COUNT);
        }
        for (key, word) in words.iter() {
            assert_eq!(key, word_key(word), "{word}");
        }
        let mut kept: Vec<&str> = words.iter().map(|(_, w)| w).collect();
        kept.sort_unstable();
        let mut expected: Vec<String> = tokens(text)
            .into_iter()
            .map(|t| t.key)
            .filter(|k| !k.chars().any(is_han))
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(kept, expected, "each word kept once");
        (streamed, listed)
    }

    #[test]
    fn counted_tokens_match_the_listed_ones() {
        for text in [
            "根治欠薪，帮信罪",
            "拨打110报警ＡＰＰ",
            "第12条　第十二条 x",
            "甲",
            "é𠀀〇〇ａＢ１",
            "欠薪欠薪 app APP",
            "\u{3400}\u{4DBF}\u{4DC0}\u{4E00}\u{9FFF}\u{F900}\u{FAFF}",
        ] {
            let (streamed, listed) = counted(text);
            assert_eq!(streamed, listed, "{text}");
        }
        // Far enough in for later buckets (64 characters each, the last from 31 × 64 on).
        let long = format!(
            "欠薪{}帮信欠薪{}反诈 app",
            "，".repeat(70),
            "x ".repeat(1000)
        );
        let (streamed, listed) = counted(&long);
        assert_eq!(streamed, listed);
        let buckets: Vec<u32> = ["欠薪", "帮信", "反诈"]
            .iter()
            .map(|k| {
                let mut c = k.chars();
                streamed[&pair_key(c.next().unwrap(), c.next().unwrap())].1
            })
            .collect();
        assert_eq!(buckets, [0, 1, 31]);
    }

    proptest::proptest! {
        #[test]
        fn counted_tokens_match_the_listed_ones_for_any_text(
            text in "([\\u{4e00}-\\u{4e10}]{1,4}|[a-zA-Z0-9 ，。\\u{3000}\\u{3007}\\u{ff01}-\\u{ff5e}é]|\\PC)*",
        ) {
            let (streamed, listed) = counted(&text);
            proptest::prop_assert_eq!(streamed, listed);
        }
    }

    #[test]
    fn keys_mark_title_and_topic_hits() {
        let topics = vec!["根治欠薪".to_string()];
        let text = "年底讨薪，先留证据。".repeat(20);
        let d = doc("讨薪指南", &topics, &text);
        let keys = doc_keys(&d, &searchable_text(&d), &mut KeyCounter::default());
        let find = |key: Key| keys.keys.iter().find(|k| k.0 == key).copied().unwrap();
        // 讨薪: in the title (flag 1) and 20 times in the text: count capped at 7.
        assert_eq!(
            find(pair_key('讨', '薪')),
            (pair_key('讨', '薪'), 7 * 4 + 1, 0)
        );
        assert_eq!(find(pair_key('欠', '薪')).1 & 3, 2);
        // 证据 first stands at character 7 of the text: bucket 0.
        assert_eq!(find(pair_key('证', '据')).2, 0);
        assert_eq!(find(TITLE_CHAR | '讨' as u64).1 & 1, 1);
    }

    #[test]
    fn the_key_counter_counts_as_a_map_does_across_growth_and_clearing() {
        let mut counter = KeyCounter::default();
        for round in 0..3u64 {
            counter.clear();
            let mut expected: HashMap<Key, (u32, u32, u32)> = HashMap::new();
            // Enough keys to grow the table twice; every third one again, later, at positions
            // that only grow. No key is 0; the largest kind of key comes too.
            for i in 0..(MIN_SLOTS as u64 * 5 / 4) {
                let position = i as usize * 2;
                for (key, flag) in [
                    (i * 7 + round + 2, 0),
                    (i / 3 + 2, (i % 3) as u32),
                    ((WORD | TITLE_CHAR) - 1 - i % 5, 1),
                ] {
                    let first = !expected.contains_key(&key);
                    let e = expected
                        .entry(key)
                        .or_insert((0, 0, position_bucket(position)));
                    e.0 = (e.0 + 1).min(MAX_COUNT);
                    e.1 |= flag;
                    assert_eq!(counter.add(key, position, flag), first, "key {key}");
                }
            }
            let counted: HashMap<Key, (u32, u32, u32)> = counter
                .counted()
                .map(|e| (e.key(), (e.count(), e.flags(), e.bucket())))
                .collect();
            assert_eq!(counted.len(), counter.used.len(), "no key twice");
            assert_eq!(counted, expected, "round {round}");
            assert_eq!(counter.slots.len(), 4 * MIN_SLOTS, "grown twice");
        }
    }

    proptest::proptest! {
        #[test]
        fn stored_docs_are_written_as_serde_json_writes_them(
            title in "\\PC{0,12}",
            text in "(\\PC|[\"\\\\\n\r\t\u{0}-\u{1f}\u{7f}\u{2028}])*",
            topics in proptest::collection::vec("\\PC{0,6}", 0..3),
        ) {
            let stored = StoredDoc { t: &title, u: "a/b/", k: "文章", d: "2023-06-01", p: &topics, x: &text };
            let mut out = Vec::new();
            stored.write_json(&mut out);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&stored).unwrap());
        }
    }

    #[test]
    fn varints() {
        let mut out = Vec::new();
        for v in [0, 5, 31, 32, 1000, u32::MAX] {
            let (digits, n) = varint(v);
            out.extend_from_slice(&digits.to_le_bytes()[..n]);
        }
        // 32 → low digit 0 with the continuation bit (W), then 1; 1000 → 8+32 (e), then 31
        // (V); u32::MAX → six full digits with the bit (_), then the top two bits (3).
        assert_eq!(String::from_utf8(out).unwrap(), "05VW1eV______3");
        let mut posting = Vec::new();
        push_posting(&mut posting, 1000, 7 * 4 + 1, 31);
        push_posting(&mut posting, 1, 0, 0);
        push_posting(&mut posting, (1 << 30) - 1, 3, 4);
        push_posting(&mut posting, 1 << 30, 3, 4);
        assert_eq!(
            String::from_utf8(posting).unwrap(),
            "eVTV100_____V34WWWWWW134"
        );
    }

    fn built(docs: &[Doc]) -> HashMap<String, String> {
        let files = std::sync::Mutex::new(HashMap::new());
        build(docs, |path, bytes| {
            files
                .lock()
                .unwrap()
                .insert(path.to_string(), String::from_utf8(bytes.to_vec()).unwrap());
            Ok(())
        })
        .unwrap();
        files.into_inner().unwrap()
    }

    #[test]
    fn build_writes_meta_shards_and_docs() {
        let topics = vec![];
        let docs = [doc("甲", &topics, "欠薪问题"), doc("乙", &topics, "帮信罪")];
        let files = built(&docs);
        assert_eq!(
            files["search/data/meta.js"],
            "pufaSearch.meta({\"docs\":2,\"docs_per_file\":2,\"shards\":1,\"version\":2});\n"
        );
        let shard = &files["search/data/s/0.js"];
        // doc 0, count 1 (4), bucket 0; doc 1 (gap 1), count 1, bucket 0.
        assert!(shard.contains("\"欠薪\":\"040\""), "{shard}");
        assert!(shard.contains("\"帮信\":\"140\""), "{shard}");
        assert!(shard.contains("\"^甲\":\"050\""), "{shard}");
        assert_eq!(
            files["search/data/d/0.js"],
            "pufaSearch.docs(0,[{\"t\":\"甲\",\"u\":\"articles/a/\",\"k\":\"文章\",\"d\":\"2023-06-01\",\"p\":[],\"x\":\"欠薪问题\"},{\"t\":\"乙\",\"u\":\"articles/a/\",\"k\":\"文章\",\"d\":\"2023-06-01\",\"p\":[],\"x\":\"帮信罪\"}]);\n"
        );
    }
}
