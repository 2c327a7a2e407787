// A scripted GitHub for app tests: nock interceptors that answer like GitHub does, built
// from a small scenario description. Every request the app sends still goes through the
// shared OpenAPI / GraphQL contract hook.

import nock from "nock";
import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { pino } from "pino";
import { createApp } from "../../src/app.js";
import { createServices, type AppServices } from "../../src/triggers/services.js";
import { WorkTracker } from "../../src/runtime/work-tracker.js";

export const API = "https://api.github.com";
export const APP_SLUG = "soc2-guard";
/** Our app's id: the databaseId the scripted GitHub gives our check suites. */
export const APP_ID = 1;
export const INSTALLATION_ID = 4242;

let privateKey: string | undefined;
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

export interface TestApp {
  probot: Probot;
  services: AppServices;
  tracker: WorkTracker;
  receive: (name: string, payload: Record<string, unknown>) => Promise<void>;
}

export function createTestApp(overrides: Partial<AppServices> = {}, options: { retries?: number; logLines?: string[] } = {}): TestApp {
  const services = createServices({
    appSlug: async () => APP_SLUG,
    appId: async () => APP_ID,
    fingerprintKey: new Uint8Array(32).fill(7),
    now: () => new Date("2026-11-02T12:00:00Z"),
    // Deterministic: a test's evaluation is "quick" (one completing write) unless it asks for 0.
    inProgressAfterMs: 60_000,
    ...overrides,
  });
  const tracker = new WorkTracker();
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    // Probot installs its own throttle options; a function default runs last and turns the
    // write pacing (1 s between writes) off for tests.
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { retries: options.retries ?? 0, retryAfterBaseValue: 1 },
      throttle: { ...(o.throttle as object), enabled: false },
    })),
    ...(options.logLines
      ? { log: pino({ level: "trace" }, { write: (line: string) => void options.logLines!.push(line) }) }
      : { logLevel: "fatal" as const }),
  });
  probot.load(createApp({ services, background: false, tracker }));
  return {
    probot,
    services,
    tracker,
    receive: async (name, payload) => {
      await probot.receive({ id: `delivery-${Math.random().toString(36).slice(2)}`, name: name as never, payload: { ...payload, installation: { id: INSTALLATION_ID } } as never });
    },
  };
}

export function mockInstallationToken(scope: nock.Scope = nock(API)): nock.Scope {
  return scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .optionally()
    .times(50)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });
}

export interface ScenarioCommit {
  sha: string;
  author: string | null;
  committer?: string | null;
  parents?: string[];
  /** soc2-guard's own check run's external_id on this commit. */
  ownRecord?: string;
  /** `Co-authored-by:` trailers: the account each email maps to (null: none). */
  coAuthors?: Array<{ email: string; login: string | null }>;
}
export interface ScenarioReview {
  id: number;
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commit: string;
  type?: "User" | "Bot";
  /** Default 2026-11-02T11:00:00Z. */
  submittedAt?: string;
}
export interface ScenarioCheck {
  name: string;
  app?: string;
  /** The check suite it belongs to (one per app unless named: a second workflow is a second suite). */
  suite?: string;
  /** Default 2026-11-02T11:30:00Z when completed. */
  completedAt?: string;
  status: "QUEUED" | "IN_PROGRESS" | "COMPLETED";
  conclusion?: string | null;
  id?: number;
}

export interface Scenario {
  owner: string;
  repo: string;
  number: number;
  title?: string;
  body?: string;
  author?: string;
  headRef?: string;
  baseRef?: string;
  isFork?: boolean;
  commits: ScenarioCommit[];
  /** headRefOid when it is not the last commit of the list (GitHub lists commits by author date). */
  headSha?: string;
  reviews?: ScenarioReview[];
  checks?: ScenarioCheck[];
  labels?: Array<{ name: string; addedBy: string }>;
  /** The PR's base was changed (GitHub's BaseRefChangedEvent). */
  baseChanged?: { at: string; from: string; to: string };
  paths?: string[];
  /** Renamed files (GraphQL lists only the new path, as RENAMED). */
  renamed?: Array<{ from: string; to: string }>;
  repoConfig?: string | null;
  orgConfig?: string | null;
  codeowners?: string | null;
  classic?: Record<string, unknown> | null;
  merged?: boolean;
  /** Every open PR whose head is this PR's head (this one included), as the facts query lists them. */
  sharedHead?: Array<{ number: number; baseRef: string }>;
  mergedBy?: string;
  mergeCommitSha?: string;
}

