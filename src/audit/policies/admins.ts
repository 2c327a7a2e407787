// repo.admins — CC6.2, CC6.3: access is least-privilege: no outside collaborator holds
// admin (or, unless allowlisted, write) access, and no more admins than configured.
// Organization owners administer every repository and are not counted.

import { auditConfigOf } from "../config.js";
import { skipped, type Policy, type PolicyResult } from "../policy.js";

const WRITE_OR_MORE = new Set(["admin", "maintain", "write"]);

export const adminsPolicy: Policy = {
  id: "repo.admins",
  criteria: ["CC6.2", "CC6.3"],
  title: "Admins and outside collaborators",
  evaluate(facts, config): PolicyResult {
    const own = auditConfigOf(config).policies["repo.admins"];
    if (!own.enabled) return skipped(this, "off in config");
    if (!facts.collaborators) return skipped(this, "skipped: needs Metadata (read) and Administration (read) to list collaborators");
    const owners = new Set((facts.org.owners ?? []).map((l) => l.toLowerCase()));
    const outside = facts.org.outsideCollaborators ? new Set(facts.org.outsideCollaborators.map((l) => l.toLowerCase())) : null;
    const admins = facts.collaborators.filter((c) => c.permission === "admin" && !owners.has(c.login.toLowerCase())).map((c) => c.login).sort();
    const problems: string[] = [];
    const fixes: string[] = [];
    if (outside) {
      const allowed = new Set(own.outsideCollaboratorAllowlist.map((l) => l.toLowerCase()));
      const risky = facts.collaborators.filter((c) => outside.has(c.login.toLowerCase()) && WRITE_OR_MORE.has(c.permission) && (c.permission === "admin" || !allowed.has(c.login.toLowerCase())));
      for (const c of risky) problems.push(`outside collaborator ${c.login} has ${c.permission} access`);
      if (risky.length > 0) fixes.push(`lower ${risky.map((c) => c.login).join(", ")} to read (or triage), or allowlist write access in audit.policies.repo.admins.outsideCollaboratorAllowlist`);
    }
    if (admins.length > own.maxAdmins) {
      problems.push(`${admins.length} admins (${admins.join(", ")}), the maximum is ${own.maxAdmins}`);
      fixes.push(`reduce admins to ${own.maxAdmins} or fewer (maintain covers most needs)`);
    }
    const notes = [
      outside === null ? "outside collaborators not checked: needs organization Members (read)" : "",
      facts.org.owners === null ? "organization owners not known, counted as admins" : "",
      facts.collaboratorsComplete ? "" : "only the first 100 collaborators were read",
    ].filter(Boolean);
    const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    const details = { admins, maxAdmins: own.maxAdmins };
    if (problems.length === 0) return { id: this.id, criteria: this.criteria, status: "pass", reason: `${admins.length} admin${admins.length === 1 ? "" : "s"}, no outside collaborator with write access${note}`, fix: "", findings: [], details };
    return { id: this.id, criteria: this.criteria, status: "fail", reason: `${problems.join("; ")}${note}`, fix: `In Settings → Collaborators and teams: ${fixes.join("; ")}`, findings: problems.map((message) => ({ message })), details };
  },
};
