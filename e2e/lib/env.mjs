// The world the end-to-end tests run in: the addresses scripts/e2e.sh started, the browser,
// and small helpers (polling, the simulator's inspection API, test files, screenshots).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

function required(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the end-to-end tests with scripts/e2e.sh`);
  }
  return v.replace(/\/$/, "");
}

/** Addresses of this run: the gateway, the LAPOR! simulator and the demo site (another origin). */
export const env = {
  gateway: required("E2E_GATEWAY"),
  simulator: required("E2E_SIMULATOR"),
  site: required("E2E_SITE"),
  artifacts: process.env.E2E_ARTIFACTS || "artifacts/e2e",
};
mkdirSync(env.artifacts, { recursive: true });

export const VIEWPORTS = {
  phone: { width: 360, height: 640 },
  desktop: { width: 1280, height: 800 },
};

export { launch } from "./browser.mjs";

/**
 * A fresh page (own context: no shared storage between tests) that records what would show a
 * broken embedding: uncaught exceptions, console errors and CSP violations.
 */
export async function openPage(browser, path, { viewport = VIEWPORTS.desktop } = {}) {
  const context = await browser.newContext({ viewport, locale: "id-ID", timezoneId: "Asia/Jakarta" });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  await page.goto(env.site + path);
  return { page, context, problems };
}

/** Opens `path` in a fresh context of `browser`, runs `body({page, context, problems})`, and
 *  always closes the context. */
export async function withPage(browser, path, body, opts) {
  const { page, context, problems } = await openPage(browser, path, opts);
  try {
    await body({ page, context, problems });
  } finally {
    await context.close();
  }
}

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeout` ms. */
export async function eventually(what, fn, { timeout = 20_000, interval = 200 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Every complaint the simulator has received (its inspection API). */
export async function simulatorComplaints() {
  const r = await fetch(`${env.simulator}/_simulator/complaints`);
  if (!r.ok) throw new Error(`simulator answered ${r.status}`);
  return r.json();
}

/** Waits until the gateway has forwarded the report titled `title` to the simulator. */
export function complaintArrives(title, timeout = 30_000) {
  return eventually(
    `the complaint "${title}" at the simulator`,
    async () => (await simulatorComplaints()).find((c) => c.title === title),
    { timeout, interval: 300 }
  );
}

/** A report title no other test uses, so tests can find their own report at the simulator. */
export function uniqueTitle(prefix) {
  return `${prefix} [uji ${randomBytes(3).toString("hex")}]`;
}

/** A date `daysAgo` days before today in Asia/Jakarta (UTC+7), as YYYY-MM-DD. */
export function jakartaDate(daysAgo) {
  const d = new Date(Date.now() + 7 * 3600_000 - daysAgo * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** A small attachment made by the test: a real PNG or JPEG drawn by the browser, or a PDF. */
export async function makeFile(page, kind) {
  if (kind === "pdf") {
    const body =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n" +
      "trailer<</Root 1 0 R>>\n%%EOF\n";
    return { name: "surat-keterangan.pdf", mimeType: "application/pdf", buffer: Buffer.from(body) };
  }
  const mimeType = kind === "jpeg" ? "image/jpeg" : "image/png";
  // Drawn in the page with a canvas: CDP evaluation is not subject to the page's CSP.
  const dataUrl = await page.evaluate((type) => {
    const c = document.createElement("canvas");
    c.width = 64;
    c.height = 48;
    const g = c.getContext("2d");
    g.fillStyle = "#2a6f97";
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = "#f2c94c";
    g.fillRect(8, 8, 24, 16);
    return c.toDataURL(type, 0.8);
  }, mimeType);
  const buffer = Buffer.from(dataUrl.split(",")[1], "base64");
  return { name: kind === "jpeg" ? "lampu-jalan.jpg" : "jalan-rusak.png", mimeType, buffer };
}

/** Saves a screenshot of `locator` under artifacts/e2e/. */
export async function screenshot(locator, name) {
  await locator.screenshot({ path: join(env.artifacts, `${name}.png`), animations: "disabled" });
}

/** Uncaught errors and CSP violations seen on the page (console noise of other kinds ignored). */
export function seriousProblems(problems) {
  return problems.filter((p) => /uncaught|Content Security Policy|panicked|RuntimeError/i.test(p));
}
