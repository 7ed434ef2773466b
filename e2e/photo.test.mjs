// A citizen attaches a photo straight from a phone camera (12 megapixels, over 4 MB, GPS in its
// EXIF, stored sideways with Orientation 6) and files the report: what reaches LAPOR! fits the
// gateway's per-file limit, carries no EXIF at all (no position), and is upright.
//
// The form's side of it, as this test relies on it: the Lampiran field (a file input, id
// `lapor-attachments`, in the widget's open shadow root) lists each picked file as an
// `li.lapor-file` row whose `data-state` is `working` while the file is being prepared and
// `ready` once it is, and an image's row holds a `canvas.lapor-thumb` with its thumbnail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launch, openPage, complaintArrives, seriousProblems } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { Receipt } from "./lib/receipt.mjs";
import { sampleReport } from "./lib/reports.mjs";
import { phonePhoto, isPhonePhoto, hasApp1, hasExif, jpegSize, RED_BAND, GREEN_SQUARE } from "./lib/phone-photo.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a 12-megapixel phone photo reaches LAPOR! within the limit, without EXIF, upright", { timeout: 120_000 }, async () => {
  const photo = await phonePhoto(browser, { dir: env.artifacts });
  assert.ok(isPhonePhoto(photo.buffer), "the fixture is a phone photo with GPS and Orientation 6");
  const config = await (await fetch(`${env.gateway}/api/v1/config`)).json();
  const maxFileBytes = config.attachments.max_file_bytes;
  assert.ok(photo.buffer.length > maxFileBytes, "the photo is over the limit as taken");

  const { page, context, problems } = await openPage(browser, "/");
  try {
    const host = page.locator("div.lapor-widget-host");
    const form = await new ReportForm(host).ready();
    const states = await recordFileStates(host);

    await form.attachments.setInputFiles(photo.path);
    const row = host.locator("li.lapor-file");
    await host.locator('li.lapor-file[data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.equal(await row.count(), 1, "one file row");
    const seen = await states();
    assert.ok(seen.includes("working"), `the row said it was working first (states seen: ${seen.join(", ")})`);
    assert.equal(seen.at(-1), "ready");
    const thumb = row.locator("canvas.lapor-thumb");
    assert.equal(await thumb.count(), 1, "the row shows a thumbnail");
    assert.ok(await drawn(thumb), "the thumbnail is drawn");

    const report = sampleReport("pengaduan");
    await form.fill(report);
    await form.submit();
    // A receipt means the form let the report go: no "file too large" held it back.
    await new Receipt(host).waitFor();

    const complaint = await complaintArrives(report.title);
    assert.equal(complaint.attachments.length, 1, "the photo arrived");
    const doc = complaint.attachments[0];
    assert.equal(doc.content_type, "image/jpeg");
    const r = await fetch(`${env.simulator}/_simulator/documents/${encodeURIComponent(doc.id)}`);
    assert.equal(r.status, 200);
    const received = Buffer.from(await r.arrayBuffer());

    assert.ok(received.length <= maxFileBytes, `${received.length} bytes, limit ${maxFileBytes}`);
    assert.equal(hasExif(received), false, "no EXIF block");
    assert.equal(hasApp1(received), false, "no APP1 segment at all (EXIF or XMP)");
    const size = jpegSize(received);
    assert.ok(size.height > size.width, `stored upright: ${size.width}x${size.height}`);
    assert.ok(Math.max(size.width, size.height) <= 2048, "scaled to at most 2048 pixels");

    const look = await upright(received);
    assert.ok(look.height > look.width, `shown upright: ${look.width}x${look.height}`);
    assert.ok(isRed(look.top), `the band at the top is red: ${JSON.stringify(look.top)}`);
    assert.ok(!isRed(look.bottom), "and the bottom is not");
    assert.ok(isGreen(look.bottomLeft), `not mirrored: green bottom-left ${JSON.stringify(look.bottomLeft)}`);
    assert.deepEqual(seriousProblems(problems), [], "no uncaught error or CSP violation");
  } finally {
    await context.close();
  }
});

/**
 * Starts recording the `data-state` values the file rows take (a MutationObserver in the
 * shadow root, so a short `working` is not missed); returns a function giving them in order.
 */
async function recordFileStates(host) {
  await host.evaluate((el) => {
    const seen = (window.__laporFileStates = []);
    const note = (node) => {
      const s = node.matches?.("li.lapor-file") && node.getAttribute("data-state");
      if (s && seen.at(-1) !== s) seen.push(s);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        note(r.target);
        for (const n of r.addedNodes) {
          note(n);
          n.querySelectorAll?.("li.lapor-file").forEach(note);
        }
      }
    }).observe(el.shadowRoot, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
  });
  return () => host.evaluate(() => window.__laporFileStates.slice());
}

/** True when the canvas has pixels drawn (some not transparent). */
function drawn(canvas) {
  return canvas.evaluate((c) => {
    if (!c.width || !c.height) return false;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
}

/**
 * Decodes the JPEG in a blank page of Chromium as any viewer would (applying an orientation
 * if there were one) and samples the colours where the fixture's markers are when upright.
 */
async function upright(jpeg) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ b64, band, square }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/jpeg" }), {
          imageOrientation: "from-image",
        });
        const { width, height } = bitmap;
        const c = new OffscreenCanvas(width, height);
        const g = c.getContext("2d");
        g.drawImage(bitmap, 0, 0);
        // The average colour of a small area around (x, y), in shares of the size.
        const at = (fx, fy) => {
          const x = Math.floor(fx * width) - 2;
          const y = Math.floor(fy * height) - 2;
          const d = g.getImageData(Math.max(0, x), Math.max(0, y), 5, 5).data;
          const sum = [0, 0, 0];
          for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k] += d[i + k];
          return sum.map((v) => Math.round(v / (d.length / 4)));
        };
        return {
          width,
          height,
          top: at(0.5, band / 2),
          bottom: at(0.5, 0.97),
          bottomLeft: at(square / 2, 1 - (square * width) / height / 2),
        };
      },
      { b64: jpeg.toString("base64"), band: RED_BAND, square: GREEN_SQUARE }
    );
  } finally {
    await page.close();
  }
}

const isRed = ([r, g, b]) => r > 200 && g < 60 && b < 60;
const isGreen = ([r, g, b]) => g > 150 && r < 60 && b < 60;
