//! Chinese-friendly `*` / `**` emphasis.
//!
//! CommonMark decides whether `**` can open or close emphasis by looking at punctuation on
//! either side. Chinese text has no spaces between words and puts full-width punctuation right
//! next to the markers, so `这是**我想做的事。**所以继续。` and `中文**“加粗”**中文` stay
//! literal asterisks in pulldown-cmark 0.13. This pass runs over the event stream after
//! parsing and pairs the leftover `*` runs by a looser rule: a run opens when the next
//! character is not whitespace and closes when the previous one is not, matching runs of the
//! same length within one inline container. Blocks without leftover runs are left exactly as
//! pulldown-cmark parsed them.
//!
//! pulldown-cmark has merged a CJK-friendly flanking option upstream (PR #1059) but not
//! released it; delete this module and set that option once a release ships it.

use pulldown_cmark::{Event, Tag, TagEnd};
use std::ops::Range;

/// A piece of the stream: an event, or a run of `*` taken out of a literal text.
enum Piece<'a> {
    Event(Event<'a>),
    Run {
        count: usize,
        before: Option<char>,
        after: Option<char>,
    },
}

/// Rewrites unmatched `*` runs in `events` into emphasis. `source` is the Markdown the events
/// (with their byte ranges) were parsed from: only text that stands in the source exactly as it
/// is in the event is considered, so escaped `\*` stays an asterisk.
pub fn apply<'a>(events: Vec<(Event<'a>, Range<usize>)>, source: &'a str) -> Vec<Event<'a>> {
    if !events.iter().any(|(e, r)| has_literal_star(e, r, source)) {
        return events.into_iter().map(|(e, _)| e).collect();
    }
    let events = reopen_star_emphasis(events, source);
    let pieces = split_runs(merge_literal_text(events, source), source);
    pair(pieces)
}

/// In a block that has leftover runs, CommonMark may already have paired some runs the
/// author did not mean to pair: in `这是**甲。**乙**“丙”**丁` it pairs the middle two. Turn
/// the `*` emphasis of such blocks back into runs so all of them are paired again, left to
/// right, by the one looser rule. Blocks without leftovers are not touched.
fn reopen_star_emphasis<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut block = 0usize;
    let blocks: Vec<usize> = events
        .iter()
        .map(|(e, _)| {
            if matches!(e, Event::Start(t) if !is_inline(t))
                || matches!(e, Event::End(t) if !is_inline_end(t))
            {
                block += 1;
            }
            block
        })
        .collect();
    let with_leftovers: std::collections::HashSet<usize> = events
        .iter()
        .zip(&blocks)
        .filter(|((e, r), _)| has_literal_star(e, r, source))
        .map(|(_, &b)| b)
        .collect();
    let delimiter = |range: Range<usize>| -> Option<(&'a str, Range<usize>)> {
        let text = source.get(range.clone())?;
        (!text.is_empty() && text.bytes().all(|b| b == b'*')).then_some((text, range))
    };
    events
        .into_iter()
        .zip(blocks)
        .map(|((event, range), b)| {
            if !with_leftovers.contains(&b) {
                return (event, range);
            }
            let width = match &event {
                Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => 2,
                Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => 1,
                _ => return (event, range),
            };
            let marker = if matches!(event, Event::Start(_)) {
                range.start..range.start + width
            } else {
                range.end.saturating_sub(width)..range.end
            };
            match delimiter(marker) {
                Some((text, marker)) => (Event::Text(text.into()), marker),
                None => (event, range),
            }
        })
        .collect()
}

/// pulldown-cmark hands a delimiter run it could not use over as separate one-character text
/// events; join neighbouring literal texts so a run is seen whole.
fn merge_literal_text<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
) -> Vec<(Event<'a>, Range<usize>)> {
    let is_literal = |e: &Event, r: &Range<usize>| matches!(e, Event::Text(t) if source.get(r.clone()) == Some(t.as_ref()));
    let mut merged: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    // Whether the last event kept is literal text: known, not compared again, since a merged
    // text grows with each piece and comparing it each time would take quadratic time.
    let mut last_literal = false;
    for (event, range) in events
        .into_iter()
        .flat_map(|(e, r)| split_escape(e, r, source))
    {
        let literal = is_literal(&event, &range);
        if let Some((last, last_range)) = merged.last_mut()
            && last_literal
            && literal
            && last_range.end == range.start
        {
            last_range.end = range.end;
            *last = Event::Text(source[last_range.clone()].into());
            continue;
        }
        merged.push((event, range));
        last_literal = literal;
    }
    merged
}

fn has_literal_star(event: &Event, range: &Range<usize>, source: &str) -> bool {
    matches!(event, Event::Text(t) if t.contains('*') && source.get(range.clone()) == Some(t.as_ref()))
}

