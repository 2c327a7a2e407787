// Work that no webhook starts (the daily audit pass, the monthly export) runs once per
// organization installation, with that installation's token.

import type { Probot } from "probot";
import type { GitHubClient } from "../github/transport/client.js";

export async function forEachOrganizationInstallation(app: Probot, work: (gh: GitHubClient, org: string) => Promise<void>, onError: (org: string, error: unknown) => void): Promise<number> {
  const appClient = (await app.auth()) as unknown as GitHubClient;
  const installations = await appClient.paginate("GET /app/installations", { per_page: 100 });
  let done = 0;
  for (const installation of installations) {
    const account = installation.account as { login?: string; type?: string } | null;
    if (!account?.login || account.type !== "Organization") continue;
    try {
      await work((await app.auth(installation.id)) as unknown as GitHubClient, account.login);
      done++;
    } catch (error) {
      onError(account.login, error);
    }
  }
  return done;
}
