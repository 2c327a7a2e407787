// Loads the facts snapshot for one pull request with as few counted requests as GitHub
// allows: one GraphQL query for the PR, its checks, classic protection, CODEOWNERS and both
// config files; pages past the first only where a count says more exist; then conditional
// (ETag) REST requests — free when unchanged — for rulesets, permissions, team members and
// the diff. Complete facts or fail closed: a list GitHub cuts short is named in
// `facts.incomplete`, a truncated file is read whole, an unreadable org layer is a config
// problem.
//
// The pieces: pull-request-answer.ts (the answer's types and pure decoders),
// pull-request-pages.ts (the pages past the first), and one loader per capability
// (access-, branch-rules-, changed-files-, commits-, security-loader.ts, config-loader.ts).

import type { GitHubClient } from "../transport/client.js";
import { CONFIG_FILE, PULL_REQUEST_FACTS } from "./queries.js";
import type { Facts, IncompleteFact } from "../../facts.js";
import type { ResolvedConfig } from "../../config/types.js";
import { latestDecisiveReviews } from "../../controls/review-approval.js";
import { type UpdateMergeCache } from "./update-merge.js";
import { accountType, codeOwnersBlob, decodeBlob, decodeChecks, decodeLabels, decodeReviews, mergeMethodOf, type FactsQueryResult, type OwnCheckRun } from "./pull-request-answer.js";
import { allChangedPaths, allChecksOn, allCommits, allReviews, IncompleteAnswerError } from "./pull-request-pages.js";
import { loadPermissions, loadTeams, teamsNeeded } from "./access-loader.js";
import { emailOwnersOf, resolveEmailOwners } from "./email-owners.js";
import { loadRenames, previousPathsOf } from "./renamed-paths.js";
import { loadBranchRules } from "./branch-rules-loader.js";
import { loadChangedFiles } from "./changed-files-loader.js";
import { commitFacts, ownRecordsOf, type Push } from "./commits-loader.js";
import type { OwnCheckRecord } from "../check-run/own-check-record.js";
import { loadSecurity, UNKNOWN_SECURITY } from "./security-loader.js";
import { blobText } from "./blob-text.js";
import { sharedHeadOf, type SharedHead } from "../check-run/pulls-for-commit.js";
import { missingOrgRepository, ORG_CONFIG_REPOSITORY, resolveLayers, type OrgLayerRead } from "./config-loader.js";

export { teamsNeeded } from "./access-loader.js";
export { loadSecurity } from "./security-loader.js";
export { classicFromGraphql, type GqlProtectionRule } from "../../rules/classic-from-graphql.js";

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
  ownCheckRun: OwnCheckRun | null;
  /** What our check run on the head records (who pushed it, who declared an emergency on it). */
  ownRecord: OwnCheckRecord | null;
  /** How a merged PR was merged: a two-parent merge commit, or squash/rebase (one parent). */
  mergeMethod: "merge" | "squash-or-rebase" | "unknown";
  /** Every open PR whose head is this PR's head (this one included): they share its check run. */
  sharedHead: SharedHead;
}

export interface LoadOptions {
  /** Our app's slug, to recognise our own check run. */
  appSlug: string;
  /** Our app's id, to tell a required check pinned to us from another app's of the same name. */
  appId?: number | null;
  /** Load file patches (needed when secrets.diff is on). */
  withPatches: boolean;
  updateMergeCache: UpdateMergeCache;
  now?: () => Date;
}

export class NotFoundError extends Error {}

export async function loadPullRequest(gh: GitHubClient, ref: PullRequestRef, options: LoadOptions): Promise<LoadedPullRequest> {
  try {
    return await loadOnce(gh, ref, options);
  } catch (error) {
    // The PR moved while its pages were read: read it again, once, from the start.
    if (error instanceof IncompleteAnswerError) return loadOnce(gh, ref, options);
    throw error;
  }
}

