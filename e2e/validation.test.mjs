// The error flow (GOV.UK pattern): submitting an empty form shows an error summary that takes
// the focus and links to each field; each field says the same thing inline and is marked
// aria-invalid with aria-describedby pointing at its message; fixing a field clears it live.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, seriousProblems } from "./lib/env.mjs";
import { ReportForm } from "./lib/report-form.mjs";
import { recordSubmitted } from "./lib/receipt.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** What the deepest focused element is: its label-ish name and the nearest aria-invalid. */
function focusedField(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return null;
    const invalid = a.closest("[aria-invalid]");
    const described = a.closest("[aria-describedby]");
    const root = a.getRootNode();
    const texts = (described?.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => root.getElementById(id)?.textContent.trim() ?? "");
    return {
      tag: a.tagName.toLowerCase(),
      invalid: invalid?.getAttribute("aria-invalid") ?? null,
      described: texts,
    };
  });
}

test("an empty submit shows a focused error summary linking to each field", { timeout: 60_000 }, async () => {
  const { page, context, problems } = await openPage(browser, "/");
  try {
    const form = await new ReportForm(page.locator("div.lapor-widget-host")).ready();
    const submitted = await recordSubmitted(page);
    await form.submit();

    const summary = form.errorSummary;
    await summary.waitFor({ state: "visible" });
    assert.ok(await ReportForm.hasFocus(summary), "the error summary takes the focus");

    const links = await form.summaryLinks();
    // At least: title, content, location, name, NIK, phone (the kind may be preselected).
    assert.ok(links.length >= 6, `one link per problem, got ${JSON.stringify(links)}`);

    // Each link moves the focus to its field, which repeats the same message inline.
    for (let i = 0; i < links.length; i++) {
      await form.errorSummary.getByRole("link").nth(i).click();
      const f = await focusedField(page);
      assert.ok(f && ["input", "select", "textarea", "fieldset", "button"].includes(f.tag),
        `link "${links[i]}" focuses a field (got ${JSON.stringify(f)})`);
      assert.equal(f.invalid, "true", `the field of "${links[i]}" is aria-invalid`);
      // The link may name the field before the message ("Judul Laporan: …"); the inline
      // message is the same words.
      const link = links[i].trim();
      assert.ok(f.described.some((t) => t && (link.includes(t) || t.includes(link))),
        `the field of "${link}" is described by the same message: ${JSON.stringify(f.described)}`);
    }

    for (const field of [form.title, form.content, form.name, form.nik, form.phone]) {
      assert.equal(await field.getAttribute("aria-invalid"), "true");
      const texts = await ReportForm.describedBy(field);
      assert.ok(texts.some((t) => t && t.length > 0), "aria-describedby points at a message");
    }

    // Fields already in error are re-checked live: a valid title clears its error.
    await form.title.fill("Jalan berlubang di depan Pasar Rawa Indah");
    await form.content.click();
    await page.waitForFunction(
      (el) => el.getAttribute("aria-invalid") !== "true",
      await form.title.elementHandle(),
      { timeout: 5_000 }
    );
    // The NIK stays in error while it is wrong, with a precise reason.
    await form.nik.fill("6474019999900003");
    await form.phone.click();
    assert.equal(await form.nik.getAttribute("aria-invalid"), "true");

    assert.deepEqual(await submitted(), [], "nothing was sent");
    assert.equal(await form.submitButton.isDisabled(), false, "the submit button is never disabled");
    assert.deepEqual(seriousProblems(problems), []);
  } finally {
    await context.close();
  }
});
