// Shared test hook (vitest setupFile): every request a test sends to GitHub — REST or
// GraphQL, answered by nock or not — is checked against GitHub's contract, and a test that
// sent a malformed request fails with the method, path and problem.
//
// nock patches globalThis.fetch when it loads; importing it first and wrapping fetch
// afterwards puts this check in front of nock for every request Octokit makes.

import "nock";
import { afterEach } from "vitest";
import { checkGraphqlRequest, checkRestRequest } from "../helpers/github-contract.js";

interface GitHubBase {
  rest: string;
  graphql: string;
}

const bases: GitHubBase[] = [
  { rest: "https://api.github.com", graphql: "https://api.github.com/graphql" },
  { rest: "https://ghe.example.com/api/v3", graphql: "https://ghe.example.com/api/graphql" },
];
const violations: string[] = [];
let allowed = false;

/** Registers another GitHub base URL (e.g. the sandbox on localhost) for contract checks. */
export function registerGitHubBase(rest: string, graphql: string): void {
  bases.push({ rest: rest.replace(/\/$/, ""), graphql });
}

/** For a test that sends a bad request on purpose. */
export function allowContractViolations(): void {
  allowed = true;
}

export function contractViolations(): readonly string[] {
  return violations;
}

async function inspect(request: Request): Promise<void> {
  const url = new URL(request.url);
  const target = `${url.origin}${url.pathname}`;
  const bodyText = request.method === "GET" || request.method === "HEAD" ? "" : await request.clone().text();
  let body: unknown;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
  }
  for (const base of bases) {
    if (target === base.graphql) {
      const problem = checkGraphqlRequest(body);
      if (problem) violations.push(problem);
      return;
    }
    if (target.startsWith(`${base.rest}/`)) {
      const problem = checkRestRequest(request.method, decodeURIComponent(target.slice(base.rest.length)), body);
      if (problem) violations.push(problem);
      return;
    }
  }
}

const interceptedFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  try {
    await inspect(new Request(input, init));
  } catch (error) {
    violations.push(`could not inspect a request: ${(error as Error).message}`);
  }
  return interceptedFetch(input, init);
};

afterEach(() => {
  const found = [...violations];
  violations.length = 0;
  const wasAllowed = allowed;
  allowed = false;
  if (found.length > 0 && !wasAllowed) {
    throw new Error(`requests that break GitHub's API contract:\n- ${[...new Set(found)].join("\n- ")}`);
  }
});