export function factsResponse(s: Scenario): Record<string, unknown> {
  const head = s.commits[s.commits.length - 1]!;
  const blob = (text: string | null | undefined) => (text ? { object: { text, isTruncated: false } } : null);
  return {
    data: {
      repository: {
        nameWithOwner: `${s.owner}/${s.repo}`,
        defaultBranchRef: { name: "main", target: { config: blob(s.repoConfig) } },
        pullRequest: {
          number: s.number,
          url: `https://github.com/${s.owner}/${s.repo}/pull/${s.number}`,
          title: s.title ?? "Update the README with new information (DOC-1)",
          body: s.body ?? "This is a pretty simple change that we need to pull into main.",
          isDraft: false,
          state: s.merged ? "MERGED" : "OPEN",
          merged: s.merged ?? false,
          mergedAt: s.merged ? "2026-11-02T12:30:00Z" : null,
          mergedBy: s.merged ? { login: s.mergedBy ?? "octo-maintainer" } : null,
          mergeCommit: s.merged ? { oid: s.mergeCommitSha ?? "5c2f1e1b7d6a4c3b2a19f8e7d6c5b4a392817160", parents: { totalCount: 2 } } : null,
          author: { __typename: "User", login: s.author ?? "Codertocat" },
          headRefName: s.headRef ?? "changes",
          headRefOid: s.headSha ?? head.sha,
          baseRefName: s.baseRef ?? "main",
          baseRefOid: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
          isCrossRepository: s.isFork ?? false,
          headRepository: { nameWithOwner: s.isFork ? `fork-owner/${s.repo}` : `${s.owner}/${s.repo}` },
          labels: { nodes: (s.labels ?? []).map((l) => ({ name: l.name })) },
          baseChanges: { nodes: s.baseChanged ? [{ createdAt: s.baseChanged.at, previousRefName: s.baseChanged.from, currentRefName: s.baseChanged.to }] : [] },
          timelineItems: { nodes: (s.labels ?? []).map((l) => ({ createdAt: "2026-11-02T10:00:00Z", actor: { login: l.addedBy }, label: { name: l.name } })) },
          commits: {
            totalCount: s.commits.length,
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: s.commits.map((c, i) => ({
              commit: {
                oid: c.sha,
                message: `commit ${i}`,
                // As the query asks: the first two parents, and how many there are.
                parents: ((parents) => ({ totalCount: parents.length, nodes: parents.slice(0, 2).map((oid) => ({ oid })) }))(c.parents ?? [i === 0 ? "f95f852bd8fca8fcc58a9a2d6c842781e32a215e" : s.commits[i - 1]!.sha]),
                author: { user: c.author ? { login: c.author } : null },
                committer: { user: (c.committer ?? c.author) ? { login: (c.committer ?? c.author)! } : null },
                ownRuns: { nodes: c.ownRecord ? [{ app: { slug: APP_SLUG }, checkRuns: { nodes: [{ externalId: c.ownRecord }] } }] : [] },
                authors: {
                  totalCount: 1 + (c.coAuthors ?? []).length,
                  nodes: [{ email: `${c.author ?? "someone"}@users.noreply.github.com`, user: c.author ? { login: c.author } : null }, ...(c.coAuthors ?? []).map((a) => ({ email: a.email, user: a.login ? { login: a.login } : null }))],
                },
              },
            })),
          },
          reviews: {
            totalCount: (s.reviews ?? []).length,
            nodes: (s.reviews ?? []).map((r) => ({ databaseId: r.id, state: r.state, submittedAt: r.submittedAt ?? "2026-11-02T11:00:00Z", author: { __typename: r.type ?? "User", login: r.login }, commit: { oid: r.commit } })),
          },
          files: {
            totalCount: (s.paths ?? ["README.md"]).length,
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: (s.paths ?? ["README.md"]).map((path) => ({ path, changeType: s.renamed?.some((r) => r.to === path) ? "RENAMED" : "MODIFIED" })),
          },
          head: {
            nodes: [
              {
                commit: {
                  oid: head.sha,
                  checkSuites: {
                    nodes: Object.entries(groupBy(s.checks ?? [], (c) => `${c.app ?? "github-actions"}|${c.suite ?? "1"}`)).map(([key, runs]) => ({
                      id: `CS_${key}`,
                      app: { slug: key.split("|")[0]!, databaseId: key.split("|")[0] === APP_SLUG ? 1 : 15368 },
                      checkRuns: {
                        nodes: runs.map((r, i) => ({
                          databaseId: r.id ?? 9000 + i,
                          name: r.name,
                          status: r.status,
                          conclusion: r.conclusion ?? null,
                          completedAt: r.status === "COMPLETED" ? (r.completedAt ?? "2026-11-02T11:30:00Z") : null,
                          detailsUrl: null,
                        })),
                      },
                    })),
                  },
                  status: null,
                },
              },
            ],
          },
          ...(s.sharedHead ? sharedHeadAnswer(s, head.sha) : {}),
          baseRef: {
            branchProtectionRule: s.classic === undefined ? null : s.classic,
            target: { codeownersGithub: blob(s.codeowners), codeownersRoot: null, codeownersDocs: null },
          },
        },
      },
      orgConfig: s.orgConfig === undefined ? null : { defaultBranchRef: { target: { config: blob(s.orgConfig) } } },
    },
  };
}

