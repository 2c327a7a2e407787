// An Octokit for the command line: a token from GITHUB_TOKEN, optional GitHub Enterprise
// base URL, with the same retry and throttling plugins the app uses.

import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../github/transport/client.js";
import { installSecondaryRateLimitRetry } from "../github/transport/secondary-rate-limit.js";

export function tokenClient(token: string, apiUrl?: string): GitHubClient {
  const client = new ProbotOctokit({
    auth: { token },
    ...(apiUrl ? { baseUrl: apiUrl.replace(/\/$/, "") } : {}),
    throttle: { enabled: false },
  }) as GitHubClient;
  installSecondaryRateLimitRetry(client);
  return client;
}
