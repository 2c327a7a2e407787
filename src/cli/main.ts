#!/usr/bin/env node
// soc2-guard command line: one subcommand per job.

import type { Command } from "./io.js";
import { processIO } from "./io.js";
import { checkCommand } from "./check.js";
import { scanCommand } from "./scan.js";
import { verifyCommand } from "./verify.js";
import { auditCommand } from "./audit.js";
import { exportCommand } from "./export.js";
import { makeBackfillCommand, makeReconcileCommand } from "./reconcile.js";
import { keygenCommand } from "./keygen.js";
import { verifyAttestationCommand } from "./verify-attestation.js";
import { sampleCommand } from "./sample.js";

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  // Loaded on demand: the sandbox needs graphql and GitHub's schema, which only a development install has.
  demo: { run: runDemo, usage: "demo [--archive DIR]", summary: "the whole app against a local GitHub sandbox; exit 0 when every step behaved" },
  check: { run: checkCommand, usage: "check OWNER/REPO#N", summary: "evaluate a pull request and print the verdict (posts nothing)" },
  scan: { run: scanCommand, usage: "scan [--diff FILE|-] [PATH...]", summary: "find secrets in a diff's added lines or in files (exit 1 on findings)" },
  verify: { run: verifyCommand, usage: "verify (--archive DIR|--repo O/R) --key PUB [--export YYYY-MM]", summary: "check the archive (and an export) against the app's signed checkpoints; exit 1 names the first record and checkpoint that disagree" },
  "verify-attestation": { run: verifyAttestationCommand, usage: "verify-attestation FILE --key PUB", summary: "check DSSE attestations (a per-merge in-toto statement, a Source VSA) with the public key" },
  keygen: { run: keygenCommand, usage: "keygen [--out PREFIX]", summary: "a new Ed25519 signing key pair (SOC2_GUARD_SIGNING_KEY) and its fingerprint" },
  reconcile: { run: makeReconcileCommand(), usage: "reconcile --period YYYY-MM", summary: "compare a month's merged PRs and pushes with the ledger; backfill what is missing" },
  backfill: { run: makeBackfillCommand(), usage: "backfill --since YYYY-MM-DD", summary: "record changes from before the app was installed (marked collected late)" },
  export: { run: exportCommand, usage: "export --period YYYY-MM", summary: "the month's evidence export: CSVs, summary.json and the auditor's issue" },
  sample: { run: sampleCommand, usage: "sample --period YYYY-MM --size N", summary: "draw the period's audit sample (seed from its seal), the same as the portal and report.html" },
  audit: { run: auditCommand, usage: "audit --org NAME", summary: "every repository's settings against the bar, as a table, JSON or CSV" },
};

/** The demo and its sandbox are left out of the published package (development only). */
async function runDemo(args: string[], io: Parameters<Command>[1]): Promise<number> {
  const specifier = "./demo.js";
  const demo = await import(specifier).catch((error: unknown) => {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  });
  if (!demo) {
    io.stderr("soc2-guard demo: the demo and its GitHub sandbox are development-only and not in the published package; in a clone of the repository run `npm ci && npm run demo`\n");
    return 2;
  }
  return (demo as { demoCommand: Command }).demoCommand(args, io);
}

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `usage: soc2-guard <command> [options]\n\n${lines.join("\n")}\n\nGitHub commands read GITHUB_TOKEN; --api-url (or GITHUB_API_URL) points at GitHub Enterprise.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const asked = name === undefined || name === "--help" || name === "help";
    (asked ? io.stdout : io.stderr)(`${asked ? "" : `unknown command: ${name}\n`}${help()}`);
    return asked ? 0 : 2;
  }
  return command.run(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`soc2-guard: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