/// pulldown-cmark starts the text after a backslash escape at the escaped character, so the
/// event still equals its source. Give that character its backslash back (its range then no
/// longer equals the text, so it is never taken for a delimiter) and keep the rest literal.
fn split_escape<'a>(
    event: Event<'a>,
    range: Range<usize>,
    source: &'a str,
) -> Vec<(Event<'a>, Range<usize>)> {
    let escaped = range.start > 0 && source.as_bytes()[range.start - 1] == b'\\';
    match &event {
        Event::Text(t) if escaped && source.get(range.clone()) == Some(t.as_ref()) => {
            let first = t.chars().next().map_or(0, char::len_utf8);
            let split = range.start + first;
            let mut parts = vec![(
                Event::Text(source[range.start..split].into()),
                range.start - 1..split,
            )];
            if split < range.end {
                parts.push((
                    Event::Text(source[split..range.end].into()),
                    split..range.end,
                ));
            }
            parts
        }
        _ => vec![(event, range)],
    }
}

fn split_runs<'a>(events: Vec<(Event<'a>, Range<usize>)>, source: &'a str) -> Vec<Piece<'a>> {
    let mut pieces = Vec::with_capacity(events.len());
    let neighbours: Vec<Neighbour> = events.iter().map(|(e, _)| Neighbour::of(e)).collect();
    for (i, (event, range)) in events.into_iter().enumerate() {
        if !has_literal_star(&event, &range, source) {
            pieces.push(Piece::Event(event));
            continue;
        }
        // The text equals its source (checked above): borrow the source, so the pieces
        // live as long as the stream.
        let text: &'a str = &source[range];
        let previous = if i > 0 { neighbours[i - 1].last } else { None };
        let next = neighbours.get(i + 1).and_then(|n| n.first);
        let mut rest = text;
        let mut before = previous;
        while let Some(start) = rest.find('*') {
            if start > 0 {
                pieces.push(Piece::Event(Event::Text(rest[..start].into())));
                before = rest[..start].chars().next_back();
            }
            let count = rest[start..].bytes().take_while(|&b| b == b'*').count();
            let after_run = &rest[start + count..];
            let after = after_run.chars().next().or(next);
            pieces.push(Piece::Run {
                count,
                before,
                after,
            });
            before = Some('*');
            rest = after_run;
        }
        if !rest.is_empty() {
            pieces.push(Piece::Event(Event::Text(rest.into())));
        }
    }
    pieces
}

/// The characters an event shows at its edges, as seen by a neighbouring `*` run. Whitespace
/// and block edges count as whitespace (`None` or a space); inline markup as a letter.
struct Neighbour {
    first: Option<char>,
    last: Option<char>,
}

impl Neighbour {
    fn of(event: &Event) -> Neighbour {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => Neighbour {
                first: t.chars().next(),
                last: t.chars().next_back(),
            },
            Event::SoftBreak | Event::HardBreak => Neighbour {
                first: Some(' '),
                last: Some(' '),
            },
            Event::Start(tag) if is_inline(tag) => Neighbour {
                first: Some('x'),
                last: None,
            },
            Event::End(tag) if is_inline_end(tag) => Neighbour {
                first: None,
                last: Some('x'),
            },
            _ => Neighbour {
                first: None,
                last: None,
            },
        }
    }
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn is_open(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_whitespace())
}

fn pair(pieces: Vec<Piece>) -> Vec<Event> {
    // What each run becomes: `None` literal, `Some(true)` an opener, `Some(false)` a closer.
    let mut role: Vec<Option<bool>> = vec![None; pieces.len()];
    let mut open = OpenRuns::default();
    let mut depth = 0usize;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Event(Event::Start(tag)) if is_inline(tag) => depth += 1,
            Piece::Event(Event::End(tag)) if is_inline_end(tag) => {
                depth = depth.saturating_sub(1);
                open.close_deeper_than(depth);
            }
            Piece::Event(Event::Start(_) | Event::End(_)) => {
                // A block edge: nothing pairs across it.
                open.truncate(0);
                depth = 0;
            }
            Piece::Event(_) => {}
            Piece::Run {
                count,
                before,
                after,
            } => {
                if !(1..=3).contains(count) {
                    continue;
                }
                let opener = open.latest(*count, depth).filter(|_| is_open(*before));
                if let Some((at, open_index)) = opener {
                    role[open_index] = Some(true);
                    role[i] = Some(false);
                    open.truncate(at);
                } else if is_open(*after) {
                    open.push(i, *count, depth);
                }
            }
        }
    }
    let mut events = Vec::with_capacity(pieces.len());
    for (piece, role) in pieces.into_iter().zip(role) {
        match (piece, role) {
            (Piece::Event(e), _) => events.push(e),
            (Piece::Run { count, .. }, None) => events.push(Event::Text("*".repeat(count).into())),
            (Piece::Run { count, .. }, Some(open)) => {
                let tags: &[(Tag, TagEnd)] = match count {
                    1 => &[(Tag::Emphasis, TagEnd::Emphasis)],
                    2 => &[(Tag::Strong, TagEnd::Strong)],
                    _ => &[
                        (Tag::Strong, TagEnd::Strong),
                        (Tag::Emphasis, TagEnd::Emphasis),
                    ],
                };
                if open {
                    events.extend(tags.iter().map(|(t, _)| Event::Start(t.clone())));
                } else {
                    events.extend(tags.iter().rev().map(|(_, e)| Event::End(*e)));
                }
            }
        }
    }
    events
}

