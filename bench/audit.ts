// Org audit bench: a generated 1,000-repository organization answered by nock
// as GitHub would (ETags, 304s, paginated lists, GraphQL), audited twice with a shared
// ETag cache. Counted requests are what GitHub charges (a 304 is free).
//
//   npx tsx bench/audit.ts

import nock from "nock";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../src/github/transport/client.js";
import { EtagCache, RequestCounter } from "../src/github/transport/request-accounting.js";
import { auditOrganization } from "../src/github/audit/org-audit-run.js";
import { safeDefaults } from "../src/config/defaults.js";
import { defaultAuditConfig } from "../src/config/audit.js";
import { mockOrg, type FixtureOrg, type FixtureRepo } from "../test/audit/fixture-org.js";

const REPOS = 1_000;

export function generatedOrg(count = REPOS): FixtureOrg {
  const repos: FixtureRepo[] = Array.from({ length: count }, (_, i) => {
    const kind = i % 5;
    return {
      name: `service-${String(i).padStart(4, "0")}`,
      visibility: i % 50 === 0 ? "public" : "private",
      archived: i % 97 === 0,
      classic: kind === 0 ? null : kind === 1 ? { approvals: 1, enforceAdmins: false, allowForcePushes: true } : { approvals: 2, dismissStale: true, checks: ["soc2-guard"] },
      rulesets: [
        { id: 1, name: "org baseline", level: "Organization", rules: [{ type: "PULL_REQUEST", approvals: 1 }, { type: "DELETION" }, { type: "NON_FAST_FORWARD" }], bypass: [{ organizationAdmin: true }] },
        ...(kind === 3 ? [{ id: 10_000 + i, name: "release", level: "Repository" as const, rules: [{ type: "REQUIRED_STATUS_CHECKS" as const, checks: ["build"] }], bypass: [{ team: "release" }] }] : []),
      ],
      collaborators: [{ login: `owner-${i % 7}`, permission: "ADMIN" }, { login: "dev-a", permission: "WRITE" }, { login: "dev-b", permission: "WRITE" }, ...(i % 11 === 0 ? [{ login: "vendor-dev", permission: "WRITE" as const }] : [])],
      security: i % 13 === 0 ? { secretScanning: true, pushProtection: false } : { secretScanning: true, pushProtection: true },
    };
  });
  return { login: "bench-org", twoFactor: true, owners: ["octo-owner"], outside: ["vendor-dev"], repos };
}

export async function benchAudit(): Promise<{ repos: number; requests: number; seconds: number; coldRequestsPerRepo: number; warmRequestsPerRepo: number }> {
  nock.disableNetConnect();
  const fixture = generatedOrg();
  mockOrg(fixture, nock("https://api.github.com"), { repositoryGets: false });
  const gh = new ProbotOctokit({ auth: { token: "ghs_bench" }, throttle: { enabled: false }, retry: { enabled: false } }) as GitHubClient;
  const cache = new EtagCache();
  const config = { ...safeDefaults(), audit: defaultAuditConfig() };
  const cold = new RequestCounter();
  await auditOrganization(gh, fixture.login, config, { cache, counters: [cold] });
  // Counters stay installed on the client; take the cold figure before the warm pass.
  const coldCounted = cold.counted;
  const warm = new RequestCounter();
  const started = performance.now();
  const result = await auditOrganization(gh, fixture.login, config, { cache, counters: [warm] });
  const seconds = (performance.now() - started) / 1000;
  nock.cleanAll();
  const audited = result.audits.length;
  return {
    repos: REPOS,
    requests: warm.counted,
    seconds: Number(seconds.toFixed(2)),
    coldRequestsPerRepo: Number((coldCounted / REPOS).toFixed(3)),
    warmRequestsPerRepo: Number((warm.counted / REPOS).toFixed(3)),
    ...({ audited, coldRequests: coldCounted, warmNotModified: warm.notModified } as object),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchAudit().then((r) => console.log(JSON.stringify({ audit: r })), (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
