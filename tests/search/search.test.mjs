// Unit tests of the browser side of search (themes/default/static/search.js), run with
// `node --test tests/search/`. The expected values are the ones src/search/mod.rs produces,
// so the two sides cannot drift apart unnoticed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const search = require("../../themes/default/static/search.js");

test("tokens match the index builder", () => {
  assert.deepEqual(search.tokens("根治欠薪"), ["根治", "治欠", "欠薪"]);
  assert.deepEqual(search.tokens("欠薪，帮信"), ["欠薪", "帮信"]);
  assert.deepEqual(search.tokens("拨打110报警"), ["拨打", "110", "报警"]);
  assert.deepEqual(search.tokens("下载APP后"), ["下载", "app"]);
  assert.deepEqual(search.tokens("ＡＰＰ１２３４８"), ["app12348"]);
  assert.deepEqual(search.tokens("第12条　第十二条"), ["12", "第十", "十二", "二条"]);
});

test("shards match the index builder", () => {
  assert.equal(search.shardOf("欠薪", 2 ** 30), 59984975);
  assert.equal(search.shardOf("110", 2 ** 30), 758520997);
  assert.equal(search.shardOf("^法", 2 ** 30), 681616060);
});

test("postings decode", () => {
  // As in the builder's tests: doc 0, count 1, bucket 0; then 32 → "W1", 1000 → "eV".
  assert.deepEqual(search.decode("040140"), [
    { doc: 0, count: 1, flags: 0, first: 0 },
    { doc: 1, count: 1, flags: 0, first: 0 },
  ]);
  assert.deepEqual(search.decode("W1eVV"), [{ doc: 32, count: 250, flags: 0, first: 31 }]);
});

test("query terms: bigrams, words, and title characters for one character", () => {
  const terms = search.queryTerms("欠薪 110报警 法");
  assert.deepEqual(terms.map((t) => t.keys), [["欠薪"], ["110", "报警"], ["^法"]]);
});

test("ranking: title, then topic, then count and position, then newer", () => {
  const p = (doc, count, flags, first) => ({ doc, count, flags, first });
  const postings = {
    "欠薪": [p(0, 1, 0, 5), p(1, 3, 0, 0), p(2, 1, 1, 9), p(3, 1, 2, 9), p(4, 3, 0, 2), p(5, 3, 0, 0)],
  };
  const order = search.rank(["欠薪"], postings).map((h) => h.doc);
  assert.deepEqual(order, [2, 3, 1, 5, 4, 0]);
});

test("ranking: a doc must hold every key", () => {
  const p = (doc) => ({ doc, count: 1, flags: 0, first: 0 });
  const postings = { "防范": [p(0), p(1), p(2)], "诈骗": [p(1), p(2), p(3)] };
  assert.deepEqual(search.rank(["防范", "诈骗"], postings).map((h) => h.doc), [1, 2]);
  assert.deepEqual(search.rank(["防范", "没有"], postings), []);
});

test("exact matches need the query as written", () => {
  const terms = search.queryTerms("防范诈骗");
  const near = { t: "标题", p: [], x: "防范诈骗从我做起" };
  const apart = { t: "标题", p: [], x: "防范意识很重要，诈骗手法多" };
  assert.equal(search.isExact(terms, near), true);
  assert.equal(search.isExact(terms, apart), false);
  assert.equal(search.isExact(search.queryTerms("ＡＰＰ"), { t: "下载APP", p: [], x: "" }), true);
});

test("snippets mark the hit", () => {
  const terms = search.queryTerms("欠薪");
  const doc = { t: "", p: [], x: "年底了，农民工欠薪问题要重视。" };
  const pieces = search.snippet(terms, doc, 3, 6);
  assert.deepEqual(pieces, [
    { text: "……", mark: false },
    { text: "农民工", mark: false },
    { text: "欠薪", mark: true },
    { text: "问题要重", mark: false },
    { text: "……", mark: false },
  ]);
});

test("cover keys find the words of a query apart", () => {
  assert.deepEqual(search.coverKeys(search.queryTerms("防范诈骗")), ["防范", "诈骗"]);
  assert.deepEqual(search.coverKeys(search.queryTerms("防范电诈")), ["防范", "电诈"]);
  assert.deepEqual(search.coverKeys(search.queryTerms("反电诈")), ["反电", "电诈"]);
  assert.deepEqual(search.coverKeys(search.queryTerms("110报警")), ["110", "报警"]);
});

test("dates read as in the lists", () => {
  assert.equal(search.chineseDate("2026-03-05"), "2026年3月5日");
  assert.equal(search.chineseDate("2026-11-24"), "2026年11月24日");
  assert.equal(search.chineseDate("2026-01"), "2026年1月");
  assert.equal(search.chineseDate("不是日期"), "不是日期");
});
