// The widget's bytes as real Chromium gets them from the gateway: compressed as the browser asks
// (brotli, else gzip), plain when it asks for neither, with the content type and cache rule of
// each name and an ETag, and a 304 for the loader when its ETag still matches.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, eventually, launch, seriousProblems, VIEWPORTS } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const IMMUTABLE = "public, max-age=31536000, immutable";
const FILES = [
  { kind: "loader", match: /\/widget\/lapor-widget\.js$/, type: "text/javascript; charset=utf-8", cache: "public, max-age=300" },
  { kind: "glue", match: /\/widget\/lapor_widget-[0-9a-f]{8}\.js$/, type: "text/javascript; charset=utf-8", cache: IMMUTABLE },
  { kind: "wasm", match: /\/widget\/lapor_widget_bg-[0-9a-f]{8}\.wasm$/, type: "application/wasm", cache: IMMUTABLE },
];

/** The encoding the gateway should answer a request with, from what the browser offered. */
function expectedEncoding(acceptEncoding) {
  const offered = (acceptEncoding ?? "").split(",").map((e) => e.trim().split(";")[0]);
  if (offered.includes("br")) return "br";
  if (offered.includes("gzip")) return "gzip";
  return undefined;
}

/**
 * Opens the demo page in a fresh context (with `headers` added to every request), waits until
 * the form is ready, and runs `body` with the page and the widget files' responses by kind.
 */
async function withWidget(headers, body) {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, locale: "id-ID" });
  if (headers) await context.setExtraHTTPHeaders(headers);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = [];
    page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
    const responses = [];
    page.on("response", (r) => responses.push(r));
    await page.goto(`${env.site}/`);
    await new ReportForm(page.locator("div.lapor-widget-host")).ready();
    const byKind = {};
    for (const { kind, match } of FILES) {
      const found = responses.filter((r) => r.url().startsWith(env.gateway) && match.test(new URL(r.url()).pathname));
      assert.equal(found.length, 1, `one request for the ${kind}: ${found.map((r) => r.url())}`);
      byKind[kind] = found[0];
    }
    await body({ page, byKind });
    assert.deepEqual(seriousProblems(problems), [], "no uncaught error");
  } finally {
    await context.close();
  }
}

/** Checks one widget file's answer; returns its headers. */
async function checkAnswer(file, response, { compressed }) {
  const asked = (await response.request().allHeaders())["accept-encoding"];
  const headers = await response.allHeaders();
  const what = `${file.kind} (Accept-Encoding: ${asked ?? "none"})`;
  assert.equal(response.status(), 200, what);
  const encoding = expectedEncoding(asked);
  if (compressed) assert.ok(encoding, `Chromium offers brotli or gzip: ${asked}`);
  else assert.equal(encoding, undefined, `the test asked for neither: ${asked}`);
  assert.equal(headers["content-encoding"], encoding, `${what}: Content-Encoding`);
  assert.equal(headers["content-type"], file.type, `${what}: Content-Type`);
  assert.equal(headers["cache-control"], file.cache, `${what}: Cache-Control`);
  assert.match(headers["vary"] ?? "", /accept-encoding/i, `${what}: Vary`);
  assert.match(headers["etag"] ?? "", /^"[0-9a-f]+"$/, `${what}: ETag`);
  return headers;
}

test("Chromium gets the widget compressed as it asks, typed and cached by name, and a 304 for an unchanged loader", { timeout: 90_000 }, async (t) => {
  await withWidget(null, async ({ page, byKind }) => {
    const offered = (await byKind.wasm.request().allHeaders())["accept-encoding"];
    const wasm = await byKind.wasm.allHeaders();
    t.diagnostic(`Chromium offered "${offered}", got the Wasm as ${wasm["content-encoding"]}`);
    const etags = {};
    for (const file of FILES) {
      etags[file.kind] = (await checkAnswer(file, byKind[file.kind], { compressed: true }))["etag"];
    }
    // What a returning visitor's browser does once the loader's five minutes are over: it asks
    // again with the loader's ETag, and the gateway answers 304 with no bytes. The browser
    // shows the page its cached copy as a 200, so the status on the wire is read over CDP.
    const loaderUrl = byKind.loader.url();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const urls = new Map();
    const wire = [];
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
    cdp.on("Network.responseReceivedExtraInfo", (e) => wire.push(e));
    const [revalidated] = await Promise.all([
      page.waitForResponse((r) => r.url() === loaderUrl),
      page.evaluate((url) => fetch(url, { cache: "no-cache" }).then((r) => r.status), loaderUrl),
    ]);
    const sent = await revalidated.request().allHeaders();
    assert.equal(sent["if-none-match"], etags.loader, "the browser revalidates with the loader's ETag");
    const answer = await eventually("the loader's revalidation on the wire", () =>
      wire.find((e) => urls.get(e.requestId) === loaderUrl)
    );
    assert.equal(answer.statusCode, 304, "an unchanged loader is not sent again");
    const headers = Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(headers["etag"], etags.loader);
    assert.equal(headers["cache-control"], "public, max-age=300");
    await cdp.detach();
  });
});

test("a browser that accepts no compression gets the plain files, and the widget works", { timeout: 90_000 }, async () => {
  await withWidget({ "Accept-Encoding": "identity" }, async ({ byKind }) => {
    for (const file of FILES) {
      await checkAnswer(file, byKind[file.kind], { compressed: false });
    }
  });
});
