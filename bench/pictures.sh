#!/usr/bin/env bash
# Pictures as officers take them: a site of ARTICLES articles (1,000 unless given), each with
# a 4,000 × 3,000 phone photo of its own (bench/photos.rs: turned by EXIF, with GPS), built
# by pufa on the disk (BENCH_DIR, by default /var/tmp):
#   - the first build, with no cache: every photo decoded, turned, resized and encoded;
#   - a rebuild with nothing changed;
#   - a build into a new output folder with the cache kept (a second copy of the site, or
#     public/ deleted);
#   - a rebuild after one photo changed.
# Prints wall time, peak memory and what the build wrote, and the sizes published.
#   bench/pictures.sh [ARTICLES]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo build --quiet --release --example photos
cargo build --quiet --release
pufa=$PWD/target/release/pufa
work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT
target/release/examples/photos "$work/site" "$n"
cd "$work/site"
sync
echo "照片：$(find content/images -name '*.jpg' | wc -l) 张，共 $(du -sh content/images | cut -f1)"
echo
echo "| 情形 | 用时 | 峰值内存 | 写出 |"
echo "|---|---|---|---|"
# timed LABEL: one `pufa build`, as a table row.
timed() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$pufa" build >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r seconds kb <"$work/time"
  echo "| $1 | $seconds 秒 | $((kb / 1024)) MB | $(grep -o '新增.*没有变' "$work/err") |"
}
timed "第一次生成（没有缓存）"
timed "没有改动"
rm -rf public
sync
timed "新的输出文件夹，缓存还在"
# One photo changed: a byte after its end changes its hash, not how it decodes.
printf '\0' >>content/images/p0000.jpg
timed "换了一张照片"
echo
echo "输出：$(du -sh public | cut -f1)；缓存：$(du -sh .pufa-cache | cut -f1)"
for w in 480 960 1600; do
  echo "${w} 像素宽的 WebP：最大 $(find public/images -name "*-${w}w.webp" -printf '%s\n' | sort -n | tail -1) 字节，JPEG：最大 $(find public/images -name "*-${w}w.jpg" -printf '%s\n' | sort -n | tail -1) 字节"
done
