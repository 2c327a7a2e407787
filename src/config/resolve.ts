// Layers config files over the safe defaults and applies the org's minimums.
// Order: safe defaults ← org `.github` repository file ← repository file, then the org
// file's `minimums` are applied so a repository can raise a setting but never lower it.

import { canonicalHash } from "../canonical-json.js";
import { safeDefaults } from "./defaults.js";
import { parseConfigFile, type ConfigFileContent } from "./parse.js";
import { parseAuditConfig } from "./audit.js";
import type { Config, ConfigProblem, ControlsConfig, Mode, ResolvedConfig } from "./types.js";

export interface ConfigLayerInput {
  /** `owner/repo` the file was read from. */
  source: string;
  file: string;
  /** null when the file does not exist. */
  text: string | null;
  /** Only the org layer's `minimums` are honoured. */
  isOrgLayer: boolean;
  /** The commit the file was read at (its default branch's head), named in the check's footer. */
  commit?: string | null;
}

// Config files change rarely and every event re-reads them: remember the last answers.
const resolvedByText = new Map<string, ResolvedConfig>();
const RESOLVED_CACHE_SIZE = 500;

/** resolveConfig, memoised on the layers' text (results are never mutated by callers). */
export function resolveConfigCached(layers: ConfigLayerInput[]): ResolvedConfig {
  const key = JSON.stringify(layers);
  const hit = resolvedByText.get(key);
  if (hit) return hit;
  const resolved = resolveConfig(layers);
  resolvedByText.set(key, resolved);
  if (resolvedByText.size > RESOLVED_CACHE_SIZE) resolvedByText.delete(resolvedByText.keys().next().value as string);
  return resolved;
}

export function resolveConfig(layers: ConfigLayerInput[]): ResolvedConfig {
  let config = safeDefaults();
  const sources: string[] = [];
  const problems: ConfigProblem[] = [];
  let minimums: ConfigFileContent["minimums"] | undefined;

  for (const layer of layers) {
    if (layer.text === null) continue;
    const parsed = parseConfigFile(layer.text, layer.file, layer.source);
    if (!parsed.content) {
      problems.push(...parsed.problems);
      continue;
    }
    if (!layer.isOrgLayer && parsed.content.minimums) {
      problems.push({
        file: layer.file,
        source: layer.source,
        line: 1,
        column: 1,
        key: "minimums",
        message: "minimums are only honoured in the organization's .github repository; ignored here",
      });
    }
    let content = parsed.content;
    if (!layer.isOrgLayer) {
      const bounded = withinOrgBounds(content, minimums, config.exceptions, parsed.problemAt);
      content = bounded.content;
      problems.push(...bounded.problems);
    }
    config = overlay(config, content);
    if (layer.isOrgLayer) minimums = content.minimums;
    sources.push(`${layer.source}:${layer.file}${layer.commit ? `@${layer.commit.slice(0, 12)}` : ""}`);
  }
  if (minimums?.controls) config = { ...config, controls: applyMinimums(config.controls, minimums.controls) };
  return { config, sources: sources.length > 0 ? sources : ["built-in safe defaults"], problems, hash: configHash(config) };
}

/**
 * What a repository file may not decide about its own gate: where its evidence goes
 * (`archive`), who may declare its emergencies (`exceptions.allowed`) and whether an author
 * may declare their own (`exceptions.allowSelfDeclared`) — org settings, a problem on their
 * line here —, a retroactive review window longer than the org's
 * (`exceptions.reviewWithinHours` may only shrink), and which paths its secret scan skips beyond the globs
 * the org's `minimums.controls.secrets.diff.ignorePaths` allows (when the org lists them;
 * an empty list forbids any).
 */
