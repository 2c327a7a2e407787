// End to end over real HTTP: the sandbox sends signed webhooks to the real app server
// (Probot's Server), which reads and writes the sandbox through its REST and GraphQL APIs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FULL } from "../../src/sandbox/index.js";
import { verifyChain } from "../../src/evidence/verify.js";
import { withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";
import { row, startE2E, type E2E } from "./harness.js";

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e.stop();
});

const edit = (n: number) => ({ "src/charge.ts": `export function charge(amountCents: number): number {\n  return amountCents + ${n};\n}\n` });

describe("the pull-request gate", () => {
  it("fails an unapproved PR with the fix in the summary, then passes once approved and CI is green", async () => {
    const s = e.sandbox.state;
    s.createBranch(FULL, "gate");
    const head = s.commit(FULL, "gate", { files: edit(1), message: "PAY-1 fee", author: "alice" });
    const pr = s.openPullRequest(FULL, { title: "PAY-1 fee", author: "alice", head: "gate" });
    await e.settle();
    let run = e.ownRun(head);
    expect(run?.conclusion).toBe("failure");
    expect(row(run, "review.approval")).toMatch(/❌.*Ask 1 more reviewer/);
    expect(row(run, "ci.passing")).toMatch(/⏳/);

    s.review(FULL, pr.number, "bob", "APPROVED");
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    await e.settle();
    run = e.ownRun(head);
    expect(run?.conclusion).toBe("success");
    // Updated, never duplicated: one soc2-guard check run on the head commit.
    expect(s.mustRepo(FULL).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === head)).toHaveLength(1);
  });

  it("annotates a pushed secret on its line, masked, and the value appears nowhere", async () => {
    const s = e.sandbox.state;
    const token = withGitHubChecksum("ghp", "E2eT0kenN0tReal7xQ2mN9vLr4Tzz");
    s.createBranch(FULL, "secret");
    const head = s.commit(FULL, "secret", { files: { "src/client.ts": `export const token = "${token}";\n` }, message: "PAY-2 client", author: "carol" });
    s.openPullRequest(FULL, { title: "PAY-2 client", author: "carol", head: "secret" });
    await e.settle();
    const run = e.ownRun(head)!;
    expect(row(run, "secrets.diff")).toMatch(/❌/);
    expect(run.output.annotations).toEqual(expect.arrayContaining([expect.objectContaining({ path: "src/client.ts", start_line: 1, annotation_level: "failure" })]));
    expect(JSON.stringify(run.output)).not.toContain(token.slice(4));
  });

  it("an approval given before a later push goes stale", async () => {
    const s = e.sandbox.state;
    s.createBranch(FULL, "stale");
    s.commit(FULL, "stale", { files: edit(3), message: "PAY-3 one", author: "dave" });
    const pr = s.openPullRequest(FULL, { title: "PAY-3", author: "dave", head: "stale" });
    s.review(FULL, pr.number, "bob", "APPROVED");
    await e.settle();
    const head = s.commit(FULL, "stale", { files: edit(4), message: "PAY-3 two", author: "dave" });
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    await e.settle();
    expect(e.ownRun(head)?.conclusion).toBe("failure");
    expect(row(e.ownRun(head), "review.approval")).toMatch(/went stale/);
  });
});

