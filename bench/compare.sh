#!/usr/bin/env bash
# Builds the same generated corpus with pufa (default theme, full features: search index, QR
# codes, feeds) and with Hugo (bench/hugo: equivalent minimal templates, the corpus's 12,000
# pictures and media given to it as static files), alternating runs, in two cases:
#   - a fresh build into an empty folder;
#   - a rebuild over that output after one article changed (the everyday case);
# and, once, a pufa rebuild with nothing changed. Prints median wall times, peak memory, the
# files each run wrote and the pufa/Hugo ratios.
#   bench/compare.sh [ARTICLES] [RUNS]        e.g. bench/compare.sh 10000 3
#
# With BENCH_PHOTOS=1 the pictures are real-size JPEGs (bench/corpus.rs `photos`: 1,280 × 960
# photos, 1,280 × 720 posters) and Hugo resizes them as pufa does (bench/hugo/layouts/partials/
# picture.html, the pictures under assets/). Both keep what they made between runs (pufa in
# .pufa-cache/, Hugo in resources/_gen/), so only the first fresh build of each makes every
# picture: its time is the first of "每次". BENCH_PHOTOS=flat uses JPEGs of those sizes in one
# colour each (`flat`): as many files to make and check, made in a fraction of the time, for
# measuring rebuilds at 10,000 articles.
# Needs /usr/bin/time and, for the comparison, Hugo (Debian package hugo; BENCH_HUGO=0 skips it).
#
# Measures on the disk first (BENCH_DIR, by default /var/tmp), then again on /dev/shm, a file
# system in memory, as a second row (BENCH_SHM=0 skips it). Each fresh build writes to a
# folder of its own and every output is deleted only at the end: ext4 skips inodes freed in
# the last minutes when it allocates new ones, so deleting an output just before a build
# slows that build by an amount that depends on what was deleted, not on the tool measured.
set -euo pipefail
cd "$(dirname "$0")/.."

articles=${1:-10000}
runs=${2:-3}

cargo build --quiet --release --example corpus
cargo build --quiet --release
pufa="$PWD/target/release/pufa"
have_hugo=false
command -v hugo >/dev/null 2>&1 && [ "${BENCH_HUGO:-1}" != 0 ] && have_hugo=true

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
peak() { sort -n | tail -1; }

