// Against a real redis-server and the sandbox: a label event whose evaluation is folded
// into a run another replica is already doing (the per-PR lock is held there) keeps its
// record — the emergency declaration — because the records wait in Redis for whichever
// run starts next. With records in each replica's memory (the control case) it is lost.

import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { FULL, GitHubSandbox, INSTALLATION_ID, ORG, REPO, seedOrganization } from "../../src/sandbox/index.js";
import { createServices, MemoryEventRecords, type EventRecordStore } from "../../src/triggers/services.js";
import { evaluatePullRequest } from "../../src/triggers/evaluate-pull-request.js";
import { RedisSerializer } from "../../src/runtime/redis-serializer.js";
import { RedisCheckRunStore } from "../../src/runtime/redis-check-runs.js";
import { RedisEventRecords } from "../../src/runtime/redis-event-records.js";
import type { GitHubClient } from "../../src/github/transport/client.js";
import { registerGitHubBase } from "../setup/github-contract.js";
import { redisForSuite, redisSkipReason } from "../helpers/redis-server.js";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function installationClient(sandbox: GitHubSandbox): Promise<GitHubClient> {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  const res = await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return new Octokit({ auth: ((await res.json()) as { token: string }).token, baseUrl: sandbox.apiUrl }) as unknown as GitHubClient;
}

describe.skipIf(redisSkipReason !== null)(`event records across replicas${redisSkipReason ? ` (${redisSkipReason})` : ""}`, () => {
  const { connect } = redisForSuite();

  it.each([
    ["shared in Redis", "success", (redis: Redis) => new RedisEventRecords(redis, "ev") as EventRecordStore],
    ["kept in each replica's memory (control)", "failure", () => new MemoryEventRecords() as EventRecordStore],
  ])("a label folded into another replica's run, with records %s, ends in %s", async (_name, expected, records) => {
    const sandbox = await new GitHubSandbox({ autoDeliver: false }).start();
    try {
      registerGitHubBase(sandbox.apiUrl, sandbox.graphqlUrl);
      seedOrganization(sandbox);
      const s = sandbox.state;
      s.createBranch(FULL, "hotfix");
      const head = s.commit(FULL, "hotfix", { files: { "src/fix.ts": "export const fix = 1;\n" }, message: "hotfix", author: "dave" });
      const pr = s.openPullRequest(FULL, { title: "Hotfix", body: "Emergency: payments down", author: "dave", head: "hotfix" });
      s.ci(FULL, head, "build", "success");
      s.ci(FULL, head, "test", "success");
      const gh = await installationClient(sandbox);
      const replica = () => {
        const redis = connect();
        return createServices({ appSlug: async () => "soc2-guard", appId: async () => sandbox.appId, fingerprintKey: new Uint8Array(32).fill(7), serializer: new RedisSerializer(redis, { prefix: "ev", pollMs: 10 }), knownCheckRuns: new RedisCheckRunStore(redis, "ev"), eventRecords: records(redis) });
      };
      const [a, b] = [replica(), replica()];
      const ref = { owner: ORG, repo: REPO, number: pr.number };

      // Replica A evaluates the opened PR; GitHub is slow to answer its facts query.
      sandbox.faults.add({ kind: "latency", path: "/graphql", ms: 1_000, times: 1 });
      const first = evaluatePullRequest(gh, quiet, a, ref, { post: true, headSha: head, knownHeadSha: head });
      await new Promise((r) => setTimeout(r, 300));
      // Meanwhile erin labels it an emergency; replica B gets the delivery, finds the PR locked, and folds in.
      s.label(FULL, pr.number, "emergency-change", "erin");
      const folded = await evaluatePullRequest(gh, quiet, b, ref, { post: true, knownHeadSha: head, labeled: { label: "emergency-change", by: "erin", headSha: head } });
      await first;
      expect(folded).toBeNull(); // B's call was worked by A's follow-up run
      const run = s.mustRepo(FULL).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === head).at(-1);
      expect(run?.conclusion).toBe(expected);
      if (expected === "success") expect(run?.output.summary).toMatch(/Emergency change/);
    } finally {
      await sandbox.stop();
    }
  });
});
