// Real-client checks of journeymap's outputs, run by `node --test` (tests/browser.rs runs
// it from `cargo test`). For every example:
//   - Debian's Chromium (playwright-core) at 1440 px and 390 px: no console errors, no
//     network request, no page-level horizontal overflow, the grid region reachable by
//     keyboard, zero serious or critical axe-core violations (light and dark), and a
//     landscape A3 PDF print that succeeds;
//   - the W3C Nu HTML checker (vnu.jar): zero errors;
//   - Mermaid's own parser, in the same Chromium: every emitted `journey` block parses.
// JOURNEYMAP_BIN names the binary (default: target/debug/journeymap).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = process.env.JOURNEYMAP_BIN || join(root, "target/debug/journeymap");
const out = mkdtempSync(join(tmpdir(), "journeymap-clients-"));

function maps(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return maps(p);
    return name.endsWith(".journey.yaml") ? [p] : [];
  });
}

function render(map, format) {
  return execFileSync(bin, ["render", "-f", format, map], {
    cwd: root,
    env: { ...process.env, JOURNEYMAP_TODAY: "2026-11-22" },
    maxBuffer: 64 * 1024 * 1024,
  }).toString("utf8");
}

// The examples, plus a map whose text tries every trick, so the checks see the worst case.
const hostileDir = mkdtempSync(join(tmpdir(), "journeymap-hostile-"));
const hostile = join(hostileDir, "hostile.journey.yaml");
const h = JSON.stringify('Pay: card #2; "quotes" <b>bold</b> {{ x }} | pipe `tick`');
writeFileSync(
  hostile,
  `journeymap: 1
title: ${h}
persona: {name: ${h}}
stages:
${Array.from({ length: 12 }, (_, i) => `  - id: s${i}
    name: ${JSON.stringify(`Stage ${i}: check #${i}; ok`)}
    goal: ${h}
    emotion: {score: ${((i % 5) - 2) / 1}, label: ${h}}
    touchpoints: [{name: ${h}, channel: web, moment_of_truth: true}]
    pain_points: [{id: p${i}, text: ${h}, severity: critical}]
    solutions: [{id: o${i}, text: ${h}, addresses: [p${i}]}]
    funnel: ${1000 - i * 50}`).join("\n")}
`,
);

// Stage names that are Mermaid keywords at the start of a task line.
const keywords = join(hostileDir, "keywords.journey.yaml");
const names = ["Journey planning", "Title page", "Section 2", "accTitle: x", "accDescr {y}", "title"];
writeFileSync(
  keywords,
  `journeymap: 1
title: Keywords as names
persona: {name: Kim}
stages:
${names.map((n, i) => `  - id: k${i}
    name: ${JSON.stringify(n)}
    emotion: ${(i % 5) - 2}
    touchpoints: [{name: t}]`).join("\n")}
`,
);

// Twelve stages with long labels, measured scores next to the team's, and four segments:
// the crowded curve the label placement has to cope with.
const crowded = join(hostileDir, "crowded.journey.yaml");
const feelings = [
  "Overwhelmed by near-identical options and jargon",
  "Cheated",
  "Quietly hopeful that this time it will simply work",
  "Anxious",
  "Relieved, then immediately suspicious of the small print",
  "Fine",
  "Frustrated beyond words by the third identical form",
  "Indifferent",
  "Delighted",
  "Confused about which of the two confirmation emails counts",
  "Impatient",
  "Reassured by a real person on the phone",
];
const scores = [-1, -1.5, 0, -0.5, 1.5, 0.5, -2, 0, 2, -0.5, -1, 1];
// CSAT answers around 3 + the team's score, so each measured point lands near the team's,
// and each segment a little apart from the others.
const rows = ["Stage,CSAT,Segment"];
scores.forEach((score, i) => {
  for (let k = 0; k < 40; k++) {
    const g = k % 4;
    const csat = Math.min(5, Math.max(1, Math.round(3 + score + [0, 1, -1, 0.5][g] * (k % 2))));
    rows.push(`c${i},${csat},${["Web", "App", "Store", "Phone"][g]}`);
  }
});
writeFileSync(join(hostileDir, "crowded.csv"), rows.join("\n") + "\n");
writeFileSync(
  crowded,
  `journeymap: 1
title: A crowded curve
persona: {name: Ana}
stages:
${feelings.map((f, i) => `  - id: c${i}
    name: ${JSON.stringify(`Stage ${i + 1} with a considerably long name`)}
    emotion: {score: ${scores[i]}, label: ${JSON.stringify(f)}}`).join("\n")}
surveys:
  - id: pulse
    file: crowded.csv
    layout: long
    stage_column: Stage
    measures: {csat: CSAT}
    emotion_from: csat
    segment_by: Segment
`,
);