function withinOrgBounds(
  content: ConfigFileContent,
  minimums: ConfigFileContent["minimums"] | undefined,
  orgExceptions: Config["exceptions"],
  problemAt: (segments: Array<string | number>, message: string) => ConfigProblem,
): { content: ConfigFileContent; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const bounded: ConfigFileContent = { ...content };
  if (content.archive !== undefined) {
    problems.push(problemAt(["archive"], "is an organization setting (where this repository's evidence goes): set it in the organization's .github repository; the org's value stays in force"));
    delete bounded.archive;
  }
  if (content.exceptions && "allowed" in content.exceptions) {
    problems.push(problemAt(["exceptions", "allowed"], "is an organization setting (who may declare an emergency change): set it in the organization's .github repository; the org's list stays in force"));
    const { allowed: _refused, ...rest } = content.exceptions;
    bounded.exceptions = rest;
  }
  if (bounded.exceptions && "allowSelfDeclared" in bounded.exceptions) {
    problems.push(problemAt(["exceptions", "allowSelfDeclared"], "is an organization setting (whether an author may declare their own emergency): set it in the organization's .github repository; the org's value stays in force"));
    const { allowSelfDeclared: _refused, ...rest } = bounded.exceptions;
    bounded.exceptions = rest;
  }
  const hours = bounded.exceptions?.reviewWithinHours;
  if (typeof hours === "number" && hours > orgExceptions.reviewWithinHours) {
    problems.push(problemAt(["exceptions", "reviewWithinHours"], `may only be shortened by a repository (the organization's ${orgExceptions.reviewWithinHours} hours stay in force)`));
    const { reviewWithinHours: _refused, ...rest } = bounded.exceptions!;
    bounded.exceptions = rest;
  }
  const allowedIgnores = minimums?.controls?.["secrets.diff"]?.ignorePaths;
  const ignores = content.controls?.["secrets.diff"]?.ignorePaths;
  if (Array.isArray(allowedIgnores) && Array.isArray(ignores)) {
    const allowed = new Set(allowedIgnores as string[]);
    const kept = (ignores as string[]).filter((glob, i) => {
      if (allowed.has(glob)) return true;
      problems.push(
        problemAt(
          ["controls", "secrets.diff", "ignorePaths", i],
          allowed.size === 0
            ? `"${glob}" is refused: the organization does not let repositories skip paths in the secret scan (minimums.controls.secrets.diff.ignorePaths is empty); the path is scanned`
            : `"${glob}" is not among the globs the organization allows (${[...allowed].map((g) => `"${g}"`).join(", ")}); the path is scanned`,
        ),
      );
      return false;
    });
    bounded.controls = { ...content.controls, "secrets.diff": { ...content.controls!["secrets.diff"], ignorePaths: kept } };
  }
  return { content: bounded, problems };
}

export function configHash(config: Config): string {
  return canonicalHash(config);
}

function overlay(base: Config, file: ConfigFileContent): Config {
  const controls = { ...base.controls } as unknown as Record<string, Record<string, unknown>>;
  for (const [id, values] of Object.entries(file.controls ?? {})) {
    controls[id] = { ...controls[id], ...values };
  }
  const pathsFilled = (controls["review.approval"]!.paths as Array<Record<string, unknown>>).map((p) => ({
    teams: [],
    users: [],
    ...p,
  }));
  controls["review.approval"] = { ...controls["review.approval"], paths: pathsFilled };
  controls["secrets.diff"] = {
    ...controls["secrets.diff"],
    rules: (controls["secrets.diff"]!.rules as Array<Record<string, unknown>>).map((r) => ({ description: "", ...r })),
  };
  return {
    archive: { ...base.archive, ...(file.archive as Partial<Config["archive"]>) },
    controls: controls as unknown as ControlsConfig,
    exceptions: { ...base.exceptions, ...(file.exceptions as Partial<Config["exceptions"]>) },
    protectedBranches: file.protectedBranches ?? base.protectedBranches,
    audit: file.audit ? parseAuditConfig(file.audit).config : base.audit,
  };
}

const MODE_RANK: Record<Mode, number> = { off: 0, advisory: 1, enforce: 2 };
/** For each boolean, the value that is stricter. */
const STRICTER_BOOLEAN: Record<string, boolean> = {
  allowContributors: false,
  allowUpdateMerges: false,
  allowBots: false,
  requireCodeOwners: true,
  requireDismissStale: true,
  requireStatusChecks: true,
  requireNoForcePush: true,
  requireNoDeletion: true,
  allowAdminBypass: false,
};
/** Lists where more entries is stricter; other lists (ticket patterns, ignore paths) are fixed by the minimum. */
const UNION_LISTS = new Set(["checks", "paths", "rules"]);

function applyMinimums(
  controls: ControlsConfig,
  minimums: Record<string, Record<string, unknown>>,
): ControlsConfig {
  const result = { ...controls } as unknown as Record<string, Record<string, unknown>>;
  for (const [id, floor] of Object.entries(minimums)) {
    const current = { ...result[id] };
    for (const [key, min] of Object.entries(floor)) {
      // A bound on what repositories may skip, not a floor: applied to the repository file (withinOrgBounds).
      if (id === "secrets.diff" && key === "ignorePaths") continue;
      const value = current[key];
      if (key === "mode") {
        current[key] = MODE_RANK[value as Mode] >= MODE_RANK[min as Mode] ? value : min;
      } else if (typeof min === "number") {
        current[key] = Math.max(typeof value === "number" ? value : 0, min);
      } else if (typeof min === "boolean") {
        const stricter = STRICTER_BOOLEAN[key];
        current[key] = stricter === undefined ? min : value === stricter || min === stricter ? stricter : !stricter;
      } else if (Array.isArray(min)) {
        if (UNION_LISTS.has(key)) {
          const seen = new Set((value as unknown[] | undefined)?.map((v) => JSON.stringify(v)) ?? []);
          const extra = min.filter((m) => !seen.has(JSON.stringify(m)));
          current[key] = [...((value as unknown[] | undefined) ?? []), ...extra];
        } else {
          current[key] = min;
        }
      }
    }
    if (id === "review.approval" && Array.isArray(current.paths)) {
      current.paths = (current.paths as Array<Record<string, unknown>>).map((p) => ({ teams: [], users: [], ...p }));
    }
    result[id] = current;
  }
  return result as unknown as ControlsConfig;
}
