// The sandbox answers like GitHub: every REST response it sends for the endpoints
// soc2-guard uses validates against GitHub's OpenAPI description; GraphQL runs the app's
// own documents against GitHub's schema; auth, webhooks, faults and ref updates behave.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, createSign } from "node:crypto";
import { createServer } from "node:http";
import { GitHubSandbox, seedOrganization, FULL, ORG, ARCHIVE_REPO, INSTALLATION_ID } from "../../src/sandbox/index.js";
import { PULL_REQUEST_FACTS, CONFIG_FILE } from "../../src/github/facts/queries.js";
import { checkRestResponse } from "./response-contract.js";
import { findOperation } from "../helpers/github-contract.js";

let sb: GitHubSandbox;
let token: string;
const exercised = new Set<string>();

function jwt(key: string, appId: number): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: appId })}`;
  const signature = createSign("RSA-SHA256").update(head).sign(key, "base64url");
  return `${head}.${signature}`;
}

async function call(method: string, path: string, body?: unknown, auth = `token ${token}`, accept = "application/vnd.github+json") {
  const res = await fetch(`${sb.apiUrl}${path}`, { method, headers: { authorization: auth, accept, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : text;
  const pathname = decodeURIComponent(new URL(`${sb.apiUrl}${path}`).pathname.slice("/api/v3".length));
  if (res.status < 300 && res.headers.get("content-type")?.includes("json")) {
    const problem = checkRestResponse(method, pathname, res.status, json);
    expect(problem, `${method} ${path}`).toBeNull();
    exercised.add(`${method} ${findOperation(method, pathname)!.template}`);
  }
  return { status: res.status, body: json, headers: res.headers };
}

beforeAll(async () => {
  sb = await new GitHubSandbox({ autoDeliver: false }).start();
  seedOrganization(sb);
  const s = sb.state;
  s.createBranch(FULL, "feature");
  const c1 = s.commit(FULL, "feature", { files: { "src/charge.ts": "export const fee = 1;\n" }, message: "PAY-7 fee", author: "alice" });
  const pr = s.openPullRequest(FULL, { title: "PAY-7 fee", author: "alice", head: "feature" });
  s.review(FULL, pr.number, "bob", "APPROVED");
  s.label(FULL, pr.number, "emergency-change", "erin");
  s.ci(FULL, c1, "build", "success");
  s.setStatus(FULL, c1, "lint", "success");
  s.createBranch(FULL, "merged");
  s.commit(FULL, "merged", { files: { "docs.md": "hello\n" }, message: "PAY-8 docs", author: "carol" });
  const pr2 = s.openPullRequest(FULL, { title: "PAY-8 docs", author: "carol", head: "merged" });
  s.merge(FULL, pr2.number, "olivia");
  s.repo(ORG, FULL.split("/")[1]!)!.secretAlerts.push({ number: 1, secretType: "github_personal_access_token", createdAt: new Date().toISOString(), state: "open" });
  const created = await call("POST", `/app/installations/${INSTALLATION_ID}/access_tokens`, undefined, `Bearer ${jwt(sb.privateKey, sb.appId)}`);
  expect(created.status).toBe(201);
  token = created.body.token;
});

afterAll(async () => {
  await sb.stop();
});

describe("REST responses match GitHub's OpenAPI description", () => {
  it("answers every endpoint soc2-guard sends with GitHub's shapes", async () => {
    const head = sb.state.headSha(sb.state.mustRepo(FULL), sb.state.mustRepo(FULL).pulls.get(1)!);
    expect((await call("GET", "/app", undefined, `Bearer ${jwt(sb.privateKey, sb.appId)}`)).body.slug).toBe("soc2-guard");
    await call("GET", `/repos/${FULL}`);
    expect((await call("GET", `/repos/${FULL}/contents/README.md`)).body.type).toBe("file");
    expect((await call("GET", `/repos/${ORG}/.github/contents/${encodeURIComponent(CONFIG_FILE)}`, undefined, undefined, "application/vnd.github.raw+json")).body).toContain("archive:");
    await call("GET", `/repos/${FULL}/pulls?state=open&per_page=100`);
    await call("GET", `/repos/${FULL}/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=1`);
    await call("GET", `/repos/${FULL}/pulls/1`);
    const files = await call("GET", `/repos/${FULL}/pulls/1/files?per_page=100`);
    expect(files.body[0].patch).toContain("+export const fee = 1;");
    await call("GET", `/repos/${FULL}/pulls/1/commits`);
    await call("GET", `/repos/${FULL}/commits/${head}/pulls?per_page=100`);
    await call("GET", `/repos/${FULL}/commits?sha=main&per_page=100`);
    const base = sb.state.mustRepo(FULL).pulls.get(1)!.baseSha;
    expect((await call("GET", `/repos/${FULL}/compare/${base}...${head}?per_page=100`)).body.status).toBe("ahead");
    expect((await call("GET", `/repos/${FULL}/collaborators/bob/permission`)).body.permission).toBe("write");
    expect((await call("GET", `/repos/${FULL}/collaborators/mallory/permission`)).body.permission).toBe("none");
    expect((await call("GET", `/orgs/${ORG}/teams/sre-leads/members?per_page=100`)).body.map((u: { login: string }) => u.login)).toEqual(["erin"]);
    const rules = await call("GET", `/repos/${FULL}/rules/branches/main?per_page=100`);
    expect(rules.body.map((r: { type: string }) => r.type)).toEqual(["deletion", "non_fast_forward"]);
    await call("GET", `/repos/${FULL}/rulesets/${rules.body[0].ruleset_id}`);
    await call("GET", `/repos/${FULL}/secret-scanning/alerts?state=open&per_page=100&hide_secret=true`);
    const run = await call("POST", `/repos/${FULL}/check-runs`, { name: "soc2-guard", head_sha: head, status: "in_progress", external_id: head, output: { title: "t", summary: "s" } });
    expect(run.status).toBe(201);
    await call("PATCH", `/repos/${FULL}/check-runs/${run.body.id}`, {
      status: "completed",
      conclusion: "failure",
      output: { title: "t", summary: "s", annotations: [{ path: "src/charge.ts", start_line: 1, end_line: 1, annotation_level: "failure", title: "x", message: "y" }] },
    });
    await call("GET", `/repos/${FULL}/check-runs/${run.body.id}`);
    await call("GET", `/repos/${FULL}/commits/${head}/check-runs`);
    const issue = await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/issues`, { title: "Unreviewed change", body: "b", labels: ["soc2-guard:direct-push"] });
    expect(issue.status).toBe(201);
    await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/issues?state=all&per_page=100&labels=soc2-guard:direct-push`);
    await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/issues/${issue.body.number}`);
    await call("PATCH", `/repos/${ORG}/${ARCHIVE_REPO}/issues/${issue.body.number}`, { state: "closed", state_reason: "completed" });
    await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/issues/${issue.body.number}/comments`, { body: "resolved" });
    await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/labels`, { name: "soc2-guard:drift", color: "d93f0b" });
    expect((await call("GET", `/search/issues?q=${encodeURIComponent(`repo:${FULL} is:pr is:open sha:${head}`)}&per_page=20`)).body.total_count).toBe(1);
    await call("GET", `/orgs/${ORG}`);
    await call("GET", `/orgs/${ORG}/repos?type=all&per_page=100`);
    await call("GET", `/orgs/${ORG}/members?role=admin&per_page=100`);
    await call("GET", `/orgs/${ORG}/outside_collaborators?per_page=100`);
    // The git data API on the archive repository.
    const ref = await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/ref/heads/main`);
    const commit = await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/commits/${ref.body.object.sha}`);
    await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/trees/${commit.body.tree.sha}?recursive=1`);
    const blob = await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/git/blobs`, { content: "line\n", encoding: "utf-8" });
    await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/blobs/${blob.body.sha}`);
    const tree = await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/git/trees`, { base_tree: commit.body.tree.sha, tree: [{ path: "records/x.jsonl", mode: "100644", type: "blob", sha: blob.body.sha }] });
    const next = await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/git/commits`, { message: "evidence", tree: tree.body.sha, parents: [ref.body.object.sha] });
    expect((await call("PATCH", `/repos/${ORG}/${ARCHIVE_REPO}/git/refs/heads/main`, { sha: next.body.sha, force: false })).status).toBe(200);
    await call("POST", `/repos/${ORG}/${ARCHIVE_REPO}/git/refs`, { ref: "refs/heads/side", sha: ref.body.object.sha });

    const used = [
      "GET /app", "GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/contents/{path}", "GET /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", "GET /repos/{owner}/{repo}/commits", "GET /repos/{owner}/{repo}/compare/{basehead}",
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission", "GET /orgs/{org}/teams/{team_slug}/members", "GET /repos/{owner}/{repo}/rules/branches/{branch}",
      "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", "GET /repos/{owner}/{repo}/secret-scanning/alerts", "POST /repos/{owner}/{repo}/check-runs",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", "GET /repos/{owner}/{repo}/issues", "POST /repos/{owner}/{repo}/issues",
      "PATCH /repos/{owner}/{repo}/issues/{issue_number}", "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", "POST /repos/{owner}/{repo}/labels",
      "GET /search/issues", "GET /repos/{owner}/{repo}/git/commits/{commit_sha}", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "GET /orgs/{org}", "GET /orgs/{org}/repos",
      "GET /orgs/{org}/members", "GET /orgs/{org}/outside_collaborators", "POST /app/installations/{installation_id}/access_tokens",
    ];
    expect(used.filter((u) => !exercised.has(u))).toEqual([]);
  });

  it("the response check is not vacuous: a shape GitHub would not send fails it", () => {
    expect(checkRestResponse("GET", "/repos/a/b/pulls/1", 200, { number: 1 })).toMatch(/required property/);
    expect(checkRestResponse("POST", "/repos/a/b/check-runs", 201, { id: "x" })).toMatch(/response does not match/);
  });

  it("refuses a non-fast-forward ref update without force (422) and takes it with force", async () => {
    const ref = await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/ref/heads/main`);
    const parent = (await call("GET", `/repos/${ORG}/${ARCHIVE_REPO}/git/commits/${ref.body.object.sha}`)).body.parents[0].sha;
    const back = await call("PATCH", `/repos/${ORG}/${ARCHIVE_REPO}/git/refs/heads/main`, { sha: parent, force: false });
    expect(back.status).toBe(422);
    expect(back.body.message).toBe("Update is not a fast forward");
    expect((await call("PATCH", `/repos/${ORG}/${ARCHIVE_REPO}/git/refs/heads/main`, { sha: parent, force: true })).status).toBe(200);
  });

  it("answers conditional requests with 304", async () => {
    const first = await call("GET", `/repos/${FULL}/rules/branches/main`);
    const res = await fetch(`${sb.apiUrl}/repos/${FULL}/rules/branches/main`, { headers: { authorization: `token ${token}`, "if-none-match": first.headers.get("etag")! } });
    expect(res.status).toBe(304);
  });
});