const examples = [...maps(join(root, "examples")).sort(), hostile, keywords, crowded];
const pages = examples.map((map, i) => {
  const file = join(out, `page-${i}.html`);
  writeFileSync(file, render(map, "html"));
  return { map: map.replace(root + "/", ""), file };
});

// A portfolio rendered as a folder: its index, a parent whose stages show their detailed
// journeys, and a sub-journey with its breadcrumb.
const site = join(out, "portfolio");
execFileSync(bin, ["render", "tests/fixtures/portfolio", "-o", site + "/", "-q"], {
  cwd: root,
  env: { ...process.env, JOURNEYMAP_TODAY: "2026-11-22" },
});
const portfolio = ["index.html", "lifecycle.html", "journeys/buying.html", "journeys/checkout/paying.html"].map(
  (name) => ({ map: `portfolio ${name}`, file: join(site, name) }),
);

const flags = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: flags });
});
after(async () => {
  await browser?.close();
});

const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");

// Open `file` in a new page of `options`: the page, its context, and what it logged as an
// error or asked the network for (nothing, for a self-contained page).
async function open(file, options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => r.url() !== pathToFileURL(file).href && requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { context, page, errors, requests };
}

for (const { map, file } of pages) {
  test(`${map}: Chromium loads it cleanly at 1440 and 390 px`, async () => {
    for (const width of [1440, 390]) {
      const { context, page, errors, requests } = await open(file, { viewport: { width, height: 900 } });
      assert.deepEqual(errors, [], `console errors at ${width}px`);
      assert.deepEqual(requests, [], `network requests at ${width}px`);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${width}px`);
      // The grid scrolls inside its own region, and that region takes keyboard focus.
      const region = await page.evaluate(() => {
        const r = document.querySelector(".grid-scroll");
        return { tabindex: r.getAttribute("tabindex"), role: r.getAttribute("role") };
      });
      assert.deepEqual(region, { tabindex: "0", role: "region" });
      // Keyboard users reach the grid by tabbing.
      let reached = false;
      for (let i = 0; i < 200 && !reached; i++) {
        await page.keyboard.press("Tab");
        reached = await page.evaluate(() => document.activeElement?.classList.contains("grid-scroll"));
      }
      assert.ok(reached, `Tab never reaches the grid at ${width}px`);
      await context.close();
    }
  });

  test(`${map}: no serious or critical axe violations, light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => await window.axe.run(document));
      const bad = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      assert.deepEqual(bad, [], `${colorScheme}`);
      await context.close();
    }
  });

  test(`${map}: prints to a landscape A3 PDF, the grid fitted to the page`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const pdf = await page.pdf({ format: "A3", landscape: true, printBackground: true });
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 10_000, `a ${pdf.length}-byte PDF is too small to hold the map`);
    // Laid out for print on the A3 page's width (400 mm = 1512 px), the grid is zoomed to
    // fit: no stage column runs past the page edge, and the grid is not shrunk far below
    // what the page could hold. (`render -f pdf` sets its own zoom for A4 and posters:
    // tests/pictures.rs reads those PDFs.)
    await page.emulateMedia({ media: "print" });
    for (const [paper, width] of [["A3", 1512]]) {
      await page.setViewportSize({ width, height: 1000 });
      const { past, used, natural } = await page.evaluate((width) => {
        const ths = [...document.querySelectorAll("table.grid > thead > tr > th")];
        const rights = ths.map((th) => th.getBoundingClientRect().right);
        const left = document.querySelector("table.grid").getBoundingClientRect().left;
        return {
          past: rights.filter((r) => r > width + 0.5),
          used: Math.max(...rights) - left,
          natural: 134 + 208 * (ths.length - 1),
        };
      }, width);
      assert.deepEqual(past, [], `stage columns past the ${paper} page edge`);
      // A grid wider than the page fills at least 90% of it.
      if (natural > width) {
        assert.ok(used >= width * 0.9, `on ${paper} the grid uses ${used} px of ${width}`);
      }
    }
    await context.close();
  });
}

