// Reports that survive: a draft (attachments too, the NIK not) comes back after a reload, and a
// report submitted without a connection is sent once the connection is back — with the page
// still open, and after the tab was closed and the page opened again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launch, openPage, eventually, complaintArrives, simulatorComplaints, makeFile, seriousProblems } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { Receipt } from "./lib/receipt.mjs";
import { sampleReport } from "./lib/reports.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const host = (page) => page.locator("div.lapor-widget-host");
const savedNote = (page) => host(page).getByText("Draf tersimpan otomatis di perangkat ini");

/** Waits a little longer than the gateway needs to forward, then counts the reports titled so. */
async function arrivedOnce(title) {
  await complaintArrives(title);
  await new Promise((r) => setTimeout(r, 1500));
  return (await simulatorComplaints()).filter((c) => c.title === title).length;
}

test("a reload in the middle of a report restores it, attachments too, the NIK not", { timeout: 90_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    const photo = await makeFile(page, "jpeg");
    const report = sampleReport("pengaduan", [photo]);
    await form.fill(report);
    await host(page).locator("li.lapor-file[data-state=ready]").waitFor();
    await savedNote(page).waitFor({ timeout: 10_000 });

    await page.reload();
    const again = await new ReportForm(host(page)).ready();
    await host(page).getByText("Draf laporan Anda dipulihkan").waitFor();
    assert.equal(await again.title.inputValue(), report.title);
    assert.equal(await again.content.inputValue(), report.content);
    assert.equal(await again.incidentDate.inputValue(), report.incidentDate);
    assert.equal(await again.name.inputValue(), report.reporter.name);
    assert.equal(await again.phone.inputValue(), report.reporter.phone);
    assert.equal(await again.nik.inputValue(), "", "the NIK is not kept in a draft");
    await eventually("the regency restored", async () => (await again.regency.inputValue()) === "6474");
    const row = host(page).locator("li.lapor-file[data-state=ready]");
    await row.waitFor();
    assert.match(await row.innerText(), /lampu-jalan\.jpg/);

    // The NIK is nowhere in this site's storage.
    const stored = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open("lapor-widget");
          open.onsuccess = () => {
            const all = open.result.transaction("drafts").objectStore("drafts").getAll();
            all.onsuccess = () => resolve(JSON.stringify(all.result));
          };
        }),
    );
    assert.ok(stored.includes(report.title), "the draft is in IndexedDB");
    assert.ok(!stored.includes(report.reporter.nik), "and holds no NIK");

    // With the NIK typed again, the restored report is filed with its attachment.
    await again.nik.fill(report.reporter.nik);
    await again.submit();
    await new Receipt(host(page)).waitFor();
    const c = await complaintArrives(report.title);
    assert.equal(c.attachments.length, 1, "the restored attachment was sent");
    // A confirmed report leaves no draft behind.
    await page.reload();
    await new ReportForm(host(page)).ready();
    await page.waitForTimeout(500);
    assert.equal(await host(page).getByText("Draf laporan Anda dipulihkan").count(), 0);
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});

test("Hapus draf empties the form and the draft is gone after a reload", { timeout: 60_000 }, async () => {
  const { page, context } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    await form.title.fill("Draf yang akan dihapus");
    await savedNote(page).waitFor({ timeout: 10_000 });
    await page.reload();
    const again = await new ReportForm(host(page)).ready();
    await host(page).getByRole("button", { name: "Hapus draf" }).click();
    assert.equal(await again.title.inputValue(), "");
    await page.waitForTimeout(800);
    await page.reload();
    const third = await new ReportForm(host(page)).ready();
    await page.waitForTimeout(500);
    assert.equal(await third.title.inputValue(), "");
    assert.equal(await host(page).getByText("Draf laporan Anda dipulihkan").count(), 0);
  } finally {
    await context.close();
  }
});

test("a report submitted offline arrives exactly once when the connection is back", { timeout: 90_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    const report = sampleReport("aspirasi", [await makeFile(page, "pdf")]);
    await form.fill(report);
    await context.setOffline(true);
    await form.submit();
    await host(page).getByText("Laporan menunggu koneksi").waitFor();
    await page.waitForTimeout(1000);
    assert.equal((await simulatorComplaints()).filter((c) => c.title === report.title).length, 0);

    await context.setOffline(false);
    const receipt = await new Receipt(host(page)).waitFor();
    assert.match(await receipt.text(), /[A-Z0-9-]{6,}/);
    assert.equal(await arrivedOnce(report.title), 1, "the same report never arrives twice");
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});

test("a report submitted offline is sent at the next visit when the tab was closed", { timeout: 90_000 }, async () => {
  const { page, context } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    const report = sampleReport("permintaan_informasi", [await makeFile(page, "png")]);
    await form.fill(report);
    await context.setOffline(true);
    await form.submit();
    await host(page).getByText("Laporan menunggu koneksi").waitFor();
    await page.close();
    assert.equal((await simulatorComplaints()).filter((c) => c.title === report.title).length, 0);

    await context.setOffline(false);
    const next = await context.newPage();
    await next.goto(env.site + "/");
    const receipt = await new Receipt(host(next)).waitFor();
    assert.match(await receipt.text(), /[A-Z0-9-]{6,}/);
    assert.equal(await arrivedOnce(report.title), 1, "the same report never arrives twice");
    const c = (await simulatorComplaints()).find((x) => x.title === report.title);
    assert.equal(c.attachments.length, 1, "with its attachment");
  } finally {
    await context.close();
  }
});

test("a bare 403 from something on the network keeps the report and says the network blocked it", { timeout: 90_000 }, async () => {
  const { page, context } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    const report = sampleReport("aspirasi", []);
    await form.fill(report);
    // A filter or captive portal in the way: an HTML 403, not the gateway's JSON.
    await context.route("**/api/v1/reports", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({ status: 403, contentType: "text/html", body: "<html><body>Akses diblokir</body></html>" })
        : route.continue(),
    );
    await form.submit();
    await host(page).getByText("Laporan menunggu koneksi").waitFor();
    await host(page).getByText("Jaringan yang Anda pakai menghalangi pengiriman").waitFor();
    assert.equal((await simulatorComplaints()).filter((c) => c.title === report.title).length, 0);

    // The way is clear again: "Coba kirim sekarang" sends the stored report, once.
    await context.unroute("**/api/v1/reports");
    await host(page).getByRole("button", { name: "Coba kirim sekarang" }).click();
    const receipt = await new Receipt(host(page)).waitFor();
    assert.match(await receipt.text(), /[A-Z0-9-]{6,}/);
    assert.equal(await arrivedOnce(report.title), 1, "the same report never arrives twice");
  } finally {
    await context.close();
  }
});
