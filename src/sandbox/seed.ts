// The sandbox organization the demo, the end-to-end tests and the soak start from: org
// `acme` with its `.github` config, a product repository `acme/payments` with protection
// on main, the archive repository `acme/compliance-evidence`, people and teams.

import type { GitHubSandbox } from "./server.js";

export const ORG = "acme";
export const REPO = "payments";
export const FULL = `${ORG}/${REPO}`;
export const ARCHIVE_REPO = "compliance-evidence";
export const INSTALLATION_ID = 77;

export const ORG_CONFIG = `# acme's defaults for every repository (soc2-guard)
archive: { repository: ${ARCHIVE_REPO}, branch: main }
controls:
  review.approval: { mode: enforce, approvals: 1 }
  ci.passing: { mode: enforce, checks: ["build", "test"] }
  branch.protection: { mode: advisory }
  secrets.diff: { mode: enforce }
  secrets.repository: { mode: advisory }
  change.ticket: { mode: advisory, patterns: ["PAY-\\\\d+"] }
exceptions: { label: emergency-change, allowed: [team:sre-leads], reviewWithinHours: 48 }
`;

export interface SeedOptions {
  /** Extra repositories to create like payments (the soak spreads PRs over several). */
  repos?: string[];
  config?: string;
}

export function seedOrganization(sandbox: GitHubSandbox, options: SeedOptions = {}): void {
  const s = sandbox.state;
  s.createOrg(ORG, INSTALLATION_ID);
  s.addMember(ORG, "olivia", "admin");
  for (const login of ["alice", "bob", "carol", "dave", "erin"]) s.addMember(ORG, login);
  s.addTeam(ORG, "sre-leads", ["erin"]);
  s.addTeam(ORG, "developers", ["alice", "bob", "carol", "dave", "erin"]);
  s.createRepo(ORG, ".github", { files: { ".github/soc2-guard.yml": options.config ?? ORG_CONFIG, "README.md": "acme org defaults\n" } });
  s.createRepo(ORG, ARCHIVE_REPO, { files: { "README.md": "# compliance evidence\n\nWritten by soc2-guard. Append-only.\n" } });
  for (const name of [REPO, ...(options.repos ?? [])]) {
    s.createRepo(ORG, name, {
      files: {
        "README.md": `# ${name}\n`,
        "src/charge.ts": "export function charge(amountCents: number): number {\n  return amountCents;\n}\n",
        ".github/CODEOWNERS": "* @acme/developers\n",
      },
    });
    s.grantTeam(`${ORG}/${name}`, "developers", "write");
    s.protect(`${ORG}/${name}`, "main", { requiredApprovingReviewCount: 1, dismissStaleReviews: true, requiredStatusChecks: ["build", "test"], enforceAdmins: true });
    s.addRuleset(`${ORG}/${name}`, {
      name: "main is protected",
      enforcement: "active",
      include: ["~DEFAULT_BRANCH"],
      rules: [{ type: "deletion" }, { type: "non_fast_forward" }],
      bypassActors: [],
    });
  }
}

/** The portal's people: avery audits (team `auditors`), mallory is a GitHub user with no access to acme. */
export const AUDITOR = "avery";
export const OUTSIDER = "mallory";

export function seedAuditors(sandbox: GitHubSandbox): void {
  sandbox.state.addTeam(ORG, "auditors", [AUDITOR]);
  sandbox.state.user(OUTSIDER);
}
