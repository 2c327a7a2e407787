// Fault injection per endpoint: latency, 5xx, secondary rate limits (403/429 with
// retry-after) and ref-update conflicts (a rival commit moves the branch just before the
// app's compare-and-swap). Rules match on method and path; a rate or a count bounds them.

export type FaultKind = "latency" | "error" | "secondary-rate-limit" | "ref-conflict";

export interface FaultRule {
  kind: FaultKind;
  /** HTTP method; any when absent. */
  method?: string;
  /** Path below the API base (e.g. "/repos/acme/app/check-runs", "/graphql"): substring or pattern. */
  path?: string | RegExp;
  /** Probability per matching request (default 1). */
  rate?: number;
  /** At most this many injections (default unbounded). */
  times?: number;
  /** latency: added delay. */
  ms?: number;
  /** error: status (default 502); secondary-rate-limit: 403 or 429 (default 403). */
  status?: number;
  /** secondary-rate-limit: the retry-after header in seconds (default 1). */
  retryAfter?: number;
}

export interface FaultStats {
  latency: number;
  error: number;
  secondaryRateLimit: number;
  refConflict: number;
}

export class Faults {
  private rules: Array<FaultRule & { used: number }> = [];
  readonly stats: FaultStats = { latency: 0, error: 0, secondaryRateLimit: 0, refConflict: 0 };

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, used: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules of a kind that fire for this request (each consumes one use). */
  take(kind: FaultKind, method: string, path: string): FaultRule | null {
    for (const rule of this.rules) {
      if (rule.kind !== kind) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined && !(typeof rule.path === "string" ? path.includes(rule.path) : rule.path.test(path))) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if ((rule.rate ?? 1) < 1 && this.random() >= (rule.rate ?? 1)) continue;
      rule.used++;
      if (kind === "latency") this.stats.latency++;
      else if (kind === "error") this.stats.error++;
      else if (kind === "secondary-rate-limit") this.stats.secondaryRateLimit++;
      else this.stats.refConflict++;
      return rule;
    }
    return null;
  }
}
