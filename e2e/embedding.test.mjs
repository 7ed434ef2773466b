// How the widget lives in a host page: one tag, isolation both ways, several instances, the
// script API, and a clear message in its place whenever it cannot appear.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launch, withPage as withPageIn, screenshot, seriousProblems, VIEWPORTS } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const withPage = (path, body, opts) => withPageIn(browser, path, body, opts);

/** The bilingual message the loader shows in the widget's place. */
async function failureMessage(host) {
  const alert = host.getByRole("alert");
  await alert.waitFor({ state: "visible", timeout: 15_000 });
  return (await alert.innerText()).replace(/\s+/g, " ");
}

test("the snippet mounts right after its tag, in an open shadow root, and changes nothing else", { timeout: 60_000 }, async () => {
  // The page's own globals, with the loader blocked, to compare against.
  const blocked = await browser.newContext();
  await blocked.route("**/widget/lapor-widget.js", (r) => r.abort());
  const bp = await blocked.newPage();
  await bp.goto(`${env.site}/`);
  const globalsWithout = await bp.evaluate(() => Object.getOwnPropertyNames(window));
  await blocked.close();

  await withPage("/", async ({ page, problems }) => {
    const host = page.locator("div.lapor-widget-host");
    await new ReportForm(host).ready();
    const facts = await host.evaluate((el) => ({
      after: el.previousElementSibling?.getAttribute("src") ?? "",
      open: el.shadowRoot !== null,
      documentStyles: document.querySelectorAll("style").length + document.adoptedStyleSheets.length,
      sheets: document.styleSheets.length,
      bodyFont: getComputedStyle(document.body).fontSize,
    }));
    assert.match(facts.after, /\/widget\/lapor-widget\.js$/, "the host follows its script tag");
    assert.ok(facts.open, "an open shadow root");
    assert.equal(facts.documentStyles, 0, "no style added to the page");
    assert.equal(facts.sheets, 1, "only the site's own stylesheet");
    assert.equal(facts.bodyFont, "16px", "the page's own font size is untouched");
    const globals = await page.evaluate(() => Object.getOwnPropertyNames(window));
    const added = globals.filter((g) => !globalsWithout.includes(g));
    assert.deepEqual(added, ["LaporWidget"], "the only global is LaporWidget");
    assert.deepEqual(seriousProblems(problems), [], "no uncaught error, no CSP violation");
  });
});

test("a host page with * { all: unset } still gets a usable widget", { timeout: 60_000 }, async () => {
  await withPage("/fixtures/all-unset.html", async ({ page }) => {
    const host = page.locator("div.lapor-widget-host");
    const form = await new ReportForm(host).ready();
    const box = async (l) => (await l.boundingBox()) ?? { width: 0, height: 0 };
    const button = await box(form.submitButton);
    assert.ok(button.width >= 44 && button.height >= 24, `a real button: ${JSON.stringify(button)}`);
    const title = await box(form.title);
    assert.ok(title.width >= 200 && title.height >= 24, `a real text field: ${JSON.stringify(title)}`);
    const fontSize = await form.title.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fontSize >= 14, `readable text (${fontSize}px)`);
    await form.title.fill("Trotoar rusak di Jl. Pattimura");
    assert.equal(await form.title.inputValue(), "Trotoar rusak di Jl. Pattimura");
    await form.submit();
    await form.errorSummary.waitFor({ state: "visible" });
    await screenshot(host, "all-unset-errors");
  }, { viewport: VIEWPORTS.phone });
});

test("two widgets on one page work independently, each in its language and accent", { timeout: 60_000 }, async () => {
  await withPage("/fixtures/two.html", async ({ page, problems }) => {
    const a = new ReportForm(page.locator("#widget-id"));
    await a.ready();
    const en = page.locator("#widget-en");
    const send = en.getByRole("button", { name: /^\s*send/i });
    await send.waitFor({ state: "visible", timeout: 20_000 });
    assert.equal(await page.locator("#widget-en").getByRole("button", { name: /Kirim Laporan/ }).count(), 0,
      "the English widget speaks English");

    await a.title.fill("Judul hanya di widget pertama");
    const enTitle = en.getByRole("textbox").first();
    assert.equal(await enTitle.inputValue(), "", "typing in one does not reach the other");
    await send.click();
    await en.getByRole("alert").first().waitFor({ state: "visible" });
    assert.equal(await a.errorSummary.count(), 0, "errors stay in the widget that has them");

    // --lapor-accent on the host colours the widget inside its shadow root.
    const usesAccent = (host) =>
      host.evaluate((el) => {
        const want = "rgb(123, 31, 162)";
        return [...el.shadowRoot.querySelectorAll("*")].some((n) => {
          const s = getComputedStyle(n);
          return [s.color, s.backgroundColor, s.borderTopColor, s.borderLeftColor, s.outlineColor].includes(want);
        });
      });
    assert.ok(await usesAccent(en), "the accent colour is used");
    assert.ok(!(await usesAccent(page.locator("#widget-id"))), "only where it is set");
    assert.deepEqual(seriousProblems(problems), []);
  });
});

