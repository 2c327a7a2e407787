// Puts the auditor's portal on the app's HTTP server (Probot's `addHandler`): the GitHub
// adapters (sign-in, access, evidence) behind the portal's ports. Settings from the
// environment, read here at the edge:
//   GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET   the app's OAuth credentials (sign-in is off without them)
//   SOC2_GUARD_PUBLIC_URL                    e.g. https://guard.acme.com (redirect URI, Secure cookies)
//   SOC2_GUARD_AUDITORS_TEAM                 team slug whose members may see the evidence (default auditors; "off" disables)
//   SOC2_GUARD_SESSION_KEY                   ≥ 32 bytes; default: derived from the app's private key

import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { Probot } from "probot";
import type { AppServices } from "../../triggers/services.js";
import { createPortalHandler } from "../../web/portal.js";
import { SessionCodec } from "../../web/session.js";
import { GitHubPortal } from "./portal-access.js";
import { GitHubSignIn, githubUrls } from "./portal-sign-in.js";
import { formatFingerprint } from "../../trust/signing-key.js";

export type PortalHandler = ReturnType<typeof createPortalHandler>;

function sessionSecret(env: Record<string, string | undefined>): { secret: string | Buffer; derived: "configured" | "private-key" | "random" } {
  if (env.SOC2_GUARD_SESSION_KEY) return { secret: env.SOC2_GUARD_SESSION_KEY, derived: "configured" };
  const pem = env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH && existsSync(env.PRIVATE_KEY_PATH) ? readFileSync(env.PRIVATE_KEY_PATH, "utf8") : undefined);
  if (pem) return { secret: pem, derived: "private-key" };
  return { secret: randomBytes(32), derived: "random" };
}

export function portalHandler(app: Probot, services: AppServices, env: Record<string, string | undefined> = process.env): PortalHandler {
  const urls = githubUrls(env);
  const { secret, derived } = sessionSecret(env);
  if (derived === "random") app.log.warn("portal: no SOC2_GUARD_SESSION_KEY and no private key in the environment; sessions end when this process does");
  const signIn = env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET ? new GitHubSignIn({ clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET, webBase: urls.webBase, graphqlUrl: urls.graphqlUrl }) : null;
  const team = env.SOC2_GUARD_AUDITORS_TEAM ?? "auditors";
  const github = new GitHubPortal(app, services, { auditorsTeam: team === "off" ? null : team, webBase: urls.webBase });
  return createPortalHandler({
    signIn,
    access: github,
    evidence: github,
    codec: new SessionCodec(secret),
    ...(env.SOC2_GUARD_PUBLIC_URL ? { publicUrl: env.SOC2_GUARD_PUBLIC_URL } : {}),
    publicKey: services.signingKey?.publicKey ?? null,
    keyFingerprint: services.signingKey ? formatFingerprint(services.signingKey.keyId) : null,
    log: app.log,
  });
}