// Every text box in the emotion chart (labels and axis values) and every point marker, in
// page coordinates; the plot's own box.
function chartBoxes() {
  const plot = document.querySelector(".curve .plot");
  if (!plot) return null;
  const box = (e, what, grow = 0) => {
    const r = e.getBoundingClientRect();
    return { x: r.left - grow, y: r.top - grow, w: r.width + 2 * grow, h: r.height + 2 * grow, what };
  };
  const texts = [...plot.querySelectorAll(".pt, .axis")].map((e) => box(e, e.textContent.trim()));
  const points = [
    ...[...plot.querySelectorAll("path.dot")].map((e) =>
      box(e, "point", parseFloat(getComputedStyle(e).strokeWidth) / 2),
    ),
    ...[...plot.querySelectorAll(":scope > .seg-mark")].map((e) => box(e, "segment point")),
  ];
  return { plot: box(plot, "plot"), texts, points };
}

// What overlaps in a chart: pairs of text boxes, text boxes on points, text outside the plot.
function overlaps({ plot, texts, points }) {
  const meet = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const bad = [];
  texts.forEach((a, i) => {
    texts.slice(i + 1).forEach((b) => meet(a, b) && bad.push(`"${a.what}" meets "${b.what}"`));
    points.forEach((p) => meet(a, p) && bad.push(`"${a.what}" covers a ${p.what}`));
    const inside = a.x >= plot.x - 0.5 && a.y >= plot.y - 0.5 && a.x + a.w <= plot.x + plot.w + 0.5 && a.y + a.h <= plot.y + plot.h + 0.5;
    if (!inside) bad.push(`"${a.what}" is outside the plot`);
  });
  return bad;
}

// Words broken inside: for each text node under `selector`, every word whose letters land on
// more than one line, with whether the word alone is wider than its element's content box.
function brokenWords(selector) {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    const content = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const m of text.matchAll(/[^\s\u00ad]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) {
          // How wide the word is on one line: measured in a copy that does not wrap.
          const probe = document.createElement("span");
          probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
          probe.textContent = m[0].replaceAll("\u00ad", "");
          node.parentElement.appendChild(probe);
          const width = probe.getBoundingClientRect().width;
          probe.remove();
          out.push({ word: m[0], width, content, wider: width > content });
        }
      }
    }
  }
  return out;
}

const wordSelectors = ".grid thead th, .grid th[scope=row], table.backlog thead th, .seg-table th, .reach-segments th, .summary h2, .summary .label, .tile .big";

for (const { map, file } of pages) {
  test(`${map}: no chart text overlaps, and no word breaks, at 1440 and 390 px, light and dark`, async () => {
    for (const width of [1440, 390]) {
      for (const colorScheme of ["light", "dark"]) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
        const page = await context.newPage();
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
        const boxes = await page.evaluate(chartBoxes);
        if (boxes) {
          assert.deepEqual(overlaps(boxes), [], `${width}px ${colorScheme}`);
        }
        // Nothing in a grid cell runs into the next one.
        const spill = await page.evaluate(() =>
          [...document.querySelectorAll("table.grid > tbody > tr > td")]
            .filter((td) => td.scrollWidth > td.clientWidth + 0.5)
            .map((td) => `${td.parentElement.querySelector("th")?.textContent.trim()}: ${td.scrollWidth} > ${td.clientWidth}`),
        );
        assert.deepEqual(spill, [], `grid cells overflow at ${width}px`);
        const broken = await page.evaluate(brokenWords, wordSelectors);
        const allowed = width < 600 ? broken.filter((b) => !b.wider) : broken;
        assert.deepEqual(allowed, [], `words broken at ${width}px ${colorScheme}`);
        await context.close();
      }
    }
  });
}

