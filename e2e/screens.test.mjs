// The three screens a citizen sees (empty form, form with errors, receipt) on a 360×640 phone
// and a 1280×800 desktop: each is audited by axe-core inside the shadow root (WCAG 2.1 A and
// AA: no violation allowed) and saved as a screenshot under artifacts/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, screenshot, makeFile, complaintArrives, VIEWPORTS } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { Receipt } from "./lib/receipt.mjs";
import { sampleReport } from "./lib/reports.mjs";
import { audit, describe } from "./lib/axe.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function noViolations(host, screen) {
  const v = await audit(host);
  assert.equal(v.length, 0, `axe (WCAG 2.1 A/AA) on ${screen}:\n${describe(v)}`);
}

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  test(`${name} ${viewport.width}×${viewport.height}: empty form, errors and receipt pass axe`, { timeout: 120_000 }, async () => {
    const { page, context } = await openPage(browser, "/", { viewport });
    try {
      const host = page.locator("div.lapor-widget-host");
      const form = await new ReportForm(host).ready();
      // The page as a visitor sees it on arriving at the complaint section.
      await page.evaluate(() => document.getElementById("pengaduan")?.scrollIntoView());
      await page.screenshot({ path: `${process.env.E2E_ARTIFACTS || "artifacts/e2e"}/${name}-page.png` });
      await screenshot(host, `${name}-1-empty`);
      await noViolations(host, "the empty form");

      await form.submit();
      await form.errorSummary.waitFor({ state: "visible" });
      await screenshot(host, `${name}-2-errors`);
      await noViolations(host, "the form with errors");

      const report = sampleReport("pengaduan", [await makeFile(page, "jpeg")]);
      await form.fill(report);
      await form.submit();
      const receipt = await new Receipt(host).waitFor();
      await screenshot(host, `${name}-3-receipt`);
      await noViolations(host, "the receipt");
      assert.ok(await receipt.copyButton.isVisible(), "a copy button for the tracking id");
      await complaintArrives(report.title);
    } finally {
      await context.close();
    }
  });
}
