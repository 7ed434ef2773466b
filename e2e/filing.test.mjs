// A citizen files one report of each kind on the demo city site, with evidence attached, and
// each one arrives at LAPOR! (the simulator) with the right kind, title and attachment.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { env, launch, openPage, complaintArrives, simulatorComplaints, makeFile, seriousProblems } from "./lib/env.mjs";
import { ReportForm, CLASSIFICATION_ID } from "./lib/report-form.mjs";
import { Receipt, recordSubmitted } from "./lib/receipt.mjs";
import { sampleReport } from "./lib/reports.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const CASES = [
  { kind: "pengaduan", file: "jpeg" },
  { kind: "aspirasi", file: "png" },
  { kind: "permintaan_informasi", file: "pdf" },
];

for (const { kind, file } of CASES) {
  test(`a ${kind} report with a ${file} attachment reaches LAPOR!`, { timeout: 90_000 }, async () => {
    const { page, context, problems } = await openPage(browser, "/");
    try {
      const host = page.locator("div.lapor-widget-host");
      const form = await new ReportForm(host).ready();
      const submitted = await recordSubmitted(page);
      const attachment = await makeFile(page, file);
      const report = sampleReport(kind, [attachment]);

      await form.fill(report);
      // A double click must not send the report twice.
      if (kind === "aspirasi") await form.submitButton.dblclick();
      else await form.submit();

      const receipt = await new Receipt(host).waitFor();
      const events = await submitted();
      assert.equal(events.length, 1, "exactly one lapor:submitted event");
      const trackingId = events[0].detail?.tracking_id;
      assert.match(trackingId ?? "", /^[A-Z0-9-]{1,32}$/, "the event carries the tracking id");
      assert.ok((await receipt.text()).includes(trackingId), "the receipt shows the tracking id as returned");

      const status = await fetch(`${env.gateway}/api/v1/reports/${encodeURIComponent(trackingId)}`);
      assert.equal(status.status, 200, "the gateway knows the tracking id");
      assert.equal((await status.json()).classification, kind);

      const c = await complaintArrives(report.title);
      assert.equal(c.classification_id, CLASSIFICATION_ID[kind]);
      assert.equal(c.title, report.title);
      assert.equal(c.request_id, trackingId, "forwarded with the tracking id as X-Request-Id");
      assert.equal(c.attachments.length, 1, "the attachment arrived");
      assert.equal(c.attachments[0].content_type, attachment.mimeType);
      assert.ok(c.attachments[0].size > 0);
      if (kind === "pengaduan") assert.equal(c.date_of_incident, report.incidentDate);
      else assert.equal(c.date_of_incident ?? null, null);
      if (file === "pdf") {
        // The widget sends a PDF as it is; the gateway writes it anew without its metadata:
        // the same page reaches LAPOR!, in other bytes.
        const doc = await fetch(`${env.simulator}/_simulator/documents/${encodeURIComponent(c.attachments[0].id)}`);
        assert.equal(doc.status, 200);
        const bytes = Buffer.from(await doc.arrayBuffer());
        assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
        assert.ok(bytes.includes("/MediaBox[0 0 200 200]"), "the page arrived");
        const sha = createHash("sha256").update(bytes).digest("hex");
        assert.equal(c.attachments[0].sha256, sha, "the simulator's digest is of what it received");
      }
      if (kind === "aspirasi") {
        await new Promise((r) => setTimeout(r, 1500));
        const same = (await simulatorComplaints()).filter((x) => x.title === report.title);
        assert.equal(same.length, 1, "a double click sent the report once");
      }
      assert.deepEqual(seriousProblems(problems), [], "no uncaught error or CSP violation");
    } finally {
      await context.close();
    }
  });
}
