// The scanning engine: one keyword pass per line selects the rules that can match, then
// only those rules run, on RE2 (linear time). Bounded in line length, characters and time
// per scan so crafted input from a fork cannot stall the app; whatever was not scanned is
// reported, never passed silently.

import type { AddedLine } from "./diff.js";
import { RulePrefilter } from "./rule-prefilter.js";
import { compileRule, type CompiledRule, type SecretRule } from "./rule.js";
import { builtinRules } from "./rules/index.js";
import { KeywordIndex } from "./keyword-index.js";
import { shannonEntropy } from "./entropy.js";
import { INLINE_ALLOW, isPlaceholderValue } from "./allowlist.js";
import { fingerprint, maskedPreview } from "./redaction.js";
import { fileFormatOf, type FileFormat } from "./credential-context.js";
import { BudgetExhausted, ScanBudget, type NotScanned, type ScanLimits } from "./scan-budget.js";
import type { ScanFinding } from "./finding.js";
import { pathMatcher } from "./path-glob.js";
import { SAVED_LOGIN_RULE, findSavedLogin, passwordColumn } from "./saved-logins.js";

export { DEFAULT_LIMITS, type NotScanned, type ScanLimits } from "./scan-budget.js";

export interface ScanTarget {
  path: string;
  lines: AddedLine[];
  /** The same lines joined with "\n", when the caller has them as one text (a whole file): lets a scanner prefilter the file in one pass. */
  text?: string;
}

export type SecretFinding = ScanFinding;

/** A rule (usually a user's) that could not be compiled for the linear-time engine; it did not run. */
export interface RuleError {
  rule: string;
  message: string;
}

export interface ScanResult {
  findings: SecretFinding[];
  notScanned: NotScanned[];
  ruleErrors: RuleError[];
  bytesScanned: number;
  linesScanned: number;
}

// Long lines (minified bundles) are scanned in overlapping windows so every pattern works
// on at most WINDOW characters; a value up to OVERLAP characters long is always whole in
// the window it starts in, and it is reported by that window only.
const WINDOW = 4_096;
const OVERLAP = 1_024;
const STEP = WINDOW - OVERLAP;

const GENERIC_SKIP_GLOBS = ["**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/Cargo.lock", "**/go.sum", "**/poetry.lock", "**/composer.lock", "**/Gemfile.lock", "**/*.min.js", "**/*.map", "**/*.svg"];

const isGenericSkipPath = pathMatcher(GENERIC_SKIP_GLOBS);

export interface ScannerOptions {
  key: Uint8Array;
  ignorePaths?: string[];
  limits?: Partial<ScanLimits>;
  /** Milliseconds clock, injectable for tests of the time bound. */
  clock?: () => number;
}

/** The built-in catalogue's rule objects: reviewed patterns that may run on V8's engine. */
const VETTED: ReadonlySet<SecretRule> = new Set(builtinRules);

export class SecretScanner {
  private readonly rules: CompiledRule[] = [];
  private readonly ruleErrors: RuleError[] = [];
  private readonly index: KeywordIndex;
  /** keyword id → rule indexes. */
  private readonly rulesByKeyword: number[][];
  private readonly limits: Partial<ScanLimits> | undefined;
  private readonly clock: () => number;
  private readonly isIgnored: (path: string) => boolean;
  /** Scratch marks for the rules a line's keywords selected (reset after each line). */
  private readonly selected: Uint8Array;
  private readonly prefilters = new Map<string, RulePrefilter>();
  /** Rules on V8's engine: cheap enough to run directly, without the RE2 set pass first. */
  private readonly vetted: boolean[] = [];

