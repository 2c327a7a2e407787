// `repository.publicized` / `repository.privatized` as a confidentiality change record:
// who changed what, when — for the evidence trail (C1.1). Pure; the lead's trigger writes it.

export interface VisibilityChange {
  kind: "repository.visibility";
  repository: string;
  from: "private" | "public";
  to: "private" | "public";
  /** Who did it (the event's sender). */
  actor: string;
  at: string;
  /** Confidentiality-relevant: private → public exposes code. */
  exposure: boolean;
}

interface RepositoryEventPayload {
  action?: string;
  repository?: { full_name?: string; updated_at?: string | null };
  sender?: { login?: string } | null;
}

export function visibilityChange(payload: RepositoryEventPayload, receivedAt: string): VisibilityChange | null {
  if (payload.action !== "publicized" && payload.action !== "privatized") return null;
  const toPublic = payload.action === "publicized";
  return {
    kind: "repository.visibility",
    repository: payload.repository?.full_name ?? "unknown",
    from: toPublic ? "private" : "public",
    to: toPublic ? "public" : "private",
    actor: payload.sender?.login ?? "unknown",
    at: payload.repository?.updated_at ?? receivedAt,
    exposure: toPublic,
  };
}
