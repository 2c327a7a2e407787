#!/usr/bin/env node
// soc2-guard command line: one subcommand per job.

import type { Command } from "./io.js";
import { processIO } from "./io.js";
import { checkCommand } from "./check.js";
import { scanCommand } from "./scan.js";
import { verifyCommand } from "./verify.js";
import { auditCommand } from "./audit.js";
import { exportCommand } from "./export.js";
import { demoCommand } from "./demo.js";
import { makeBackfillCommand, makeReconcileCommand } from "./reconcile.js";

const COMMANDS: Record<string, { run: Command; help: string }> = {
  demo: { run: demoCommand, help: "demo [--archive DIR]             the whole app against a local GitHub sandbox; exits 0 when every step behaved" },
  check: { run: checkCommand, help: "check OWNER/REPO#N          evaluate a pull request and print the verdict (posts nothing)" },
  verify: { run: verifyCommand, help: "verify [--archive DIR|--repo O/R] recompute every evidence hash and link; exit 1 names the first broken record" },
  reconcile: { run: makeReconcileCommand(), help: "reconcile --period YYYY-MM   compare the period's merged PRs and pushes with the ledger; backfill what is missing" },
  backfill: { run: makeBackfillCommand(), help: "backfill --since YYYY-MM-DD   record changes from before the app was installed (marked collected late)" },
  export: { run: exportCommand, help: "export --period YYYY-MM          the month's evidence export: CSVs, summary.json and the auditor's issue ([--archive DIR|--repo O/R] [--dry-run])" },
  audit: { run: auditCommand, help: "audit --org NAME [--format table|json|csv] audit every repository's settings against the bar (fixes nothing)" },
  scan: { run: scanCommand, help: "scan [--diff FILE|-] [PATH…]  find secrets in a diff's added lines or in files (exit 1 on findings)" },
};

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`usage: soc2-guard <command> [options]\n\n${Object.values(COMMANDS).map((c) => `  ${c.help}`).join("\n")}\n`);
    return name === undefined || name === "--help" || name === "help" ? 0 : 2;
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
