// The HTTP status of an error Octokit threw (RequestError carries `status`), or undefined
// for anything else (network errors, GraphQL errors, bugs). One place, so every loader
// asks the same question the same way.

export function httpStatus(error: unknown): number | undefined {
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === "number" ? status : undefined;
}

/** 403 or 404: GitHub's two ways of saying "not for you" (missing permission, or hidden). */
export function isDenied(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 403 || status === 404;
}
