// Proves the shared hook (test/setup/github-contract.ts): requests sent by a real
// ProbotOctokit through nock are checked against GitHub's REST description and GraphQL
// schema, and a test that breaks the contract fails.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { allowContractViolations, contractViolationDetails, contractViolations, registerGitHubBase } from "../setup/github-contract.js";
import { PULL_REQUEST_FACTS, MORE_COMMITS, MORE_FILES } from "../../src/github/facts/queries.js";
import { checkGraphqlDocument, checkGraphqlRequest, checkRestRequest, findOperation } from "../helpers/github-contract.js";

const gh = (baseUrl = "https://api.github.com") =>
  new ProbotOctokit({ auth: { token: "t" }, baseUrl, retry: { enabled: false }, throttle: { enabled: false } });
const SHA = "a".repeat(40);

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("REST requests", () => {
  it("accepts a well-formed request", async () => {
    nock("https://api.github.com").post("/repos/acme/api/check-runs").reply(201, { id: 1 });
    await gh().request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "api", name: "soc2-guard", head_sha: SHA, status: "in_progress", output: { title: "t", summary: "s" } });
    nock("https://api.github.com").get("/repos/acme/api/pulls").query({ state: "closed", per_page: "100" }).reply(200, []);
    await gh().request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "api", state: "closed", per_page: 100 });
    expect(contractViolations()).toEqual([]);
  });

  it("flags a path GitHub does not have", async () => {
    allowContractViolations();
    nock("https://api.github.com").get("/repos/acme/api/compliance").reply(200, {});
    await gh().request("GET /repos/{owner}/{repo}/compliance", { owner: "acme", repo: "api" });
    expect(contractViolations()).toEqual(["GET /repos/acme/api/compliance: no such operation in GitHub's REST API (or it is missing from scripts/trim-openapi.ts)"]);
    expect(contractViolationDetails()[0]).toMatchObject({ method: "GET", url: "https://api.github.com/repos/acme/api/compliance", test: expect.stringContaining("flags a path") });
  });

  it("flags a method the path does not support", async () => {
    allowContractViolations();
    nock("https://api.github.com").delete("/repos/acme/api/check-runs").reply(204);
    await gh().request("DELETE /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "api" });
    expect(contractViolations()[0]).toMatch(/GitHub has no DELETE here \(only POST\)/);
  });

  it("flags a body of the wrong type or value", async () => {
    allowContractViolations();
    nock("https://api.github.com").patch("/repos/acme/api/check-runs/5").reply(200, {});
    await gh().request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: "acme", repo: "api", check_run_id: 5, status: "done" as never });
    nock("https://api.github.com").post("/repos/acme/api/issues/3/labels").reply(200, []);
    await gh().request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: "acme", repo: "api", issue_number: 3, labels: [{ nam: "x" }] as never });
    const [status, labels] = contractViolations();
    expect(status).toMatch(/^PATCH \/repos\/\{owner\}\/\{repo\}\/check-runs\/\{check_run_id\} \(\/repos\/acme\/api\/check-runs\/5\): request body does not match GitHub's schema: .*\/status must be equal to one of the allowed values/);
    expect(labels).toMatch(/^POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/labels .*request body does not match/);
  });

  it("flags a summary over GitHub's 65,535-character limit", async () => {
    allowContractViolations();
    nock("https://api.github.com").patch("/repos/acme/api/check-runs/5").reply(200, {});
    await gh().request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: "acme", repo: "api", check_run_id: 5, output: { title: "t", summary: "x".repeat(65_536) } });
    expect(contractViolations()[0]).toMatch(/\/output\/summary must NOT have more than 65535 characters/);
  });

  it("flags a non-integer id in the path, an unknown or ill-typed query parameter, and a missing required one", async () => {
    allowContractViolations();
    nock("https://api.github.com").get(/.*/).times(4).reply(200, {});
    await gh().request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "acme", repo: "api", pull_number: "latest" as never });
    await gh().request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "api", state: "merged" as never });
    await gh().request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "api", per_pag: 100 } as never);
    await gh().request("GET /search/issues", {} as never);
    expect(contractViolations()).toEqual([
      "GET /repos/{owner}/{repo}/pulls/{pull_number} (/repos/acme/api/pulls/latest): path parameter pull_number = \"latest\" must be an integer",
      expect.stringMatching(/query parameter state = "merged" must be one of open, closed, all/),
      expect.stringMatching(/has no query parameter per_pag/),
      expect.stringMatching(/^GET \/search\/issues .*required query parameter q is missing/),
    ]);
  });

  it("sees requests nock does not answer, and requests whose error the caller swallows", async () => {
    allowContractViolations();
    nock.disableNetConnect();
    await expect(gh().request("GET /repos/{owner}/{repo}/compliance", { owner: "acme", repo: "api" })).rejects.toThrow();
    expect(contractViolations()).toHaveLength(1);
  });

  it("keeps checking after nock.restore() and nock.activate()", async () => {
    allowContractViolations();
    nock.restore();
    nock.activate();
    nock("https://api.github.com").get("/repos/acme/api/compliance").reply(200, {});
    await gh().request("GET /repos/{owner}/{repo}/compliance", { owner: "acme", repo: "api" });
    expect(contractViolations()).toHaveLength(1);
  });

  it("checks a registered GitHub Enterprise base URL (REST under /api/v3, GraphQL at /api/graphql)", async () => {
    allowContractViolations();
    const unregister = registerGitHubBase("http://127.0.0.1:9/api/v3");
    nock("http://127.0.0.1:9").get("/api/v3/repos/acme/api/compliance").reply(200, {}).post("/api/graphql").reply(200, { data: {} });
    await gh("http://127.0.0.1:9/api/v3").request("GET /repos/{owner}/{repo}/compliance", { owner: "acme", repo: "api" });
    await gh("http://127.0.0.1:9/api/v3").graphql("query { viewer { nope } }");
    unregister();
    expect(contractViolations()).toEqual([expect.stringMatching(/^GET \/repos\/acme\/api\/compliance: no such operation/), expect.stringMatching(/Cannot query field "nope"/)]);
  });

  it("resolves multi-segment path parameters (git refs, file paths) by reference", () => {
    expect(checkRestRequest("GET", "/repos/acme/evidence/git/ref/heads/main", undefined)).toBeNull();
    expect(checkRestRequest("PATCH", "/repos/acme/evidence/git/refs/heads/main", { sha: SHA, force: false })).toBeNull();
    expect(checkRestRequest("GET", "/repos/acme/api/contents/.github/soc2-guard.yml?ref=main", undefined)).toBeNull();
    expect(findOperation("GET", "/repos/acme/api/commits/feature/x/check-runs")?.template).toBe("/repos/{owner}/{repo}/commits/{ref}/check-runs");
  });
});

