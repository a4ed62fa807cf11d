#!/usr/bin/env bash
# Redo the README screenshot: render the toothbrush example and photograph it in headless
# Chromium (Debian's `chromium`) at 1440 px. Usage: docs/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
JOURNEYMAP_TODAY=2026-11-22 target/release/journeymap render \
  examples/toothbrush/toothbrush.journey.yaml -o "$work/toothbrush.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1440,1900 \
  --screenshot="$PWD/docs/toothbrush.png" "file://$work/toothbrush.html" 2>/dev/null
echo "wrote docs/toothbrush.png"

# The qualified figure: docs/caveat/delivery.journey.yaml lost two answers and four rows.
target/release/journeymap render docs/caveat/delivery.journey.yaml -o "$work/caveat.html" 2>/dev/null
node tests/browser/element-shot.mjs "$work/caveat.html" "ul.metrics li" "$PWD/docs/caveat.png"
echo "wrote docs/caveat.png"

# Waves and segments: the returns example's curve, figures, trends and segment tables (the
# other lanes left out of the picture).
target/release/journeymap render examples/returns-over-time/returns.journey.yaml -o "$work/returns.html"
node tests/browser/element-shot.mjs "$work/returns.html" "table.grid" "$PWD/docs/waves.png" \
  ".grid > tbody > tr:is(:nth-child(-n+3), :nth-child(5), :nth-child(6), :nth-child(10)) { display: none; }"
echo "wrote docs/waves.png"

# The summary the page opens with (the SaaS example has a journey-wide NPS to head it).
target/release/journeymap render examples/saas-onboarding/saas-onboarding.journey.yaml -o "$work/saas.html" -q
node tests/browser/element-shot.mjs "$work/saas.html" "section.summary" "$PWD/docs/summary.png"
echo "wrote docs/summary.png"

# The one-page poster, made by journeymap itself through the same Chromium, shown small.
target/release/journeymap render examples/toothbrush/toothbrush.journey.yaml -f pdf \
  --paper poster -o "$work/poster.pdf" -q
pdftoppm -png -r 24 -singlefile "$work/poster.pdf" "$PWD/docs/poster"
echo "wrote docs/poster.png"

# Tickets: the toothbrush's solutions with their Jira and GitHub tickets, and the chapter's
# map, whose tickets drift (its map is the chapter's first YAML block).
target/release/journeymap render examples/toothbrush/toothbrush.journey.yaml -o "$work/toothbrush.html" -q
node tests/browser/element-shot.mjs "$work/toothbrush.html" "table.grid" "$PWD/docs/tickets.png" \
  ".grid > tbody > tr:not(:has(li.solution)) { display: none; }"
mkdir -p "$work/tickets" && git -C "$work/tickets" init -q
cp docs/examples/tickets-jira.csv docs/examples/tickets-github.json "$work/tickets/"
awk '/^```yaml$/{n++; next} /^```$/{if (n==1) exit} n==1' docs/tickets.md > "$work/tickets/returns.journey.yaml"
target/release/journeymap render "$work/tickets/returns.journey.yaml" -o "$work/drift.html" -q || true
node tests/browser/element-shot.mjs "$work/drift.html" "table.grid" "$PWD/docs/tickets-drift.png" \
  ".grid > tbody > tr:not(:has(li.solution)) { display: none; } .grid { max-width: 520px; }"
echo "wrote docs/tickets.png and docs/tickets-drift.png"

# Why they drop off: the shop-checkout example's last two stages, from its event log (where
# the lost went next, the detours, what goes with dropping off); the other lanes left out.
target/release/journeymap render examples/shop-checkout/shop-checkout.journey.yaml -o "$work/shop.html" -q
node tests/browser/element-shot.mjs "$work/shop.html" "table.grid" "$work/shop.png" \
  ".grid > tbody > tr:not(:has(td.funnel)) { display: none; }"
python3 -c "
from PIL import Image
im = Image.open('$work/shop.png'); w, h = im.size
c = im.crop((w * 2 // 3, 0, w, h)).convert('RGB')
c = c.resize((c.width * 2 // 3, c.height * 2 // 3), Image.LANCZOS)
c.quantize(colors=64).save('$PWD/docs/where-they-went.png', optimize=True)
"
echo "wrote docs/where-they-went.png"
