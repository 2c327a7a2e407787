// Shared test hook (vitest setupFile, registered in vitest.config.ts): every request a test
// sends to GitHub — REST or GraphQL, answered by nock, passed through to a local server, or
// refused — is checked against GitHub's contract (test/helpers/github-contract.ts), and the
// test that sent a malformed one fails with the method, path and problem.
//
// How requests are seen: nock 14 (through @mswjs/interceptors) replaces globalThis.fetch
// when it loads. This file imports nock first and then wraps that fetch, so the check runs
// in front of nock for every fetch — matched, unmatched, passthrough — which is how Octokit
// (and so Probot) sends everything. `nock.restore()` / `nock.activate()` re-patch fetch, so
// both are wrapped here to keep the hook outermost; `beforeEach` also re-installs it if
// anything else replaced fetch, and `ensureContractHook()` does so on demand.
//
// Why record-then-fail: a throw inside fetch becomes a network error that Octokit's retry
// or the code under test may swallow. Violations are recorded, and a global `afterEach`
// fails the test if any were recorded (then clears them).

import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";
import { checkGraphqlRequest, checkRestRequest } from "../helpers/github-contract.js";

interface GitHubBase {
  /** REST root, no trailing slash: https://api.github.com or http://127.0.0.1:PORT/api/v3 */
  rest: string;
  /** GraphQL endpoint: https://api.github.com/graphql or http://127.0.0.1:PORT/api/graphql */
  graphql: string;
}

export interface ContractViolation {
  test: string | undefined;
  method: string;
  url: string;
  problem: string;
}

const DEFAULT_BASES: readonly GitHubBase[] = [
  { rest: "https://api.github.com", graphql: "https://api.github.com/graphql" },
  { rest: "https://ghe.example.com/api/v3", graphql: "https://ghe.example.com/api/graphql" },
];
const bases: GitHubBase[] = [...DEFAULT_BASES];
const violations: ContractViolation[] = [];
let allowed = false;

/** The GraphQL endpoint GitHub serves beside a REST root (GHES: /api/v3 → /api/graphql). */
function graphqlUrlFor(rest: string): string {
  return rest.endsWith("/api/v3") ? `${rest.slice(0, -"/api/v3".length)}/api/graphql` : `${rest}/graphql`;
}

/**
 * Checks requests to another GitHub base URL too, e.g. a GHES-style
 * `http://127.0.0.1:PORT/api/v3` served by the sandbox. The GraphQL endpoint defaults to
 * GitHub's layout (`…/api/graphql` for `…/api/v3`, else `…/graphql`). Returns a function
 * that removes the registration; registrations also end with the test file.
 */
export function registerGitHubBase(rest: string, graphql?: string): () => void {
  const base = { rest: rest.replace(/\/+$/, ""), graphql: graphql ?? graphqlUrlFor(rest.replace(/\/+$/, "")) };
  bases.push(base);
  return () => {
    const i = bases.indexOf(base);
    if (i >= 0) bases.splice(i, 1);
  };
}

/**
 * For a test that sends a bad request on purpose: violations in the current test are still
 * recorded (see `contractViolations()`) but do not fail it. Resets after each test.
 */
export function allowContractViolations(): void {
  allowed = true;
}

/** The problems recorded so far in the current test, as "METHOD path: problem" strings. */
export function contractViolations(): readonly string[] {
  return violations.map((v) => v.problem);
}

/** The same, with the URL and the test that sent each request. */
export function contractViolationDetails(): readonly ContractViolation[] {
  return [...violations];
}

/** Checks one request (as the hook does) and returns the problem, without recording it. */
export async function checkGitHubRequest(request: Request): Promise<string | null> {
  const url = new URL(request.url);
  const target = `${url.origin}${safeDecode(url.pathname)}`;
  let bodyText = "";
  if (request.method !== "GET" && request.method !== "HEAD" && request.body !== null) bodyText = await request.clone().text();
  let body: unknown;
  let notJson = false;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      notJson = true;
    }
  }
  for (const base of bases) {
    if (target === base.graphql) {
      if (request.method !== "POST") return `${request.method} /graphql: GitHub's GraphQL endpoint takes POST`;
      if (notJson) return "POST /graphql: body is not JSON";
      return checkGraphqlRequest(body);
    }
    if (target.startsWith(`${base.rest}/`)) {
      const path = target.slice(base.rest.length) + url.search;
      if (notJson) {
        const problem = checkRestRequest(request.method, path, undefined);
        return problem ?? (request.headers.get("content-type")?.includes("json") ? `${request.method} ${path}: body is not JSON` : null);
      }
      return checkRestRequest(request.method, path, body);
    }
  }
  return null;
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function currentTestName(): string | undefined {
  try {
    return expect.getState().currentTestName;
  } catch {
    return undefined;
  }
}

async function inspect(request: Request): Promise<void> {
  let problem: string | null;
  try {
    problem = await checkGitHubRequest(request);
  } catch (error) {
    problem = `${request.method} ${request.url}: could not inspect the request: ${(error as Error).message}`;
  }
  if (problem) violations.push({ test: currentTestName(), method: request.method, url: request.url, problem });
}

const WRAPPED = Symbol.for("soc2-guard.github-contract-hook");
type Fetch = typeof globalThis.fetch;

function wrap(inner: Fetch): Fetch {
  const hooked = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // A Request (or a streamed body) can be read once: inspect a clone, send the original.
    if (input instanceof Request || init?.body instanceof ReadableStream) {
      const request = new Request(input, init);
      await inspect(request.clone());
      return inner(request);
    }
    let probe: Request | undefined;
    try {
      probe = new Request(input, init);
    } catch {
      // Let fetch itself report an invalid URL or init.
    }
    if (probe) await inspect(probe);
    return inner(input, init);
  };
  return Object.assign(hooked, { [WRAPPED]: inner }) as Fetch;
}

function setFetch(value: Fetch): void {
  Object.defineProperty(globalThis, "fetch", { value, writable: true, enumerable: true, configurable: true });
}

/** Puts the hook back in front of globalThis.fetch if something replaced it. */
export function ensureContractHook(): void {
  if (!(WRAPPED in globalThis.fetch)) setFetch(wrap(globalThis.fetch));
}

ensureContractHook();

// nock.restore() puts back the fetch nock found (dropping the hook); nock.activate() wraps
// whatever fetch is current. Keep the hook outermost, exactly once, across both.
const nockApi = nock as unknown as { restore: () => void; activate: () => void };
const { restore, activate } = nockApi;
nockApi.restore = function restoreWithHook(this: unknown) {
  restore.call(this);
  ensureContractHook();
};
nockApi.activate = function activateWithHook(this: unknown) {
  const current = globalThis.fetch as Fetch & { [WRAPPED]?: Fetch };
  if (current[WRAPPED]) setFetch(current[WRAPPED]);
  try {
    activate.call(this);
  } finally {
    ensureContractHook();
  }
};

beforeEach(() => {
  ensureContractHook();
});

afterEach(() => {
  const found = violations.splice(0);
  const wasAllowed = allowed;
  allowed = false;
  ensureContractHook();
  if (found.length > 0 && !wasAllowed) {
    const lines = [...new Set(found.map((v) => v.problem))];
    throw new Error(`${lines.length} request(s) break GitHub's API contract (test/setup/github-contract.ts; call allowContractViolations() if deliberate):\n- ${lines.join("\n- ")}`);
  }
});
