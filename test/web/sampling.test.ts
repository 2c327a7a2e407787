// Sampling an auditor can reproduce: the size formula, the draw (deterministic, seeded,
// stratified in proportion) and the CLI drawing exactly what the portal draws.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drawSample, sampleSizeFor } from "../../src/web/view/shared.js";
import { buildArchiveIndex } from "../../src/web/archive-index.js";
import { makeSampleCommand } from "../../src/cli/sample.js";
import { makeExportCommand } from "../../src/cli/export.js";
import { generateSigningKey, formatFingerprint } from "../../src/trust/signing-key.js";
import { checkpointEnvelopesIn, samplingSeed, signCheckpoint, renderCheckpointComment } from "../../src/trust/checkpoint.js";
import { signExport, signedSection } from "../../src/export/export-seal.js";
import { findPeriodCheckpoint } from "../../src/export/period-checkpoint.js";
import { LocalDirectoryArchive } from "../../src/evidence/local-archive.js";
import type { CliIO } from "../../src/cli/io.js";
import { generateArchive, generatedRecord } from "./generated-archive.js";

describe("sample size n = ⌈ln(risk) / ln(1 − rate)⌉", () => {
  it.each([
    { risk: 0.05, rate: 0.1, n: 29 },
    { risk: 0.1, rate: 0.1, n: 22 },
    { risk: 0.05, rate: 0.05, n: 59 },
    { risk: 0.1, rate: 0.05, n: 45 },
    { risk: 0.01, rate: 0.1, n: 44 },
  ])("risk $risk, tolerable rate $rate → $n", ({ risk, rate, n }) => expect(sampleSizeFor(risk, rate)).toBe(n));

  it.each([[0, 0.1], [1, 0.1], [0.05, 0], [0.05, 1], [Number.NaN, 0.1]])("risk %s, rate %s is refused (0)", (risk, rate) => expect(sampleSizeFor(risk, rate)).toBe(0));
});

describe("drawSample", () => {
  const index = buildArchiveIndex(generateArchive({ count: 200, label: "2026-11", repos: 5 }));
  const rows = index.periods.get("2026-11")!.rows;
  const seed = "5e".repeat(32);

  it("the same seed draws the same changes whatever order the rows come in; another seed draws others", () => {
    const a = drawSample(rows, { size: 20, seed });
    const b = drawSample([...rows].reverse(), { size: 20, seed });
    const c = drawSample(rows, { size: 20, seed: "f".repeat(64) });
    expect(a.rows.map((r) => r.recordHash)).toEqual(b.rows.map((r) => r.recordHash));
    expect(new Set(a.rows.map((r) => r.recordHash)).size).toBe(20);
    expect(c.rows.map((r) => r.recordHash)).not.toEqual(a.rows.map((r) => r.recordHash));
  });

  it("stratified: sizes in proportion to each repository (largest remainder), drawn within each", () => {
    const skewed = rows.filter((r, i) => r.repository !== "acme/svc-004" || i % 4 === 0);
    const result = drawSample(skewed, { size: 29, seed, stratify: true });
    expect(result.size).toBe(29);
    expect(result.strata.reduce((n, s) => n + s.size, 0)).toBe(29);
    for (const s of result.strata) expect(Math.abs(s.size - (29 * s.population) / skewed.length)).toBeLessThan(1);
    for (const s of result.strata) expect(result.rows.filter((r) => r.repository === s.repository)).toHaveLength(s.size);
  });

  it("a size above the population takes every change once", () => {
    expect(drawSample(rows.slice(0, 7), { size: 29, seed }).size).toBe(7);
  });
});

describe("the period's signed checkpoint (the sampling seed)", () => {
  const key = generateSigningKey();
  const ARCHIVE = "acme/compliance-evidence@main";
  const cp = { count: 340, head: "a".repeat(64), lastId: "acme/api#1@x" };
  const exported = (time: string, period = "2026-11", signer = key) => signExport({ organization: "acme", period, archive: ARCHIVE, checkpoint: cp, files: new Map([["exports/2026-11/summary.json", "{}\n"]]), time }, signer);
  const issue = (signed: ReturnType<typeof exported>, author = "soc2-guard[bot]", n = 7) => ({ location: `https://github.com/acme/compliance-evidence/issues/${n}`, author, text: signedSection(signed, formatFingerprint(key.keyId)).join("\n") });
  const first = exported("2026-12-01T02:00:00.000Z");
  const options = { publicKey: key.publicKey, appLogins: ["soc2-guard[bot]"] };

  it("is the checkpoint the period's first export signed beside its statement; its seed is samplingSeed of the envelope", () => {
    const found = findPeriodCheckpoint([issue(first)], "2026-11", options)!;
    expect(found.seed).toBe(samplingSeed(first.checkpoint.envelope));
    expect(found).toMatchObject({ verified: true, location: "https://github.com/acme/compliance-evidence/issues/7", checkpoint: { count: 340, time: "2026-12-01T02:00:00.000Z" } });
  });

  it.each([
    ["a re-export later", () => [issue(exported("2026-12-09T10:00:00.000Z"), "soc2-guard[bot]", 9), issue(first)]],
    ["another checkpoint the app signed, pasted into the issue", () => {
      const other = signCheckpoint({ archive: ARCHIVE, count: 12, head: "b".repeat(64), lastId: null, time: "2026-11-30T00:00:00.000Z" }, key);
      return [{ ...issue(first), text: `${renderCheckpointComment(other.checkpoint, other.envelope)}\n${issue(first).text}` }];
    }],
    ["an export issue someone else wrote with the app's envelopes of another period", () => [issue(exported("2026-11-30T23:00:00.000Z", "2026-11"), "mallory", 3), issue(first)]],
    ["a statement signed by another key", () => [issue(exported("2026-11-30T23:00:00.000Z", "2026-11", generateSigningKey())), issue(first)]],
  ])("does not change with %s", (_name, sources) => {
    expect(findPeriodCheckpoint(sources(), "2026-11", options)!.seed).toBe(samplingSeed(first.checkpoint.envelope));
  });

  it("is none for a period that was not exported with a key", () => {
    expect(findPeriodCheckpoint([issue(first)], "2026-10", options)).toBeNull();
    expect(findPeriodCheckpoint([], "2026-11", options)).toBeNull();
  });
});

