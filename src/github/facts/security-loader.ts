// The repository's secret-scanning settings (visible with Administration read) and its open
// alerts (Secret scanning alerts read); what the app cannot see stays null, never "off".

import type { GitHubClient } from "../transport/client.js";
import type { RepositorySecurityFacts } from "../../facts.js";
import { isDenied } from "../transport/http-status.js";

export const UNKNOWN_SECURITY: RepositorySecurityFacts = { secretScanning: null, pushProtection: null, openSecretAlerts: null };

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
    if (!isDenied(error)) throw error;
  }
  return {
    secretScanning: analysis ? status(analysis.secret_scanning) ?? "disabled" : null,
    pushProtection: analysis ? status(analysis.secret_scanning_push_protection) ?? "disabled" : null,
    openSecretAlerts,
  };
}
