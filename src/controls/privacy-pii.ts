// privacy.pii — C1.1, P4.1 (Privacy): no personal data in the lines the pull request adds.
// Checksum-validated identifiers (cards, IBANs, national ids) and bulk contact tables in data
// files; published test data is never a finding. Advisory by default. The value never leaves
// the scanner: annotations carry a masked preview, evidence a keyed fingerprint.

import type { Config } from "../config/types.js";
import type { Annotation, Control, ControlResult, Finding } from "./types.js";
import { PiiScanner, type PiiScanResult } from "../privacy/scanner.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";
import { scanTargetsOf } from "./secrets-diff.js";
import type { Facts } from "../facts.js";

const scannerCache = new WeakMap<Config["controls"]["privacy.pii"], { key: Uint8Array; scanner: PiiScanner }>();

function scannerFor(config: Config, key: Uint8Array): PiiScanner {
  const settings = config.controls["privacy.pii"];
  const cached = scannerCache.get(settings);
  if (cached && cached.key === key) return cached.scanner;
  const scanner = new PiiScanner({ key, allow: settings.allow, allowDomains: settings.allowDomains, ignorePaths: settings.ignorePaths, bulkThreshold: settings.bulkThreshold });
  scannerCache.set(settings, { key, scanner });
  return scanner;
}

export function scanPullRequestForPii(facts: Facts, config: Config, key: Uint8Array): PiiScanResult {
  const { targets, notScanned } = scanTargetsOf(facts);
  const result = scannerFor(config, key).scan(targets);
  return { ...result, notScanned: [...notScanned, ...result.notScanned] };
}

export const privacyPii: Control = {
  id: "privacy.pii",
  criteria: ["C1.1", "P4.1"],
  title: "No personal data in the diff",
  evaluate(facts, config, env): ControlResult {
    const settings = config.controls["privacy.pii"];
    const base = { id: this.id, criteria: this.criteria, mode: settings.mode };
    if (settings.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [], annotations: [] };
    if (facts.pr.files === null) return { ...base, status: "skipped", reason: "the diff was not loaded", fix: "", findings: [], annotations: [] };

    const scan = scanPullRequestForPii(facts, config, env.fingerprintKey);
    const active = scan.findings.filter((f) => !f.suppressed);
    const suppressed = scan.findings.filter((f) => f.suppressed);
    const annotations: Annotation[] = [
      ...active.map<Annotation>((f) => ({
        path: f.path,
        startLine: f.line,
        endLine: f.line,
        ...(f.length > 0 ? { startColumn: f.column, endColumn: f.column + f.length } : {}),
        level: settings.mode === "enforce" ? "failure" : "warning",
        title: f.rule,
        message:
          f.length > 0
            ? `Possible personal data: a valid ${f.description} (${f.preview}) was added here. Replace it with a published test value or generated data, and if it is a real person's, treat it as a data incident. If it is test data, add \`${INLINE_ALLOW}\` on this line or list it under privacy.pii.allow.`
            : `Possible bulk personal data: this data file adds ${f.preview} of real-looking domains and formats. Use example.com / .test addresses and 555 numbers in fixtures; if these are real people's, remove them and treat it as a data incident. If they are synthetic, add \`${INLINE_ALLOW}\` to the file or list the domain under privacy.pii.allowDomains.`,
      })),
      ...scan.notScanned.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level: "warning", title: "Not scanned for personal data", message: `${n.reason}. Review this file for personal data by hand.` })),
    ];
    const byRule = new Map<string, number>();
    for (const f of active) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const counts = [...byRule.entries()].map(([rule, n]) => `${n} × ${rule}`).join(", ");
    const notScannedText = scan.notScanned.length > 0 ? `; ${scan.notScanned.length} file${scan.notScanned.length === 1 ? "" : "s"} not scanned (${scan.notScanned.slice(0, 3).map((n) => n.path).join(", ")}${scan.notScanned.length > 3 ? ", …" : ""})` : "";
    const suppressedText = suppressed.length > 0 ? `; ${suppressed.length} suppressed with ${INLINE_ALLOW}` : "";
    const details = {
      findings: active.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      suppressed: suppressed.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint })),
      notScanned: scan.notScanned,
      linesScanned: scan.linesScanned,
    };
    const findings: Finding[] = active.map((f) => ({ message: `${f.description} (${f.rule}): ${f.preview}`, path: f.path, line: f.line }));
    if (active.length === 0) {
      return { ...base, status: "pass", reason: `no personal data in ${scan.linesScanned} added line${scan.linesScanned === 1 ? "" : "s"}${suppressedText}${notScannedText}`, fix: scan.notScanned.length > 0 ? "Review the files that were not scanned by hand" : "", findings, annotations, details };
    }
    return {
      ...base,
      status: "fail",
      reason: `${active.length} possible personal data finding${active.length === 1 ? "" : "s"}: ${counts}${suppressedText}${notScannedText}`,
      fix: `Replace real identifiers and contact data with published test values or generated data (example.com, 555 numbers); for test data add \`${INLINE_ALLOW}\` on that line or list it under privacy.pii.allow`,
      findings,
      annotations,
      details,
    };
  },
};