/** The facts query's view of the open PRs sharing the head: the head branch's PRs and the head commit's. */
function sharedHeadAnswer(s: Scenario, headSha: string): Record<string, unknown> {
  const nodes = (s.sharedHead ?? []).map((p) => ({ number: p.number, headRefOid: headSha, baseRepository: { nameWithOwner: `${s.owner}/${s.repo}` } }));
  return {
    headRef: { associatedPullRequests: { totalCount: nodes.length, nodes } },
    sharedHead: { nodes: [{ commit: { associatedPullRequests: { totalCount: nodes.length, nodes: nodes.map((n) => ({ ...n, state: "OPEN" })) } } }] },
  };
}

function groupBy<T>(items: T[], key: (t: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const item of items) (out[key(item)] ??= []).push(item);
  return out;
}

/** Interceptors for one evaluation's reads: the facts query, rulesets, permissions, files. */
export function mockEvaluationReads(
  scope: nock.Scope,
  s: Scenario,
  extra: {
    permissions?: Record<string, string>;
    files?: Array<{ filename: string; patch?: string; status?: string; additions?: number; sha?: string; previous_filename?: string }>;
    restPrefix?: string;
    graphqlPath?: string;
    /** security_and_analysis as GET /repos returns it; null → the field is absent (no Administration read). */
    security?: { secretScanning: "enabled" | "disabled"; pushProtection: "enabled" | "disabled" } | null;
    /** Open secret-scanning alerts; null → 403 (permission not granted). */
    alerts?: Array<{ number: number; secret_type: string }> | null;
    /** Edits the facts query's answer in place (GitHub shapes the scenario does not describe). */
    patchFacts?: (response: { data: Record<string, any> }) => void;
    /** What `GET /repos/{owner}/{repo}/rules/branches/{branch}` answers (default: no rules). */
    rules?: Array<Record<string, unknown>>;
    /** `GET /repos/{owner}/{repo}/rulesets/{id}` answers: the ruleset, or an HTTP status it fails with. */
    rulesets?: Record<number, Record<string, unknown> | number>;
  } = {},
): nock.Scope {
  const prefix = extra.restPrefix ?? "";
  const security = extra.security === undefined ? { secretScanning: "enabled", pushProtection: "enabled" } : extra.security;
  scope
    .get(`${prefix}/repos/${s.owner}/${s.repo}`)
    .optionally()
    .reply(
      200,
      {
        id: 1296269,
        name: s.repo,
        full_name: `${s.owner}/${s.repo}`,
        private: true,
        visibility: "private",
        default_branch: "main",
        ...(security ? { security_and_analysis: { secret_scanning: { status: security.secretScanning }, secret_scanning_push_protection: { status: security.pushProtection } } } : {}),
      },
      { etag: '"repo-v1"' },
    );
  const alerts = extra.alerts === undefined ? [] : extra.alerts;
  const alertsScope = scope.get(`${prefix}/repos/${s.owner}/${s.repo}/secret-scanning/alerts`).query((q) => q.hide_secret === "true").optionally();
  if (alerts === null) alertsScope.reply(403, { message: "Resource not accessible by integration" });
  else alertsScope.reply(200, alerts.map((a) => ({ ...a, html_url: `https://github.com/${s.owner}/${s.repo}/security/secret-scanning/${a.number}`, created_at: "2026-11-01T00:00:00Z", state: "open" })), { etag: '"alerts-v1"' });
  const facts = factsResponse(s) as { data: Record<string, any> };
  extra.patchFacts?.(facts);
  scope.post(extra.graphqlPath ?? "/graphql", (body: { query?: string }) => String(body.query).includes("query PullRequestFacts")).reply(200, facts);
  scope.get(`${prefix}/repos/${s.owner}/${s.repo}/rules/branches/${s.baseRef ?? "main"}`).query(true).reply(200, extra.rules ?? [], { etag: '"rules-v1"' });
  for (const [id, answer] of Object.entries(extra.rulesets ?? {})) {
    const ruleset = scope.get(`${prefix}/repos/${s.owner}/${s.repo}/rulesets/${id}`);
    if (typeof answer === "number") ruleset.reply(answer, { message: "Resource not accessible by integration" });
    else ruleset.reply(200, answer);
  }
  for (const [login, permission] of Object.entries(extra.permissions ?? {})) {
    scope
      .get(`${prefix}/repos/${s.owner}/${s.repo}/collaborators/${encodeURIComponent(login)}/permission`)
      .reply(200, { permission, role_name: permission, user: { login } }, { etag: `"perm-${login}-${permission}"` });
  }
  scope
    .get(`${prefix}/repos/${s.owner}/${s.repo}/pulls/${s.number}/files`)
    .query(true)
    .optionally()
    .reply(
      200,
      (extra.files ?? [{ filename: "README.md", patch: "@@ -1 +1,2 @@\n Hello\n+World" }]).map((f, i) => ({
        sha: f.sha ?? `${i}`.padStart(40, "0"),
        filename: f.filename,
        status: f.status ?? "modified",
        additions: f.additions ?? 1,
        deletions: 0,
        changes: f.additions ?? 1,
        blob_url: "",
        raw_url: "",
        contents_url: "",
        ...(f.patch === undefined ? {} : { patch: f.patch }),
        ...(f.previous_filename === undefined ? {} : { previous_filename: f.previous_filename }),
      })),
      { etag: '"files-v1"' },
    );
  return scope;
}

/** The merge queue's entries as GraphQL answers them (`MergeQueueEntries`), in queue order. */
export function mockMergeQueue(scope: nock.Scope, entries: Array<{ number: number; headSha: string }>, options: { totalCount?: number; absent?: boolean } = {}): void {
  scope
    .post("/graphql", (body: { query?: string }) => String(body.query).includes("query MergeQueueEntries"))
    .reply(200, {
      data: {
        repository: {
          mergeQueue: options.absent
            ? null
            : { entries: { totalCount: options.totalCount ?? entries.length, nodes: entries.map((e, i) => ({ position: i + 1, headCommit: { oid: e.headSha }, pullRequest: { number: e.number } })) } },
        },
      },
    });
}
