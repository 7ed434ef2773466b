// Benchmark of photo::prepare on a phone photo in headless Chromium: how long making the
// 12-megapixel photo of e2e/lib/phone-photo.mjs fit takes, and the main thread's longest
// blocked stretch meanwhile. Run by scripts/bench-photo.sh, which builds the Wasm with the
// benchmark's exports (`--cfg lapor_photo_bench`) and passes its directory:
//
//   node e2e/bench-photo.mjs --pkg DIR [--runs 5] [--max-bytes 2097152] [--cpu-throttle 1]
//                            [--timeline] [--trace]
//
// Each run is a fresh page that picks the photo from disk through a file input, as a citizen
// does, calls prepare, then draws a 96-pixel thumbnail of the result. Blocked stretches are
// seen two ways: PerformanceObserver "longtask" entries (tasks over 50 ms), and a monitor of
// the gaps between setTimeout(0) callbacks and between animation frames (a gap is the time
// the page could not run a callback or paint). Goal: under 2 s, no stretch over 100 ms.
//
// A stretch is wall time: on a busy machine the page's thread also waits for the CPU. With
// --trace each run is recorded with Chromium's tracing, and the page's main-thread tasks
// during prepare are listed with their wall time and their own CPU time (the trace's thread
// time) and what ran in them, which tells the widget's work from the machine's load.
// A missed goal is printed as MISS and does not fail the script.
import { launch } from "./lib/browser.mjs";
import { createServer } from "node:http";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, normalize, extname } from "node:path";
import { parseArgs } from "node:util";
import { cpus, loadavg } from "node:os";
import { phonePhoto } from "./lib/phone-photo.mjs";

const { values: opts } = parseArgs({
  options: {
    pkg: { type: "string" },
    runs: { type: "string", default: "5" },
    "max-bytes": { type: "string", default: String(2 * 1024 * 1024) },
    "cpu-throttle": { type: "string", default: "1" },
    timeline: { type: "boolean", default: false },
    trace: { type: "boolean", default: false },
  },
});
if (!opts.pkg) throw new Error("--pkg DIR (the wasm-pack output with the benchmark's exports) is required");
const RUNS = Number(opts.runs);
const MAX_BYTES = Number(opts["max-bytes"]);
const THROTTLE = Number(opts["cpu-throttle"]);
const GOAL = { ms: 2000, stretch: 100 };

const PAGE = `<!doctype html><meta charset="utf-8"><title>photo bench</title>
<input type="file" accept="image/*">
<script type="module">
import init, { bench_prepare, bench_thumbnail } from "/pkg/lapor_widget.js";
await init();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Records blocked stretches from now until stop(): long tasks and callback/frame gaps.
function monitor() {
  const stretches = [];
  const po = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) stretches.push({ how: "longtask", start: e.startTime, ms: e.duration });
  });
  po.observe({ type: "longtask" });
  let running = true;
  let lastTick = performance.now();
  const tick = () => {
    const now = performance.now();
    if (now - lastTick > 20) stretches.push({ how: "timer gap", start: lastTick, ms: now - lastTick });
    lastTick = now;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  let lastFrame = performance.now();
  const frame = (now) => {
    if (now - lastFrame > 34) stretches.push({ how: "frame gap", start: lastFrame, ms: now - lastFrame });
    lastFrame = now;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return async () => {
    await sleep(100);
    running = false;
    po.disconnect();
    return stretches;
  };
}

window.runBench = async (maxBytes) => {
  const file = document.querySelector("input").files[0];
  await sleep(300); // let the page settle after load
  const stop = monitor();
  const t0 = performance.now();
  const marks = [];
  performance.mark("bench:start");
  const r = await bench_prepare(file, maxBytes, (n) => marks.push({ at: performance.now() - t0, progress: n }));
  performance.mark("bench:end");
  const t1 = performance.now();
  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  const drawn = await bench_thumbnail(r[0], canvas, 96);
  const t2 = performance.now();
  const stretches = (await stop()).map((s) => ({ ...s, start: s.start - t0 }));
  const [, size, width, height, resized, mime, name] = r;
  return {
    ms: t1 - t0, thumbMs: t2 - t1, prepareEnd: t1 - t0, drawn,
    original: file.size, size, width, height, resized, mime, name, marks, stretches,
  };
};
window.benchReady = true;
</script>`;

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

function serve(pkg) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    try {
      if (path === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
        return;
      }
      if (path.startsWith("/pkg/")) {
        const rel = normalize(path.slice(5));
        if (rel.startsWith("..")) throw new Error("outside");
        const body = await readFile(join(pkg, rel));
        res.writeHead(200, { "content-type": TYPES[extname(rel)] || "application/octet-stream" }).end(body);
        return;
      }
    } catch {
      // fall through to 404
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const fmt = (ms) => `${Math.round(ms)} ms`;

const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "blink.user_timing"];
/** Wrappers every task has; what a task did is the longest event inside it that is none of these. */
const GENERIC = new Set([
  "RunTask", "ThreadControllerImpl::RunTask", "BlinkScheduler_PerformMicrotaskCheckpoint", "v8.callFunction",
  "FunctionCall", "TimerBase::run", "TimerFire", "AsyncTask Run", "RunMicrotasks", "v8.run",
]);

/**
 * The top-level tasks of the page's main thread between the marks bench:start and bench:end:
 * `[{ at, wall, cpu, what }]` in ms from bench:start (`cpu` is the trace's thread time).
 */
