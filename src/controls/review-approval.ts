// review.approval — CC8.1, CC6.1: enough independent, fresh approvals from people
// who may approve, including the path rules and CODEOWNERS.

import { Minimatch } from "minimatch";
import type { Actor, CommitFacts, Facts, ReviewFacts } from "../facts.js";
import type { ReviewApprovalConfig } from "../config/types.js";
import type { Control, ControlResult, Finding } from "./types.js";
import { ownerName, parseCodeOwners, type CodeOwner } from "./codeowners.js";
import { isBotLogin, isServiceCommitter } from "./identities.js";
import { shortSha } from "./format.js";

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

export interface ApprovalAssessment {
  login: string;
  commitId: string;
  submittedAt: string;
  counted: boolean;
  /** Why an approval does not count; absent when it counts. */
  discountedBecause?: string;
  /** The approval covers the current head (same commit, or only clean update-merges since). */
  fresh: boolean;
}

/** Each reviewer's latest decisive review: COMMENTED and PENDING neither approve nor withdraw. */
export function latestDecisiveReviews(reviews: ReviewFacts[]): ReviewFacts[] {
  const latest = new Map<string, ReviewFacts>();
  for (const review of reviews) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    latest.set(review.author.login.toLowerCase(), review);
  }
  return [...latest.values()];
}

/**
 * People who contributed commits: authors, committers, co-authors (`Co-authored-by:`
 * trailers GitHub maps to an account) and whoever pushed them — except GitHub's own
 * committer and bots. A clean update-merge makes nobody a contributor.
 */
export function contributorsOf(commits: CommitFacts[]): Set<string> {
  const people = new Set<string>();
  for (const commit of commits) {
    if (commit.updateMerge === "clean-update-merge") continue;
    for (const login of [commit.authorLogin, commit.committerLogin, ...(commit.pushedBy ?? []), ...(commit.coAuthorLogins ?? [])]) {
      if (login && !isServiceCommitter(login)) people.add(login.toLowerCase());
    }
  }
  return people;
}

/**
 * Whether an approval given on `commitId` still covers `headSha`, by the commit graph:
 * the approved commit must be reached from the head through first parents, and every
 * commit on that path must be a clean update-merge. The order of the list GitHub returns
 * is never used: it follows author dates, which the author sets.
 */
export function approvalFreshness(
  commitId: string,
  headSha: string,
  commits: CommitFacts[],
  allowUpdateMerges: boolean,
): { fresh: boolean; reason?: string } {
  if (commitId === headSha) return { fresh: true };
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const keeps = (c: CommitFacts) => allowUpdateMerges && c.updateMerge === "clean-update-merge";
  const path: CommitFacts[] = [];
  const seen = new Set<string>();
  let reached = false;
  // The PR side of an update-merge is its first parent (the base side is checked by the classifier).
  for (let current: string | undefined = headSha; current !== undefined && !seen.has(current); ) {
    if (current === commitId) {
      reached = true;
      break;
    }
    seen.add(current);
    const commit = bySha.get(current);
    if (!commit) break;
    path.push(commit);
    current = commit.parents[0];
  }
  if (reached && path.every(keeps)) return { fresh: true };
  if (!bySha.has(headSha)) return { fresh: false, reason: `approved ${shortSha(commitId)}, but the head ${shortSha(headSha)} is not among the commits GitHub listed` };
  const since = reached ? path : commitsSince(commitId, headSha, bySha);
  if (since === null) return { fresh: false, reason: `approved ${shortSha(commitId)}, which is no longer on the branch (force-pushed away)` };
  const changing = since.filter((c) => !keeps(c));
  return {
    fresh: false,
    reason:
      changing.length === 0
        ? `approved ${shortSha(commitId)}, which the head reaches only through another merge`
        : `approved ${shortSha(commitId)}; ${changing.length} commit${changing.length === 1 ? "" : "s"} pushed since (${changing.map((c) => shortSha(c.sha)).join(", ")})` + mergeNote(changing),
  };
}

