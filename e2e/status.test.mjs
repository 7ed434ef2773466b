// "Cek Status Laporan": a citizen files a report, opens the status view, enters the tracking
// number from the receipt and sees its stage; when LAPOR! (the simulator) moves the complaint
// on, checking again shows LAPOR!'s new status. An unknown number says so. The view is
// audited by axe-core (WCAG 2.1 A and AA) and used with the keyboard alone.
// scripts/e2e.sh starts the gateway with --status-sync-secs 1, so a change at LAPOR! reaches
// the gateway within about two seconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launch, openPage, complaintArrives, eventually, screenshot, seriousProblems } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { Receipt, recordSubmitted } from "./lib/receipt.mjs";
import { sampleReport } from "./lib/reports.mjs";
import { audit, describe } from "./lib/axe.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Page object for the status view, found by role and label like a citizen finds it. */
class StatusView {
  constructor(host) {
    this.host = host;
  }

  get toggle() { return this.host.getByRole("button", { name: "Cek Status Laporan", exact: true }); }
  get formToggle() { return this.host.getByRole("button", { name: "Buat Laporan", exact: true }); }
  get field() { return this.host.getByLabel("Nomor Pelacakan", { exact: true }); }
  get checkButton() { return this.host.getByRole("button", { name: "Cek Status", exact: true }); }
  /** The result, announced as a status; hidden elements (the receipt's region) do not count. */
  get result() { return this.host.getByRole("status"); }

  async open() {
    await this.toggle.click();
    await this.field.waitFor({ state: "visible" });
    assert.equal(await this.toggle.getAttribute("aria-pressed"), "true");
    assert.equal(await this.formToggle.getAttribute("aria-pressed"), "false");
    return this;
  }

  async check(typed) {
    await this.field.fill(typed);
    await this.checkButton.click();
  }

  async resultText() {
    return (await this.result.innerText()).replace(/\s+/g, " ").trim();
  }

  /** Checks `typed` until the result contains `wanted` (the gateway syncs every second). */
  async checkUntil(typed, wanted, what) {
    return eventually(what, async () => {
      await this.check(typed);
      await this.host.page().waitForTimeout(300);
      const text = await this.resultText();
      return text.includes(wanted) ? text : null;
    }, { timeout: 30_000, interval: 700 });
  }
}

async function advance(complaintId) {
  const r = await fetch(`${env.simulator}/_simulator/complaints/${complaintId}/advance`, { method: "POST" });
  assert.equal(r.status, 200, "the simulator moved the complaint on");
  return (await r.json()).results;
}

test("a citizen follows the report they filed, up to LAPOR!'s next status", { timeout: 120_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const host = page.locator("div.lapor-widget-host");
    const form = await new ReportForm(host).ready();
    const submitted = await recordSubmitted(page);
    const report = sampleReport("aspirasi");
    await form.fill(report);
    await form.submit();
    const receipt = await new Receipt(host).waitFor();
    const trackingId = (await submitted())[0]?.detail?.tracking_id ?? "";
    assert.ok(trackingId && (await receipt.text()).includes(trackingId), "the receipt shows the tracking number");

    const view = await new StatusView(host).open();
    assert.ok(!(await receipt.region.isVisible()), "the receipt is hidden under the status view");
    // This device's reports are listed: the one just filed is there, as a button.
    await host.getByRole("button", { name: trackingId }).waitFor({ timeout: 10_000 });
    // As a citizen might type it: lower case, with spaces around.
    const typed = `  ${trackingId.toLowerCase()} `;
    await view.check(typed);
    const first = await eventually("a stage", async () => {
      const text = await view.resultText();
      return /Diterima, sedang diteruskan|Diteruskan ke LAPOR!/.test(text) ? text : null;
    });
    assert.ok(first.includes(`Laporan ${trackingId}`), first);

    // LAPOR! has it, and the gateway has synced its first status.
    const complaint = await complaintArrives(report.title);
    assert.equal(complaint.request_id, trackingId);
    assert.equal(complaint.status_code, "verifikasi");
    const forwarded = await view.checkUntil(typed, "Verifikasi:", "LAPOR!'s first status");
    assert.ok(forwarded.includes("Diteruskan ke LAPOR!"), forwarded);
    await screenshot(host, "status-1-forwarded");
    const violations = await audit(host);
    assert.equal(violations.length, 0, `axe (WCAG 2.1 A/AA) on the status view:\n${describe(violations)}`);

    // LAPOR! moves the complaint on; checking again shows the new status.
    assert.equal((await advance(complaint.complaint_id)).status_code, "tindak_lanjut");
    const next = await view.checkUntil(typed, "Tindak lanjut:", "LAPOR!'s new status");
    assert.ok(!next.includes("Verifikasi:"), next);
    await screenshot(host, "status-2-tindak-lanjut");

    // Back to the form: the receipt is still there.
    await view.formToggle.click();
    await receipt.waitFor();

    // At the next visit the number is still listed (IndexedDB), and its button checks it.
    await page.reload();
    await new ReportForm(host).ready();
    const later = await new StatusView(host).open();
    await host.getByRole("button", { name: trackingId }).click();
    await eventually("the listed report's status", async () =>
      (await later.resultText()).includes(`Laporan ${trackingId}`));
    assert.deepEqual(seriousProblems(problems), [], "no uncaught error or CSP violation");
  } finally {
    await context.close();
  }
});

test("a status check with an unknown or a wrong tracking number says so", { timeout: 60_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const host = page.locator("div.lapor-widget-host");
    await new ReportForm(host).ready();
    const view = await new StatusView(host).open();

    await view.check("lpr-0000-0000-0000");
    await eventually("the not-found message", async () =>
      (await view.resultText()).includes("Tidak ada laporan dengan nomor pelacakan LPR-0000-0000-0000"));

    // A number that cannot be one is an inline error, described to assistive technology.
    await view.check("LPR/../config");
    assert.equal(await view.field.getAttribute("aria-invalid"), "true");
    const described = await ReportForm.describedBy(view.field);
    assert.ok(described.some((d) => d?.startsWith("Nomor pelacakan hanya berisi")), JSON.stringify(described));
    assert.ok(await ReportForm.hasFocus(view.field), "the focus is on the field in error");
    await screenshot(host, "status-3-invalid");
    const violations = await audit(host);
    assert.equal(violations.length, 0, `axe on the status view with an error:\n${describe(violations)}`);
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});

test("the status view works with the keyboard alone", { timeout: 60_000 }, async () => {
  const { page, context } = await openPage(browser, "/");
  try {
    const host = page.locator("div.lapor-widget-host");
    await new ReportForm(host).ready();
    const view = new StatusView(host);
    // Tab to the toggle, Enter to open the view, Tab to the field, type, Enter to check.
    const focused = (locator) => locator.evaluate((el) => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a === el;
    });
    for (let i = 0; i < 60 && !(await focused(view.toggle)); i++) await page.keyboard.press("Tab");
    assert.ok(await focused(view.toggle), "Tab reaches the status toggle");
    await page.keyboard.press("Enter");
    await view.field.waitFor({ state: "visible" });
    for (let i = 0; i < 10 && !(await focused(view.field)); i++) await page.keyboard.press("Tab");
    assert.ok(await focused(view.field), "Tab reaches the tracking number");
    await page.keyboard.type("LPR-0000-0000-0001");
    await page.keyboard.press("Enter");
    await eventually("the answer", async () => (await view.resultText()).includes("LPR-0000-0000-0001"));
  } finally {
    await context.close();
  }
});
