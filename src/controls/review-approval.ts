// review.approval — CC8.1, CC6.1: enough independent, fresh approvals from people
// who may approve, including the path rules and CODEOWNERS.

import { minimatch } from "minimatch";
import type { Actor, CommitFacts, Facts, ReviewFacts } from "../facts.js";
import type { ReviewApprovalConfig } from "../config/types.js";
import type { Control, ControlResult, Finding } from "./types.js";
import { ownersOf, parseCodeOwners } from "./codeowners.js";
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

/** People who pushed commits: authors and committers, except GitHub's own committer and bots; clean update-merges make nobody a contributor. */
export function contributorsOf(commits: CommitFacts[]): Set<string> {
  const people = new Set<string>();
  for (const commit of commits) {
    if (commit.updateMerge === "clean-update-merge") continue;
    for (const login of [commit.authorLogin, commit.committerLogin]) {
      if (login && !isServiceCommitter(login)) people.add(login.toLowerCase());
    }
  }
  return people;
}

/** Whether an approval given on `commitId` still covers the branch as it is now. */
export function approvalFreshness(
  commitId: string,
  headSha: string,
  commits: CommitFacts[],
  allowUpdateMerges: boolean,
): { fresh: boolean; reason?: string } {
  if (commitId === headSha) return { fresh: true };
  const index = commits.findIndex((c) => c.sha === commitId);
  if (index < 0) return { fresh: false, reason: `approved ${shortSha(commitId)}, which is no longer on the branch (force-pushed away)` };
  const later = commits.slice(index + 1);
  const changing = later.filter((c) => !(allowUpdateMerges && c.updateMerge === "clean-update-merge"));
  if (changing.length === 0) return { fresh: true };
  return {
    fresh: false,
    reason: `approved ${shortSha(commitId)}; ${changing.length} commit${changing.length === 1 ? "" : "s"} pushed since (${changing.map((c) => shortSha(c.sha)).join(", ")})`,
  };
}

export function assessApprovals(facts: Facts, config: ReviewApprovalConfig): ApprovalAssessment[] {
  const { pr, access } = facts;
  const contributors = contributorsOf(pr.commits);
  const author = pr.author.login.toLowerCase();
  return latestDecisiveReviews(pr.reviews)
    .filter((r) => r.state === "APPROVED")
    .map((review) => {
      const login = review.author.login;
      const freshness = approvalFreshness(review.commitId, pr.headSha, pr.commits, config.allowUpdateMerges);
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

function isMember(login: string, who: string, teams: Facts["access"]["teams"]): boolean {
  const lower = login.toLowerCase();
  if (who.includes("/") || who.startsWith("team:")) {
    const slug = who.replace(/^team:/, "").split("/").pop() ?? who;
    return (teams[slug] ?? []).some((m) => m.toLowerCase() === lower);
  }
  return who.toLowerCase() === lower;
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
    const paths = facts.pr.changedPaths;
    const requirements: Requirement[] = [];

    let required = settings.approvals;
    for (const rule of settings.paths) {
      const matching = paths.filter((p) => minimatch(p, rule.pattern, { dot: true }));
      if (matching.length === 0) continue;
      if (rule.approvals !== undefined && rule.approvals > required) required = rule.approvals;
      const who = [...rule.teams.map((t) => `team:${t}`), ...rule.users];
      if (who.length > 0) {
        const satisfied = approvers.some((login) => who.some((w) => isMember(login, w, facts.access.teams)));
        requirements.push({
          label: `${rule.pattern} (${matching.length} file${matching.length === 1 ? "" : "s"}) needs an approval from ${who.join(" or ")}`,
          satisfied,
          fix: `ask ${who.join(" or ")} to approve`,
        });
      }
    }

    if (settings.requireCodeOwners) {
      const rules = parseCodeOwners(facts.codeOwners.text ?? "");
      const unowned: string[] = [];
      const missing = new Map<string, string[]>();
      for (const path of paths) {
        const owners = ownersOf(rules, path);
        if (owners.length === 0) {
          unowned.push(path);
          continue;
        }
        if (!approvers.some((login) => owners.some((o) => isMember(login, o, facts.access.teams)))) {
          const key = owners.join(" or ");
          missing.set(key, [...(missing.get(key) ?? []), path]);
        }
      }
      if (facts.codeOwners.text === null) {
        requirements.push({ label: "CODEOWNERS is required but the base branch has no CODEOWNERS file", satisfied: false, fix: "add a CODEOWNERS file on the base branch, or set requireCodeOwners: false" });
      }
      for (const [owners, files] of missing) {
        requirements.push({
          label: `code owners ${owners.split(" or ").map((o) => `@${o}`).join(" or ")} have not approved ${files.length} file${files.length === 1 ? "" : "s"} (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""})`,
          satisfied: false,
          fix: `ask ${owners.split(" or ").map((o) => `@${o}`).join(" or ")} to approve`,
        });
      }
    }

    const findings: Finding[] = assessments
      .filter((a) => !a.counted)
      .map((a) => ({ message: `@${a.login}'s approval does not count: ${a.discountedBecause}` }));
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
        reason: `${counted.length} independent approval${counted.length === 1 ? "" : "s"} on the head commit (${approvers.map((l) => `@${l}`).join(", ") || "none required"}; ${required} required)`,
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
