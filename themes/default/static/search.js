// pufa 站内搜索。索引由 pufa build 生成在 search/data/，用 <script> 标签加载，
// 所以放在任何静态网站空间、子目录，或者直接双击打开都能用。
// 分词规则与 src/search/mod.rs 一致：汉字按相邻两个字（二元组）索引，字母数字按词索引。
(function (global) {
  "use strict";

  function normalise(c) {
    var code = c.charCodeAt(0);
    if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0).toLowerCase();
    if (code === 0x3000) return " ";
    return c.length === 1 && code < 128 ? c.toLowerCase() : c;
  }

  function isHan(c) {
    var code = c.charCodeAt(0);
    return (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) || code === 0x3007;
  }

  function isWord(c) {
    return /^[a-z0-9]$/.test(c);
  }

  // Characters of a string as an array (astral characters stay whole, and are separators).
  function chars(text) {
    return Array.from(text).map(normalise);
  }

  // The index keys of a text: bigrams of Chinese, lower-cased words.
  function tokens(text) {
    var cs = chars(text);
    var out = [];
    var i = 0;
    while (i < cs.length) {
      var c = cs[i];
      if (isHan(c)) {
        if (i + 1 < cs.length && isHan(cs[i + 1])) out.push(c + cs[i + 1]);
        i += 1;
      } else if (isWord(c)) {
        var start = i;
        while (i < cs.length && isWord(cs[i])) i += 1;
        out.push(cs.slice(start, i).join(""));
      } else {
        i += 1;
      }
    }
    return out;
  }

  // The keys a query looks up, term by term. A term of one Chinese character looks in titles.
  function queryTerms(query) {
    return chars(query).join("").split(/\s+/).filter(Boolean).map(function (term) {
      var keys = tokens(term);
      if (keys.length === 0) {
        keys = chars(term).filter(isHan).map(function (c) { return "^" + c; });
      }
      return { text: term, keys: unique(keys) };
    }).filter(function (t) { return t.keys.length > 0; });
  }

  // Keys that cover each term without overlapping (防范诈骗 → 防范, 诈骗): a page holding these
  // has the words of the query, perhaps apart. Used when nothing holds every pair.
  function coverKeys(terms) {
    var keys = [];
    terms.forEach(function (t) {
      var pairs = tokens(t.text);
      if (pairs.length < 2 || pairs.some(function (k) { return !isHan(k.charAt(0)); })) {
        keys = keys.concat(t.keys);
        return;
      }
      for (var i = 0; i < pairs.length; i += 2) keys.push(pairs[i]);
      if (pairs.length % 2 === 0) keys.push(pairs[pairs.length - 1]);
    });
    return unique(keys);
  }

  function unique(list) {
    return list.filter(function (x, i) { return list.indexOf(x) === i; });
  }

  // FNV-1a over UTF-16 code units, as the index builder does.
  function shardOf(key, shards) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      hash ^= key.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % Math.max(1, shards);
  }

  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charAt(d)] = d;

  // A key's postings, as src/search/mod.rs writes them: for each doc the gap from the
  // previous doc's number, count*4+flags and the first-position bucket, each in base 32 with
  // a continuation bit. → [{doc, count, flags, first}]
  function decode(text) {
    var out = [];
    var i = 0;
    function next() {
      var value = 0;
      var scale = 1;
      var digit;
      do {
        digit = DIGIT[text.charAt(i++)];
        value += (digit & 31) * scale;
        scale *= 32;
      } while (digit & 32);
      return value;
    }
    var doc = 0;
    while (i < text.length) {
      doc += next();
      var countFlags = next();
      out.push({ doc: doc, count: countFlags >> 2, flags: countFlags & 3, first: next() });
    }
    return out;
  }

  // Docs holding every key, ranked: all keys in the title first, then in a topic, then how
  // often and how early they occur, then newer (a lower number) first.
  function rank(keys, postings) {
    var lists = keys.map(function (k) { return postings[k] || []; });
    if (lists.length === 0 || lists.some(function (l) { return l.length === 0; })) return [];
    lists.sort(function (a, b) { return a.length - b.length; });
    var found = new Map();
    lists[0].forEach(function (p) {
      found.set(p.doc, { doc: p.doc, title: p.flags & 1, topic: p.flags & 2, count: p.count, first: p.first, seen: 1 });
    });
    for (var i = 1; i < lists.length; i++) {
      lists[i].forEach(function (p) {
        var hit = found.get(p.doc);
        if (!hit || hit.seen !== i) return;
        hit.seen = i + 1;
        hit.title &= p.flags & 1;
        hit.topic &= (p.flags & 2);
        hit.count += p.count;
        hit.first = Math.min(hit.first, p.first);
      });
    }
    var hits = [];
    found.forEach(function (hit) { if (hit.seen === lists.length) hits.push(hit); });
    hits.sort(function (a, b) {
      return (b.title - a.title) || (b.topic - a.topic) || (b.count - a.count) ||
        (a.first - b.first) || (a.doc - b.doc);
    });
    return hits;
  }

  function haystack(doc) {
    return chars(doc.t + "\n" + doc.p.join(" ") + "\n" + doc.x).join("").replace(/\s+/g, " ");
  }

  // True when every term stands in the doc as written, not only as separate pairs.
  function isExact(terms, doc) {
    var text = haystack(doc);
    return terms.every(function (t) { return text.indexOf(t.text) >= 0; });
  }

  // A snippet around the first hit: [{text, mark}] pieces.
  function snippet(terms, doc, before, after) {
    var text = chars(doc.x).join("").replace(/\s+/g, " ");
    var raw = Array.from(doc.x.replace(/\s+/g, " "));
    var needles = [];
    terms.forEach(function (t) {
      if (text.indexOf(t.text) >= 0) needles.push(t.text);
      else t.keys.forEach(function (k) { if (k.charAt(0) !== "^") needles.push(k); });
    });
    var at = -1;
    needles.forEach(function (n) {
      var i = text.indexOf(n);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var flat = Array.from(text);
    var charAt = at < 0 ? 0 : Array.from(text.slice(0, at)).length;
    var start = Math.max(0, charAt - before);
    var end = Math.min(flat.length, charAt + after);
    var piece = flat.slice(start, end).join("");
    var shown = raw.slice(start, end).join("");
    var pieces = [];
    var pos = 0;
    while (pos < piece.length) {
      var next = -1;
      var len = 0;
      needles.forEach(function (n) {
        var i = piece.indexOf(n, pos);
        if (i >= 0 && (next < 0 || i < next)) { next = i; len = n.length; }
      });
      if (next < 0) { pieces.push({ text: shown.slice(pos), mark: false }); break; }
      if (next > pos) pieces.push({ text: shown.slice(pos, next), mark: false });
      pieces.push({ text: shown.slice(next, next + len), mark: true });
      pos = next + len;
    }
    if (start > 0) pieces.unshift({ text: "……", mark: false });
    if (end < flat.length) pieces.push({ text: "……", mark: false });
    return pieces;
  }

  // 2026-03-05 as the lists write it: 2026年3月5日 (a month, 2026-03, as 2026年3月).
  function chineseDate(iso) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso);
    if (!m) return iso;
    return m[1] + "年" + Number(m[2]) + "月" + (m[3] ? Number(m[3]) + "日" : "");
  }
  var lib = {
    chineseDate: chineseDate, normalise: normalise, isHan: isHan, tokens: tokens, queryTerms: queryTerms, coverKeys: coverKeys,
    shardOf: shardOf, decode: decode, rank: rank, isExact: isExact, snippet: snippet,
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = lib;
    return;
  }

  // ---- In the browser ----
  var box = document.getElementById("search");
  if (!box) return;
  var base = box.getAttribute("data-index");
  var root = box.getAttribute("data-root");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var state = { meta: null, shards: {}, docs: {} };
  var PAGE = 10;

  global.pufaSearch = {
    meta: function (m) { state.meta = m; },
    shard: function (n, keys) { state.shards[n] = keys; },
    docs: function (first, list) {
      list.forEach(function (d, i) { state.docs[first + i] = d; });
    },
  };

  var loading = {};
  function load(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src;
        s.onload = resolve;
        s.onerror = function () { reject(new Error(src)); };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  }

  function loadDocs(ids) {
    var perFile = state.meta.docs_per_file || 1;
    var files = unique(ids.map(function (id) { return Math.floor(id / perFile); }));
    return Promise.all(files.map(function (n) { return load(base + "d/" + n + ".js"); }));
  }

  function show(text) { status.textContent = text; }

  function render(terms, results) {
    results.forEach(function (r) {
      var doc = state.docs[r.doc];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + doc.u;
      a.textContent = doc.t;
      var title = document.createElement("h2");
      title.className = "search-title";
      title.appendChild(a);
      var meta = document.createElement("p");
      meta.className = "search-meta";
      meta.textContent = doc.k + (doc.d ? " · " + chineseDate(doc.d) : "");
      var p = document.createElement("p");
      p.className = "search-snippet";
      snippet(terms, doc, 30, 70).forEach(function (piece) {
        var node = piece.mark ? document.createElement("mark") : document.createTextNode(piece.text);
        if (piece.mark) node.textContent = piece.text;
        p.appendChild(node);
      });
      li.appendChild(title);
      li.appendChild(meta);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function run(query) {
    var started = performance.now();
    var terms = queryTerms(query);
    if (terms.length === 0) { show("请输入要查找的字词，例如“欠薪”“反诈”“第十二条”。"); return; }
    show("正在搜索……");
    var keys = unique([].concat.apply([], terms.map(function (t) { return t.keys; })));
    var loosely = false;
    function lookup(keys) {
      return load(base + "meta.js").then(function () {
        var shards = unique(keys.map(function (k) { return shardOf(k, state.meta.shards); }));
        return Promise.all(shards.map(function (n) { return load(base + "s/" + n + ".js"); }));
      }).then(function () {
        var postings = {};
        keys.forEach(function (k) {
          var shard = state.shards[shardOf(k, state.meta.shards)] || {};
          postings[k] = shard[k] ? decode(shard[k]) : [];
        });
        return rank(keys, postings);
      });
    }
    lookup(keys).then(function (found) {
      if (found.length > 0) return found;
      // Nothing holds the query as a whole: look for its words apart.
      var cover = coverKeys(terms);
      if (cover.join() === keys.join()) return found;
      loosely = true;
      return lookup(cover);
    }).then(function (candidates) {
      var exact = [];
      var loose = [];
      var next = 0;
      var shown = 0;
      function waiting(list) { return list.filter(function (c) { return !c.shown; }).length; }
      // Confirm candidates against their text in order, a page at a time, so exact matches
      // come first and a query loads only the docs it shows (and a few more).
      function confirm() {
        var enough = waiting(exact) >= PAGE || next >= candidates.length ||
          next - shown >= 3 * PAGE;
        if (enough) return Promise.resolve();
        var batch = candidates.slice(next, next + PAGE);
        next += batch.length;
        return loadDocs(batch.map(function (c) { return c.doc; })).then(function () {
          batch.forEach(function (c) { (isExact(terms, state.docs[c.doc]) ? exact : loose).push(c); });
          return confirm();
        });
      }
      function page() {
        return confirm().then(function () {
          var slice = exact.concat(loose).filter(function (c) { return !c.shown; }).slice(0, PAGE);
          slice.forEach(function (c) { c.shown = true; });
          render(terms, slice);
          shown += slice.length;
          more.hidden = shown >= candidates.length;
        });
      }
      more.onclick = function () { page(); };
      return page().then(function () {
        if (candidates.length === 0) {
          show("没有找到与“" + query + "”相关的内容。可以换个说法，或者用更短的词再试试。");
        } else if (loosely) {
          show("没有与“" + query + "”完全一致的内容，下面 " + candidates.length + " 条包含其中的词语。");
        } else {
          show("找到 " + candidates.length + " 条与“" + query + "”相关的结果。");
        }
        var bytes = 0;
        if (performance.getEntriesByType) {
          performance.getEntriesByType("resource").forEach(function (e) {
            if (e.name.indexOf("/search/data/") >= 0) bytes += e.encodedBodySize || 0;
          });
        }
        status.setAttribute("data-elapsed-ms", String(Math.round(performance.now() - started)));
        status.setAttribute("data-loaded-bytes", String(bytes));
        status.setAttribute("data-done", "true");
      });
    }).catch(function () {
      show("搜索索引没有加载成功，请刷新页面再试。");
      status.setAttribute("data-done", "true");
    });
  }

  var query = new URLSearchParams(global.location.search).get("q") || "";
  input.value = query;
  if (query.trim()) run(query.trim());
  else show("");
})(typeof window !== "undefined" ? window : this);
