#!/usr/bin/env bash
# Theme and sentiment benchmark: a render of a survey with about a million comments (4 million
# rows shaped like a real export, benches/gen_real.py) with comments bound and nothing else
# asked of them, with a codebook of 20 themes of 10 terms (words, phrases and `*` endings taken
# from the comments, and some that match nothing), with sentiment in English (`language: en`)
# and with sentiment and each comment's language detected.
#
# Usage: benches/themes.sh [RUNS] [ROWS]     default: 1 run of 4000000 rows
# Each case runs on one thread (JOURNEYMAP_THREADS=1) and on every core, which must give the
# same bytes (checked). Wall time is the median of RUNS; peak memory is the maximum resident
# set of one more run (needs /usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
rows=${2:-4000000}
cargo build --release --quiet
bin=$PWD/target/release/journeymap
work=${BENCH_DIR:-$(mktemp -d)}

python3 benches/gen_real.py "$rows" long > "$work/answers.csv"
python3 - "$work/codebook.themes.yaml" <<'EOF'
import ast, re, sys
# The words of the generated comments, in a fixed order, as a team's codebook would use them.
source = ast.parse(open("benches/gen_real.py").read())
sentences = next(ast.literal_eval(n.value) for n in source.body
                 if isinstance(n, ast.Assign) and n.targets[0].id == "sentences")
words = sorted({w.lower() for s in sentences for w in re.findall(r"[A-Za-z']+", s) if len(w) > 3})
pairs = sorted({" ".join(p).lower() for s in sentences
                for p in zip(re.findall(r"[A-Za-z']+", s), re.findall(r"[A-Za-z']+", s)[1:])})
with open(sys.argv[1], "w") as out:
    out.write("themes:\n")
    for t in range(20):
        terms = []
        for j in range(10):
            k = t * 10 + j
            if j % 4 == 0:
                terms.append(pairs[k % len(pairs)])
            elif j % 4 == 1:
                terms.append(words[k % len(words)][:5] + "*")
            elif j % 4 == 2:
                terms.append(f"nomatch{k}")
            else:
                terms.append(words[(k * 7) % len(words)])
        out.write(f"  - id: theme-{t}\n    label: Theme {t}\n    terms: {terms!r}\n")
        if t % 3 == 0:
            out.write(f"    exclude: [{words[(t * 11) % len(words)]!r}]\n")
EOF

map() { # map NAME EXTRA-SURVEY-LINES [MAP-LINES] > file
  printf 'journeymap: 1\ntitle: Theme benchmark\npersona: {name: Bench}\n%s' "${3:-}"
  printf 'stages:\n'
  for s in trigger search research purchase delivery returns; do
    printf '  - id: %s\n    name: %s\n    emotion: 0\n    touchpoints: [{name: Web}]\n' "$s" "$s"
  done
  printf 'surveys:\n  - id: bench\n    file: answers.csv\n    stage_column: stage\n'
  printf '    measures: {nps: nps, csat: csat, ces: ces, comment: comment}\n%s' "$2"
}
map comments '' > "$work/comments.journey.yaml"
map codebook '' 'themes: codebook.themes.yaml
' > "$work/codebook.journey.yaml"
map english '    sentiment: true
    language: en
' > "$work/english.journey.yaml"
map detected '    sentiment: true
' > "$work/detected.journey.yaml"

. benches/timing.sh

comments=$(python3 -c 'import csv, sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1], newline="")) if r["comment"].strip()))' "$work/answers.csv")
printf '%s rows, %s comments (%s MB), median of %s runs:\n' "$rows" "$comments" "$(du -m "$work/answers.csv" | cut -f1)" "$runs"
printf '| %-38s | %14s | %14s | %10s |\n' case "1 thread (s)" "all cores (s)" "peak MB"
printf '|%s|%s|%s|%s|\n' "----------------------------------------" "----------------" "----------------" "------------"
for case in comments codebook english detected; do
  file=$work/$case.journey.yaml
  one=(env JOURNEYMAP_THREADS=1 "$bin" render -f json "$file")
  all=("$bin" render -f json "$file")
  "${one[@]}" > "$work/$case-1.json" 2>/dev/null || true
  "${all[@]}" > "$work/$case-n.json" 2>/dev/null || true
  cmp "$work/$case-1.json" "$work/$case-n.json"
  [ -s "$work/$case-n.json" ] || { echo "$case: no output"; exit 1; }
  printf '| %-38s | %14s | %14s | %10s |\n' "$case" "$(wall "$runs" "${one[@]}")" "$(wall "$runs" "${all[@]}")" "$(peak "${all[@]}")"
done
python3 - "$work/codebook-n.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
themes = doc.get("themes") or []
print(f"codebook: journey n = {themes[0]['n'] if themes else 0}, "
      + ", ".join(f"{t['id']} {t['matched']}" for t in themes[:5]) + ", ...")
EOF
