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
tokens = [re.findall(r"[A-Za-z']+", s.lower()) for s in sentences]
words = sorted({w for t in tokens for w in t if len(w) > 3})
pairs = sorted({f"{a} {b}" for t in tokens for a, b in zip(t, t[1:])})
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

map() { # map EXTRA-SURVEY-LINES [MAP-LINES] > file
  printf 'journeymap: 1\ntitle: Theme benchmark\npersona: {name: Bench}\n%s' "${2:-}"
  printf 'stages:\n'
  for s in trigger search research purchase delivery returns; do
    printf '  - id: %s\n    name: %s\n    emotion: 0\n    touchpoints: [{name: Web}]\n' "$s" "$s"
  done
  printf 'surveys:\n  - id: bench\n    file: answers.csv\n    stage_column: stage\n'
  printf '    measures: {nps: nps, csat: csat, ces: ces, comment: comment}\n%s' "$1"
}
map '' > "$work/comments.journey.yaml"
map '' 'themes: codebook.themes.yaml
' > "$work/codebook.journey.yaml"
map '    sentiment: true
    language: en
' > "$work/english.journey.yaml"
map '    sentiment: true
' > "$work/detected.journey.yaml"

. benches/timing.sh

cases=(comments codebook english detected)
# Every case renders, and gives the same bytes on one thread as on every core, before any time.
for case in "${cases[@]}"; do
  render=("$bin" render -f json "$work/$case.journey.yaml")
  env JOURNEYMAP_THREADS=1 "${render[@]}" > "$work/$case-1.json" 2> "$work/$case.err" ||
    { cat "$work/$case.err"; exit 1; }
  "${render[@]}" > "$work/$case-all.json" 2> "$work/$case.err" || { cat "$work/$case.err"; exit 1; }
  cmp "$work/$case-1.json" "$work/$case-all.json"
done
# The comments counted by journeymap itself, and what the codebook found in them.
python3 - "$work/codebook-all.json" "$rows" "$(du -m "$work/answers.csv" | cut -f1)" "$runs" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
themes = doc["themes"]
print(f"{sys.argv[2]} rows, {doc['survey_summary'][0]['comments']} comments ({sys.argv[3]} MB), "
      f"median of {sys.argv[4]} runs; codebook: journey n = {themes[0]['n']}, "
      + ", ".join(f"{t['id']} {t['matched']}" for t in themes[:5]) + ", ...")
PY
printf '| %-38s | %14s | %14s | %10s |\n' case "1 thread (s)" "all cores (s)" "peak MB"
printf '|%s|%s|%s|%s|\n' "----------------------------------------" "----------------" "----------------" "------------"
for case in "${cases[@]}"; do
  render=("$bin" render -f json "$work/$case.journey.yaml")
  printf '| %-38s | %14s | %14s | %10s |\n' "$case" "$(wall "$runs" env JOURNEYMAP_THREADS=1 "${render[@]}")" \
    "$(wall "$runs" "${render[@]}")" "$(peak "${render[@]}")"
done