function mainThreadTasks(json) {
  const parsed = JSON.parse(json);
  const events = parsed.traceEvents || parsed;
  const start = events.find((e) => e.name === "bench:start");
  const end = events.find((e) => e.name === "bench:end" && e.pid === start?.pid);
  if (!start || !end) return [];
  const names = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const main = events.filter(
    (e) => e.pid === start.pid && names.get(`${e.pid}:${e.tid}`) === "CrRendererMain" && e.ph === "X" && e.dur
  );
  const tasks = main.filter((e) => e.name === "RunTask" && e.ts + e.dur >= start.ts && e.ts <= end.ts);
  return tasks.map((t) => {
    const inside = main.filter((e) => e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && !GENERIC.has(e.name));
    const top = inside.reduce((a, e) => (e.dur > (a?.dur ?? 0) ? e : a), null);
    return {
      at: (t.ts - start.ts) / 1000,
      wall: t.dur / 1000,
      cpu: (t.tdur ?? t.dur) / 1000,
      what: top ? `${top.name} ${fmt(top.dur / 1000)}` : "no traced detail",
    };
  });
}

async function main() {
  const server = await serve(opts.pkg);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  const results = [];
  try {
    const photo = await phonePhoto(browser);
    console.log(
      `photo: ${photo.name}, ${photo.buffer.length} bytes, 4000x3000 stored, EXIF Orientation 6 and GPS;` +
        ` limit ${MAX_BYTES} bytes; Chromium ${browser.version()}` +
        (THROTTLE > 1 ? `; CPU throttled ${THROTTLE}x` : "")
    );
    // Other work on the machine stretches the page's tasks too: say how busy it was.
    console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      if (THROTTLE > 1) {
        const cdp = await context.newCDPSession(page);
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
      }
      await page.goto(origin + "/");
      await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });
      await page.setInputFiles("input", photo.path);
      const tracePath = join(tmpdir(), `lapor-bench-photo-trace-${process.pid}.json`);
      if (opts.trace) await browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
      const r = await page.evaluate((max) => window.runBench(max), MAX_BYTES);
      let tasks = null;
      if (opts.trace) {
        await browser.stopTracing();
        tasks = mainThreadTasks(await readFile(tracePath, "utf8"));
        await rm(tracePath, { force: true });
      }
      if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
      const during = r.stretches.filter((s) => s.start < r.prepareEnd);
      const longest = during.reduce((a, s) => (s.ms > a.ms ? s : a), { ms: 0, how: "none", start: 0 });
      const thumbLongest = Math.max(0, ...r.stretches.filter((s) => s.start >= r.prepareEnd).map((s) => s.ms));
      results.push({ ...r, longest, thumbLongest });
      console.log(
        `run ${run}: prepare ${fmt(r.ms)}, longest stretch ${fmt(longest.ms)} (${longest.how}` +
          `${longest.ms ? ` at ${fmt(longest.start)}` : ""}); -> ${r.width}x${r.height} ${r.mime} ` +
          `${r.size} bytes (resized ${r.resized}); thumbnail ${fmt(r.thumbMs)}, its longest stretch ${fmt(thumbLongest)}`
      );
      if (tasks) {
        const byCpu = tasks.reduce((a, t) => (t.cpu > a.cpu ? t : a), { cpu: 0, wall: 0, what: "none", at: 0 });
        const byWall = tasks.reduce((a, t) => (t.wall > a.wall ? t : a), { cpu: 0, wall: 0, what: "none", at: 0 });
        results.at(-1).cpu = byCpu.cpu;
        console.log(
          `    trace: longest main-thread task ${fmt(byWall.wall)} wall, ${fmt(byWall.cpu)} its own CPU, at ${fmt(byWall.at)}` +
            ` (${byWall.what}); most CPU in one task ${fmt(byCpu.cpu)} (${fmt(byCpu.wall)} wall, at ${fmt(byCpu.at)}, ${byCpu.what})`
        );
        if (opts.timeline) {
          for (const t of tasks.filter((t) => t.wall >= 10)) {
            console.log(`    ${fmt(t.at).padStart(8)}  task ${fmt(t.wall)} wall ${fmt(t.cpu)} CPU  ${t.what}`);
          }
        }
      }
      if (opts.timeline) {
        for (const m of r.marks) console.log(`    ${fmt(m.at).padStart(8)}  progress ${m.progress}`);
        for (const s of r.stretches.sort((a, b) => a.start - b.start)) {
          console.log(`    ${fmt(s.start).padStart(8)}  ${s.how} ${fmt(s.ms)}`);
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`machine after the runs: load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  if (opts.trace) {
    console.log(`most main-thread CPU in one task over the runs: ${fmt(Math.max(...results.map((r) => r.cpu)))}`);
  }
  const median = times[Math.floor(times.length / 2)];
  const worstStretch = Math.max(...results.map((r) => r.longest.ms));
  const worstTime = times[times.length - 1];
  console.log(
    `\n${RUNS} runs: prepare median ${fmt(median)}, max ${fmt(worstTime)} (goal < ${GOAL.ms} ms): ` +
      `${worstTime < GOAL.ms ? "PASS" : "MISS"}; longest stretch ${fmt(worstStretch)} ` +
      `(goal <= ${GOAL.stretch} ms): ${worstStretch <= GOAL.stretch ? "PASS" : "MISS"}`
  );
}

await main();
