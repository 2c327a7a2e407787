// secrets.diff — CC6.1, C1.1: no credential in the lines the pull request adds.
// Findings are annotated on their line with a masked preview; the value never leaves the scanner.
// Unscanned is not clean: a file GitHub showed no patch for is scanned from its content
// (read by the loader through the Git blobs API within a budget); a binary file (NUL bytes)
// is listed as skipped; any other file that was not scanned — past a budget, past GitHub's
// file list, cut by the scanner's limits — fails the control in enforce mode, by name.

import type { Facts } from "../facts.js";
import type { Config } from "../config/types.js";
import type { Annotation, Control, ControlResult, Finding } from "./types.js";
import { SecretScanner, linesOfText, type NotScanned, type ScanResult, type ScanTarget } from "../secrets/scanner.js";
import { addedLinesOfPatch } from "../secrets/diff.js";
import { builtinRules } from "../secrets/rules/index.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";

/** What the scanner can see, what it cannot (failing), and binary files it need not (skipped). */
export function scanTargetsOf(facts: Facts): { targets: ScanTarget[]; notScanned: NotScanned[]; skipped: NotScanned[] } {
  const targets: ScanTarget[] = [];
  const notScanned: NotScanned[] = [];
  const skipped: NotScanned[] = [];
  const listed = new Set<string>();
  for (const file of facts.pr.files ?? []) {
    listed.add(file.path);
    if (file.status === "removed") continue;
    if (file.patch !== null) {
      targets.push({ path: file.path, lines: addedLinesOfPatch(file.patch) });
      continue;
    }
    // A rename or copy with no changes has nothing new to scan.
    if (file.additions === 0 && (file.status === "renamed" || file.status === "unchanged")) continue;
    const content = file.content;
    if (content?.kind === "text") targets.push({ path: file.path, lines: linesOfText(content.text) });
    else if (content?.kind === "binary") skipped.push({ path: file.path, reason: "binary file (NUL bytes)" });
    else notScanned.push({ path: file.path, reason: content?.kind === "not-read" ? `GitHub showed no diff and the file was not read: ${content.reason}` : "GitHub showed no diff and the file's content was not read" });
  }
  const gaps = facts.incomplete ?? [];
  if (facts.pr.files !== null && gaps.some((g) => g.fact === "files")) {
    // Changed paths GitHub's file list stopped before (it lists at most 3,000).
    for (const path of facts.pr.changedPaths) if (!listed.has(path)) notScanned.push({ path, reason: "beyond the 3,000 files GitHub lists with their diff" });
  }
  for (const gap of gaps) if (gap.fact === "changedPaths") notScanned.push({ path: "(files beyond GitHub's list of changed paths)", reason: gap.reason });
  return { targets, notScanned, skipped };
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

export function scanPullRequest(facts: Facts, config: Config, key: Uint8Array): ScanResult & { skipped: NotScanned[] } {
  const { targets, notScanned, skipped } = scanTargetsOf(facts);
  const result = scannerFor(config, key).scan(targets);
  return { ...result, notScanned: [...notScanned, ...result.notScanned], skipped };
}

const UNSCANNED_LISTED = 10;
const NOT_SCANNED_FIX = "Make the unscanned files reviewable: split a change GitHub cannot list into smaller pull requests, keep large generated or data files out of the repository (or add them to secrets.diff.ignorePaths in the org-approved config), then push; until then review each file for credentials by hand";

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
      ...scan.notScanned.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level: settings.mode === "enforce" ? "failure" : "warning", title: "Not scanned for secrets", message: `${n.reason}. ${NOT_SCANNED_FIX}.` })),
      ...scan.skipped.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level: "notice", title: "Skipped by the secret scan", message: `${n.reason}: not scanned as text.` })),
    ];
    const byRule = new Map<string, number>();
    for (const f of active) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const counts = [...byRule.entries()].map(([rule, n]) => `${n} × ${rule}`).join(", ");
    const notScannedText =
      scan.notScanned.length > 0
        ? `; ${scan.notScanned.length} file${scan.notScanned.length === 1 ? "" : "s"} not scanned (${scan.notScanned
            .slice(0, UNSCANNED_LISTED)
            .map((n) => `${n.path}: ${n.reason}`)
            .join("; ")}${scan.notScanned.length > UNSCANNED_LISTED ? `; and ${scan.notScanned.length - UNSCANNED_LISTED} more, each annotated` : ""})`
        : "";
    const skippedText = scan.skipped.length > 0 ? `; ${scan.skipped.length} binary file${scan.skipped.length === 1 ? "" : "s"} skipped (${scan.skipped.slice(0, UNSCANNED_LISTED).map((n) => n.path).join(", ")}${scan.skipped.length > UNSCANNED_LISTED ? ", …" : ""})` : "";
    const ruleErrorText = scan.ruleErrors.length > 0 ? `; custom rule${scan.ruleErrors.length === 1 ? "" : "s"} not run: ${scan.ruleErrors.map((e) => `${e.rule} (${e.message})`).join(", ")}` : "";
    const suppressedText = suppressed.length > 0 ? `; ${suppressed.length} suppressed with ${INLINE_ALLOW}` : "";
    const details = {
      findings: active.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      suppressed: suppressed.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      notScanned: scan.notScanned,
      skipped: scan.skipped,
      ruleErrors: scan.ruleErrors,
      linesScanned: scan.linesScanned,
    };
    const findings: Finding[] = active.map((f) => ({ message: `${f.description} (${f.rule}): ${f.preview}`, path: f.path, line: f.line }));
    if (active.length === 0 && scan.notScanned.length > 0) {
      return {
        ...base,
        status: "fail",
        reason: `no secrets in ${scan.linesScanned} scanned line${scan.linesScanned === 1 ? "" : "s"}, but unscanned is not clean${notScannedText}${skippedText}${suppressedText}${ruleErrorText}`,
        fix: NOT_SCANNED_FIX,
        findings: scan.notScanned.map((n) => ({ message: `not scanned: ${n.reason}`, path: n.path })),
        annotations,
        details,
      };
    }
    if (active.length === 0) {
      return { ...base, status: "pass", reason: `no secrets in ${scan.linesScanned} added line${scan.linesScanned === 1 ? "" : "s"}${suppressedText}${skippedText}${ruleErrorText}`, fix: "", findings, annotations, details };
    }
    return {
      ...base,
      status: "fail",
      reason: `${active.length} possible secret${active.length === 1 ? "" : "s"}: ${counts}${suppressedText}${notScannedText}${skippedText}${ruleErrorText}`,
      fix: `Rotate each credential (it is already in the branch history), remove it from the code, and push; for a false positive add \`${INLINE_ALLOW}\` on that line`,
      findings,
      annotations,
      details,
    };
  },
};
