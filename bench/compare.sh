#!/usr/bin/env bash
# Builds the same generated corpus with pufa (default theme, full features: search index, QR
# codes, feeds) and with Hugo (bench/hugo: equivalent minimal templates), alternating runs,
# and prints the median wall time, the peak memory, the files written and the pufa/Hugo ratio.
#   bench/compare.sh [ARTICLES] [RUNS]        e.g. bench/compare.sh 10000 3
# Needs /usr/bin/time and, for the comparison, Hugo (Debian package hugo).
#
# The corpus and every output live in BENCH_DIR: by default /dev/shm, a file system in
# memory, so that the figures measure the two tools and not the disk. On a disk the time
# to create ~40,000 files and folders swings by seconds from one minute to the next (see
# docs/performance.md); BENCH_DIR=/tmp measures there.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${1:-10000}
runs=${2:-3}
bench_dir=${BENCH_DIR:-/dev/shm}
[ -d "$bench_dir" ] && [ -w "$bench_dir" ] || bench_dir=${TMPDIR:-/tmp}
work=$(mktemp -d -p "$bench_dir")
trap 'rm -rf "$work"' EXIT
echo "测试目录：$work（$(df --output=fstype "$work" | tail -1)）"

cargo build --quiet --release --example corpus
cargo build --quiet --release
pufa="$PWD/target/release/pufa"
target/release/examples/corpus "$work/site" "$articles" 1 2>/dev/null

have_hugo=false
if command -v hugo >/dev/null 2>&1; then
  have_hugo=true
  mkdir -p "$work/hugo"
  cp -r bench/hugo/. "$work/hugo/"
  cp -r "$work/site/content" "$work/hugo/content"
fi

# run NAME COMMAND…: one timed run; appends "seconds kilobytes" to $work/times-NAME.
run() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
  cat "$work/time.txt" >>"$work/times-$name"
}

# Each run writes to a folder of its own and every output is deleted only at the end: on a
# file system without a journal, ext4 skips inodes freed in the last minutes when it allocates
# new ones, so deleting an output just before a build slows that build by seconds, by an
# amount that depends on what was deleted, not on the tool being measured.
for i in $(seq "$runs"); do
  run pufa "$pufa" build --root "$work/site" --output "$work/out-pufa-$i"
  pufa_files=$(find "$work/out-pufa-$i" -type f | wc -l)
  if $have_hugo; then
    run hugo hugo --quiet -s "$work/hugo" -d "$work/out-hugo-$i"
    hugo_files=$(find "$work/out-hugo-$i" -type f | wc -l)
  fi
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
peak() { sort -n | tail -1; }

pufa_time=$(cut -d' ' -f1 "$work/times-pufa" | median)
pufa_rss=$(cut -d' ' -f2 "$work/times-pufa" | peak)
echo "| 工具 | 文章 + 视频 | 构建时间（中位数，${runs} 次） | 峰值内存 | 写出文件 |"
echo "|---|---|---|---|---|"
printf '| pufa | %s + %s | %.2f 秒 | %d MB | %s |\n' "$articles" "$((articles / 10))" "$pufa_time" "$((pufa_rss / 1024))" "$pufa_files"
if $have_hugo; then
  hugo_time=$(cut -d' ' -f1 "$work/times-hugo" | median)
  hugo_rss=$(cut -d' ' -f2 "$work/times-hugo" | peak)
  printf '| Hugo %s | %s + %s | %.2f 秒 | %d MB | %s |\n' "$(hugo version | cut -d' ' -f2 | cut -d+ -f1)" "$articles" "$((articles / 10))" "$hugo_time" "$((hugo_rss / 1024))" "$hugo_files"
  awk -v p="$pufa_time" -v h="$hugo_time" 'BEGIN { printf "\npufa/Hugo 时间比：%.2f\n", p / h }'
  echo "每次的时间（秒）：pufa $(cut -d' ' -f1 "$work/times-pufa" | tr '\n' ' ')；Hugo $(cut -d' ' -f1 "$work/times-hugo" | tr '\n' ' ')"
else
  echo
  echo "没有安装 Hugo（apt-get install hugo），只测了 pufa。"
fi
