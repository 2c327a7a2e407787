// privacy.pii — C1.1, P4.1 (Privacy): no personal data in the lines the pull request adds.
// Checksum-validated identifiers (cards, IBANs, national ids) and bulk contact tables in data
// files; published test data is never a finding. Advisory by default. The value never leaves
// the scanner: annotations carry a masked preview, evidence a keyed fingerprint. It scans the
// same targets as secrets.diff (scan-targets.ts: patches, and the blob-read content of files
// GitHub sent no patch for), and unscanned is not clean here too.

import type { Config } from "../config/types.js";
import type { Facts } from "../facts.js";
import { PiiScanner, type PiiScanResult } from "../privacy/scanner.js";
import type { NotScanned } from "../secrets/scanner.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";
import { scanTargetsOf } from "./scan-targets.js";
import { diffScanControl } from "./diff-scan.js";

const scannerCache = new WeakMap<Config["controls"]["privacy.pii"], { key: Uint8Array; scanner: PiiScanner }>();

function scannerFor(config: Config, key: Uint8Array): PiiScanner {
  const settings = config.controls["privacy.pii"];
  const cached = scannerCache.get(settings);
  if (cached && cached.key === key) return cached.scanner;
  const scanner = new PiiScanner({ key, allow: settings.allow, allowDomains: settings.allowDomains, ignorePaths: settings.ignorePaths, bulkThreshold: settings.bulkThreshold });
  scannerCache.set(settings, { key, scanner });
  return scanner;
}

export function scanPullRequestForPii(facts: Facts, config: Config, key: Uint8Array): PiiScanResult & { skipped: NotScanned[] } {
  const { targets, notScanned, skipped } = scanTargetsOf(facts);
  const result = scannerFor(config, key).scan(targets);
  return { ...result, notScanned: [...notScanned, ...result.notScanned], skipped };
}

export const privacyPii = diffScanControl({
  id: "privacy.pii",
  criteria: ["C1.1", "P4.1"],
  title: "No personal data in the diff",
  modeOf: (config) => config.controls["privacy.pii"].mode,
  scan: (facts, config, key) => ({ ruleErrors: [], ...scanPullRequestForPii(facts, config, key) }),
  words: {
    subject: "personal data",
    finding: "possible personal data finding",
    notScannedTitle: "Not scanned for personal data",
    skippedTitle: "Skipped by the personal-data scan",
    notScannedFix: "Make the unscanned files reviewable (smaller pull requests, large data files out of the repository or under privacy.pii.ignorePaths in the org-approved config); until then review each file for personal data by hand",
    fix: `Replace real identifiers and contact data with published test values or generated data (example.com, 555 numbers); for test data add \`${INLINE_ALLOW}\` on that line or list it under privacy.pii.allow`,
    message: (f) =>
      f.length > 0
        ? `Possible personal data: a valid ${f.description} (${f.preview}) was added here. Replace it with a published test value or generated data, and if it is a real person's, treat it as a data incident. If it is test data, add \`${INLINE_ALLOW}\` on this line or list it under privacy.pii.allow.`
        : `Possible bulk personal data: this data file adds ${f.preview} of real-looking domains and formats. Use example.com / .test addresses and 555 numbers in fixtures; if these are real people's, remove them and treat it as a data incident. If they are synthetic, add \`${INLINE_ALLOW}\` to the file or list the domain under privacy.pii.allowDomains.`,
  },
});
