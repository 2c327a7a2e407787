import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { allowContractViolations, contractViolations } from "../setup/github-contract.js";
import { PULL_REQUEST_FACTS, MORE_COMMITS, MORE_FILES } from "../../src/github/queries.js";
import { checkGraphqlRequest } from "../helpers/github-contract.js";

const gh = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });

afterEach(() => nock.cleanAll());

describe("the GitHub contract hook", () => {
  it("accepts a well-formed REST request", async () => {
    nock("https://api.github.com").post("/repos/acme/api/check-runs").reply(201, { id: 1 });
    await gh().request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "api", name: "soc2-guard", head_sha: "a".repeat(40), status: "in_progress" });
    expect(contractViolations()).toEqual([]);
  });

  it("flags a path GitHub does not have", async () => {
    allowContractViolations();
    nock("https://api.github.com").get("/repos/acme/api/compliance").reply(200, {});
    await gh().request("GET /repos/{owner}/{repo}/compliance", { owner: "acme", repo: "api" });
    expect(contractViolations()).toEqual(["GET /repos/acme/api/compliance: no such operation in GitHub's REST API (or it is missing from scripts/trim-openapi.ts)"]);
  });

  it("flags a method the path does not support", async () => {
    allowContractViolations();
    nock("https://api.github.com").delete("/repos/acme/api/check-runs").reply(204);
    await gh().request("DELETE /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "api" });
    expect(contractViolations()[0]).toMatch(/GitHub has no DELETE here \(only POST\)/);
  });

  it("flags a body that does not match GitHub's schema", async () => {
    allowContractViolations();
    nock("https://api.github.com").patch("/repos/acme/api/check-runs/5").reply(200, {});
    await gh().request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: "acme", repo: "api", check_run_id: 5, status: "done" as never, conclusion: "passed" as never });
    expect(contractViolations()[0]).toMatch(/^PATCH \/repos\/\{owner\}\/\{repo\}\/check-runs\/\{check_run_id\}: request body does not match GitHub's schema: \/status must be equal to one of the allowed values/);
  });

  it("flags a GraphQL field GitHub's schema does not have", async () => {
    allowContractViolations();
    nock("https://api.github.com").post("/graphql").reply(200, { data: {} });
    await gh().graphql("query { repository(owner: \"a\", name: \"b\") { complianceScore } }");
    expect(contractViolations()[0]).toMatch(/Cannot query field "complianceScore" on type "Repository"/);
  });

  it("accepts every query soc2-guard sends", () => {
    for (const query of [PULL_REQUEST_FACTS, MORE_COMMITS, MORE_FILES]) expect(checkGraphqlRequest({ query })).toBeNull();
  });
});

describe("multi-segment path parameters", () => {
  it("matches a git ref with slashes, defined by reference", async () => {
    const { checkRestRequest } = await import("../helpers/github-contract.js");
    expect(checkRestRequest("GET", "/repos/acme/evidence/git/ref/heads/main", undefined)).toBeNull();
    expect(checkRestRequest("PATCH", "/repos/acme/evidence/git/refs/heads/main", { sha: "a".repeat(40), force: false })).toBeNull();
    expect(checkRestRequest("GET", "/repos/acme/api/contents/.github/soc2-guard.yml", undefined)).toBeNull();
  });
});
