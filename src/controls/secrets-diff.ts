// secrets.diff — CC6.1, C1.1: no credential in the lines the pull request adds.
// Findings are annotated on their line with a masked preview; the value never leaves the scanner.

import type { Facts } from "../facts.js";
import type { Config } from "../config/types.js";
import type { Annotation, Control, ControlResult, Finding } from "./types.js";
import { SecretScanner, type ScanResult, type ScanTarget } from "../secrets/scanner.js";
import { addedLinesOfPatch } from "../secrets/diff.js";
import { builtinRules } from "../secrets/rules/index.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";

/** What GitHub's file list lets us scan, and what it does not (binary, omitted patches). */
export function scanTargetsOf(facts: Facts): { targets: ScanTarget[]; notScanned: Array<{ path: string; reason: string }> } {
  const targets: ScanTarget[] = [];
  const notScanned: Array<{ path: string; reason: string }> = [];
  for (const file of facts.pr.files ?? []) {
    if (file.status === "removed") continue;
    if (file.patch === null) {
      // A rename with no changes has nothing to scan; anything else without a patch is binary or too large.
      if (file.additions > 0 || (file.status !== "renamed" && file.status !== "unchanged")) {
        notScanned.push({ path: file.path, reason: file.additions > 0 ? "GitHub omitted the diff (file too large or binary)" : "binary file" });
      }
      continue;
    }
    targets.push({ path: file.path, lines: addedLinesOfPatch(file.patch) });
  }
  return { targets, notScanned };
}

const scannerCache = new WeakMap<Config["controls"]["secrets.diff"], { key: Uint8Array; scanner: SecretScanner }>();

function scannerFor(config: Config, key: Uint8Array): SecretScanner {
  const settings = config.controls["secrets.diff"];
  const cached = scannerCache.get(settings);
  if (cached && cached.key === key) return cached.scanner;
  const custom = settings.rules.map((r) => ({ ...r, keywords: r.keywords.map((k) => k.toLowerCase()) }));
  const scanner = new SecretScanner([...custom, ...builtinRules], { key, ignorePaths: settings.ignorePaths });
  scannerCache.set(settings, { key, scanner });
  return scanner;
}

export function scanPullRequest(facts: Facts, config: Config, key: Uint8Array): ScanResult {
  const { targets, notScanned } = scanTargetsOf(facts);
  const result = scannerFor(config, key).scan(targets);
  return { ...result, notScanned: [...notScanned, ...result.notScanned] };
}

export const secretsDiff: Control = {
  id: "secrets.diff",
  criteria: ["CC6.1", "C1.1"],
  title: "No secrets in the diff",
  evaluate(facts, config, env): ControlResult {
    const settings = config.controls["secrets.diff"];
    const base = { id: this.id, criteria: this.criteria, mode: settings.mode };
    if (settings.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [], annotations: [] };
    if (facts.pr.files === null) return { ...base, status: "skipped", reason: "the diff was not loaded", fix: "", findings: [], annotations: [] };

    const scan = scanPullRequest(facts, config, env.fingerprintKey);
    const active = scan.findings.filter((f) => !f.suppressed);
    const suppressed = scan.findings.filter((f) => f.suppressed);
    const annotations: Annotation[] = [
      ...active.map<Annotation>((f) => ({
        path: f.path,
        startLine: f.line,
        endLine: f.line,
        startColumn: f.column,
        endColumn: f.column + f.length,
        level: settings.mode === "enforce" ? "failure" : "warning",
        // The rule id is the title so the annotation list groups by rule.
        title: f.rule,
        message: `Possible secret: a value that looks like a ${f.description} (${f.preview}) was added here. Rotate the credential now — it is in the branch history — then remove it and load it from a secret store. If it is not a secret, mark the false positive with \`${INLINE_ALLOW}\` in a comment on this line.`,
      })),
      ...scan.notScanned.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level: "warning", title: "Not scanned for secrets", message: `${n.reason}. Review this file for credentials by hand.` })),
    ];
    const byRule = new Map<string, number>();
    for (const f of active) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const counts = [...byRule.entries()].map(([rule, n]) => `${n} × ${rule}`).join(", ");
    const notScannedText = scan.notScanned.length > 0 ? `; ${scan.notScanned.length} file${scan.notScanned.length === 1 ? "" : "s"} not scanned (${scan.notScanned.slice(0, 3).map((n) => n.path).join(", ")}${scan.notScanned.length > 3 ? ", …" : ""})` : "";
    const ruleErrorText = scan.ruleErrors.length > 0 ? `; custom rule${scan.ruleErrors.length === 1 ? "" : "s"} not run: ${scan.ruleErrors.map((e) => `${e.rule} (${e.message})`).join(", ")}` : "";
    const suppressedText = suppressed.length > 0 ? `; ${suppressed.length} suppressed with ${INLINE_ALLOW}` : "";
    const details = {
      findings: active.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      suppressed: suppressed.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      notScanned: scan.notScanned,
      ruleErrors: scan.ruleErrors,
      linesScanned: scan.linesScanned,
    };
    const findings: Finding[] = active.map((f) => ({ message: `${f.description} (${f.rule}): ${f.preview}`, path: f.path, line: f.line }));
    if (active.length === 0) {
      return { ...base, status: "pass", reason: `no secrets in ${scan.linesScanned} added line${scan.linesScanned === 1 ? "" : "s"}${suppressedText}${notScannedText}${ruleErrorText}`, fix: scan.notScanned.length > 0 ? "Review the files that were not scanned by hand" : "", findings, annotations, details };
    }
    return {
      ...base,
      status: "fail",
      reason: `${active.length} possible secret${active.length === 1 ? "" : "s"}: ${counts}${suppressedText}${notScannedText}${ruleErrorText}`,
      fix: `Rotate each credential (it is already in the branch history), remove it from the code, and push; for a false positive add \`${INLINE_ALLOW}\` on that line`,
      findings,
      annotations,
      details,
    };
  },
};
