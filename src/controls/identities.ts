// Which GitHub identities are machines rather than people.

/** GitHub's web-flow committer signs commits made in the web UI and by "Update branch"; it is nobody. */
const SERVICE_COMMITTERS = new Set(["web-flow", "github"]);

export function isBotLogin(login: string): boolean {
  return login.toLowerCase().endsWith("[bot]");
}

/** Commit identities that do not make anyone a contributor. */
export function isServiceCommitter(login: string): boolean {
  return SERVICE_COMMITTERS.has(login.toLowerCase()) || isBotLogin(login);
}

/** The name of our own check run: never a check we wait for. */
export const OWN_CHECK_NAME = "soc2-guard";
