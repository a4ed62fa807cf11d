// Photograph one element of a rendered page in Debian's chromium, for the README.
// Usage: node tests/browser/element-shot.mjs PAGE.html CSS-SELECTOR OUT.png [EXTRA-CSS]
// EXTRA-CSS is added to the page first (to leave out rows the picture is not about).
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [page, selector, out, css] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const tab = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
await tab.goto(pathToFileURL(page).href);
if (css) await tab.addStyleTag({ content: css });
await tab.locator(selector).first().screenshot({ path: out });
await browser.close();
