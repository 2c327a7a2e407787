import type { ProbotOctokit } from "probot";

/** The authenticated Octokit every GitHub call goes through (Probot's, with retry and throttling). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;
