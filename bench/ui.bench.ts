/**
 * The explorer in Debian's Chromium against the local bench Worker (embedded default), with the
 * baselines measured in the same run:
 * - ui-chart-14d: navigation to the first chart drawn, for 14 days of 15-minute history of one
 *   point, against a bare page (no app: one fetch of the same hisRead as JSON, drawn by uPlot).
 * - ui-chart-1y: the same for one year, which the explorer draws through a rollup, against the
 *   bare page drawing the year's 35,040 raw samples.
 * - ui-push-1 / ui-push-100 (p50 and p99): from a hisWrite sent by the page to the new curVal on
 *   screen in the explorer (1 socket), and to the push arriving on each of 100 sockets, against the
 *   same hisWrite's own round trip.
 * Each navigation starts from a fresh browser context (cold cache), as a first visit does.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../scripts/chromium.ts";
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { bench, type Figure, onFinish } from "./harness.ts";
import { postZinc } from "./his-load.ts";
import { adminAuth, startBenchWorker } from "./worker/local.ts";

const project = `bench-ui-${Date.now()}`;
const POINT = "ui-point";
const STEP_MS = 15 * 60_000;
const YEAR_SAMPLES = 365 * 96;
const RUNS = 5;
const PUSHES = 40;
const TZ = "New_York";

const uplotDir = dirname(createRequire(import.meta.url).resolve("uplot/package.json"));

let ready: Promise<{ base: string; browser: Browser; token: string; end: number }> | undefined;

function setUp() {
  ready ??= (async () => {
    const { base } = await startBenchWorker("do");
    const token = (await adminAuth(project)).slice("Bearer ".length);
    const point = HDict.of({
      id: new HRef(POINT),
      dis: "Bench point",
      point: MARKER,
      his: MARKER,
      writable: MARKER,
      kind: "Number",
      unit: "kW",
      tz: TZ,
    });
    await postZinc(base, project, "commit", writeZincGrid(HGrid.fromDicts([point], HDict.of({ commit: "add" }))));
    // A year of 15-minute samples up to the last quarter hour, written in one request.
    const end = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const rows: HRow[] = [];
    for (let i = YEAR_SAMPLES - 1; i >= 0; i--) {
      const t = end - i * STEP_MS;
      rows.push([HDateTime.of(t, TZ), new HNumber(20 + 5 * Math.sin(t / 3_600_000 / 24), "kW")]);
    }
    await postZinc(
      base,
      project,
      "hisWrite",
      writeZincGrid(new HGrid(HDict.of({ id: new HRef(POINT) }), [col("ts"), col("val")], rows)),
    );
    const browser = await launchChromium();
    onFinish(() => browser.close());
    return { base, browser, token, end };
  })();
  return ready;
}

/** A fresh context whose session storage already holds the bench admin's session. */
async function signedInContext(browser: Browser, base: string, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  const session = JSON.stringify({ project, token, user: "admin", role: "admin" });
  await context.addInitScript({ content: `sessionStorage.setItem("hayloft.session", ${JSON.stringify(session)});` });
  // The bare baseline page and its uPlot, served at the Worker's origin as a static page would be.
  await context.route("**/bench-bare/**", (route) => {
    const name = new URL(route.request().url()).pathname.split("/").pop() ?? "";
    if (name === "uplot.js")
      return route.fulfill({
        body: readFileSync(join(uplotDir, "dist/uPlot.iife.min.js")),
        contentType: "text/javascript",
      });
    if (name === "uplot.css")
      return route.fulfill({ body: readFileSync(join(uplotDir, "dist/uPlot.min.css")), contentType: "text/css" });
    return route.fulfill({ body: BARE_PAGE, contentType: "text/html" });
  });
  return context;
}

/** One hisRead as JSON, drawn by uPlot: what a page with no app around its chart does. */
const BARE_PAGE = `<!doctype html><html><head><link rel="stylesheet" href="uplot.css"><script src="uplot.js"></script></head>
<body><div id="chart"></div><script>
const q = new URLSearchParams(location.hash.slice(1));
fetch(q.get("url"), { headers: { authorization: "Bearer " + q.get("token"), accept: "application/json" } })
  .then((r) => r.json())
  .then((g) => {
    const xs = new Float64Array(g.rows.length), ys = new Float64Array(g.rows.length);
    g.rows.forEach((r, i) => { xs[i] = Date.parse(r.ts.val) / 1000; ys[i] = r.val.val; });
    new uPlot({ width: 1200, height: 320, series: [{}, { stroke: "#2a6df4" }],
      hooks: { draw: [() => { document.body.dataset.ready = String(xs.length); }] } }, [xs, ys], document.getElementById("chart"));
  });
</script></body></html>`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

/** Milliseconds from navigation to `selector` existing, in a fresh context, median of RUNS. */
async function timeToDraw(url: (base: string, token: string) => string, selector: string): Promise<number> {
  const { base, browser, token } = await setUp();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await signedInContext(browser, base, token);
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url(base, token));
    await page.waitForSelector(selector, { timeout: 60_000 });
    times.push(performance.now() - t0);
    await context.close();
  }
  return median(times);
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function bareUrl(base: string, token: string, from: number, to: number): string {
  const his = `${base}/api/${project}/hisRead?id=@${POINT}&range=${isoDate(from)},${isoDate(to)}`;
  return `${base}/bench-bare/index.html#${new URLSearchParams({ url: his, token })}`;
}

