// Runs axe-core (npm) inside the widget's shadow root with the WCAG 2.1 A and AA rules.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * Audits the widget mounted in `host` (a Locator of the host element); returns the
 * violations, each summarised as text. axe walks open shadow roots itself.
 * The source is evaluated over the DevTools protocol, which the page's CSP does not govern,
 * so the audit runs on the page exactly as its strict CSP leaves it.
 */
export async function audit(host) {
  const page = host.page();
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.evaluate(AXE_SOURCE);
  }
  const handle = await host.elementHandle();
  const violations = await page.evaluate(
    async ({ el, tags }) => {
      const result = await window.axe.run(el, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
      }));
    },
    { el: handle, tags: TAGS }
  );
  await handle.dispose();
  return violations;
}

/** One readable line per violating node, for assertion messages. */
export function describe(violations) {
  return violations
    .flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(n.target)}: ${n.summary}`)
    )
    .join("\n");
}
