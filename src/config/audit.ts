// Config for the org settings audit: the `audit:` key of the config file.
// Validation is hand-written here (the JSON Schema only says it is a mapping) so unknown
// or mistyped keys are located the same way as the rest of the file's problems.

/** Opt-in remediation per policy: `dry-run` writes the exact REST calls into the issue, `apply` makes them. */
export type FixMode = "off" | "dry-run" | "apply";

export interface BranchRulesPolicyConfig {
  enabled: boolean;
  fix: FixMode;
  /** The bar; unset keys fall back to `controls.branch.protection` so the gate and the audit agree. */
  approvals?: number;
  requireDismissStale?: boolean;
  requireStatusChecks?: boolean;
  requireNoForcePush?: boolean;
  requireNoDeletion?: boolean;
  allowAdminBypass?: boolean;
  /** Bypass actors that are acceptable (labels as reported, e.g. "app #123", "team #42"). */
  allowedBypassActors: string[];
  /** Checks a fix requires; the gate's own check by default. */
  requiredChecks: string[];
  /** How a fix protects the branch: a repository ruleset (default) or classic protection. */
  fixWith: "ruleset" | "classic";
}

export interface SecretScanningPolicyConfig {
  enabled: boolean;
  fix: FixMode;
  requirePushProtection: boolean;
}

export interface VisibilityPolicyConfig {
  enabled: boolean;
  /** Repository names (globs) that may be public. */
  publicAllowlist: string[];
}

export interface TwoFactorPolicyConfig {
  enabled: boolean;
}

export interface AdminsPolicyConfig {
  enabled: boolean;
  /** More direct or team admins than this fails (organization owners are not counted). */
  maxAdmins: number;
  /** Outside collaborators allowed write (never admin) access, by login. */
  outsideCollaboratorAllowlist: string[];
}

export interface AuditPoliciesConfig {
  "repo.branch-rules": BranchRulesPolicyConfig;
  "repo.secret-scanning": SecretScanningPolicyConfig;
  "repo.visibility": VisibilityPolicyConfig;
  "org.two-factor": TwoFactorPolicyConfig;
  "repo.admins": AdminsPolicyConfig;
}

export interface AuditConfig {
  policies: AuditPoliciesConfig;
  /** Repository names (globs) to audit; empty → all. */
  include: string[];
  exclude: string[];
  includeArchived: boolean;
  includeForks: boolean;
  issues: {
    label: string;
    /** Comments (which notify) on a repository's issue at most this often; edits in place do not notify. */
    repingAfterHours: number;
    summary: boolean;
  };
}

export function defaultAuditConfig(): AuditConfig {
  return {
    policies: {
      "repo.branch-rules": { enabled: true, fix: "off", allowedBypassActors: [], requiredChecks: ["soc2-guard"], fixWith: "ruleset" },
      "repo.secret-scanning": { enabled: true, fix: "off", requirePushProtection: true },
      "repo.visibility": { enabled: true, publicAllowlist: [] },
      "org.two-factor": { enabled: true },
      "repo.admins": { enabled: true, maxAdmins: 3, outsideCollaboratorAllowlist: [] },
    },
    include: [],
    exclude: [],
    includeArchived: false,
    includeForks: true,
    issues: { label: "soc2-guard:drift", repingAfterHours: 168, summary: true },
  };
}

type Json = Record<string, unknown>;

/** Validates the `audit:` key of a config file; unknown or mistyped keys are problems, defaults fill the rest. */
export function parseAuditConfig(raw: unknown): { config: AuditConfig; problems: Array<{ key: string; message: string }> } {
  const config = defaultAuditConfig();
  const problems: Array<{ key: string; message: string }> = [];
  if (raw === undefined || raw === null) return { config, problems };
  if (!isObject(raw)) return { config, problems: [{ key: "audit", message: "must be a mapping" }] };

  const take = <T>(obj: Json, key: string, path: string, check: (v: unknown) => v is T, expected: string, apply: (v: T) => void) => {
    if (!(key in obj)) return;
    const value = obj[key];
    if (check(value)) apply(value);
    else problems.push({ key: `${path}.${key}`, message: `must be ${expected}` });
  };
  const known = (obj: Json, path: string, keys: string[]) => {
    for (const key of Object.keys(obj)) if (!keys.includes(key)) problems.push({ key: `${path}.${key}`, message: "is not a known setting" });
  };

  known(raw, "audit", ["policies", "include", "exclude", "includeArchived", "includeForks", "issues"]);
  take(raw, "include", "audit", isStrings, "a list of repository names or globs", (v) => (config.include = v));
  take(raw, "exclude", "audit", isStrings, "a list of repository names or globs", (v) => (config.exclude = v));
  take(raw, "includeArchived", "audit", isBoolean, "true or false", (v) => (config.includeArchived = v));
  take(raw, "includeForks", "audit", isBoolean, "true or false", (v) => (config.includeForks = v));
  if (isObject(raw.issues)) {
    const issues = raw.issues;
    known(issues, "audit.issues", ["label", "repingAfterHours", "summary"]);
    take(issues, "label", "audit.issues", isNonEmptyString, "a label name", (v) => (config.issues.label = v));
    take(issues, "repingAfterHours", "audit.issues", isNonNegative, "a number of hours ≥ 0", (v) => (config.issues.repingAfterHours = v));
    take(issues, "summary", "audit.issues", isBoolean, "true or false", (v) => (config.issues.summary = v));
  } else if ("issues" in raw) problems.push({ key: "audit.issues", message: "must be a mapping" });

  const policies = raw.policies;
  if (policies !== undefined && !isObject(policies)) problems.push({ key: "audit.policies", message: "must be a mapping" });
  if (isObject(policies)) {
    known(policies, "audit.policies", Object.keys(config.policies));
    for (const [id, value] of Object.entries(policies)) {
      if (!(id in config.policies)) continue;
      const path = `audit.policies.${id}`;
      if (!isObject(value)) {
        problems.push({ key: path, message: "must be a mapping" });
        continue;
      }
      const target = config.policies[id as keyof AuditPoliciesConfig] as unknown as Json;
      const keys = [...Object.keys(target), ...(id === "repo.branch-rules" ? ["approvals", "requireDismissStale", "requireStatusChecks", "requireNoForcePush", "requireNoDeletion", "allowAdminBypass"] : [])];
      known(value, path, keys);
      for (const key of keys) {
        if (!(key in value)) continue;
        const v = value[key];
        const expected = key === "fix" ? "off, dry-run or apply" : key === "fixWith" ? "ruleset or classic" : typeof target[key] === "number" || key === "approvals" ? "a number ≥ 0" : Array.isArray(target[key]) ? "a list of strings" : "true or false";
        const ok =
          key === "fix" ? v === "off" || v === "dry-run" || v === "apply"
          : key === "fixWith" ? v === "ruleset" || v === "classic"
          : expected === "a number ≥ 0" ? isNonNegative(v)
          : expected === "a list of strings" ? isStrings(v)
          : isBoolean(v);
        if (ok) target[key] = v;
        else problems.push({ key: `${path}.${key}`, message: `must be ${expected}` });
      }
    }
  }
  return { config, problems };
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isNonNegative = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