async function loadOnce(gh: GitHubClient, ref: PullRequestRef, options: LoadOptions): Promise<LoadedPullRequest> {
  const variables = { owner: ref.owner, repo: ref.repo, number: ref.number };
  const data = await graphqlPartial<FactsQueryResult>(gh, PULL_REQUEST_FACTS, { ...variables, configPath: CONFIG_FILE });
  const repository = data.result.repository;
  const gpr = repository?.pullRequest;
  if (!repository || !gpr) throw new NotFoundError(`${ref.owner}/${ref.repo}#${ref.number} was not found or the app cannot see it`);

  const [commitPages, pathPages, reviewNodes, headChecks] = await Promise.all([
    allCommits(gh, variables, gpr),
    allChangedPaths(gh, variables, gpr),
    allReviews(gh, variables, gpr),
    allChecksOn(gh, ref, gpr.headRefOid, gpr.head.nodes[0]?.commit ?? null),
  ]);
  if (!commitPages.incomplete && !commitPages.commits.some((c) => c.oid === gpr.headRefOid)) {
    throw new IncompleteAnswerError(`the head ${gpr.headRefOid} is not among the commits GitHub listed`);
  }
  const incomplete: IncompleteFact[] = [commitPages.incomplete, pathPages.incomplete].filter((i): i is IncompleteFact => i !== null);

  const defaultBranch = repository.defaultBranchRef?.name ?? gpr.baseRefName;
  const isOrgRepository = ref.repo.toLowerCase() === ORG_CONFIG_REPOSITORY;
  const [orgLayer, repoText, codeOwners] = await Promise.all([
    isOrgRepository ? orgLayerOfItself(gh, ref, repository) : orgLayerOf(gh, ref.owner, data),
    isOrgRepository ? Promise.resolve(null) : blobText(gh, ref, decodeBlob(repository.defaultBranchRef?.target?.config)),
    codeOwnersOf(gh, ref, gpr),
  ]);
  const layerCommits = { org: isOrgRepository ? repository.defaultBranchRef?.target?.oid : data.result.orgConfig?.defaultBranchRef?.target?.oid, repo: repository.defaultBranchRef?.target?.oid };
  const resolved = resolveLayers(ref.owner, ref.repo, orgLayer, repoText, layerCommits);
  if (!orgLayer.readable) incomplete.push({ fact: "orgConfig", reason: `the org config in ${ref.owner}/${ORG_CONFIG_REPOSITORY} could not be read` });
  const config = resolved.config;

  const ownRecord = ownRecordsOf(commitPages.commits, options.appSlug).get(gpr.headRefOid) ?? null;
  const reviews = decodeReviews(reviewNodes);
  const labels = decodeLabels(gpr);
  const { checks, ownCheckRun } = decodeChecks(headChecks.suites, headChecks.contexts, options.appSlug);
  const ownAppId = options.appId ?? headChecks.suites.find((s) => s.app?.slug === options.appSlug)?.app?.databaseId ?? null;

  // Phase two: everything below is conditional (ETag) or cached by immutable SHA.
  const people = new Set<string>();
  for (const review of latestDecisiveReviews(reviews)) if (review.state === "APPROVED") people.add(review.author.login);
  for (const label of labels) if (label.addedBy) people.add(label.addedBy);
  const teams = teamsNeeded(config, codeOwners.text, ref.owner);
  const emails = config.controls["review.approval"].requireCodeOwners ? emailOwnersOf(codeOwners.text, pathPages.paths) : [];
  const wantPatches = options.withPatches && config.controls["secrets.diff"].mode !== "off";

  const [permissions, teamMembers, branchRules, files, commits, security, emailLogins, renames] = await Promise.all([
    loadPermissions(gh, ref, [...people]),
    loadTeams(gh, ref.owner, teams),
    loadBranchRules(gh, ref, gpr.baseRefName, gpr.baseRef?.branchProtectionRule ?? null, data.forbiddenPaths),
    wantPatches ? loadChangedFiles(gh, ref) : Promise.resolve(null),
    commitFacts(gh, ref, commitPages.commits, { branch: gpr.baseRefName, sha: gpr.baseRefOid }, options.updateMergeCache, { appSlug: options.appSlug, forcePushes: forcePushesOf(gpr) }),
    config.controls["secrets.repository"].mode !== "off" ? loadSecurity(gh, ref) : Promise.resolve(UNKNOWN_SECURITY),
    resolveEmailOwners(gh, emails),
    pathPages.renamed.length > 0 && !wantPatches ? loadRenames(gh, ref) : Promise.resolve(null),
  ]);
  if (files && files.length < pathPages.paths.length) {
    incomplete.push({ fact: "files", reason: `GitHub lists the diff of only ${files.length} of this pull request's ${pathPages.paths.length} changed files (its limit is 3,000)` });
  }

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
      baseChanged: baseChangeOf(gpr),
      labels,
      commits,
      reviews,
      emergencyDeclaredBy: ownRecord?.exception?.by ?? null,
      changedPaths: pathPages.paths,
      ...(pathPages.renamed.length > 0 ? { previousPaths: previousPathsOf(pathPages.renamed, renames ?? files ?? []) } : {}),
      files,
    },
    checks,
    branchRules,
    codeOwners,
    access: { permissions, teams: teamMembers, emails: emailLogins },
    security,
    ownApp: { slug: options.appSlug, id: ownAppId },
    incomplete,
    collectedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  return { facts, resolved, defaultBranch, ownCheckRun, ownRecord, mergeMethod: mergeMethodOf(gpr), sharedHead: sharedHeadOf(gpr, repository.nameWithOwner) };
}