for (const { map, file } of portfolio) {
  test(`${map}: loads cleanly, nothing overflows or overlaps, no serious axe violations, at 1440 and 390 px, light and dark`, async () => {
    for (const width of [1440, 390]) {
      for (const colorScheme of ["light", "dark"]) {
        const { context, page, errors, requests } = await open(file, {
          viewport: { width, height: 900 },
          colorScheme,
          bypassCSP: true,
        });
        const where = `${width}px ${colorScheme}`;
        assert.deepEqual(errors, [], `console errors at ${where}`);
        assert.deepEqual(requests, [], `network requests at ${where}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${where}`);
        // Cards and the stage boxes of the lifecycle row: none spills out of itself, and no
        // two boxes of one row meet.
        const bad = await page.evaluate(() => {
          const out = [];
          for (const e of document.querySelectorAll(".card.detail, .lifecycle > li, table.grid > tbody > tr > td")) {
            if (e.scrollWidth > e.clientWidth + 0.5) out.push(`${e.className || e.tagName} spills: ${e.scrollWidth} > ${e.clientWidth}`);
          }
          for (const row of document.querySelectorAll(".lifecycle")) {
            const boxes = [...row.children].map((li) => li.getBoundingClientRect());
            boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
              const meet = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
              if (meet) out.push(`stage boxes ${i + 1} and ${i + j + 2} overlap`);
            }));
          }
          return out;
        });
        assert.deepEqual(bad, [], where);
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () => await window.axe.run(document));
        const serious = result.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        assert.deepEqual(serious, [], where);
        await context.close();
      }
    }
  });
}

test("the overlap and word-break checks find what they look for (the checks can fail)", async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await page.setContent(`<!DOCTYPE html><html><body>
<div class="curve"><div class="plot" style="position:relative;height:200px">
<svg style="position:absolute;inset:0;width:100%;height:100%"><path class="dot" d="M400 100h0" style="stroke-width:12"/></svg>
<span class="pt" style="position:absolute;left:100px;top:10px">one label</span>
<span class="pt" style="position:absolute;left:120px;top:14px">another</span>
<span class="pt" style="position:absolute;left:392px;top:96px">on a point</span>
<span class="axis" style="position:absolute;left:3px;top:190px">below</span>
</div></div>
<table class="grid"><thead><tr><th style="width:60px;overflow-wrap:anywhere">Be considered</th></tr></thead></table>
</body></html>`);
  const bad = overlaps(await page.evaluate(chartBoxes));
  assert.ok(bad.some((b) => b.includes('"one label" meets "another"')), bad.join("; "));
  assert.ok(bad.some((b) => b.includes('"on a point" covers a point')), bad.join("; "));
  assert.ok(bad.some((b) => b.includes('"below" is outside the plot')), bad.join("; "));
  const broken = await page.evaluate(brokenWords, "th");
  assert.deepEqual(broken.map((b) => b.word), ["considered"]);
  await context.close();
});

test("axe does report violations on a page that has them (the check can fail)", async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.setContent('<!DOCTYPE html><html><body><img src="data:,"><p style="color:#eee;background:#fff">faint</p></body></html>');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document));
  const ids = result.violations.map((v) => v.id);
  assert.ok(ids.includes("image-alt") && ids.includes("color-contrast"), ids.join(", "));
  await context.close();
});