describe("authentication", () => {
  it("rejects a missing or unknown token and a JWT signed by another key", async () => {
    expect((await call("GET", `/repos/${FULL}`, undefined, "token ghs_nope")).status).toBe(401);
    const { generateKeyPairSync } = await import("node:crypto");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect((await call("GET", "/app", undefined, `Bearer ${jwt(other, sb.appId)}`)).status).toBe(401);
    expect((await call("GET", "/app", undefined, `Bearer ${jwt(sb.privateKey, 999)}`)).status).toBe(401);
  });
});

describe("GraphQL against GitHub's schema", () => {
  const gql = async (query: string, variables: Record<string, unknown>) =>
    (await fetch(sb.graphqlUrl, { method: "POST", headers: { authorization: `token ${token}`, "content-type": "application/json" }, body: JSON.stringify({ query, variables }) })).json() as any; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("runs the app's facts query over the state", async () => {
    const result = await gql(PULL_REQUEST_FACTS, { owner: ORG, repo: FULL.split("/")[1], number: 1, configPath: CONFIG_FILE });
    expect(result.errors).toBeUndefined();
    const pr = result.data.repository.pullRequest;
    expect(pr.reviews.nodes[0]).toMatchObject({ state: "APPROVED", author: { __typename: "User", login: "bob" } });
    expect(pr.timelineItems.nodes[0]).toMatchObject({ actor: { login: "erin" }, label: { name: "emergency-change" } });
    expect(pr.head.nodes[0].commit.checkSuites.nodes[0]).toMatchObject({ app: { slug: "github-actions" }, checkRuns: { nodes: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] } });
    expect(pr.head.nodes[0].commit.status.contexts[0]).toMatchObject({ context: "lint", state: "SUCCESS" });
    expect(pr.baseRef.branchProtectionRule).toMatchObject({ requiredApprovingReviewCount: 1, requiredStatusCheckContexts: ["build", "test"] });
    expect(pr.baseRef.target.codeownersGithub.object.text).toContain("@acme/developers");
    expect(result.data.orgConfig.defaultBranchRef.target.config.object.text).toContain("archive:");
    expect(pr.files.nodes).toEqual([{ path: "src/charge.ts", changeType: "MODIFIED" }]);
  });

  it("rejects documents GitHub would reject, and names a missing repository NOT_FOUND", async () => {
    const bad = await gql("query { repository(owner: \"acme\", name: \"payments\") { noSuchField } }", {});
    expect(bad.errors[0].message).toMatch(/noSuchField/);
    const missing = await gql("query { repository(owner: \"acme\", name: \"nope\") { name } }", {});
    expect(missing.errors[0].type).toBe("NOT_FOUND");
    expect(missing.data.repository).toBeNull();
  });

  it("createCommitOnBranch is a compare-and-swap on the head; a ref-conflict fault moves the branch first", async () => {
    const head = async () => (await gql("query { repository(owner: \"acme\", name: \"compliance-evidence\") { ref(qualifiedName: \"refs/heads/main\") { target { oid } } } }", {})).data.repository.ref.target.oid;
    const mutation = "mutation ($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }";
    const input = (expectedHeadOid: string) => ({ input: { branch: { repositoryNameWithOwner: `${ORG}/${ARCHIVE_REPO}`, branchName: "main" }, expectedHeadOid, message: { headline: "evidence" }, fileChanges: { additions: [{ path: "a.txt", contents: Buffer.from("a").toString("base64") }] } } });
    const h1 = await head();
    expect((await gql(mutation, input(h1))).data.createCommitOnBranch.commit.oid).toBe(await head());
    sb.faults.add({ kind: "ref-conflict", path: "/graphql", times: 1 });
    const h2 = await head();
    const refused = await gql(mutation, input(h2));
    expect(refused.errors[0].type).toBe("STALE_DATA");
    expect(await head()).not.toBe(h2);
  });
});

