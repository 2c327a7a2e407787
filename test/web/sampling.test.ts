// Sampling an auditor can reproduce: the size formula, the draw (deterministic, seeded,
// stratified in proportion) and the CLI drawing exactly what the portal draws.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drawSample, sampleSizeFor } from "../../src/web/view/shared.js";
import { buildArchiveIndex } from "../../src/web/archive-index.js";
import { sampleSeed } from "../../src/web/sampling.js";
import { makeSampleCommand } from "../../src/cli/sample.js";
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
  const { records } = generateArchive({ count: 200, label: "2026-11", repos: 5 });
  const index = buildArchiveIndex(generateArchive({ count: 200, label: "2026-11", repos: 5 }));
  const rows = index.periods.get("2026-11")!.rows;
  const seed = sampleSeed("2026-11", records.at(-1)!.hash);

  it("the same seed draws the same changes whatever order the rows come in; another seed draws others", () => {
    const a = drawSample(rows, { size: 20, seed });
    const b = drawSample([...rows].reverse(), { size: 20, seed });
    const c = drawSample(rows, { size: 20, seed: sampleSeed("2026-11", "f".repeat(64)) });
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

describe("soc2-guard sample", () => {
  it("draws the portal's sample from an archive directory, and --seed overrides the seal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-sample-"));
    try {
      const records = Array.from({ length: 120 }, (_, i) => generatedRecord(i + 1, `acme/r${i % 3}`, new Date(Date.UTC(2026, 10, 1 + (i % 28), 12)).toISOString()));
      await new LocalDirectoryArchive(dir, () => new Date(Date.UTC(2026, 10, 30))).append(records);
      const index = buildArchiveIndex(await new LocalDirectoryArchive(dir).read());
      const period = index.periods.get("2026-11")!;
      const run = async (args: string[]): Promise<{ code: number; out: string }> => {
        let out = "";
        const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (out += t), readStdin: async () => "", env: {}, cwd: process.cwd() };
        return { code: await makeSampleCommand()(args, io), out };
      };
      const hashes = (out: string) => [...out.matchAll(/^\s+\d+\s+([0-9a-f]{64})/gm)].map((m) => m[1]);
      const cli = await run(["--period", "2026-11", "--archive", dir, "--risk", "0.05", "--rate", "0.10", "--stratify"]);
      expect(cli.code).toBe(0);
      expect(cli.out).toContain(`# seed ${sampleSeed("2026-11", period.seal!.hash)}`);
      expect(hashes(cli.out)).toEqual(drawSample(period.rows, { size: 29, seed: sampleSeed("2026-11", period.seal!.hash), stratify: true }).rows.map((r) => r.recordHash));
      const given = await run(["--period", "2026-11", "--archive", dir, "--size", "10", "--seed", "ab".repeat(16)]);
      expect(hashes(given.out)).toEqual(drawSample(period.rows, { size: 10, seed: "ab".repeat(16) }).rows.map((r) => r.recordHash));
      const csv = await run(["--period", "2026-11", "--archive", dir, "--size", "3", "--format", "csv"]);
      expect(csv.out.split("\r\n")[0]).toMatch(/^repository,kind,change/);
      expect((await run(["--period", "2026-11", "--archive", dir])).code).toBe(2);
      expect((await run(["--period", "2026-10", "--archive", dir, "--size", "3"])).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
