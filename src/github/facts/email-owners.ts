// CODEOWNERS email owners → accounts. GitHub resolves an email owner against verified
// emails that an app cannot read; we search users by public email, all emails in one
// GraphQL request. An email no account shows publicly stays unresolved, and
// review.approval fails with that reason where it decides something.

import type { GitHubClient } from "../transport/client.js";
import { parseCodeOwners } from "../../controls/codeowners.js";
import { emailOwnersQuery } from "./queries.js";

/** Email lookups per evaluation; owners past it stay unresolved (and the control says so). */
const MAX_EMAIL_LOOKUPS = 10;

/** Email owners (lower case) of the changed paths: only those decide anything. */
export function emailOwnersOf(codeOwnersText: string | null, paths: string[]): string[] {
  if (!codeOwnersText) return [];
  const codeOwners = parseCodeOwners(codeOwnersText);
  if (!codeOwners.rules.some((r) => r.parsed.some((o) => o.kind === "email"))) return [];
  const emails = new Set<string>();
  for (const path of paths) for (const owner of codeOwners.ruleFor(path)?.parsed ?? []) if (owner.kind === "email") emails.add(owner.email.toLowerCase());
  return [...emails];
}

export async function resolveEmailOwners(gh: GitHubClient, emails: string[]): Promise<Record<string, string | null>> {
  const asked = emails.slice(0, MAX_EMAIL_LOOKUPS);
  if (asked.length === 0) return {};
  const data = await gh.graphql<Record<string, { userCount: number; nodes: Array<{ login?: string } | null> } | null>>(
    emailOwnersQuery(asked.length),
    Object.fromEntries(asked.map((email, i) => [`q${i}`, `${email} in:email`])),
  );
  return Object.fromEntries(
    asked.map((email, i) => {
      const hit = data[`e${i}`];
      const logins = (hit?.nodes ?? []).flatMap((n) => (n?.login ? [n.login] : []));
      // Exactly one account, or nobody: two accounts showing one email prove neither.
      return [email, hit?.userCount === 1 && logins.length === 1 ? logins[0]! : null] as const;
    }),
  );
}
