// secrets.repository — CC6.1, CC7.1: GitHub's own secret scanning and push protection are
// on, and no secret-scanning alert is open. What the app cannot see is skipped with the
// permission it needs, never failed.

import type { Control, ControlResult } from "./types.js";

export const secretsRepository: Control = {
  id: "secrets.repository",
  criteria: ["CC6.1", "CC7.1"],
  title: "Repository secret scanning",
  evaluate(facts, config): ControlResult {
    const mode = config.controls["secrets.repository"].mode;
    const base = { id: this.id, criteria: this.criteria, mode, annotations: [] };
    if (mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [] };
    const { secretScanning, pushProtection, openSecretAlerts } = facts.security;
    if (secretScanning === null) {
      return { ...base, status: "skipped", reason: "unknown: grant Administration (read) to see secret scanning settings", fix: "", findings: [] };
    }
    const problems: string[] = [];
    const fixes: string[] = [];
    if (secretScanning !== "enabled") {
      problems.push("secret scanning is off");
      fixes.push("enable secret scanning");
    }
    if (pushProtection !== "enabled") {
      problems.push("push protection is off");
      fixes.push("enable push protection");
    }
    if (openSecretAlerts && openSecretAlerts.length > 0) {
      problems.push(`${openSecretAlerts.length} open secret-scanning alert${openSecretAlerts.length === 1 ? "" : "s"} (${openSecretAlerts.slice(0, 3).map((a) => `#${a.number} ${a.secretType}`).join(", ")})`);
      fixes.push("rotate the leaked secrets and close the alerts");
    }
    const alertsNote = openSecretAlerts === null ? " (alerts not checked: grant Secret scanning alerts (read))" : "";
    const details = { secretScanning, pushProtection, openAlerts: openSecretAlerts?.map((a) => ({ number: a.number, secretType: a.secretType })) ?? null };
    if (problems.length === 0) {
      return { ...base, status: "pass", reason: `secret scanning and push protection are on, no open alerts${alertsNote}`, fix: "", findings: [], details };
    }
    return {
      ...base,
      status: "fail",
      reason: problems.join("; ") + alertsNote,
      fix: `In Settings → Code security: ${fixes.join("; ")}`,
      findings: problems.map((message) => ({ message })),
      details,
    };
  },
};