  constructor(rules: SecretRule[], private readonly options: ScannerOptions) {
    for (const rule of rules) {
      try {
        this.rules.push(compileRule(rule, VETTED.has(rule)));
        this.vetted.push(VETTED.has(rule));
      } catch (error) {
        this.ruleErrors.push({ rule: rule.id, message: (error as Error).message });
      }
    }
    const keywordIds = new Map<string, number>();
    const rulesByKeyword: number[][] = [];
    this.rules.forEach((rule, ruleIndex) => {
      for (const keyword of rule.keywords) {
        let id = keywordIds.get(keyword);
        if (id === undefined) {
          id = keywordIds.size;
          keywordIds.set(keyword, id);
          rulesByKeyword.push([]);
        }
        rulesByKeyword[id]!.push(ruleIndex);
      }
    });
    this.index = new KeywordIndex([...keywordIds.keys()]);
    this.selected = new Uint8Array(this.rules.length);
    this.rulesByKeyword = rulesByKeyword;
    this.limits = options.limits;
    this.clock = options.clock ?? (() => performance.now());
    this.isIgnored = pathMatcher(options.ignorePaths ?? []);
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  scan(targets: ScanTarget[]): ScanResult {
    const result: ScanResult = { findings: [], notScanned: [], ruleErrors: [...this.ruleErrors], bytesScanned: 0, linesScanned: 0 };
    const budget = new ScanBudget(this.limits, this.clock);
    const { maxLineLength, maxBytes } = budget.limits;
    const overTime = (): boolean => budget.overTime();
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!;
      if (this.isIgnored(target.path)) continue;
      const skipGeneric = isGenericSkipPath(target.path);
      const format = fileFormatOf(target.path);
      const truncated: number[] = [];
      // An exported list of logins: its header (the file's first line) names the password column.
      const loginColumn = target.path.toLowerCase().endsWith(".csv") && target.lines[0]?.line === 1 ? passwordColumn(target.lines[0].text.slice(0, WINDOW)) : -1;
      for (let i = 0; i < target.lines.length; i++) {
        const { line, text } = target.lines[i]!;
        const stop = (i & 63) === 0 && overTime() ? budget.timeReason(line) : result.bytesScanned + text.length > maxBytes ? budget.sizeReason(line) : null;
        if (stop !== null) {
          result.notScanned.push(...budget.rest(targets, t, stop, this.isIgnored));
          return result;
        }
        const scanned = text.length > maxLineLength ? text.slice(0, maxLineLength) : text;
        if (scanned !== text) truncated.push(line);
        result.bytesScanned += text.length;
        result.linesScanned++;
        try {
          this.scanLine(target, i, scanned, skipGeneric, format, result.findings, overTime);
          if (loginColumn >= 0 && i > 0) this.savedLogin(target, i, scanned.slice(0, WINDOW), loginColumn, result.findings);
        } catch (error) {
          if (!(error instanceof BudgetExhausted)) throw error;
          result.notScanned.push(...budget.rest(targets, t, budget.timeReason(line), this.isIgnored));
          return result;
        }
      }
      const cut = budget.truncated(target.path, truncated);
      if (cut) result.notScanned.push(cut);
    }
    return result;
  }

  private savedLogin(target: ScanTarget, index: number, text: string, column: number, findings: SecretFinding[]): void {
    const line = target.lines[index]!.line;
    for (const match of findSavedLogin(text, column)) {
      // A rule on the same line already reported this value.
      let claimed = false;
      for (let k = findings.length - 1; k >= 0 && findings[k]!.line === line && findings[k]!.path === target.path; k--) {
        const f = findings[k]!;
        if (f.column - 1 < match.valueEnd && f.column - 1 + f.length > match.valueStart) claimed = true;
      }
      if (claimed) continue;
      findings.push({ rule: SAVED_LOGIN_RULE.id, description: SAVED_LOGIN_RULE.description, path: target.path, line, column: match.valueStart + 1, length: match.value.length, preview: maskedPreview(match.value), fingerprint: fingerprint(this.options.key, SAVED_LOGIN_RULE.id, match.value), suppressed: text.includes(INLINE_ALLOW) });
    }
  }

