// `soc2-guard scan [--diff FILE|-] [PATH ...] [--format json|text] [--only secrets|pii]`: the
// PR scanners (secrets and personal data, rule ids `pii.*`) as a pre-commit hook or CI step.
// Exit 1 with findings, 0 without, 2 on error.

import { readFileSync, statSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { SecretScanner, targetOfText, type ScanTarget } from "../secrets/scanner.js";
import { PiiScanner } from "../privacy/scanner.js";
import { builtinRules } from "../secrets/rules/index.js";
import { parseUnifiedDiff } from "../secrets/diff.js";
import { loadFingerprintKey } from "../secrets/fingerprint-key.js";

const USAGE = "usage: soc2-guard scan [--diff FILE|-] [PATH ...] [--format json|text] [--only secrets|pii]\n";
const SKIP_DIRS = new Set([".git", "node_modules", "dist", ".soc2-guard"]);

function filesUnder(path: string): string[] {
  const stat = statSync(path);
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !SKIP_DIRS.has(name))
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

export const scanCommand: Command = async (args, io) => {
  const parsed = parseArgs(args);
  const format = stringFlag(parsed, "format") ?? "text";
  const only = stringFlag(parsed, "only");
  if ((format !== "json" && format !== "text") || (only !== undefined && only !== "secrets" && only !== "pii")) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const targets: ScanTarget[] = [];
    const notScanned: Array<{ path: string; reason: string }> = [];
    const diff = parsed.flags.get("diff");
    if (diff !== undefined) {
      const text = diff === true || diff === "-" ? await io.readStdin() : readFileSync(resolve(io.cwd, diff), "utf8");
      for (const file of parseUnifiedDiff(text)) {
        if (file.binary) notScanned.push({ path: file.path, reason: "binary file" });
        else if (file.status !== "removed") targets.push({ path: file.path, lines: file.added });
      }
    }
    for (const path of parsed.positionals) {
      for (const file of filesUnder(resolve(io.cwd, path))) {
        const buffer = readFileSync(file);
        const shown = relative(io.cwd, file) || file;
        if (buffer.includes(0)) notScanned.push({ path: shown, reason: "binary file" });
        else targets.push(targetOfText(shown, buffer.toString("utf8")));
      }
    }
    if (diff === undefined && parsed.positionals.length === 0) {
      io.stderr(USAGE);
      return 2;
    }
    const key = loadFingerprintKey(io.env);
    const limits = { maxBytes: 512 * 1024 * 1024, maxMillis: 10 * 60_000 };
    const empty = { findings: [], notScanned: [], linesScanned: 0 };
    const secrets = only === "pii" ? empty : new SecretScanner(builtinRules, { key, limits }).scan(targets);
    const pii = only === "secrets" ? empty : new PiiScanner({ key, limits }).scan(targets);
    const result = {
      findings: [...secrets.findings, ...pii.findings].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column),
      notScanned: [...secrets.notScanned, ...pii.notScanned.filter((n) => !secrets.notScanned.some((s) => s.path === n.path && s.reason === n.reason))],
      linesScanned: Math.max(secrets.linesScanned, pii.linesScanned),
    };
    const findings = result.findings.filter((f) => !f.suppressed);
    if (format === "json") {
      io.stdout(`${JSON.stringify(findings.map((f) => ({ path: f.path, line: f.line, column: f.column, rule: f.rule, fingerprint: f.fingerprint, preview: f.preview })), null, 2)}\n`);
    } else {
      for (const f of findings) io.stdout(`${f.path}:${f.line}:${f.column}: ${f.description} (${f.rule}) ${f.preview} fingerprint ${f.fingerprint.slice(0, 16)}\n`);
      const suppressed = result.findings.length - findings.length;
      io.stdout(`${findings.length} finding${findings.length === 1 ? "" : "s"} in ${result.linesScanned} lines${suppressed > 0 ? `, ${suppressed} suppressed` : ""}\n`);
    }
    for (const n of [...notScanned, ...result.notScanned]) io.stderr(`not scanned: ${n.path}: ${n.reason}\n`);
    return findings.length > 0 ? 1 : 0;
  } catch (error) {
    io.stderr(`soc2-guard scan: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? `no such file: ${(error as NodeJS.ErrnoException).path}` : (error as Error).message}\n`);
    return 2;
  }
};