async function chartFigure(name: string, days: number): Promise<Figure> {
  const { end } = await setUp();
  const from = end - days * 86_400_000;
  const ours = await timeToDraw((base) => `${base}/ui/${explorerChartHash(from, end)}`, EXPLORER_CHART_READY);
  const bare = await timeToDraw((base, token) => bareUrl(base, token, from, end + 86_400_000), "body[data-ready]");
  return {
    name,
    value: ours,
    unit: "ms",
    baseline: days > 31 ? "bare uPlot page, raw samples" : "bare uPlot page",
    baselineValue: bare,
    higherIsBetter: false,
  };
}

bench("ui-chart-14d", () => chartFigure("ui-chart-14d", 14));
bench("ui-chart-1y", () => chartFigure("ui-chart-1y", 365));

/**
 * Push latency as the page sees it: the page sends a hisWrite with a new newest sample and times
 * until the value is on screen (explorer, one socket) or has arrived on each of `extra` sockets of
 * its own; the write's round trip is the baseline.
 */
async function pushFigures(sockets: 1 | 100): Promise<Figure[]> {
  const { base, browser, token, end } = await setUp();
  const context = await signedInContext(browser, base, token);
  const page = await context.newPage();
  await page.goto(`${base}/ui/${explorerRecordHash()}`);
  await page.waitForSelector(EXPLORER_LIVE_READY, { timeout: 30_000 });
  const rtts: number[] = [];
  const lats: number[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const value = 900_000 + sockets * 1_000 + i;
    const r = await measurePush(page, {
      project,
      id: POINT,
      token,
      value,
      ts: new Date(end + (sockets === 1 ? 0 : 60_000) + (i + 1) * 1_000).toISOString(),
      extra: sockets - 1,
    });
    rtts.push(r.rtt);
    lats.push(...r.latencies);
  }
  await context.close();
  const base1 = { unit: "ms", baseline: "hisWrite round trip", higherIsBetter: false } as const;
  return [
    { ...base1, name: `ui-push-${sockets}-p50`, value: median(lats), baselineValue: median(rtts) },
    { ...base1, name: `ui-push-${sockets}-p99`, value: percentile(lats, 99), baselineValue: percentile(rtts, 99) },
  ];
}

bench("ui-push-1", () => pushFigures(1));
bench("ui-push-100", () => pushFigures(100));

interface PushArgs {
  project: string;
  id: string;
  token: string;
  value: number;
  ts: string;
  extra: number;
}

/** In the page: opens `extra` sockets (kept across calls), writes, and times the value's arrivals. */
function measurePush(page: Page, args: PushArgs): Promise<{ rtt: number; latencies: number[] }> {
  return page.evaluate(`(${PAGE_PUSH})(${JSON.stringify(args)})`);
}

/** Runs in the page (so it is JavaScript text: the bench is type-checked without the DOM). */
const PAGE_PUSH = `async (a) => {
  const w = window;
  w.benchWaiters ??= [];
  if (!w.benchSockets) {
    w.benchSockets = [];
    const url = (location.protocol === "https:" ? "wss" : "ws") + "://" + location.host + "/api/" + a.project + "/watch/live";
    await Promise.all(Array.from({ length: a.extra }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ["hayloft.live.v1", "bearer." + a.token]);
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.op === "ready") ws.send(JSON.stringify({ op: "sub", ids: [a.id] }));
        if (m.op === "subbed") resolve();
        if (m.op === "changes") {
          ws.send(JSON.stringify({ op: "ack", seq: m.seq }));
          const at = performance.now();
          for (const r of m.rows) for (const f of w.benchWaiters) f(r.curVal && r.curVal.val, at);
        }
      };
      ws.onerror = () => reject(new Error("socket failed"));
      w.benchSockets.push(ws);
    })));
  }
  const want = String(a.value);
  const shows = (node) => (node.textContent || "").replace(/[^0-9.-]/g, "").includes(want);
  const arrivals = [new Promise((resolve) => {
    // The explorer's own socket: the value appearing in any text on screen.
    const mo = new MutationObserver((records) => {
      if (records.some((r) => shows(r.target))) { mo.disconnect(); resolve(performance.now()); }
    });
    mo.observe(document.body, { subtree: true, childList: true, characterData: true });
  })];
  for (let k = 0; k < a.extra; k++) {
    arrivals.push(new Promise((resolve) => {
      let done = false;
      w.benchWaiters.push((v, at) => { if (!done && v === a.value) { done = true; resolve(at); } });
    }));
  }
  const body = 'ver:"3.0" id:@' + a.id + "\\nts,val\\n" + a.ts + " UTC," + a.value + "kW\\n";
  const t0 = performance.now();
  const res = await fetch("/api/" + a.project + "/hisWrite", {
    method: "POST",
    headers: { authorization: "Bearer " + a.token, "content-type": "text/zinc" },
    body,
  });
  const rtt = performance.now() - t0;
  if (!res.ok) throw new Error("hisWrite " + res.status);
  const ats = await Promise.all(arrivals);
  w.benchWaiters = [];
  return { rtt, latencies: ats.map((at) => at - t0) };
}`;

// ---- where the explorer shows what is measured (src/ui/views/haystack)

function explorerChartHash(from: number, to: number): string {
  return `#/${project}/haystack/chart?ids=${POINT}&range=${isoDate(from)}..${isoDate(to)}`;
}

function explorerRecordHash(): string {
  return `#/${project}/haystack/rec/${POINT}`;
}

const EXPLORER_CHART_READY = '[data-ready="true"]';
const EXPLORER_LIVE_READY = '[data-state="live"]';