describe("soc2-guard sample", () => {
  it("draws the portal's sample from an archive directory with the seed of the export's signed checkpoint; --seed overrides it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-sample-"));
    try {
      const key = generateSigningKey();
      const records = Array.from({ length: 120 }, (_, i) => generatedRecord(i + 1, `acme/r${i % 3}`, new Date(Date.UTC(2026, 10, 1 + (i % 28), 12)).toISOString()));
      await new LocalDirectoryArchive(dir, () => new Date(Date.UTC(2026, 10, 30))).append(records);
      const index = buildArchiveIndex(await new LocalDirectoryArchive(dir).read());
      const period = index.periods.get("2026-11")!;
      const run = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> => {
        let out = "";
        const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (out += t), readStdin: async () => "", env, cwd: process.cwd() };
        return { code: await makeSampleCommand()(args, io), out };
      };
      const hashes = (out: string) => [...out.matchAll(/^\s+\d+\s+([0-9a-f]{64})/gm)].map((m) => m[1]);
      // Before the export there is no signed checkpoint: nothing to derive the seed from.
      const early = await run(["--period", "2026-11", "--archive", dir, "--size", "5"]);
      expect(early.code).toBe(1);
      expect(early.out).toContain("no signed checkpoint");
      let exportOut = "";
      const exportIo: CliIO = { stdout: (t) => (exportOut += t), stderr: (t) => (exportOut += t), readStdin: async () => "", env: { SOC2_GUARD_SIGNING_KEY: key.privatePem }, cwd: process.cwd() };
      expect(await makeExportCommand({ now: () => new Date(Date.UTC(2026, 11, 1, 2)) })(["--period", "2026-11", "--archive", dir, "--org", "acme"], exportIo), exportOut).toBe(0);
      const issueFile = join(dir, "issues", readdirSync(join(dir, "issues")).find((n) => readFileSync(join(dir, "issues", n), "utf8").includes("evidence export"))!);
      const seed = samplingSeed(checkpointEnvelopesIn(readFileSync(issueFile, "utf8"))[0]!);
      const pub = join(dir, "signing.pub");
      writeFileSync(pub, key.publicPem);

      const cli = await run(["--period", "2026-11", "--archive", dir, "--risk", "0.05", "--rate", "0.10", "--stratify", "--key", pub]);
      expect(cli.code).toBe(0);
      expect(cli.out).toContain(`# seed ${seed}`);
      expect(cli.out).toContain("signature verified now");
      expect(hashes(cli.out)).toEqual(drawSample(period.rows, { size: 29, seed, stratify: true }).rows.map((r) => r.recordHash));
      // A copy of the issue alone gives the same seed; another key refuses it.
      const copy = join(dir, "issue-copy.md");
      writeFileSync(copy, readFileSync(issueFile, "utf8"));
      expect((await run(["--period", "2026-11", "--archive", dir, "--size", "5", "--issue", copy, "--key", pub])).out).toContain(`# seed ${seed}`);
      const otherPub = join(dir, "other.pub");
      writeFileSync(otherPub, generateSigningKey().publicPem);
      expect((await run(["--period", "2026-11", "--archive", dir, "--size", "5", "--key", otherPub])).code).toBe(1);
      const unchecked = await run(["--period", "2026-11", "--archive", dir, "--size", "5"]);
      expect(unchecked.out).toContain("signature was not checked");
      expect(unchecked.out).toContain(`# seed ${seed}`);

      const given = await run(["--period", "2026-11", "--archive", dir, "--size", "10", "--seed", "ab".repeat(16)]);
      expect(hashes(given.out)).toEqual(drawSample(period.rows, { size: 10, seed: "ab".repeat(16) }).rows.map((r) => r.recordHash));
      const csv = await run(["--period", "2026-11", "--archive", dir, "--size", "3", "--format", "csv"]);
      expect(csv.out).toMatch(/^repository,kind,change/m);
      expect((await run(["--period", "2026-11", "--archive", dir])).code).toBe(2);
      expect((await run(["--period", "2026-10", "--archive", dir, "--size", "3"])).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
