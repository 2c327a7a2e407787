// Loads the facts snapshot for one pull request with as few counted requests as
// GitHub allows: one GraphQL query for the PR, its checks, classic protection,
// CODEOWNERS and both config files; then conditional (ETag) REST requests — free when
// unchanged — for rulesets, permissions, team members and the diff.

import type { GitHubClient } from "./client.js";
import { CONFIG_FILE, MORE_COMMITS, MORE_FILES, PULL_REQUEST_FACTS } from "./queries.js";
import type {
  AccountType,
  BranchRules,
  ChangedFile,
  CheckFacts,
  CommitFacts,
  Facts,
  LabelFacts,
  ReviewFacts,
  RepositorySecurityFacts,
  ReviewState,
} from "../facts.js";
import type { Config, ResolvedConfig } from "../config/types.js";
import { resolveConfigCached } from "../config/resolve.js";
import { parseCodeOwners } from "../controls/codeowners.js";
import { latestDecisiveReviews } from "../controls/review-approval.js";
import { combineBranchRules, fromClassicProtection, rulesetParts, type RulesetDetails } from "../rules/branch-rules.js";
import { classifyMergeCommit, type UpdateMergeCache } from "./update-merge.js";
import { OWN_CHECK_NAME } from "../controls/identities.js";

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

export interface LoadedPullRequest {
  facts: Facts;
  resolved: ResolvedConfig;
  defaultBranch: string;
  /** Our check run on the head commit, when one exists (updated, never duplicated). */
  ownCheckRun: { id: number; status: string } | null;
  /** How a merged PR was merged: a two-parent merge commit, or squash/rebase (one parent). */
  mergeMethod: "merge" | "squash-or-rebase" | "unknown";
}

export interface LoadOptions {
  /** Our app's slug, to recognise our own check run. */
  appSlug: string;
  /** Load file patches (needed when secrets.diff is on). */
  withPatches: boolean;
  updateMergeCache: UpdateMergeCache;
  now?: () => Date;
}

/** The GraphQL answer, typed as far as we read it. */
interface FactsQueryResult {
  repository: {
    nameWithOwner: string;
    defaultBranchRef: { name: string; target: { config?: BlobFile | null } | null } | null;
    pullRequest: GqlPullRequest | null;
  } | null;
  orgConfig: { defaultBranchRef: { target: { config?: BlobFile | null } | null } | null } | null;
}
interface BlobFile {
  object: { text?: string | null; isTruncated?: boolean } | null;
}
interface GqlCommit {
  oid: string;
  message: string;
  parents: { nodes: Array<{ oid: string }> };
  author: { user: { login: string } | null } | null;
  committer: { user: { login: string } | null } | null;
}
interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface GqlPullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  isDraft: boolean;
  state: "OPEN" | "CLOSED" | "MERGED";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: { login: string } | null;
  mergeCommit: { oid: string; parents?: { totalCount: number } } | null;
  author: { __typename: string; login: string } | null;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  baseRefOid: string;
  isCrossRepository: boolean;
  headRepository: { nameWithOwner: string } | null;
  labels: { nodes: Array<{ name: string }> };
  timelineItems: { nodes: Array<{ createdAt?: string; actor?: { login: string } | null; label?: { name: string } }> };
  commits: { totalCount: number; pageInfo: PageInfo; nodes: Array<{ commit: GqlCommit }> };
  reviews: {
    totalCount: number;
    nodes: Array<{ databaseId: number; state: ReviewState; submittedAt: string | null; author: { __typename: string; login: string } | null; commit: { oid: string } | null }>;
  };
  files: { totalCount: number; pageInfo: PageInfo; nodes: Array<{ path: string }> };
  head: {
    nodes: Array<{
      commit: {
        oid: string;
        checkSuites: {
          nodes: Array<{
            app: { slug: string; databaseId: number } | null;
            checkRuns: { nodes: Array<{ databaseId: number; name: string; status: string; conclusion: string | null; completedAt: string | null; detailsUrl: string | null }> };
          }>;
        } | null;
        status: { contexts: Array<{ context: string; state: string; createdAt: string; targetUrl: string | null }> } | null;
      };
    }>;
  };
  baseRef: {
    branchProtectionRule: GqlProtectionRule | null;
    target: { codeownersGithub?: BlobFile | null; codeownersRoot?: BlobFile | null; codeownersDocs?: BlobFile | null } | null;
  } | null;
}
export interface GqlProtectionRule {
  pattern: string;
  requiresApprovingReviews: boolean;
  requiredApprovingReviewCount: number | null;
  dismissesStaleReviews: boolean;
  requiresCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  requiresStatusChecks: boolean;
  requiredStatusCheckContexts: Array<string | null> | null;
  requiresStrictStatusChecks: boolean;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  isAdminEnforced: boolean;
}

