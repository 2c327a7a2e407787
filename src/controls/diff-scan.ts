// The shared skeleton of the controls that scan the lines a pull request adds (secrets.diff,
// privacy.pii): one scan over the shared target list (scan-targets.ts), annotations on
// file:line with a masked preview, `soc2-guard:allow` suppressions recorded, evidence details
// as fingerprints only, and unscanned is not clean (complete-facts.ts). A control supplies
// its scan and its words; the value itself never leaves the scanner.

import type { Facts } from "../facts.js";
import type { Config, Mode } from "../config/types.js";
import type { Annotation, Control, ControlId, ControlResult, Finding } from "./types.js";
import type { NotScanned, RuleError } from "../secrets/scanner.js";
import type { ScanFinding } from "../secrets/finding.js";
import { unscannedIsNotClean } from "./complete-facts.js";

export interface DiffScan {
  findings: ScanFinding[];
  notScanned: NotScanned[];
  skipped: NotScanned[];
  ruleErrors: RuleError[];
  linesScanned: number;
}

export interface DiffScanWords {
  /** "secrets", "personal data": what the scan looks for. */
  subject: string;
  /** "possible secret", "possible personal data finding": one finding, in the reason. */
  finding: string;
  /** Title of a not-scanned annotation. */
  notScannedTitle: string;
  /** Title of a skipped (binary) file's annotation. */
  skippedTitle: string;
  /** The fix when files were not scanned. */
  notScannedFix: string;
  /** The fix when there are findings. */
  fix: string;
  /** The annotation's message for one finding. */
  message(f: ScanFinding): string;
}

export interface DiffScanControl {
  id: ControlId;
  criteria: string[];
  title: string;
  modeOf(config: Config): Mode;
  scan(facts: Facts, config: Config, key: Uint8Array): DiffScan;
  words: DiffScanWords;
}

const LISTED = 10;
const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

export function diffScanControl(def: DiffScanControl): Control {
  return {
    id: def.id,
    criteria: def.criteria,
    title: def.title,
    evaluate(facts, config, env): ControlResult {
      const mode = def.modeOf(config);
      const base = { id: def.id, criteria: def.criteria, mode };
      if (mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [], annotations: [] };
      if (facts.pr.files === null) return { ...base, status: "skipped", reason: "the diff was not loaded", fix: "", findings: [], annotations: [] };

      const scan = def.scan(facts, config, env.fingerprintKey);
      const { words } = def;
      const active = scan.findings.filter((f) => !f.suppressed);
      const suppressed = scan.findings.filter((f) => f.suppressed);
      const level = mode === "enforce" ? "failure" : "warning";
      const annotations: Annotation[] = [
        ...active.map<Annotation>((f) => ({
          path: f.path,
          startLine: f.line,
          endLine: f.line,
          ...(f.length > 0 ? { startColumn: f.column, endColumn: f.column + f.length } : {}),
          level,
          // The rule id is the title so the annotation list groups by rule.
          title: f.rule,
          message: words.message(f),
        })),
        ...scan.notScanned.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level, title: words.notScannedTitle, message: `${n.reason}. ${words.notScannedFix}.` })),
        ...scan.skipped.map<Annotation>((n) => ({ path: n.path, startLine: 1, endLine: 1, level: "notice", title: words.skippedTitle, message: `${n.reason}: not scanned as text.` })),
      ];
      const byRule = new Map<string, number>();
      for (const f of active) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
      const counts = [...byRule.entries()].map(([rule, n]) => `${n} × ${rule}`).join(", ");
      const notScannedText =
        scan.notScanned.length > 0
          ? `; ${plural(scan.notScanned.length, "file")} not scanned (${scan.notScanned
              .slice(0, LISTED)
              .map((n) => `${n.path}: ${n.reason}`)
              .join("; ")}${scan.notScanned.length > LISTED ? `; and ${scan.notScanned.length - LISTED} more, each annotated` : ""})`
          : "";
      const skippedText = scan.skipped.length > 0 ? `; ${plural(scan.skipped.length, "binary file")} skipped (${scan.skipped.slice(0, LISTED).map((n) => n.path).join(", ")}${scan.skipped.length > LISTED ? ", …" : ""})` : "";
      const ruleErrorText = scan.ruleErrors.length > 0 ? `; custom rule${scan.ruleErrors.length === 1 ? "" : "s"} not run: ${scan.ruleErrors.map((e) => `${e.rule} (${e.message})`).join(", ")}` : "";
      const suppressedText = suppressed.length > 0 ? `; ${suppressed.length} suppressed with soc2-guard:allow` : "";
      const fingerprints = (list: ScanFinding[]) => list.map((f) => ({ rule: f.rule, path: f.path, line: f.line, fingerprint: f.fingerprint }));
      const details = { findings: fingerprints(active), suppressed: fingerprints(suppressed), notScanned: scan.notScanned, skipped: scan.skipped, ruleErrors: scan.ruleErrors, linesScanned: scan.linesScanned };
      const findings: Finding[] = active.map((f) => ({ message: `${f.description} (${f.rule}): ${f.preview}`, path: f.path, line: f.line }));
      if (active.length > 0) {
        return {
          ...base,
          status: "fail",
          reason: `${plural(active.length, words.finding)}: ${counts}${suppressedText}${notScannedText}${skippedText}${ruleErrorText}`,
          fix: words.fix,
          findings,
          annotations,
          details,
        };
      }
      const clean: ControlResult = { ...base, status: "pass", reason: `no ${words.subject} in ${plural(scan.linesScanned, "added line")}${suppressedText}${skippedText}${ruleErrorText}`, fix: "", findings, annotations, details };
      return unscannedIsNotClean(clean, scan.notScanned, {
        reason: `no ${words.subject} in ${plural(scan.linesScanned, "scanned line")}, but unscanned is not clean${notScannedText}${skippedText}${suppressedText}${ruleErrorText}`,
        fix: words.notScannedFix,
      });
    },
  };
}
