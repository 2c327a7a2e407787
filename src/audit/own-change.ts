// Changes soc2-guard makes itself (an applied fix) come back as webhooks
// (`repository_ruleset`, `branch_protection_rule`, `security_and_analysis`); they must not
// trigger another fix, or two configs could fight in a loop.

interface SenderPayload {
  sender?: { login?: string; type?: string } | null;
}

/** True when the event's sender is this app's bot account (`<slug>[bot]`). */
export function isOwnChange(payload: SenderPayload, appSlug: string): boolean {
  const login = payload.sender?.login?.toLowerCase();
  return login !== undefined && login === `${appSlug.toLowerCase()}[bot]`;
}