/// The runs still open, latest last, each with its length and the inline depth it stands
/// at: depths never decrease towards the top, since leaving an inline container closes the
/// runs inside it. Finding the latest open run of a length at a depth is then a look at the
/// top of that length's own list, so pairing is linear in the number of runs.
#[derive(Default)]
struct OpenRuns {
    /// (piece index, length, depth).
    runs: Vec<(usize, usize, usize)>,
    /// For each length 1–3, the positions in `runs` of the open runs of that length.
    by_length: [Vec<usize>; 3],
}

impl OpenRuns {
    fn push(&mut self, piece: usize, length: usize, depth: usize) {
        self.by_length[length - 1].push(self.runs.len());
        self.runs.push((piece, length, depth));
    }

    /// The latest open run of `length` at `depth`: its position in the stack and its piece.
    fn latest(&self, length: usize, depth: usize) -> Option<(usize, usize)> {
        let &at = self.by_length[length - 1].last()?;
        let (piece, _, d) = self.runs[at];
        (d == depth).then_some((at, piece))
    }

    /// Drops the runs from position `at` up.
    fn truncate(&mut self, at: usize) {
        while self.runs.len() > at {
            self.pop();
        }
    }

    /// Drops the runs inside containers deeper than `depth`.
    fn close_deeper_than(&mut self, depth: usize) {
        while self.runs.last().is_some_and(|&(_, _, d)| d > depth) {
            self.pop();
        }
    }

    fn pop(&mut self) {
        if let Some((_, length, _)) = self.runs.pop() {
            self.by_length[length - 1].pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Options, Parser, html};

    fn render(markdown: &str) -> String {
        let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
        let events = super::apply(parser.into_offset_iter().collect(), markdown);
        let mut out = String::new();
        html::push_html(&mut out, events.into_iter());
        out.trim_end().to_string()
    }

    #[test]
    fn chinese_emphasis() {
        let cases = [
            (
                "这是**我想做的事。**所以继续。",
                "<p>这是<strong>我想做的事。</strong>所以继续。</p>",
            ),
            (
                "中文**“加粗”**中文",
                "<p>中文<strong>“加粗”</strong>中文</p>",
            ),
            ("中文*“强调”*中文", "<p>中文<em>“强调”</em>中文</p>"),
            (
                "这是**我想做的事。**所以继续。中文**“加粗”**中文。",
                "<p>这是<strong>我想做的事。</strong>所以继续。中文<strong>“加粗”</strong>中文。</p>",
            ),
            (
                "*甲*乙**丙。**丁",
                "<p><em>甲</em>乙<strong>丙。</strong>丁</p>",
            ),
            (
                "**刷单本身就是违法行为。**依据法律",
                "<p><strong>刷单本身就是违法行为。</strong>依据法律</p>",
            ),
            (
                "依据***《民法典》***规定",
                "<p>依据<strong><em>《民法典》</em></strong>规定</p>",
            ),
            // Already handled by CommonMark: left as pulldown-cmark renders it.
            ("**加粗**文字", "<p><strong>加粗</strong>文字</p>"),
            // Not emphasis: spaces around the markers, escapes, unpaired runs.
            ("3 * 4 * 5", "<p>3 * 4 * 5</p>"),
            ("价格\\*不含税\\*", "<p>价格*不含税*</p>"),
            ("只有一个**星号。", "<p>只有一个**星号。</p>"),
            ("不同长度**甲。*乙", "<p>不同长度**甲。*乙</p>"),
            // Nothing pairs across paragraphs.
            (
                "第一段**。\n\n。**第二段",
                "<p>第一段**。</p>\n<p>。**第二段</p>",
            ),
            // Inside a link, and around one.
            (
                "见[《民法典》**第十二条。**](a.md)。",
                "<p>见<a href=\"a.md\">《民法典》<strong>第十二条。</strong></a>。</p>",
            ),
        ];
        for (markdown, expected) in cases {
            assert_eq!(render(markdown), expected, "{markdown}");
        }
    }

    #[test]
    fn code_spans_are_left_alone() {
        assert_eq!(render("`甲**。**乙`丙"), "<p><code>甲**。**乙</code>丙</p>");
    }
}
