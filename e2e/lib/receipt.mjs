// Page object for the second screen: the receipt shown after the gateway answered 201/200.

export class Receipt {
  /** @param host the element the widget is mounted in (a Playwright Locator) */
  constructor(host) {
    this.host = host;
  }

  /** The receipt is announced as a status (role="status"), the one with a tracking number. */
  get region() {
    return this.host.getByRole("status").filter({ hasText: /Nomor pelacakan|Tracking number/ }).first();
  }

  get copyButton() {
    return this.host.getByRole("button", { name: /salin|copy/i });
  }

  async waitFor(timeout = 20_000) {
    await this.region.waitFor({ state: "visible", timeout });
    return this;
  }

  async text() {
    return (await this.region.innerText()).replace(/\s+/g, " ").trim();
  }
}

/**
 * Starts recording `lapor:submitted` events on the page's widget hosts; returns a function
 * that resolves the details seen so far. Events must bubble and be composed so they reach
 * the document from inside the shadow root's host.
 */
export async function recordSubmitted(page) {
  await page.evaluate(() => {
    window.__laporSubmitted = [];
    document.addEventListener("lapor:submitted", (e) => {
      window.__laporSubmitted.push({
        detail: e.detail,
        host: e.target instanceof Element ? e.target.id || e.target.className : null,
      });
    });
  });
  return () => page.evaluate(() => window.__laporSubmitted);
}