/** Why the first merge among `commits` did not keep approvals, when one is there. */
function mergeNote(commits: CommitFacts[]): string {
  const merge = commits.find((c) => c.updateMerge === "other-merge" && c.updateMergeReason);
  return merge ? `; ${shortSha(merge.sha)} is not a clean update-merge: ${merge.updateMergeReason}` : "";
}

/** Commits the head has that `ancestor` has not, or null when `ancestor` is not an ancestor of the head. */
function commitsSince(ancestor: string, headSha: string, bySha: Map<string, CommitFacts>): CommitFacts[] | null {
  const fromHead = ancestry(headSha, bySha);
  if (!fromHead.has(ancestor)) return null;
  const before = ancestry(ancestor, bySha);
  return [...fromHead].filter((sha) => !before.has(sha)).flatMap((sha) => bySha.get(sha) ?? []);
}

/** `sha` and every ancestor of it among the PR's commits. */
export function ancestry(sha: string, bySha: Map<string, CommitFacts>): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const parent of bySha.get(current)?.parents ?? []) if (!seen.has(parent)) stack.push(parent);
  }
  return seen;
}

export function assessApprovals(facts: Facts, config: ReviewApprovalConfig): ApprovalAssessment[] {
  const { pr, access } = facts;
  const contributors = contributorsOf(pr.commits);
  const author = pr.author.login.toLowerCase();
  return latestDecisiveReviews(pr.reviews)
    .filter((r) => r.state === "APPROVED")
    .map((review) => {
      const login = review.author.login;
      const freshness = pr.baseChanged && review.submittedAt < pr.baseChanged.at
        ? { fresh: false, reason: `approved before the base branch changed from \`${pr.baseChanged.from}\` to \`${pr.baseChanged.to}\` (${pr.baseChanged.at}): that approval saw a different diff` }
        : approvalFreshness(review.commitId, pr.headSha, pr.commits, config.allowUpdateMerges);
      const base = { login, commitId: review.commitId, submittedAt: review.submittedAt, fresh: freshness.fresh };
      const reason = discountReason(review.author, author, contributors, access.permissions, config) ?? freshness.reason;
      return reason ? { ...base, counted: false, discountedBecause: reason } : { ...base, counted: true };
    });
}

function discountReason(
  reviewer: Actor,
  author: string,
  contributors: Set<string>,
  permissions: Facts["access"]["permissions"],
  config: ReviewApprovalConfig,
): string | undefined {
  const login = reviewer.login.toLowerCase();
  if (login === author) return "is the author of the pull request";
  if ((reviewer.type === "Bot" || isBotLogin(reviewer.login)) && !config.allowBots) return "is a bot (allowBots is off)";
  if (contributors.has(login) && !config.allowContributors) return "pushed commits to this pull request (allowContributors is off)";
  const permission = permissions[reviewer.login] ?? permissions[login];
  if (permission === undefined) return "write access could not be verified";
  if (!WRITE_PERMISSIONS.has(permission)) return `no longer has write access (permission: ${permission})`;
  return undefined;
}

interface Requirement {
  /** What the requirement is, for the summary. */
  label: string;
  satisfied: boolean;
  fix: string;
}

/** Whether `login` is a config entry: a login, or `team:slug` of this organization. */
function isConfigMember(login: string, who: string, teams: Facts["access"]["teams"]): boolean {
  const lower = login.toLowerCase();
  if (who.startsWith("team:")) return (teams[who.slice(5)] ?? []).some((m) => m.toLowerCase() === lower);
  return who.toLowerCase() === lower;
}

