// repo.secret-scanning — CC6.1, CC7.1: GitHub secret scanning and push protection are on.
// Unknown (skipped, never failed) when the app cannot see `security_and_analysis`.

import { auditConfigOf } from "../config.js";
import { skipped, type Policy, type PolicyResult } from "../policy.js";

export const secretScanningPolicy: Policy = {
  id: "repo.secret-scanning",
  criteria: ["CC6.1", "CC7.1"],
  title: "Secret scanning",
  evaluate(facts, config): PolicyResult {
    const own = auditConfigOf(config).policies["repo.secret-scanning"];
    if (!own.enabled) return skipped(this, "off in config");
    if (!facts.security) return skipped(this, "skipped: needs Administration (read) to see secret scanning settings");
    const problems: string[] = [];
    if (facts.security.secretScanning !== "enabled") problems.push("secret scanning is off");
    if (own.requirePushProtection && facts.security.pushProtection !== "enabled") problems.push("push protection is off");
    const details = { ...facts.security };
    if (problems.length === 0) return { id: this.id, criteria: this.criteria, status: "pass", reason: `secret scanning${own.requirePushProtection ? " and push protection are" : " is"} on`, fix: "", findings: [], details };
    return {
      id: this.id,
      criteria: this.criteria,
      status: "fail",
      reason: problems.join("; "),
      fix: `In Settings → Code security: ${problems.map((p) => p.replace(" is off", "")).map((p) => `enable ${p}`).join("; ")}`,
      findings: problems.map((message) => ({ message })),
      details,
    };
  },
};
