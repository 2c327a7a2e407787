// Bench: the auditor's view with a 10,000-change month, measured in Chromium
// (/usr/bin/chromium): the period page and a filtered change table served by the portal
// (real handler, fake GitHub ports, archive index warm), and the export's report.html
// opened from file:// until it has verified every hash. Median of three runs each.
// Run alone: npx tsx bench/portal.ts

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { createPortalHandler } from "../src/web/portal.js";
import { SessionCodec, SESSION_COOKIE } from "../src/web/session.js";
import { selectPeriod } from "../src/export/period-selection.js";
import { buildExportFiles } from "../src/export/export-files.js";
import { monthPeriod } from "../src/evidence/reconcile.js";
import { generateArchive } from "../test/web/generated-archive.js";

export interface PortalBench {
  changes: number;
  periodPageMs: number | null;
  changesPageMs: number | null;
  reportBytes: number;
  /** Until every hash is verified (the budget's measure). */
  reportOpenMs: number | null;
  /** Until the change table is usable (before verification ends), from the page's own mark. */
  reportTableMs: number | null;
  skipped?: string;
}

const CHROMIUM = "/usr/bin/chromium";
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchPortal(): Promise<PortalBench> {
  const archive = generateArchive({ count: 10_000, label: "2026-11", repos: 300, monthsBefore: 11, perMonthBefore: 50 });
  const period = monthPeriod("2026-11")!;
  const selected = selectPeriod(archive.lines, { period });
  const exported = buildExportFiles({
    organization: "acme",
    selected,
    reconciliation: { ran: false, reason: "bench" },
    access: null,
    reviewStates: new Map(),
    now: "2026-12-01T02:00:00.000Z",
    archive: "bench",
    repositories: [],
    excludedRepositories: [],
    shardsRead: [],
  });
  const report = exported.files.get("exports/2026-11/report.html")!;
  const reportBytes = Buffer.byteLength(report);
  const changes = selected.changes.length;
  if (!existsSync(CHROMIUM)) return { changes, periodPageMs: null, changesPageMs: null, reportBytes, reportOpenMs: null, reportTableMs: null, skipped: `${CHROMIUM} not installed` };

  const codec = new SessionCodec("bench-".repeat(8));
  const handler = createPortalHandler({
    signIn: null,
    access: { organizations: async () => ["acme"], canView: async () => ({ allowed: true, via: "bench" }) },
    evidence: { read: async () => ({ lines: archive.lines, head: archive.head }), exportStatus: async () => ({ exists: false, seal: null, changes: null, reportPath: null }), reviewStates: async () => null, exportedCommits: async () => new Map(), trustSources: async () => ({ archive: null, appLogins: null, checkpoints: [], exportIssues: [] }), attestations: async () => [], webBase: "https://github.com/" },
    codec,
    archiveTtlMs: 3_600_000,
  });
  const server = createServer((req, res) => void handler(req, res).then((done) => done || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-bench-portal-"));
  const file = join(dir, "report.html");
  writeFileSync(file, report);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: codec.seal(codec.newSession("bench", Date.now()), "session"), url: origin }]);
    const page = await context.newPage();
    await page.goto(`${origin}/soc2-guard/acme/2026-11/`); // builds the archive index once
    const timed = async (run: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };
    const periodRuns: number[] = [];
    const changesRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      periodRuns.push(await timed(() => page.goto(`${origin}/soc2-guard/acme/2026-11/`, { waitUntil: "load" })));
      await page.goto(`${origin}/soc2-guard/acme/2026-11/changes`);
      await page.locator('input[name="text"]').fill("svc-017");
      changesRuns.push(await timed(() => Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.getByRole("button", { name: "Apply" }).click()])));
    }
    const offline = await browser.newContext({ viewport: { width: 1280, height: 800 }, offline: true });
    const reportPage = await offline.newPage();
    const openRuns: number[] = [];
    const tableRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      openRuns.push(
        await timed(async () => {
          await reportPage.goto(`file://${file}`);
          await reportPage.waitForSelector('html[data-verified="ok"]', { timeout: 30_000 });
        }),
      );
      tableRuns.push((await reportPage.evaluate(() => performance.getEntriesByName("soc2-guard:table")[0]?.startTime ?? Number.NaN)) as number);
    }
    return { changes, periodPageMs: Math.round(median(periodRuns)), changesPageMs: Math.round(median(changesRuns)), reportBytes, reportOpenMs: Math.round(median(openRuns)), reportTableMs: Math.round(median(tableRuns)) };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ portal: await benchPortal() }));
}