describe("evidence", () => {
  it("records a merge exactly once, even when GitHub redelivers the webhook", async () => {
    const s = e.sandbox.state;
    const repo = s.mustRepo(FULL);
    s.createBranch(FULL, "merge-me");
    const head = s.commit(FULL, "merge-me", { files: edit(5), message: "PAY-5", author: "alice" });
    const pr = s.openPullRequest(FULL, { title: "PAY-5 merge me", author: "alice", head: "merge-me" });
    s.review(FULL, pr.number, "bob", "APPROVED");
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    await e.settle();
    const sha = s.merge(FULL, pr.number, "bob");
    await e.settle();
    const id = `${FULL}#${pr.number}@${sha}`;
    expect(e.records().filter((r) => r.id === id)).toHaveLength(1);
    const delivery = e.sandbox.deliveries.find((d) => d.event === "pull_request" && d.action === "closed")!;
    await e.sandbox.send("pull_request", s.describe!.envelope("closed", repo, "bob", { number: pr.number, pull_request: s.describe!.pullRequest(repo, pr) }), { id: delivery.id });
    await e.sandbox.send("pull_request", s.describe!.envelope("closed", repo, "bob", { number: pr.number, pull_request: s.describe!.pullRequest(repo, pr) }));
    await e.settle();
    const record = e.records().filter((r) => r.id === id);
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ kind: "pull-request", flags: { independentApproval: true, coversMergedHead: true, ciPassed: true } });
  });

  it("an emergency change passes with a warning, records the exception and opens a retroactive review issue", async () => {
    const s = e.sandbox.state;
    s.createBranch(FULL, "hotfix");
    const head = s.commit(FULL, "hotfix", { files: edit(6), message: "hotfix", author: "dave" });
    const pr = s.openPullRequest(FULL, { title: "Hotfix", body: "Emergency: payments down", author: "dave", head: "hotfix" });
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    s.label(FULL, pr.number, "emergency-change", "erin");
    await e.settle();
    expect(e.ownRun(head)?.conclusion).toBe("success");
    expect(e.ownRun(head)?.output.summary).toMatch(/Emergency change/);
    s.merge(FULL, pr.number, "dave");
    await e.settle();
    const record = e.records().find((r) => r.pullRequest?.number === pr.number);
    expect(record?.exception).toMatchObject({ declaredBy: "erin", reason: "payments down" });
    const issues = readdirSync(join(e.archiveDir!, "issues")).map((f) => readFileSync(join(e.archiveDir!, "issues", f), "utf8"));
    expect(issues.filter((t) => t.includes(`Retroactive review: ${FULL}#${pr.number}`))).toHaveLength(1);
  });

  it("a direct push to main is an unreviewed change with a justification issue; a feature-branch push is not", async () => {
    const s = e.sandbox.state;
    const before = e.records().length;
    s.createBranch(FULL, "wip");
    s.commit(FULL, "wip", { files: edit(7), message: "wip", author: "carol" });
    const sha = s.commit(FULL, "main", { files: edit(8), message: "quick fix", author: "olivia" });
    await e.settle();
    expect(e.records()).toHaveLength(before + 1);
    expect(e.records().at(-1)).toMatchObject({ id: `${FULL}@${sha}`, kind: "direct-push", push: { pusher: "olivia" } });
    const dir = join(e.archiveDir!, "issues");
    expect(existsSync(dir) && readdirSync(dir).some((f) => readFileSync(join(dir, f), "utf8").includes(`Unreviewed change: ${FULL}@${sha.slice(0, 7)}`))).toBe(true);
    const stored = e.records().map((r) => ({ location: r.id, text: JSON.stringify(r) }));
    expect(stored.length).toBeGreaterThan(0);
  });

  it("the chain verifies", async () => {
    const { readArchiveDirectory } = await import("../../src/evidence/local-archive.js");
    const stored = readArchiveDirectory(e.archiveDir!);
    expect(verifyChain(stored.lines, stored.head)).toMatchObject({ ok: true });
  });
});

describe("webhook security", () => {
  it("rejects forged and unsigned deliveries and processes nothing", async () => {
    const s = e.sandbox.state;
    const repo = s.mustRepo(FULL);
    s.createBranch(FULL, "forged");
    s.commit(FULL, "forged", { files: edit(9), message: "x", author: "alice" });
    await e.settle();
    e.sandbox.autoDeliver = false;
    const pr = s.openPullRequest(FULL, { title: "PAY-9", author: "alice", head: "forged" });
    const event = e.sandbox.queued.find((q) => q.name === "pull_request")!;
    e.sandbox.queued.length = 0;
    e.sandbox.autoDeliver = true;
    const requestsBefore = e.sandbox.requests.length;
    const forged = await e.sandbox.send(event.name, event.payload, { signature: "forged" });
    const unsigned = await e.sandbox.send(event.name, event.payload, { signature: "unsigned" });
    await e.settle();
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(e.sandbox.requests.length).toBe(requestsBefore);
    expect(e.ownRun(s.headSha(repo, pr))).toBeUndefined();
  });
});

describe("GitHub failing", () => {
  it("retries 502s and secondary rate limits and still lands the right verdict", async () => {
    const s = e.sandbox.state;
    s.createBranch(FULL, "faults");
    const head = s.commit(FULL, "faults", { files: edit(10), message: "PAY-10", author: "alice" });
    e.sandbox.faults.add({ kind: "error", path: "/graphql", status: 502, times: 1 });
    // Any check-run write (a quick evaluation creates its run completed, in one POST).
    e.sandbox.faults.add({ kind: "secondary-rate-limit", path: "/check-runs", status: 403, retryAfter: 1, times: 1 });
    e.sandbox.faults.add({ kind: "latency", path: "/pulls/", ms: 150, times: 3 });
    const pr = s.openPullRequest(FULL, { title: "PAY-10", author: "alice", head: "faults" });
    s.review(FULL, pr.number, "bob", "APPROVED");
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    await e.settle();
    expect(e.sandbox.faults.stats).toMatchObject({ error: 1, secondaryRateLimit: 1 });
    expect(e.ownRun(head)?.conclusion).toBe("success");
    e.sandbox.faults.clear();
  });
});