/** Force pushes the timeline shows: the actor pushed what the new head has and the old had not. */
function baseChangeOf(gpr: NonNullable<NonNullable<FactsQueryResult["repository"]>["pullRequest"]>): { at: string; from: string; to: string } | null {
  const last = (gpr.baseChanges?.nodes ?? []).filter((e) => e?.createdAt).at(-1);
  return last ? { at: last.createdAt!, from: last.previousRefName ?? "", to: last.currentRefName ?? "" } : null;
}

function forcePushesOf(gpr: NonNullable<NonNullable<FactsQueryResult["repository"]>["pullRequest"]>): Push[] {
  return (gpr.forcePushes?.nodes ?? []).flatMap((e) => (e.actor?.login && e.afterCommit?.oid ? [{ pusher: e.actor.login, before: e.beforeCommit?.oid ?? null, after: e.afterCommit.oid }] : []));
}

/** GraphQL may answer with data and FORBIDDEN errors for fields the app cannot read; keep the data, note the paths. */
async function graphqlPartial<T>(gh: GitHubClient, query: string, variables: Record<string, unknown>): Promise<{ result: T; forbiddenPaths: string[]; notFoundPaths: string[] }> {
  try {
    return { result: await gh.graphql<T>(query, variables), forbiddenPaths: [], notFoundPaths: [] };
  } catch (error) {
    const partial = error as { data?: T; errors?: Array<{ type?: string; path?: Array<string | number> }> };
    if (partial.data && partial.errors?.every((e) => e.type === "FORBIDDEN" || e.type === "NOT_FOUND")) {
      const paths = (type: string) => partial.errors!.filter((e) => e.type === type).map((e) => (e.path ?? []).join("."));
      return { result: partial.data, forbiddenPaths: paths("FORBIDDEN"), notFoundPaths: paths("NOT_FOUND") };
    }
    throw error;
  }
}

/** The org layer from the facts query: its file (read whole if truncated), none, or unreadable. */
async function orgLayerOf(gh: GitHubClient, owner: string, data: { result: FactsQueryResult; forbiddenPaths: string[] }): Promise<OrgLayerRead> {
  const org = data.result.orgConfig;
  if (data.forbiddenPaths.some((p) => p.startsWith("orgConfig"))) return { readable: false };
  if (!org) return missingOrgRepository(gh);
  return { readable: true, text: await blobText(gh, { owner, repo: ORG_CONFIG_REPOSITORY }, decodeBlob(org.defaultBranchRef?.target?.config)) };
}

/** In the org's own `.github` repository its file is the org layer, read once. */
async function orgLayerOfItself(gh: GitHubClient, ref: PullRequestRef, repository: NonNullable<FactsQueryResult["repository"]>): Promise<OrgLayerRead> {
  return { readable: true, text: await blobText(gh, ref, decodeBlob(repository.defaultBranchRef?.target?.config)) };
}

async function codeOwnersOf(gh: GitHubClient, ref: PullRequestRef, gpr: NonNullable<NonNullable<FactsQueryResult["repository"]>["pullRequest"]>): Promise<Facts["codeOwners"]> {
  const found = codeOwnersBlob(gpr.baseRef?.target);
  if (!found) return { path: null, text: null };
  return { path: found.path, text: await blobText(gh, ref, found.blob) };
}