describe("faults and webhooks", () => {
  it("keeps GitHub's delivery log: every attempt, newest first, cursor-paged, and redelivers an attempt on request", async () => {
    const app = `Bearer ${jwt(sb.privateKey, sb.appId)}`;
    sb.setWebhookUrl("http://127.0.0.1:9/unreachable");
    const failed = [await sb.send("ping", { zen: "a" }), await sb.send("ping", { zen: "b" }), await sb.send("ping", { zen: "c" })];
    expect(failed.map((d) => d.status)).toEqual([0, 0, 0]);
    const first = await call("GET", "/app/hook/deliveries?per_page=2", undefined, app);
    expect(first.body.map((a: { guid: string }) => a.guid)).toEqual([failed[2]!.id, failed[1]!.id]);
    expect(first.body[0]).toMatchObject({ status_code: 0, redelivery: false, event: "ping" });
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")![1]!;
    const second = await call("GET", next.slice(sb.apiUrl.length), undefined, app);
    expect(second.body[0].guid).toBe(failed[0]!.id);
    expect((await call("POST", `/app/hook/deliveries/${first.body[0].id}/attempts`, undefined, app)).status).toBe(202);
    await sb.idle();
    expect(sb.redeliveryRequests).toEqual([failed[2]!.id]);
    expect(sb.hookAttempts.at(-1)).toMatchObject({ guid: failed[2]!.id, redelivery: true, statusCode: 0 });
    expect((await call("POST", "/app/hook/deliveries/999999/attempts", undefined, app)).status).toBe(404);
  });

  it("injects 502 and secondary rate limits with retry-after on the matching endpoint only", async () => {
    sb.faults.add({ kind: "error", path: "/pulls/1/files", times: 1 });
    sb.faults.add({ kind: "secondary-rate-limit", method: "POST", path: "/check-runs", status: 429, retryAfter: 2, times: 1 });
    expect((await call("GET", `/repos/${FULL}/pulls/1/files`)).status).toBe(502);
    expect((await call("GET", `/repos/${FULL}/pulls/1/files`)).status).toBe(200);
    const limited = await call("POST", `/repos/${FULL}/check-runs`, { name: "x", head_sha: sb.state.mustRepo(FULL).git.refs.get("main") });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.body.message).toMatch(/secondary rate limit/);
  });

  it("signs deliveries with the webhook secret (X-Hub-Signature-256), and can forge or omit it", async () => {
    const seen: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ headers: req.headers, body });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    sb.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as { port: number }).port}/`);
    expect(sb.queued.length).toBeGreaterThan(0);
    const [first] = await sb.flush();
    await sb.send("ping", { zen: "hi" }, { signature: "forged" });
    await sb.send("ping", { zen: "hi" }, { signature: "unsigned", id: first!.id });
    receiver.close();
    const valid = seen[0]!;
    expect(valid.headers["x-hub-signature-256"]).toBe(`sha256=${createHmac("sha256", sb.webhookSecret).update(valid.body).digest("hex")}`);
    expect(valid.headers["x-github-delivery"]).toBe(first!.id);
    expect(seen.at(-2)!.headers["x-hub-signature-256"]).not.toBe(`sha256=${createHmac("sha256", sb.webhookSecret).update(seen.at(-2)!.body).digest("hex")}`);
    expect(seen.at(-1)!.headers["x-hub-signature-256"]).toBeUndefined();
    expect(seen.at(-1)!.headers["x-github-delivery"]).toBe(first!.id);
  });
});