export class NotFoundError extends Error {}

export async function loadPullRequest(gh: GitHubClient, ref: PullRequestRef, options: LoadOptions): Promise<LoadedPullRequest> {
  const variables = { owner: ref.owner, repo: ref.repo, number: ref.number, configPath: CONFIG_FILE };
  const data = await graphqlPartial<FactsQueryResult>(gh, PULL_REQUEST_FACTS, variables);
  const repository = data.result.repository;
  const gpr = repository?.pullRequest;
  if (!repository || !gpr) throw new NotFoundError(`${ref.owner}/${ref.repo}#${ref.number} was not found or the app cannot see it`);

  const commitNodes = [...gpr.commits.nodes.map((n) => n.commit)];
  for (let page = gpr.commits.pageInfo; page.hasNextPage && page.endCursor; ) {
    const more = await gh.graphql<{ repository: { pullRequest: { commits: { pageInfo: PageInfo; nodes: Array<{ commit: GqlCommit }> } } } }>(MORE_COMMITS, { ...variables, after: page.endCursor });
    commitNodes.push(...more.repository.pullRequest.commits.nodes.map((n) => n.commit));
    page = more.repository.pullRequest.commits.pageInfo;
  }
  const paths = gpr.files.nodes.map((n) => n.path);
  for (let page = gpr.files.pageInfo; page.hasNextPage && page.endCursor; ) {
    const more = await gh.graphql<{ repository: { pullRequest: { files: { pageInfo: PageInfo; nodes: Array<{ path: string }> } } } }>(MORE_FILES, { ...variables, after: page.endCursor });
    paths.push(...more.repository.pullRequest.files.nodes.map((n) => n.path));
    page = more.repository.pullRequest.files.pageInfo;
  }

  const defaultBranch = repository.defaultBranchRef?.name ?? gpr.baseRefName;
  const resolved = resolveConfigCached([
    { source: `${ref.owner}/.github`, file: CONFIG_FILE, text: data.result.orgConfig?.defaultBranchRef?.target?.config?.object?.text ?? null, isOrgLayer: true },
    { source: `${ref.owner}/${ref.repo}`, file: CONFIG_FILE, text: repository.defaultBranchRef?.target?.config?.object?.text ?? null, isOrgLayer: false },
  ]);
  const config = resolved.config;

  const reviews = gpr.reviews.nodes
    .filter((r) => r.author && r.commit && r.submittedAt)
    .map<ReviewFacts>((r) => ({ id: r.databaseId, author: { login: r.author!.login, type: accountType(r.author!.__typename) }, state: r.state, commitId: r.commit!.oid, submittedAt: r.submittedAt! }));
  const labels = labelFacts(gpr);
  const codeOwnersTarget = gpr.baseRef?.target;
  const codeOwners = (
    [
      [".github/CODEOWNERS", codeOwnersTarget?.codeownersGithub],
      ["CODEOWNERS", codeOwnersTarget?.codeownersRoot],
      ["docs/CODEOWNERS", codeOwnersTarget?.codeownersDocs],
    ] as const
  ).map(([path, blob]) => ({ path, text: blob?.object?.text ?? null })).find((c) => c.text !== null) ?? { path: null, text: null };

  const headNode = gpr.head.nodes[0]?.commit;
  const { checks, ownCheckRun } = checkFacts(headNode, options.appSlug);

  // Phase two: everything below is conditional (ETag) or cached by immutable SHA.
  const people = new Set<string>();
  for (const review of latestDecisiveReviews(reviews)) if (review.state === "APPROVED") people.add(review.author.login);
  for (const label of labels) if (label.addedBy) people.add(label.addedBy);
  const teams = teamsNeeded(config, codeOwners.text);

  const [permissions, teamMembers, branchRules, files, commits, security] = await Promise.all([
    loadPermissions(gh, ref, [...people]),
    loadTeams(gh, ref.owner, teams),
    loadBranchRules(gh, ref, gpr.baseRefName, gpr.baseRef?.branchProtectionRule ?? null, data.forbiddenPaths),
    options.withPatches && config.controls["secrets.diff"].mode !== "off" ? loadFiles(gh, ref) : Promise.resolve(null),
    commitFacts(gh, ref, commitNodes, gpr.baseRefName, options.updateMergeCache),
    config.controls["secrets.repository"].mode !== "off" ? loadSecurity(gh, ref) : Promise.resolve(UNKNOWN_SECURITY),
  ]);

  const facts: Facts = {
    pr: {
      owner: ref.owner,
      repo: ref.repo,
      number: gpr.number,
      url: gpr.url,
      title: gpr.title,
      body: gpr.body ?? "",
      draft: gpr.isDraft,
      state: gpr.state === "OPEN" ? "open" : "closed",
      merged: gpr.merged,
      mergedAt: gpr.mergedAt,
      mergedBy: gpr.mergedBy?.login ?? null,
      mergeCommitSha: gpr.mergeCommit?.oid ?? null,
      author: { login: gpr.author?.login ?? "ghost", type: accountType(gpr.author?.__typename ?? "User") },
      headRef: gpr.headRefName,
      headSha: gpr.headRefOid,
      headRepoFullName: gpr.headRepository?.nameWithOwner ?? null,
      isFork: gpr.isCrossRepository,
      baseRef: gpr.baseRefName,
      baseSha: gpr.baseRefOid,
      labels,
      commits,
      reviews,
      changedPaths: paths,
      files,
    },
    checks,
    branchRules,
    codeOwners,
    access: { permissions, teams: teamMembers },
    security,
    collectedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  const parents = gpr.mergeCommit?.parents?.totalCount;
  const mergeMethod = parents === undefined ? "unknown" : parents >= 2 ? "merge" : "squash-or-rebase";
  return { facts, resolved, defaultBranch, ownCheckRun, mergeMethod };
}

/** GraphQL may answer with data and FORBIDDEN errors for fields the app cannot read; keep the data, note the paths. */
async function graphqlPartial<T>(gh: GitHubClient, query: string, variables: Record<string, unknown>): Promise<{ result: T; forbiddenPaths: string[] }> {
  try {
    return { result: await gh.graphql<T>(query, variables), forbiddenPaths: [] };
  } catch (error) {
    const partial = error as { data?: T; errors?: Array<{ type?: string; path?: Array<string | number> }> };
    if (partial.data && partial.errors?.every((e) => e.type === "FORBIDDEN" || e.type === "NOT_FOUND")) {
      return { result: partial.data, forbiddenPaths: partial.errors.map((e) => (e.path ?? []).join(".")) };
    }
    throw error;
  }
}

function accountType(typename: string): AccountType {
  return typename === "Bot" || typename === "User" || typename === "Organization" || typename === "Mannequin" ? typename : "Unknown";
}

function labelFacts(gpr: GqlPullRequest): LabelFacts[] {
  return gpr.labels.nodes.map((label) => {
    const added = [...gpr.timelineItems.nodes].reverse().find((e) => e.label?.name === label.name);
    return { name: label.name, addedBy: added?.actor?.login ?? null, addedAt: added?.createdAt ?? null };
  });
}

const CHECK_STATUS = new Set(["queued", "in_progress", "completed", "waiting", "pending", "requested"]);

function checkFacts(head: GqlPullRequest["head"]["nodes"][number]["commit"] | undefined, appSlug: string): { checks: CheckFacts[]; ownCheckRun: LoadedPullRequest["ownCheckRun"] } {
  const checks: CheckFacts[] = [];
  let ownCheckRun: LoadedPullRequest["ownCheckRun"] = null;
  for (const suite of head?.checkSuites?.nodes ?? []) {
    for (const run of suite.checkRuns.nodes) {
      if (suite.app?.slug === appSlug && run.name === OWN_CHECK_NAME) {
        if (!ownCheckRun || run.databaseId > ownCheckRun.id) ownCheckRun = { id: run.databaseId, status: run.status.toLowerCase() };
        continue;
      }
      const status = run.status.toLowerCase();
      checks.push({
        kind: "check",
        name: run.name,
        app: suite.app?.slug ?? null,
        status: (CHECK_STATUS.has(status) ? status : "queued") as CheckFacts["status"],
        conclusion: (run.conclusion?.toLowerCase() ?? null) as CheckFacts["conclusion"],
        completedAt: run.completedAt,
        url: run.detailsUrl,
      });
    }
  }
  for (const ctx of head?.status?.contexts ?? []) {
    const state = ctx.state.toLowerCase();
    checks.push({
      kind: "status",
      name: ctx.context,
      app: null,
      status: state === "pending" || state === "expected" ? "pending" : "completed",
      conclusion: state === "success" ? "success" : state === "pending" || state === "expected" ? null : "failure",
      completedAt: state === "pending" ? null : ctx.createdAt,
      url: ctx.targetUrl,
    });
  }
  return { checks, ownCheckRun };
}

/** Teams whose membership decides something: path rules, emergency declarers, CODEOWNERS. */
export function teamsNeeded(config: Config, codeOwnersText: string | null): string[] {
  const teams = new Set<string>();
  for (const rule of config.controls["review.approval"].paths) rule.teams.forEach((t) => teams.add(t));
  for (const entry of config.exceptions.allowed) if (entry.startsWith("team:")) teams.add(entry.slice(5));
  if (config.controls["review.approval"].requireCodeOwners && codeOwnersText) {
    for (const rule of parseCodeOwners(codeOwnersText)) for (const owner of rule.owners) if (owner.includes("/")) teams.add(owner.split("/")[1]!);
  }
  return [...teams];
}

async function loadPermissions(gh: GitHubClient, ref: PullRequestRef, logins: string[]): Promise<Facts["access"]["permissions"]> {
  const entries = await Promise.all(
    logins.map(async (login) => {
      try {
        const { data } = await gh.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: ref.owner, repo: ref.repo, username: login });
        return [login, (data.role_name === "maintain" ? "maintain" : data.permission) as Facts["access"]["permissions"][string]] as const;
      } catch (error) {
        // 404: not a collaborator at all.
        if ((error as { status?: number }).status === 404) return [login, "none"] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function loadTeams(gh: GitHubClient, org: string, slugs: string[]): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    slugs.map(async (slug) => {
      try {
        const members = await gh.paginate("GET /orgs/{org}/teams/{team_slug}/members", { org, team_slug: slug, per_page: 100 });
        return [slug, members.map((m) => m.login)] as const;
      } catch (error) {
        // Unknown team or no Members permission: nobody is a member, and the control says so.
        if ([403, 404].includes((error as { status?: number }).status ?? 0)) return [slug, []] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function loadBranchRules(gh: GitHubClient, ref: PullRequestRef, branch: string, classic: GqlProtectionRule | null, forbidden: string[]): Promise<BranchRules> {
  const parts: BranchRules[] = [];
  const unreadable: string[] = [];
  if (forbidden.some((p) => p.includes("branchProtectionRule"))) unreadable.push("classic branch protection needs the Administration (read) permission");
  else if (classic) parts.push(fromClassicProtection(classicFromGraphql(classic)));
  try {
    const rules = await gh.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: ref.owner, repo: ref.repo, branch, per_page: 100 });
    if (rules.length > 0) {
      const ids = [...new Set(rules.map((r) => Number((r as { ruleset_id?: number }).ruleset_id)).filter((id) => id > 0))];
      const details = new Map<number, RulesetDetails>();
      await Promise.all(
        ids.map(async (id) => {
          try {
            const { data } = await gh.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: ref.owner, repo: ref.repo, ruleset_id: id });
            details.set(id, data as unknown as RulesetDetails);
          } catch (error) {
            if (![403, 404].includes((error as { status?: number }).status ?? 0)) throw error;
            unreadable.push(`ruleset ${id}'s bypass list could not be read`);
          }
        }),
      );
      // One part per ruleset, so a bypass actor is judged against what it actually escapes.
      parts.push(...rulesetParts(rules as unknown as Array<Record<string, unknown>>, details));
    }
  } catch (error) {
    if (![403, 404].includes((error as { status?: number }).status ?? 0)) throw error;
    unreadable.push("rulesets could not be read");
  }
  const combined = combineBranchRules(...parts);
  return { ...combined, unreadable: [...combined.unreadable, ...unreadable] };
}

/** The REST shape of classic protection, from the GraphQL rule, so one parser handles both. */
export function classicFromGraphql(rule: GqlProtectionRule): Record<string, unknown> {
  return {
    required_pull_request_reviews: rule.requiresApprovingReviews
      ? {
          required_approving_review_count: rule.requiredApprovingReviewCount ?? 0,
          dismiss_stale_reviews: rule.dismissesStaleReviews,
          require_code_owner_reviews: rule.requiresCodeOwnerReviews,
          require_last_push_approval: rule.requireLastPushApproval,
        }
      : undefined,
    required_status_checks: rule.requiresStatusChecks
      ? { strict: rule.requiresStrictStatusChecks, contexts: (rule.requiredStatusCheckContexts ?? []).filter((c): c is string => !!c) }
      : undefined,
    enforce_admins: { enabled: rule.isAdminEnforced },
    allow_force_pushes: { enabled: rule.allowsForcePushes },
    allow_deletions: { enabled: rule.allowsDeletions },
  };
}

const UNKNOWN_SECURITY: RepositorySecurityFacts = { secretScanning: null, pushProtection: null, openSecretAlerts: null };

/** Secret scanning settings (visible with Administration read) and open alerts (Secret scanning alerts read). */
export async function loadSecurity(gh: GitHubClient, ref: { owner: string; repo: string }): Promise<RepositorySecurityFacts> {
  const { data: repo } = await gh.request("GET /repos/{owner}/{repo}", { owner: ref.owner, repo: ref.repo });
  const analysis = repo.security_and_analysis ?? null;
  const status = (s: { status?: string } | undefined | null) => (s?.status === "enabled" ? "enabled" : s?.status === "disabled" ? "disabled" : null);
  let openSecretAlerts: RepositorySecurityFacts["openSecretAlerts"] = null;
  try {
    // hide_secret: the alert API otherwise returns the leaked value itself.
    const { data } = await gh.request("GET /repos/{owner}/{repo}/secret-scanning/alerts", { owner: ref.owner, repo: ref.repo, state: "open", per_page: 100, hide_secret: true } as never);
    openSecretAlerts = (data as Array<{ number: number; secret_type?: string; html_url?: string; created_at?: string }>).map((a) => ({ number: a.number, secretType: a.secret_type ?? "unknown", url: a.html_url ?? "", createdAt: a.created_at ?? "" }));
  } catch (error) {
    if (![403, 404].includes((error as { status?: number }).status ?? 0)) throw error;
  }
  return {
    secretScanning: analysis ? status(analysis.secret_scanning) ?? "disabled" : null,
    pushProtection: analysis ? status(analysis.secret_scanning_push_protection) ?? "disabled" : null,
    openSecretAlerts,
  };
}

const MAX_PATCH_FILES = 3000;

async function loadFiles(gh: GitHubClient, ref: PullRequestRef): Promise<ChangedFile[]> {
  const files = await gh.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100 });
  return files.slice(0, MAX_PATCH_FILES).map((f) => ({
    path: f.filename,
    previousPath: f.previous_filename ?? null,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    patch: f.patch ?? null,
  }));
}

async function commitFacts(gh: GitHubClient, ref: PullRequestRef, nodes: GqlCommit[], baseBranch: string, cache: UpdateMergeCache): Promise<CommitFacts[]> {
  return Promise.all(
    nodes.map(async (c) => {
      const parents = c.parents.nodes.map((p) => p.oid);
      return {
        sha: c.oid,
        parents,
        authorLogin: c.author?.user?.login ?? null,
        committerLogin: c.committer?.user?.login ?? null,
        message: c.message,
        updateMerge: parents.length < 2 ? "not-merge" : await classifyMergeCommit(gh, ref, c.oid, parents, baseBranch, cache),
      } satisfies CommitFacts;
    }),
  );
}