/** Whether `login` is a CODEOWNERS owner; a team of another organization is nobody here. */
function isCodeOwner(login: string, owner: CodeOwner, facts: Facts): boolean {
  const lower = login.toLowerCase();
  if (owner.kind === "user") return owner.login.toLowerCase() === lower;
  if (owner.kind === "team") return owner.org.toLowerCase() === facts.pr.owner.toLowerCase() && (facts.access.teams[owner.slug] ?? []).some((m) => m.toLowerCase() === lower);
  return facts.access.emails?.[owner.email.toLowerCase()]?.toLowerCase() === lower;
}

/** Why an owner can approve for nobody, or null when it names an account or a team of this org. */
function unresolvedOwner(owner: CodeOwner, facts: Facts): string | null {
  if (owner.kind === "team" && owner.org.toLowerCase() !== facts.pr.owner.toLowerCase()) return `@${owner.org}/${owner.slug} is not a team of ${facts.pr.owner}`;
  if (owner.kind === "email" && !facts.access.emails?.[owner.email.toLowerCase()]) return `${owner.email} could not be resolved to a GitHub account`;
  return null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Every path a rule must see: changed and deleted paths, and both sides of a rename. */
export function rulePaths(pr: Facts["pr"]): string[] {
  return [...new Set([...pr.changedPaths, ...(pr.previousPaths ?? [])])];
}

export const reviewApproval: Control = {
  id: "review.approval",
  criteria: ["CC8.1", "CC6.1"],
  title: "Independent review",
  evaluate(facts, config): ControlResult {
    const settings = config.controls["review.approval"];
    const base = { id: this.id, criteria: this.criteria, mode: settings.mode, annotations: [] };
    if (settings.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [] };

    const assessments = assessApprovals(facts, settings);
    const counted = assessments.filter((a) => a.counted);
    const approvers = counted.map((a) => a.login);
    const paths = rulePaths(facts.pr);
    const requirements: Requirement[] = [];
    const notes: Finding[] = [];

    const truncated = facts.pr.commits.find((c) => c.coAuthorsTruncated);
    if (truncated && !settings.allowContributors) {
      requirements.push({ label: `commit ${shortSha(truncated.sha)} names more co-authors than GitHub lists, so who contributed cannot be known`, satisfied: false, fix: "rewrite the commit with fewer Co-authored-by trailers" });
    }
    if (facts.pr.previousPaths === null && (settings.paths.length > 0 || settings.requireCodeOwners)) {
      requirements.push({
        label: "the pull request renames files whose old paths GitHub did not list, so path rules and CODEOWNERS cannot see them",
        satisfied: false,
        fix: "split the pull request so that GitHub lists every renamed file",
      });
    }

    let required = settings.approvals;
    for (const rule of settings.paths) {
      const matcher = new Minimatch(rule.pattern, { dot: true });
      const matching = paths.filter((p) => matcher.match(p));
      if (matching.length === 0) continue;
      if (rule.approvals !== undefined && rule.approvals > required) required = rule.approvals;
      const who = [...rule.teams.map((t) => `team:${t}`), ...rule.users];
      if (who.length > 0) {
        const satisfied = approvers.some((login) => who.some((w) => isConfigMember(login, w, facts.access.teams)));
        requirements.push({
          label: `${rule.pattern} (${plural(matching.length, "file")}) needs an approval from ${who.join(" or ")}`,
          satisfied,
          fix: `ask ${who.join(" or ")} to approve`,
        });
      }
    }

    if (settings.requireCodeOwners) {
      const codeOwners = parseCodeOwners(facts.codeOwners.text ?? "");
      for (const bad of codeOwners.invalid) notes.push({ message: `CODEOWNERS line ${bad.line} is ignored, as GitHub ignores it: ${bad.problem}`, ...(facts.codeOwners.path ? { path: facts.codeOwners.path, line: bad.line } : {}) });
      const missing = new Map<string, { owners: CodeOwner[]; files: string[] }>();
      for (const path of paths) {
        const rule = codeOwners.ruleFor(path);
        if (!rule || rule.parsed.length === 0) continue;
        if (approvers.some((login) => rule.parsed.some((o) => isCodeOwner(login, o, facts)))) continue;
        const key = rule.owners.join(" or ");
        const entry = missing.get(key) ?? { owners: rule.parsed, files: [] };
        entry.files.push(path);
        missing.set(key, entry);
      }
      if (facts.codeOwners.text === null) {
        requirements.push({ label: "CODEOWNERS is required but the base branch has no CODEOWNERS file", satisfied: false, fix: "add a CODEOWNERS file on the base branch, or set requireCodeOwners: false" });
      }
      for (const { owners, files } of missing.values()) {
        const names = owners.map((o) => (o.kind === "email" ? o.email : `@${ownerName(o)}`)).join(" or ");
        const unresolved = owners.map((o) => unresolvedOwner(o, facts)).filter((u): u is string => u !== null);
        requirements.push({
          label:
            `code owners ${names} have not approved ${plural(files.length, "file")} (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""})` +
            (unresolved.length > 0 ? `; ${unresolved.join("; ")}` : ""),
          satisfied: false,
          fix: unresolved.length === owners.length ? `make CODEOWNERS on the base branch name an account or a team of ${facts.pr.owner} for these files` : `ask ${names} to approve`,
        });
      }
    }

    const findings: Finding[] = assessments
      .filter((a) => !a.counted)
      .map((a) => ({ message: `@${a.login}'s approval does not count: ${a.discountedBecause}` }));
    findings.push(...notes);
    const unknownPusher = facts.pr.commits.filter((c) => c.pushedBy !== undefined && c.pushedBy.length === 0 && c.updateMerge !== "clean-update-merge");
    const pusherNote =
      unknownPusher.length > 0 ? `; who pushed ${plural(unknownPusher.length, "commit")} is not known (${unknownPusher.slice(0, 3).map((c) => shortSha(c.sha)).join(", ")}${unknownPusher.length > 3 ? ", …" : ""})` : "";
    if (unknownPusher.length > 0) {
      findings.push({
        message: `who pushed ${plural(unknownPusher.length, "commit")} is not known (${unknownPusher.slice(0, 3).map((c) => shortSha(c.sha)).join(", ")}${unknownPusher.length > 3 ? ", …" : ""}): GitHub names the pusher only in the push events of an open pull request; their authors and committers count as contributors`,
      });
    }
    const unmet = requirements.filter((r) => !r.satisfied);
    for (const r of unmet) findings.push({ message: r.label });

    const details = {
      required,
      approvals: assessments,
      requirements: requirements.map((r) => ({ label: r.label, satisfied: r.satisfied })),
    };
    const enough = counted.length >= required;
    if (enough && unmet.length === 0) {
      return {
        ...base,
        status: "pass",
        reason: `${counted.length} independent approval${counted.length === 1 ? "" : "s"} on the head commit (${approvers.map((l) => `@${l}`).join(", ") || "none required"}; ${required} required)${pusherNote}`,
        fix: "",
        findings,
        details,
      };
    }
    const reasons: string[] = [];
    if (!enough) reasons.push(`${counted.length} of ${required} required independent approval${required === 1 ? "" : "s"} on the head commit`);
    reasons.push(...unmet.map((r) => r.label));
    const fixes: string[] = [];
    if (!enough) {
      const stale = assessments.some((a) => !a.fresh && a.discountedBecause && !a.discountedBecause.startsWith("is ") && a.discountedBecause.startsWith("approved"));
      fixes.push(
        `ask ${required - counted.length} more reviewer${required - counted.length === 1 ? "" : "s"} with write access who did not author or push to this PR to approve ${shortSha(facts.pr.headSha)}` +
          (stale ? " (earlier approvals went stale: re-approve the latest commit)" : ""),
      );
    }
    fixes.push(...unmet.map((r) => r.fix));
    return { ...base, status: "fail", reason: reasons.join("; "), fix: capitalise(fixes.join("; ")), findings, details };
  },
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