test("the Nu HTML checker finds no errors in any page", () => {
  const jar = join(here, "node_modules/vnu-jar/build/dist/vnu.jar");
  let report;
  try {
    execFileSync("java", ["-jar", jar, "--errors-only", "--format", "json", ...[...pages, ...portfolio].map((p) => p.file)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    report = { messages: [] };
  } catch (e) {
    report = JSON.parse(e.stderr.toString("utf8"));
  }
  const errors = report.messages.filter((m) => m.type === "error");
  assert.deepEqual(
    errors.map((m) => `${m.url.split("/").pop()}:${m.lastLine}: ${m.message}`),
    [],
  );
});

test("Mermaid's parser accepts every emitted journey block", async () => {
  const blocks = examples.map((map) => {
    const md = render(map, "markdown");
    const m = md.match(/```mermaid\n([\s\S]*?)```/);
    assert.ok(m, `${map} has a mermaid block`);
    return { map, text: m[1] };
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent("<!DOCTYPE html><html><body></body></html>");
  await page.addScriptTag({ path: join(here, "node_modules/mermaid/dist/mermaid.min.js") });
  const results = await page.evaluate(async (blocks) => {
    window.mermaid.initialize({ startOnLoad: false });
    const out = [];
    for (const b of blocks) {
      try {
        const r = await window.mermaid.parse(b.text);
        // What Mermaid understood: the title and one task per stage, none taken as a keyword.
        const d = await window.mermaid.mermaidAPI.getDiagramFromText(b.text);
        out.push({
          map: b.map,
          ok: true,
          type: r.diagramType,
          title: d.db.getDiagramTitle(),
          tasks: d.db.getTasks().length,
        });
      } catch (e) {
        out.push({ map: b.map, ok: false, error: String(e.message || e) });
      }
    }
    return out;
  }, blocks);
  for (const r of results) {
    assert.ok(r.ok, `${r.map}: ${r.error}`);
    assert.equal(r.type, "journey", r.map);
  }
  const k = results.find((r) => r.map === keywords);
  assert.equal(k.title, "Keywords as names");
  assert.equal(k.tasks, names.length);
  // A deliberately broken block is refused, so the check can fail.
  const refused = await page.evaluate(async () => {
    try {
      await window.mermaid.parse("journey\n  section A\n    task with no score\n");
      return false;
    } catch {
      return true;
    }
  });
  assert.ok(refused, "Mermaid refuses a task without a score");
  await context.close();
});

// `render -f png`: the picture is as wide as asked, as tall as the page Chromium lays out at
// that width (the whole map, not a screenful), and not blank.
test("a PNG shows the whole map, and is not blank", async () => {
  const map = join(root, "examples/toothbrush/toothbrush.journey.yaml");
  const png = join(out, "toothbrush.png");
  execFileSync(bin, ["render", map, "-o", png, "--width", "1200", "-q"], {
    cwd: root,
    env: { ...process.env, JOURNEYMAP_TODAY: "2026-11-22" },
  });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(pathToFileURL(pages.find((p) => p.map.endsWith("toothbrush.journey.yaml")).file).href);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const data = `data:image/png;base64,${readFileSync(png).toString("base64")}`;
  const seen = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = data;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let ink = 0;
    for (let i = 0; i < px.length; i += 4 * 7) {
      colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      if (px[i] + px[i + 1] + px[i + 2] < 600) ink++;
    }
    // The last 40 rows: the footer's text is there, so nothing was cut off below.
    const bottom = g.getImageData(0, canvas.height - 40, canvas.width, 40).data;
    let bottomInk = 0;
    for (let i = 0; i < bottom.length; i += 4) if (bottom[i] + bottom[i + 1] + bottom[i + 2] < 450) bottomInk++;
    return { width: img.naturalWidth, height: img.naturalHeight, colours: colours.size, ink: ink / (px.length / 28), bottomInk };
  }, data);
  assert.equal(seen.width, 1200);
  assert.ok(Math.abs(seen.height - height) <= 2, `PNG ${seen.height} px, page ${height} px`);
  assert.ok(seen.colours > 50, `${seen.colours} colours`);
  assert.ok(seen.ink > 0.03, `${(seen.ink * 100).toFixed(1)}% ink`);
  assert.ok(seen.bottomInk > 20, "the footer is in the picture");
  await context.close();
});

// `journeymap serve`: an open page follows the map on disk without being touched.
test("serve: the open page shows a new title, then the diagnostics, then the map again, within two seconds each", async () => {
  const dir = mkdtempSync(join(tmpdir(), "journeymap-serve-"));
  const map = join(dir, "live.journey.yaml");
  const body = (title) => `journeymap: 1
title: ${title}
persona: {name: Kim}
stages:
  - id: one
    name: One
    emotion: 1
    touchpoints: [{name: Web}]
`;
  writeFileSync(map, body("First title"));
  const server = spawn(bin, ["serve", map, "--port", "0"], {
    env: { ...process.env, JOURNEYMAP_TODAY: "2026-11-22" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let text = "";
      server.stdout.on("data", (d) => {
        text += d;
        if (text.includes("\n")) resolve(text.split("\n")[0].trim());
      });
      server.on("exit", (c) => reject(new Error(`serve exited with ${c}`)));
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(url);
    assert.equal(await page.textContent("h1"), "First title");
    const h1Is = (t) => page.waitForFunction((t) => document.querySelector("h1")?.textContent === t, t, { timeout: 2000 });
    writeFileSync(map, body("Second title"));
    await h1Is("Second title");
    writeFileSync(map, "journeymap: 1\ntitle: [unclosed\n");
    await page.waitForSelector("pre.diagnostics", { timeout: 2000 });
    assert.match(await page.textContent("pre.diagnostics"), /live\.journey\.yaml:\d+:\d+/);
    writeFileSync(map, body("Third title"));
    await h1Is("Third title");
    // The reload script ran under the page's CSP without a violation.
    assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
    await context.close();
  } finally {
    server.kill();
  }
});