describe("GraphQL requests", () => {
  it("accepts a valid query with valid variables", async () => {
    nock("https://api.github.com").post("/graphql").reply(200, { data: { repository: null } });
    await gh().graphql("query($owner: String!, $name: String!, $n: Int!) { repository(owner: $owner, name: $name) { pullRequest(number: $n) { title } } }", { owner: "acme", name: "api", n: 1 });
    expect(contractViolations()).toEqual([]);
  });

  it("flags a field GitHub's schema does not have", async () => {
    allowContractViolations();
    nock("https://api.github.com").post("/graphql").reply(200, { data: {} });
    await gh().graphql('query { repository(owner: "a", name: "b") { complianceScore } }');
    expect(contractViolations()[0]).toMatch(/Cannot query field "complianceScore" on type "Repository"/);
  });

  it("flags variables of the wrong type, missing required ones, and undeclared ones", async () => {
    allowContractViolations();
    nock("https://api.github.com").post("/graphql").times(3).reply(200, { data: {} });
    const query = "query Pr($owner: String!, $name: String!, $n: Int!) { repository(owner: $owner, name: $name) { pullRequest(number: $n) { title } } }";
    await gh().graphql(query, { owner: "acme", name: "api", n: "one" });
    await gh().graphql(query, { owner: "acme", n: 1 });
    await gh().graphql(query, { owner: "acme", name: "api", n: 1, cursor: "x" });
    expect(contractViolations()).toEqual([
      expect.stringMatching(/^POST \/graphql \(Pr\): Variable "\$n" got invalid value "one"; Int cannot represent non-integer value/),
      expect.stringMatching(/Variable "\$name" of required type "String!" was not provided/),
      expect.stringMatching(/variables cursor are not declared/),
    ]);
  });

  it("accepts every document soc2-guard's facts loader sends", () => {
    for (const query of [PULL_REQUEST_FACTS, MORE_COMMITS, MORE_FILES]) expect(checkGraphqlDocument(query)).toBeNull();
    expect(checkGraphqlRequest({ query: "{ viewer { login } }" })).toBeNull();
  });
});

describe("the hook fails the test that broke the contract", () => {
  it("in a child vitest run: unknown path, swallowed bad body and bad GraphQL fail; a clean test after them passes", async () => {
    const root = new URL("../..", import.meta.url);
    const out = join(mkdtempSync(join(tmpdir(), "contract-fixture-")), "report.json");
    await promisify(execFile)(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/contract/fixtures/vitest.fixture.config.ts", "--reporter=json", `--outputFile=${out}`], { cwd: root }).catch(() => undefined);
    const report = JSON.parse(readFileSync(out, "utf8")) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
    const results = Object.fromEntries(report.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, a]));
    expect(results["FIXTURE unknown path answered by nock"]?.status).toBe("failed");
    expect(results["FIXTURE unknown path answered by nock"]?.failureMessages.join("")).toMatch(/break GitHub's API contract[\s\S]*GET \/repos\/acme\/api\/compliance: no such operation/);
    expect(results["FIXTURE bad body whose network error is swallowed"]?.status).toBe("failed");
    expect(results["FIXTURE bad body whose network error is swallowed"]?.failureMessages.join("")).toMatch(/POST \/repos\/\{owner\}\/\{repo\}\/issues .*\/labels must be array/);
    expect(results["FIXTURE bad GraphQL field"]?.status).toBe("failed");
    expect(results["FIXTURE clean test after failing ones"]?.status).toBe("passed");
  });
});