# measure DIR LABEL: the whole comparison with the corpus and outputs in DIR.
measure() {
  local work label=$2
  work=$(mktemp -d -p "$1")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  echo
  echo "## $label：$work（$(df --output=fstype "$work" | tail -1)）"
  local photos=""
  [ "${BENCH_PHOTOS:-0}" != 0 ] && photos=photos
  [ "${BENCH_PHOTOS:-0}" = flat ] && photos=flat
  target/release/examples/corpus "$work/site" "$articles" 1 $photos 2>/dev/null
  if $have_hugo; then
    mkdir -p "$work/hugo/content" "$work/hugo/static" "$work/hugo/assets"
    cp -r bench/hugo/. "$work/hugo/"
    (cd "$work/site/content" && tar cf - --exclude=./images --exclude=./media .) | (cd "$work/hugo/content" && tar xf -)
    cp -r "$work/site/content/media" "$work/hugo/static/"
    if [ -n "$photos" ]; then
      cp -r "$work/site/content/images" "$work/hugo/assets/"
    else
      cp -r "$work/site/content/images" "$work/hugo/static/"
    fi
  fi
  local edited
  edited=$(cd "$work/site/content" && find articles -name '*.md' | sort | awk 'NR == 1')

  # run NAME OUT COMMAND…: one timed run; appends "seconds kilobytes files-written" to
  # $work/times-NAME, counting the files under OUT modified by the run.
  # (Hugo copies static files with their modification time, so a fresh build counts every file.)
  run() {
    local name=$1 out=$2
    shift 2
    touch "$work/stamp"
    sleep 0.05
    local fresh=false
    [ -e "$out" ] || fresh=true
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1
    local written
    if $fresh; then
      written=$(find "$out" -type f | wc -l)
    else
      written=$(find "$out" -type f -newer "$work/stamp" | wc -l)
    fi
    echo "$(cat "$work/time.txt") $written" >>"$work/times-$name"
  }

  for i in $(seq "$runs"); do
    run pufa-fresh "$work/out-pufa-$i" "$pufa" build --root "$work/site" --output "$work/out-pufa-$i"
    $have_hugo && run hugo-fresh "$work/out-hugo-$i" hugo --quiet -s "$work/hugo" -d "$work/out-hugo-$i"
    # One sentence more at the end of the same article, in both copies of the corpus.
    echo "第 $i 次修改时补充的一句话。" >>"$work/site/content/$edited"
    $have_hugo && echo "第 $i 次修改时补充的一句话。" >>"$work/hugo/content/$edited"
    run pufa-edit "$work/out-pufa-$i" "$pufa" build --root "$work/site" --output "$work/out-pufa-$i"
    $have_hugo && run hugo-edit "$work/out-hugo-$i" hugo --quiet -s "$work/hugo" -d "$work/out-hugo-$i"
  done
  run pufa-same "$work/out-pufa-$runs" "$pufa" build --root "$work/site" --output "$work/out-pufa-$runs"
  echo "文章 + 视频：$articles + $((articles / 10))，媒体文件 $(find "$work/site/content" -type f ! -name '*.md' | wc -l) 个；每种情形 ${runs} 次的中位数"
  echo
  echo "| 情形 | 工具 | 时间 | 每次（秒） | 峰值内存 | 写出文件 |"
  echo "|---|---|---|---|---|---|"
  row() {
    local case=$1 tool=$2 file="$work/times-$3"
    [ -f "$file" ] || return 0
    printf '| %s | %s | %.2f 秒 | %s | %d MB | %s |\n' "$case" "$tool" \
      "$(cut -d' ' -f1 "$file" | median)" "$(cut -d' ' -f1 "$file" | tr '\n' ' ' | sed 's/ $//')" \
      "$(($(cut -d' ' -f2 "$file" | peak) / 1024))" "$(cut -d' ' -f3 "$file" | median)"
  }
  local hugo_name=Hugo
  $have_hugo && hugo_name="Hugo $(hugo version | cut -d' ' -f2 | cut -d+ -f1)"
  row "新建（空文件夹）" pufa pufa-fresh
  row "新建（空文件夹）" "$hugo_name" hugo-fresh
  row "改一篇后重新构建" pufa pufa-edit
  row "改一篇后重新构建" "$hugo_name" hugo-edit
  row "没有改动，重新构建" pufa pufa-same
  if $have_hugo; then
    echo
    for case in fresh edit; do
      local p h ratios
      p=$(cut -d' ' -f1 "$work/times-pufa-$case" | median)
      h=$(cut -d' ' -f1 "$work/times-hugo-$case" | median)
      ratios=$(paste -d' ' <(cut -d' ' -f1 "$work/times-pufa-$case") <(cut -d' ' -f1 "$work/times-hugo-$case") |
        awk '{ printf "%.2f\n", $1 / $2 }' | sort -n)
      awk -v c="$case" -v p="$p" -v h="$h" -v lo="$(echo "$ratios" | head -1)" -v hi="$(echo "$ratios" | tail -1)" \
        'BEGIN { printf "%s：pufa/Hugo 时间比 %.2f（中位数之比；每一对 %s–%s）\n", (c == "fresh" ? "新建" : "改一篇后重新构建"), p / h, lo, hi }'
    done
  fi
}

measure "${BENCH_DIR:-/var/tmp}" "磁盘"
if [ "${BENCH_SHM:-1}" != 0 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  measure /dev/shm "内存文件系统 /dev/shm"
fi
$have_hugo || { echo; echo "没有安装 Hugo（apt-get install hugo），只测了 pufa。"; }
