// How commits and people are written in check-run text.

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
