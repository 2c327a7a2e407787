// The auditor's walk-through in a real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; nothing downloads a browser): the real app server and the sandbox over
// HTTP, sign-in through the sandbox's GitHub Enterprise OAuth, a period, a filter, a change,
// a sample equal to the CLI's, a user without access, axe-core on every page, phone width
// and dark mode; then the export's report.html from file:// with the network blocked —
// it verifies, and an edited copy does not. Screenshots go to test-artifacts/ (gitignored).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startE2E, type E2E } from "../e2e/harness.js";
import { seedAuditors, AUDITOR, OUTSIDER } from "../../src/sandbox/index.js";
import { LocalDirectoryArchive } from "../../src/evidence/local-archive.js";
import { makeExportCommand } from "../../src/cli/export.js";
import { makeSampleCommand } from "../../src/cli/sample.js";
import type { CliIO } from "../../src/cli/io.js";
import { generatedRecord } from "./generated-archive.js";
import { formatFingerprint, generateSigningKey } from "../../src/trust/signing-key.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true") throw new Error(`browser tests must run in CI: ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);
const ARTIFACTS = join(process.cwd(), "test-artifacts");
const PERIOD = "2026-11";
const REPOS = ["acme/payments", "acme/ledger", "acme/web", "acme/infra"];

const require = createRequire(import.meta.url);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: unknown[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  const source = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through DevTools, so the portal's CSP (no scripts at all) stays as it is.
  const violations = (await page.evaluate(`${source}\n;axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target) })))`)) as Violation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);
}

const nav = (page: Page, name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true });

function capture(io: Partial<CliIO> = {}): { io: CliIO; out: () => string } {
  let text = "";
  return { io: { stdout: (t) => (text += t), stderr: (t) => (text += t), readStdin: async () => "", env: {}, cwd: process.cwd(), ...io }, out: () => text };
}

describe.skipIf(!available)("the auditor's walk-through in Chromium", () => {
  let e2e: E2E;
  let browser: Browser;
  let archiveDir: string;
  let cliSample: string[];
  let cliSeed: string;
  let fingerprint: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The app's signing key: the exports below sign the period's checkpoint with it, as the app's own would.
    const key = generateSigningKey();
    fingerprint = formatFingerprint(key.keyId);
    e2e = await startE2E({ archive: "directory", signingKey: key.privatePem });
    seedAuditors(e2e.sandbox);
    archiveDir = e2e.archiveDir!;
    // A year of evidence: 20 changes a month before the period, 240 in it.
    const records = [];
    let i = 1;
    for (let back = 11; back >= 0; back--) {
      const count = back === 0 ? 240 : 20;
      const since = Date.UTC(2026, 10 - back, 1);
      const span = Date.UTC(2026, 11 - back, 1) - since;
      for (let k = 0; k < count; k++, i++) records.push(generatedRecord(i, REPOS[i % REPOS.length]!, new Date(since + Math.floor(((k + 0.5) / count) * span)).toISOString()));
    }
    await new LocalDirectoryArchive(archiveDir, () => new Date(Date.UTC(2026, 10, 30, 23))).append(records);
    // The month before was exported on time (report.html's chart reads its summary.json).
    const signing = { env: { SOC2_GUARD_SIGNING_KEY: key.privatePem } };
    const before = capture(signing);
    expect(await makeExportCommand({ now: () => new Date(Date.UTC(2026, 10, 1, 2)) })(["--period", "2026-10", "--archive", archiveDir, "--org", "acme"], before.io)).toBe(0);
    // The month's export, played as the scheduled run after the month ended: writes report.html.
    const exported = capture(signing);
    expect(await makeExportCommand({ now: () => new Date(Date.UTC(2026, 11, 1, 2)) })(["--period", PERIOD, "--archive", archiveDir, "--org", "acme"], exported.io)).toBe(0);
    // An issue beside the export's (a retroactive review) is no checkpoint, and says nothing about the chain.
    writeFileSync(join(archiveDir, "issues", "9999-review.md"), "# Retroactive review: acme/payments#812\n\nThe emergency change was reviewed by erin.\n");
    const sampled = capture({ env: { SOC2_GUARD_PUBLIC_KEY: key.publicPem } });
    expect(await makeSampleCommand()(["--period", PERIOD, "--archive", archiveDir, "--risk", "0.05", "--rate", "0.10", "--stratify"], sampled.io)).toBe(0);
    cliSeed = /^# seed ([0-9a-f]{64})$/m.exec(sampled.out())![1]!;
    cliSample = [...sampled.out().matchAll(/^\s+\d+\s+([0-9a-f]{64})/gm)].map((m) => m[1]!);
    // Playwright starts the browser on a fresh temporary profile (user-data-dir) of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  async function signedIn(login: string, options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    const page = await context.newPage();
    await page.goto(e2e.app.portalUrl);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    // The sandbox's GitHub Enterprise authorize page.
    await page.waitForURL(/\/login\/oauth\/authorize/);
    await page.getByLabel("Sign in as").selectOption(login);
    await page.getByRole("button", { name: "Authorize soc2-guard" }).click();
    await page.waitForURL(`${e2e.app.portalUrl}`);
    return { context, page };
  }

  it("signs in through the sandbox's OAuth, opens a period, filters, opens a change and draws the CLI's sample", async () => {
    const { context, page } = await signedIn(AUDITOR);
    try {
      await expect(page.getByText(`signed in as ${AUDITOR}`)).toBeTruthy();
      await page.getByRole("link", { name: "acme" }).first().click();
      await page.getByRole("link", { name: PERIOD }).first().click();
      await page.getByRole("heading", { name: `${PERIOD} at a glance` }).waitFor();
      expect(await page.locator(".tile-value").first().textContent()).toBe("240");
      expect(await page.locator("figure.chart svg rect.bar").count()).toBe(12);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, "portal-period.png"), fullPage: true });

      await nav(page, "Changes").click();
      expect(await page.locator("#count").textContent()).toContain("240 matching change(s)");
      await page.locator('select[name="repository"]').selectOption("acme/ledger");
      await page.locator('select[name="exception"]').selectOption("any");
      await page.getByRole("button", { name: "Apply" }).click();
      const count = await page.locator("#count").textContent();
      expect(count).toMatch(/^\d+ matching change\(s\)/);
      const filtered = await page.locator("table.changes tbody tr").count();
      expect(filtered).toBeGreaterThan(0);
      expect(Number(count!.split(" ")[0])).toBe(filtered);
      for (const cell of await page.locator("table.changes tbody tr td:nth-child(2)").allTextContents()) expect(cell).toBe("acme/ledger");
      expect(page.url()).not.toContain("?");
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, "portal-changes.png"), fullPage: true });

      await page.locator("table.changes tbody tr a").first().click();
      await page.getByRole("heading", { name: "Integrity" }).waitFor();
      const integrity = await page.locator("dl.facts").last().textContent();
      expect(integrity).toContain("matches");
      expect(integrity).toMatch(/checkpoint of \d+ records \(this is record \d+\).* signature verified now/);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, "portal-change.png"), fullPage: true });

      await nav(page, "Sample").click();
      await page.getByLabel("Stratify by repository").check();
      await page.getByRole("button", { name: "Draw" }).click();
      await page.getByRole("heading", { name: /^Sample: 29 of 240 changes/ }).waitFor();
      const drawn = (await page.locator("section.sample table a").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute("href")))).map((h) => h!.split("/").pop());
      expect(cliSample).toHaveLength(29);
      expect(drawn).toEqual(cliSample);
      expect(await page.locator("section.sample [data-seed]").textContent()).toBe(cliSeed);
      expect(await page.locator("main").textContent()).toContain("signature verified now");
      expect(await seriousViolations(page)).toEqual([]);

      await nav(page, "Verification").click();
      expect(await page.getByRole("status").textContent()).toMatch(/^ok: 4\d\d records .* chain verified; \d+ signed checkpoints? agree/);
      expect(await page.locator("dl.facts").textContent()).toContain(`SHA256:${e2e.app.signingKeyId.replace(/^ed25519:/, "").slice(0, 4)}:`);

      // Phone width and dark mode: no sideways scrolling of the page, no serious axe finding.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: "dark" });
      await nav(page, PERIOD).click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, "portal-period-phone-dark.png"), fullPage: true });

      // Keyboard: the skip link is the first stop and lands on the content.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    } finally {
      await context.close();
    }
  }, 120_000);

  it("a person without read access gets 404", async () => {
    const { context, page } = await signedIn(OUTSIDER);
    try {
      expect(await page.locator("main").textContent()).toContain("You cannot see any organization's evidence");
      const res = await page.goto(`${e2e.app.portalUrl}acme/${PERIOD}/`);
      expect(res?.status()).toBe(404);
      expect(await page.locator("main").textContent()).not.toContain("acme/");
    } finally {
      await context.close();
    }
  }, 60_000);

  it("report.html opens from file:// with the network blocked, verifies, samples like the CLI; an edited copy fails", async () => {
    const report = join(archiveDir, "exports", PERIOD, "report.html");
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, offline: true });
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    try {
      const page = await context.newPage();
      await page.goto(`file://${report}`);
      await page.waitForSelector("html[data-verified]");
      expect(await page.getAttribute("html", "data-verified")).toBe("ok");
      expect(await page.locator("#verify-status").textContent()).toContain("Verified in this browser");
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });

      await nav(page, "Changes").click();
      await page.getByLabel("Search").fill("acme/web");
      await page.getByRole("button", { name: "Apply" }).click();
      expect(await page.locator("#count").textContent()).toMatch(/^60 matching change\(s\)/);
      await page.locator("table.changes tbody tr a").first().click();
      await page.getByRole("heading", { name: "Integrity" }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      await nav(page, "Sample").click();
      await page.getByLabel("Stratify by repository").check();
      await page.getByRole("button", { name: "Draw" }).click();
      const drawn = (await page.locator("section.sample table a").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute("href")))).map((h) => h!.split("/").pop());
      expect(drawn).toEqual(cliSample);
      expect(await page.locator("section.sample [data-seed]").textContent()).toBe(cliSeed);
      // The period's checkpoint, its Ed25519 signature checked by WebCrypto in the page.
      await page.waitForFunction(() => !document.getElementById("checkpoint-status")?.textContent?.includes("being checked"));
      expect(await page.locator("#checkpoint-status").textContent()).toBe(`signature verified in this browser under the key ${fingerprint} — compare it with the fingerprint you pinned`);
      expect(requests).toEqual([]);

      // Edit one record inside the file (its title), keep everything else: the browser must notice.
      const html = readFileSync(report, "utf8");
      const block = /(<script type="application\/octet-stream" id="records">\n)([\s\S]*?)(<\/script>)/.exec(html)!;
      const [head, ...lines] = gunzipSync(Buffer.from(block[2]!.replace(/\s+/g, ""), "base64")).toString("utf8").split("\n");
      const target = lines.findIndex((l) => l.includes("Update the ledger reconciliation job"));
      const repack = (edited: string[]): string => html.replace(block[0], `${block[1]}${gzipSync(Buffer.from([head, ...edited].join("\n"))).toString("base64")}\n${block[3]}`);
      // The same record written by another tool (members in another order) is the same content: it still verifies.
      const reordered = [...lines];
      reordered[target] = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(lines[target]!) as Record<string, unknown>).reverse()));
      const rewritten = join(archiveDir, "report-reordered.html");
      writeFileSync(rewritten, repack(reordered));
      await page.goto(`file://${rewritten}`);
      await page.waitForSelector("html[data-verified]");
      expect(await page.getAttribute("html", "data-verified")).toBe("ok");
      lines[target] = lines[target]!.replace("Update the ledger reconciliation job", "Update the ledger reconciliation job (reviewed)");
      const edited = join(archiveDir, "report-edited.html");
      writeFileSync(edited, repack(lines));
      await page.goto(`file://${edited}`);
      await page.waitForSelector("html[data-verified]");
      expect(await page.getAttribute("html", "data-verified")).toBe("failed");
      expect(await page.locator("#verify-status").textContent()).toContain(`line ${target + 1} of the embedded segment`);

      // A checkpoint whose signature was altered (to choose another seed) does not verify in the page.
      const forged = join(archiveDir, "report-forged-checkpoint.html");
      writeFileSync(forged, html.replace(/(\\"sig\\":\\")([A-Za-z0-9+/])/, (_m, lead: string, c: string) => `${lead}${c === "A" ? "B" : "A"}`));
      await page.goto(`file://${forged}#sample`);
      await page.waitForFunction(() => !document.getElementById("checkpoint-status")?.textContent?.includes("being checked"));
      expect(await page.locator("#checkpoint-status").textContent()).toContain("does NOT verify");
      // A seed of someone's choosing written beside the genuine checkpoint is not used: the page derives it.
      const chosen = join(archiveDir, "report-chosen-seed.html");
      writeFileSync(chosen, html.replace(`"seed":"${cliSeed}"`, `"seed":"${"0".repeat(64)}"`));
      await page.goto(`file://${chosen}#sample`);
      await page.getByRole("button", { name: "Draw" }).click();
      expect(await page.locator("section.sample [data-seed]").textContent()).toBe(cliSeed);
      expect(await page.locator("#checkpoint-status").textContent()).toContain("the seed written in this file is not the checkpoint's");
    } finally {
      await context.close();
    }
  }, 90_000);

  it("report.html draws its 12-month chart and serves the change table before its hashes are checked", async () => {
    const report = join(archiveDir, "exports", PERIOD, "report.html");
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, offline: true });
    // WebCrypto never answers: whatever the page shows now, it shows before verification.
    await context.addInitScript(() => {
      crypto.subtle.digest = () => new Promise<ArrayBuffer>(() => undefined);
    });
    try {
      const page = await context.newPage();
      await page.goto(`file://${report}`);
      expect(await page.locator("#overview figure.chart svg rect.bar").count()).toBe(12);
      // The months before come from their exports' summary.json: only 2026-10 was exported.
      const chart = await page.locator("#overview figure.chart svg").getAttribute("aria-label");
      expect(chart).toContain("2026-10: 20 changes");
      expect(chart).toContain("2026-09: 0 changes");
      expect(chart).toContain(`${PERIOD}: 240 changes`);
      await nav(page, "Changes").click();
      expect(await page.locator("#count").textContent()).toContain("240 matching change(s)");
      expect(await page.locator("table.changes tbody tr").count()).toBe(50);
      expect(await page.locator("#verify-status").textContent()).toContain("Verifying");
      expect(await page.getAttribute("html", "data-verified")).toBeNull();
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!available) {
  describe("the auditor's walk-through in Chromium", () => {
    it.skip(`skipped: ${CHROMIUM} is not installed (apt-get install chromium; CI installs it and runs these)`, () => undefined);
  });
}
