// secrets.diff — CC6.1, C1.1: no credential in the lines the pull request adds.
// Findings are annotated on their line with a masked preview; the value never leaves the scanner.
// Unscanned is not clean: a file GitHub showed no patch for is scanned from its content
// (read by the loader through the Git blobs API within a budget); a binary file (NUL bytes)
// is listed as skipped; any other file that was not scanned — past a budget, past GitHub's
// file list, cut by the scanner's limits — fails the control in enforce mode, by name.
// The skeleton (annotations, reasons, evidence details) is diff-scan.ts, shared with privacy.pii.

import type { Facts } from "../facts.js";
import type { Config } from "../config/types.js";
import { SecretScanner, type NotScanned, type ScanResult } from "../secrets/scanner.js";
import { builtinRules } from "../secrets/rules/index.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";
import { scanTargetsOf } from "./scan-targets.js";
import { diffScanControl } from "./diff-scan.js";

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

export const secretsDiff = diffScanControl({
  id: "secrets.diff",
  criteria: ["CC6.1", "C1.1"],
  title: "No secrets in the diff",
  modeOf: (config) => config.controls["secrets.diff"].mode,
  scan: scanPullRequest,
  words: {
    subject: "secrets",
    finding: "possible secret",
    notScannedTitle: "Not scanned for secrets",
    skippedTitle: "Skipped by the secret scan",
    notScannedFix:
      "Make the unscanned files reviewable: split a change GitHub cannot list into smaller pull requests, keep large generated or data files out of the repository (or add them to secrets.diff.ignorePaths in the org-approved config), then push; until then review each file for credentials by hand",
    fix: `Rotate each credential (it is already in the branch history), remove it from the code, and push; for a false positive add \`${INLINE_ALLOW}\` on that line`,
    message: (f) =>
      `Possible secret: a value that looks like a ${f.description} (${f.preview}) was added here. Rotate the credential now — it is in the branch history — then remove it and load it from a secret store. If it is not a secret, mark the false positive with \`${INLINE_ALLOW}\` in a comment on this line.`,
  },
});
