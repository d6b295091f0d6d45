//! ASCII slugs and relative links.
//!
//! Every output page has a *path*: its folder relative to the output root, written without a
//! leading slash and ending in `/` (`articles/fang-zha/`; the home page is the empty path).
//! Links between pages are always relative, computed from the path of the page that holds the
//! link, so a built site works at any sub-path of a portal, and with `--offline` (links end in
//! `index.html`) also opened straight from disk.

/// An ASCII URL slug: Chinese becomes toneless pinyin read by the word ([`crate::pinyin`]),
/// everything else lower-case words joined by `-`.
///
/// ```
/// assert_eq!(pufa::url::slugify("警惕刷单返利骗局"), "jing-ti-shua-dan-fan-li-pian-ju");
/// assert_eq!(pufa::url::slugify("银行卡被冻结了"), "yin-hang-ka-bei-dong-jie-le");
/// ```
pub fn slugify(text: &str) -> String {
    // Keep each transliterated character a word of its own, so `第1042条` reads
    // `di-1042-tiao`, not `di-1042tiao`.
    let mut spaced = String::with_capacity(text.len() * 2);
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, spaced: &mut String| {
        for syllable in crate::pinyin::syllables(run) {
            spaced.push(' ');
            spaced.push_str(&syllable);
            spaced.push(' ');
        }
        run.clear();
    };
    for c in text.chars() {
        if !c.is_ascii() && crate::pinyin::is_han(c) {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut spaced);
        // Kana, hangul, symbols: transliterated by the slug crate.
        push_spaced(&mut spaced, c);
    }
    flush(&mut run, &mut spaced);
    slug::slugify(spaced)
}

/// `c` as the slug crate is given it: ASCII as it is, anything else a word of its own.
fn push_spaced(spaced: &mut String, c: char) {
    if c.is_ascii() {
        spaced.push(c);
    } else {
        spaced.push(' ');
        spaced.push(c);
        spaced.push(' ');
    }
}

/// The slug pufa made from `text` before it read Chinese by the word (one reading a
/// character, from the slug crate): addresses made then may be printed on handouts, so
/// `pufa check` names the pages whose address this changed ([`slugify`]).
pub fn earlier_slug(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        push_spaced(&mut spaced, c);
    }
    cap(slug::slugify(spaced)).0
}

/// Longest slug made from a name, in bytes: about twenty-five syllables of pinyin. Longer
/// ones make QR codes dense and, with the output folder's own path, approach the limits of
/// file systems (255 bytes a name) and of Windows paths (260 characters).
pub const MAX_SLUG: usize = 120;

/// [`slugify`], cut to at most [`MAX_SLUG`] bytes at a syllable boundary. Returns the slug
/// and whether it was cut.
pub fn capped_slug(text: &str) -> (String, bool) {
    cap(slugify(text))
}

/// `slug` cut to at most [`MAX_SLUG`] bytes at a syllable boundary, and whether it was cut.
fn cap(mut slug: String) -> (String, bool) {
    if slug.len() <= MAX_SLUG {
        return (slug, false);
    }
    // Slugs are ASCII: any byte index is a character boundary.
    let cut = slug[..=MAX_SLUG]
        .rfind('-')
        .filter(|&i| i > 0)
        .unwrap_or(MAX_SLUG);
    slug.truncate(cut);
    (slug, true)
}

/// A slug as an author wrote it (`slug:` in front matter or site.yaml): made into a slug
/// like any name, so `../x` can only ever be `x`. Empty or too long is an error message.
pub fn written_slug(text: &str) -> Result<String, String> {
    let slug = slugify(text);
    if slug.is_empty() {
        return Err(format!("slug“{text}”里没有能用作网址的字母或数字"));
    }
    if slug.len() > MAX_SLUG {
        return Err(format!(
            "slug 太长（{} 个字符），最多 {MAX_SLUG} 个",
            slug.len()
        ));
    }
    Ok(slug)
}

