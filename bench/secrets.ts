// Bench: the secret scanner on the shared labelled corpus (recall, precision), on real
// source code from installed packages (false findings per MB), and throughput on one
// core — with secretlint's recommended preset on the same inputs, side by side.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { SecretScanner, linesOfText } from "../src/secrets/scanner.js";
import { builtinRules } from "../src/secrets/rules/index.js";

export interface SecretsBench {
  recall: number;
  precision: number;
  falsePerMB: number;
  mbPerSec: number;
  secretlintMbPerSec: number;
  secretlintRecall: number;
  corpus: { positives: number; negatives: number; hits: number; falseOnClean: number };
  realCode: { megabytes: number; findings: number; byRule: Record<string, number> };
  missedProviders: string[];
}

interface Sample {
  id: string;
  rule: string;
  provider: string;
  label: "secret" | "clean";
  text: string;
  secret: string | null;
}

const ROOT = new URL("..", import.meta.url).pathname;
export const CORPUS = join(ROOT, "..", "shared", "corpora", "secrets-dev", "kingfisher.jsonl");

export function loadCorpus(): Sample[] {
  return readFileSync(CORPUS, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample);
}

/** A few MB of real JavaScript/TypeScript from installed packages: no secrets expected. */
export function realSourceFiles(limitBytes = 4 * 1024 * 1024): Array<{ path: string; text: string }> {
  const roots = ["probot", "@octokit", "yaml", "ajv", "minimatch", "graphql", "nock", "pino", "express", "vite", "typescript/lib"].map((p) => join(ROOT, "node_modules", p));
  const files: Array<{ path: string; text: string }> = [];
  let total = 0;
  const walk = (dir: string): void => {
    if (total >= limitBytes || !existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (total >= limitBytes) return;
      const full = join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (/\.(?:js|mjs|cjs|ts)$/.test(name) && !name.endsWith(".d.ts") && stat.size < 400_000) {
        const text = readFileSync(full, "utf8");
        files.push({ path: relative(ROOT, full), text });
        total += text.length;
      }
    }
  };
  for (const root of roots) walk(root);
  return files;
}

function overlaps(text: string, secret: string, line: number, column: number, length: number): boolean {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += lines[i]!.length + 1;
  const start = offset + column - 1;
  const at = text.indexOf(secret);
  if (at < 0) return true;
  // A match reported on a PEM header line spans onto the next lines: count any overlap with the block.
  const end = Math.max(start + length, start + 1);
  return start < at + secret.length + 200 && end > at - 200 ? start <= at + secret.length && end + 400 >= at : false;
}

export async function benchSecrets(): Promise<SecretsBench> {
  const key = new Uint8Array(32).fill(1);
  const scanner = new SecretScanner(builtinRules, { key, limits: { maxMillis: 600_000 } });
  const corpus = loadCorpus();
  const positives = corpus.filter((s) => s.label === "secret");
  const negatives = corpus.filter((s) => s.label === "clean");

  let hits = 0;
  let findingsOnPositives = 0;
  let trueFindings = 0;
  const missed = new Map<string, number>();
  for (const sample of positives) {
    const result = scanner.scan([{ path: "sample.txt", lines: linesOfText(sample.text) }]);
    findingsOnPositives += result.findings.length;
    const good = result.findings.filter((f) => sample.secret === null || overlaps(sample.text, sample.secret, f.line, f.column, f.length));
    trueFindings += good.length;
    if (good.length > 0) hits++;
    else missed.set(sample.provider, (missed.get(sample.provider) ?? 0) + 1);
  }
  let falseOnClean = 0;
  for (const sample of negatives) falseOnClean += scanner.scan([{ path: "sample.txt", lines: linesOfText(sample.text) }]).findings.length;

  const files = realSourceFiles();
  const bytes = files.reduce((n, f) => n + f.text.length, 0);
  const targets = files.map((f) => ({ path: f.path, lines: linesOfText(f.text) }));
  const byRule: Record<string, number> = {};
  const realResult = scanner.scan(targets);
  for (const f of realResult.findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;

  // Throughput: repeat the real-code scan until at least ~1 s of work.
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < 1_000 || rounds < 2) {
    scanner.scan(targets);
    rounds++;
  }
  const seconds = (performance.now() - started) / 1000;
  const mbPerSec = (bytes * rounds) / 1024 / 1024 / seconds;

  const secretlint = await benchSecretlint(files, positives);
  return {
    recall: Number((hits / positives.length).toFixed(4)),
    precision: Number((trueFindings / Math.max(1, findingsOnPositives + falseOnClean)).toFixed(4)),
    falsePerMB: Number((realResult.findings.length / (bytes / 1024 / 1024)).toFixed(3)),
    mbPerSec: Number(mbPerSec.toFixed(1)),
    secretlintMbPerSec: secretlint.mbPerSec,
    secretlintRecall: secretlint.recall,
    corpus: { positives: positives.length, negatives: negatives.length, hits, falseOnClean },
    realCode: { megabytes: Number((bytes / 1024 / 1024).toFixed(2)), findings: realResult.findings.length, byRule },
    missedProviders: [...missed.entries()].sort((a, b) => b[1] - a[1]).map(([p]) => p),
  };
}

async function benchSecretlint(files: Array<{ path: string; text: string }>, positives: Sample[]): Promise<{ mbPerSec: number; recall: number }> {
  const { createEngine } = await import("@secretlint/node");
  const engine = await createEngine({
    formatter: "json",
    color: false,
    maskSecrets: true,
    configFileJSON: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] } as never,
  });
  let hits = 0;
  for (const sample of positives) {
    const { output } = await engine.executeOnContent({ content: sample.text, filePath: "sample.txt" });
    const results = JSON.parse(output) as Array<{ messages: unknown[] }>;
    if (results.some((r) => r.messages.length > 0)) hits++;
  }
  const bytes = files.reduce((n, f) => n + f.text.length, 0);
  const started = performance.now();
  for (const file of files) await engine.executeOnContent({ content: file.text, filePath: file.path });
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSec: Number((bytes / 1024 / 1024 / seconds).toFixed(1)), recall: Number((hits / positives.length).toFixed(4)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchSecrets();
  console.log(JSON.stringify({ ...result, missedProviders: result.missedProviders.slice(0, 60) }, null, 1));
}