test("LaporWidget.mount returns a handle whose unmount() removes the widget", { timeout: 60_000 }, async () => {
  await withPage("/fixtures/two.html", async ({ page }) => {
    await new ReportForm(page.locator("#widget-id")).ready();
    await page.evaluate((endpoint) => {
      window.__handle = window.LaporWidget.mount(document.getElementById("widget-api"), { endpoint, lang: "id" });
    }, `${env.gateway}/api/v1`);
    const api = page.locator("#widget-api");
    await new ReportForm(api).ready();
    // Mounting again in the same element replaces the widget instead of doubling it.
    await page.evaluate((endpoint) => {
      window.__handle = window.LaporWidget.mount(document.getElementById("widget-api"), { endpoint, lang: "id" });
    }, `${env.gateway}/api/v1`);
    await new ReportForm(api).ready();
    assert.equal(await api.getByRole("button", { name: /Kirim Laporan/ }).count(), 1, "one widget per element");
    await page.evaluate(() => {
      window.__handle.unmount();
      window.__handle.unmount(); // idempotent
    });
    const left = await api.evaluate((el) => (el.shadowRoot ? el.shadowRoot.textContent.trim() : ""));
    assert.equal(left, "", "nothing left after unmount");
    assert.equal(await page.locator("#widget-id").getByRole("button", { name: /Kirim Laporan/ }).count(), 1,
      "the other instances stay");

    // Unmounting before the Wasm has even been used: nothing appears later.
    const early = await page.evaluate((endpoint) => {
      const el = document.createElement("div");
      el.id = "early";
      document.body.append(el);
      window.LaporWidget.mount(el, { endpoint }).unmount();
      return true;
    }, `${env.gateway}/api/v1`);
    assert.ok(early);
    await page.waitForTimeout(1000);
    assert.equal(await page.locator("#early").getByRole("button").count(), 0);
  });
});

test("a tag in <head> with defer mounts in its data-target", { timeout: 60_000 }, async () => {
  await withPage("/fixtures/defer-head.html", async ({ page }) => {
    await new ReportForm(page.locator("#slot")).ready();
  });
});

test("a missing data-endpoint shows a clear message in both languages", { timeout: 30_000 }, async () => {
  await withPage("/fixtures/no-endpoint.html", async ({ page }) => {
    const text = await failureMessage(page.locator("div.lapor-widget-host"));
    assert.match(text, /belum dikonfigurasi/);
    assert.match(text, /not configured/);
    assert.match(text, /data-endpoint/);
  });
});

test("a data-target that matches nothing is reported in the page", { timeout: 30_000 }, async () => {
  await withPage("/fixtures/bad-target.html", async ({ page }) => {
    const text = await failureMessage(page.locator("div.lapor-widget-host"));
    assert.match(text, /data-target/);
  });
});

test("a CSP without 'wasm-unsafe-eval' shows the could-not-load message", { timeout: 30_000 }, async () => {
  await withPage("/fixtures/no-wasm-csp.html", async ({ page }) => {
    const host = page.locator("div.lapor-widget-host");
    const text = await failureMessage(host);
    assert.match(text, /could not be loaded.*tidak dapat dimuat/, "English first (data-lang=en), then Indonesian");
    await screenshot(host, "load-failure");
  });
});

test("a blocked .wasm download shows the could-not-load message", { timeout: 30_000 }, async () => {
  const context = await browser.newContext();
  try {
    await context.route("**/*.wasm", (r) => r.abort("blockedbyclient"));
    const page = await context.newPage();
    await page.goto(`${env.site}/`);
    const text = await failureMessage(page.locator("div.lapor-widget-host"));
    assert.match(text, /tidak dapat dimuat.*could not be loaded/);
    assert.match(text, /lapor\.go\.id/);
  } finally {
    await context.close();
  }
});
