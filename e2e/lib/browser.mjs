// The browser of every end-to-end test and benchmark, in a module of its own so that a script
// started without scripts/e2e.sh's addresses (the photo benchmark) can use it too.
import { chromium } from "playwright-core";

/** Debian's Chromium, headless; flags for running as root in a container without extras. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
}