  /** One line, in windows when it is long; findings carry columns of the whole line. */
  private scanLine(target: ScanTarget, index: number, text: string, skipGeneric: boolean, format: FileFormat, findings: SecretFinding[], overTime: () => boolean): void {
    const suppressed = text.includes(INLINE_ALLOW);
    if (text.length <= WINDOW) {
      this.scanWindow(target, index, text, 0, text.length, skipGeneric, format, suppressed, findings);
      return;
    }
    for (let start = 0; start < text.length; start += STEP) {
      if (overTime()) throw new BudgetExhausted();
      const last = start + WINDOW >= text.length;
      this.scanWindow(target, index, text.slice(start, start + WINDOW), start, last ? Infinity : STEP, skipGeneric, format, suppressed, findings);
      if (last) break;
    }
  }

  /** One RE2 set per combination of selected rules: a single pass tells which of them match. */
  private prefilterFor(candidates: number[]): RulePrefilter {
    const key = candidates.join(",");
    let prefilter = this.prefilters.get(key);
    if (!prefilter) {
      prefilter = new RulePrefilter(candidates.map((r) => this.rules[r]!));
      this.prefilters.set(key, prefilter);
    }
    return prefilter;
  }

  /**
   * Runs the rules the window's keywords select. `offset` is the window's column in the
   * line; only values starting before `owned` belong to this window (the overlap is the
   * next window's).
   */
  private scanWindow(target: ScanTarget, index: number, text: string, offset: number, owned: number, skipGeneric: boolean, format: FileFormat, suppressed: boolean, findings: SecretFinding[]): void {
    // Most lines hold no keyword: one table walk and done.
    if (!this.index.any(text, 0, text.length)) return;
    const candidates: number[] = [];
    this.index.scan(text, 0, text.length, (keywordId) => {
      for (const r of this.rulesByKeyword[keywordId]!) {
        if (this.selected[r] === 0) {
          this.selected[r] = 1;
          candidates.push(r);
        }
      }
    });
    for (const r of candidates) this.selected[r] = 0;
    candidates.sort((a, b) => a - b);
    const claimed: Array<[number, number]> = [];
    const matching = candidates.length > 1 && !candidates.every((r) => this.vetted[r]) ? this.prefilterFor(candidates).which(text) : null;
    for (let c = 0; c < candidates.length; c++) {
      if (matching !== null && !matching.has(c)) continue;
      const ruleIndex = candidates[c]!;
      const rule = this.rules[ruleIndex]!;
      if (rule.generic && skipGeneric) continue;
      // A PEM block spans lines: the match starts here, its body is on the next lines.
      const haystack = rule.spanLines ? [text, ...target.lines.slice(index + 1, index + 1 + rule.spanLines).map((l) => l.text.slice(0, WINDOW))].join("\n") : text;
      for (const match of rule.finder ? rule.finder(haystack, format) : rule.pattern.findAll(haystack)) {
        if (match.start >= text.length) break;
        // A value found on a following line is reported where its block starts.
        const start = match.valueStart < text.length ? match.valueStart : match.start;
        if (start >= owned) break;
        const secret = match.value;
        if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) continue;
        if (rule.validate && !rule.validate(secret)) continue;
        if (isPlaceholderValue(secret)) continue;
        const end = start + Math.min(secret.length, text.length - start);
        // A more specific rule (earlier in the catalogue) already claimed this span.
        if (claimed.some(([s, e]) => start < e && end > s)) continue;
        claimed.push([start, end]);
        findings.push({
          rule: rule.id,
          description: rule.description,
          path: target.path,
          line: target.lines[index]!.line,
          column: offset + start + 1,
          length: secret.length,
          preview: maskedPreview(secret),
          fingerprint: fingerprint(this.options.key, rule.id, secret),
          suppressed,
        });
      }
    }
  }
}

/** A whole file as a scan target, its text kept for one-pass prefilters (not when CRLF line ends make offsets differ). */
export function targetOfText(path: string, text: string): ScanTarget {
  const lines = linesOfText(text);
  if (text.includes("\r")) return { path, lines };
  return { path, lines, text: text.endsWith("\n") ? text.slice(0, -1) : text };
}

/** Every line of a whole file, for `soc2-guard scan PATH`. */
export function linesOfText(text: string): AddedLine[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((t, i) => ({ line: i + 1, text: t.endsWith("\r") ? t.slice(0, -1) : t }));
}