/// The link from the page at `from` (a folder path) to `to` (a folder path, or a file path
/// such as `style.css`, optionally with a `#fragment`).
pub fn relative(from: &str, to: &str, offline: bool) -> String {
    let (target, fragment) = match to.split_once('#') {
        Some((t, f)) => (t, Some(f)),
        None => (to, None),
    };
    // Called for every link of every page: one allocation, sized up front.
    let depth = from.bytes().filter(|&b| b == b'/').count();
    let mut link = String::with_capacity(3 * depth + to.len() + "index.html".len());
    for _ in 0..depth {
        link.push_str("../");
    }
    link.push_str(target);
    if offline && (target.is_empty() || target.ends_with('/')) {
        link.push_str("index.html");
    }
    if link.is_empty() {
        link.push_str("./");
    }
    if let Some(fragment) = fragment {
        link.push('#');
        link.push_str(fragment);
    }
    link
}

/// The absolute address of `path` under `base_url` (which ends with `/`).
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{base_url}{path}")
}

/// Percent-encodes what may not stand raw in a URL path (non-ASCII characters, spaces), so
/// links to copied files with Chinese names stay valid.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The output file that serves `path`: folders get an `index.html`.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_pinyin() {
        let cases = [
            ("警惕刷单返利骗局", "jing-ti-shua-dan-fan-li-pian-ju"),
            ("如何防范电信诈骗", "ru-he-fang-fan-dian-xin-zha-pian"),
            ("民法典 第1042条", "min-fa-dian-di-1042-tiao"),
            ("Hello, World!", "hello-world"),
            ("反诈APP", "fan-zha-app"),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input), expected, "{input}");
        }
    }

    #[test]
    fn long_slugs_are_cut_between_syllables() {
        let (slug, capped) = capped_slug(&"警惕刷单返利骗局".repeat(9));
        assert!(capped);
        assert!(slug.len() <= MAX_SLUG, "{}", slug.len());
        assert!(
            slug.starts_with("jing-ti-shua-dan") && !slug.ends_with('-'),
            "{slug}"
        );
        assert!(
            "jing-ti-shua-dan-fan-li-pian-ju-"
                .repeat(9)
                .starts_with(&format!("{slug}-"))
        );
        assert_eq!(capped_slug("短标题"), ("duan-biao-ti".to_string(), false));
        let unbroken = "a".repeat(300);
        assert_eq!(capped_slug(&unbroken).0.len(), MAX_SLUG);
    }

    #[test]
    fn written_slugs_cannot_climb_out() {
        assert_eq!(written_slug("../../../x").as_deref(), Ok("x"));
        assert!(written_slug("..").is_err());
        assert!(written_slug("/").is_err());
        assert!(written_slug(&"a-".repeat(100)).is_err());
        assert_eq!(written_slug("Fang Zha").as_deref(), Ok("fang-zha"));
    }

    #[test]
    fn relative_links() {
        let cases = [
            ("", "", false, "./"),
            ("", "", true, "index.html"),
            ("", "articles/a/", false, "articles/a/"),
            ("articles/a/", "", false, "../../"),
            ("articles/a/", "", true, "../../index.html"),
            (
                "articles/a/",
                "topics/b/",
                true,
                "../../topics/b/index.html",
            ),
            ("articles/a/", "style.css", true, "../../style.css"),
            (
                "articles/page/2/",
                "articles/a/#di-yi",
                false,
                "../../../articles/a/#di-yi",
            ),
            (
                "articles/a/",
                "articles/a/#第一条",
                false,
                "../../articles/a/#第一条",
            ),
            ("404.html", "style.css", false, "style.css"),
        ];
        for (from, to, offline, expected) in cases {
            assert_eq!(relative(from, to, offline), expected, "{from} -> {to}");
        }
    }

    proptest::proptest! {
        #[test]
        fn slugs_are_plain_ascii_words(text in "\\PC{0,40}") {
            let slug = slugify(&text);
            proptest::prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", slug);
            proptest::prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{}", slug);
        }

        #[test]
        fn relative_links_stay_inside(from in "([a-z]{1,3}/){0,4}", to in "([a-z]{1,3}/){0,4}") {
            let link = relative(&from, &to, false);
            let ups = link.matches("../").count();
            proptest::prop_assert_eq!(ups, from.matches('/').count());
        }
    }

    #[test]
    fn encodes_non_ascii_paths() {
        assert_eq!(
            encode_path("articles/图 1.png"),
            "articles/%E5%9B%BE%201.png"
        );
    }

    #[test]
    fn output_files() {
        assert_eq!(output_file(""), "index.html");
        assert_eq!(output_file("articles/a/"), "articles/a/index.html");
        assert_eq!(output_file("feed.xml"), "feed.xml");
    }
}
