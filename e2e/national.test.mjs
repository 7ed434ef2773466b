// One gateway for many Pemda sites: scripts/e2e.sh registers the test site's origin as the demo
// city (Kota Bontang, region 6474) in a sites file, as gateway/sites.demo.toml does for the demo.
// On that site the form opens with Kalimantan Timur and Kota Bontang chosen, a Pengaduan filed
// without touching them reaches LAPOR! with that location, a location the citizen changed is
// theirs (kept in the draft over the preselection), and the participation page the gateway
// serves at /stats/ passes axe at 360×640 and 1280×800 in both languages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  env, launch, openPage, complaintArrives, uniqueTitle, jakartaDate, eventually, seriousProblems, VIEWPORTS,
} from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { Receipt } from "./lib/receipt.mjs";
import { SITI } from "./lib/reports.mjs";
import { audit, describe } from "./lib/axe.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const host = (page) => page.locator("div.lapor-widget-host");
/** The label of a select's chosen option. */
const chosen = (select) => select.evaluate((el) => el.options[el.selectedIndex]?.label.trim() ?? "");

/** Waits until the form shows the site's province and regency. */
async function preselected(form) {
  await eventually("the site's province and regency preselected", async () =>
    (await form.province.inputValue()) === "64" && (await form.regency.inputValue()) === "6474");
  assert.equal(await chosen(form.province), "Kalimantan Timur");
  assert.equal(await chosen(form.regency), "Kota Bontang");
  assert.equal(await form.district.inputValue(), "", "the kecamatan is the citizen's to choose");
}

test("on the demo city's site the form opens with its province and regency, and a Pengaduan goes with them", { timeout: 90_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    await preselected(form);

    // Filed without touching the location.
    const title = uniqueTitle("Jalan berlubang di Jl. Pelabuhan");
    await form.title.fill(title);
    await form.content.fill(
      "Lubang besar di tengah Jl. Pelabuhan sudah sebulan tidak diperbaiki dan membahayakan " +
        "pengendara sepeda motor, terutama pada malam hari.");
    await form.incidentDate.fill(jakartaDate(3));
    await form.name.fill(SITI.name);
    await form.nik.fill(SITI.nik);
    await form.phone.fill(SITI.phone);
    await form.submit();
    await new Receipt(host(page)).waitFor();

    const c = await complaintArrives(title);
    assert.equal(c.location_id, "6474", "LAPOR! receives the demo city as the location");
    assert.ok(c.content.includes("Pemerintah Kota Bontang"), "and the site it came through");
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});

test("a location the citizen changed is theirs: kept in the draft over the site's preselection", { timeout: 90_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(host(page)).ready();
    await preselected(form);
    await form.regency.selectOption({ label: "Kota Samarinda" });
    await form.title.fill(uniqueTitle("Drainase tersumbat di Jl. Juanda"));
    await host(page).getByText("Draf tersimpan otomatis di perangkat ini").waitFor({ timeout: 10_000 });

    await page.reload();
    const again = await new ReportForm(host(page)).ready();
    await host(page).getByText("Draf laporan Anda dipulihkan").waitFor();
    await eventually("the citizen's regency restored", async () => (await again.regency.inputValue()) === "6472");
    // Still theirs a moment later, whatever arrived first (the draft or /config).
    await page.waitForTimeout(500);
    assert.equal(await again.regency.inputValue(), "6472");
    assert.equal(await chosen(again.regency), "Kota Samarinda");
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});

/** Files a report over HTTP from the test site's origin, as its widget would. */
async function fileDirectly(kind, i) {
  const report = {
    classification: kind,
    title: uniqueTitle(`Laporan statistik ${i} tentang layanan publik`),
    content: "Isi laporan uji untuk halaman partisipasi, cukup panjang untuk aturan panjang isi.",
    incident_date: kind === "pengaduan" ? jakartaDate(2) : null,
    location_code: "6474",
    location_detail: null,
    institution_id: null,
    category_id: null,
    anonymous: false,
    secret: false,
    reporter: { name: SITI.name, nik: SITI.nik, phone: SITI.phone, email: null },
    lang: "id",
  };
  const body = new FormData();
  body.append("report", new Blob([JSON.stringify(report)], { type: "application/json" }));
  const r = await fetch(`${env.gateway}/api/v1/reports`, {
    method: "POST",
    headers: { Origin: env.site, "Idempotency-Key": `e2e-stats-${kind}-${i}-${Date.now()}` },
    body,
  });
  assert.equal(r.status, 201, await r.text());
  return report.title;
}

test("the participation page passes axe on a phone and a desktop, in both languages", { timeout: 150_000 }, async () => {
  // Enough reports of this site for exact counts, a share and a median next to "< 5" ones.
  const titles = [];
  for (let i = 0; i < 6; i++) titles.push(await fileDirectly("pengaduan", i));
  titles.push(await fileDirectly("aspirasi", 0));
  for (const t of titles) await complaintArrives(t);
  // LAPOR!'s first status of each (the gateway checks every second).
  await new Promise((r) => setTimeout(r, 3000));

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    for (const lang of ["id", "en"]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      try {
        const resp = await page.goto(`${env.gateway}/stats/${lang === "en" ? "?lang=en" : ""}`);
        assert.equal(resp.status(), 200);
        assert.equal(await page.getAttribute("html", "lang"), lang);
        const heading = lang === "en" ? "LAPOR! participation by site" : "Partisipasi LAPOR! per situs";
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        const site = page.getByRole("region", { name: /Pemerintah Kota Bontang/ }).first();
        assert.ok(await page.getByRole("heading", { level: 2, name: "Pemerintah Kota Bontang" }).isVisible());
        assert.ok((await page.locator("svg[role=img]").count()) >= 4, "the charts");
        assert.ok(await site.isVisible(), "the table's region");
        // The page fits a 360 px phone: only the table scrolls, inside its own region.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
        const violations = await audit(page.locator("html"));
        assert.equal(violations.length, 0, `axe on /stats/ (${name}, ${lang}):\n${describe(violations)}`);
        await page.screenshot({ path: join(env.artifacts, `stats-${name}-${lang}.png`), fullPage: true });
        assert.deepEqual(seriousProblems(problems), [], "no CSP violation");
      } finally {
        await context.close();
      }
    }
  }
  // The JSON says the same, with exact counts here.
  const stats = await (await fetch(`${env.gateway}/stats`)).json();
  const bontang = stats.sites.find((s) => s.id === "kota-bontang");
  assert.ok(bontang, JSON.stringify(stats));
  assert.equal(bontang.region_code, "6474");
  const month = bontang.months[0];
  assert.ok(typeof month.reports === "number" && month.reports >= 7, JSON.stringify(month));
});
