// The scanning engine: one keyword pass per line selects the rules that can match, then
// only those rules run. Bounded in line length, bytes and time so crafted input from a
// fork cannot stall the app; whatever was not scanned is reported, never passed silently.

import { Minimatch } from "minimatch";
import type { AddedLine } from "./diff.js";
import { compileRule, type CompiledRule, type SecretRule } from "./rule.js";
import { KeywordIndex } from "./keyword-index.js";
import { shannonEntropy } from "./entropy.js";
import { INLINE_ALLOW, isPlaceholderValue } from "./allowlist.js";
import { fingerprint, maskedPreview } from "./redaction.js";

export interface ScanTarget {
  path: string;
  lines: AddedLine[];
}

export interface SecretFinding {
  rule: string;
  description: string;
  path: string;
  line: number;
  /** 1-based column of the secret's first character. */
  column: number;
  length: number;
  preview: string;
  fingerprint: string;
  /** Marked `soc2-guard:allow` on its line: recorded, not failing. */
  suppressed: boolean;
}

export interface NotScanned {
  path: string;
  reason: string;
}

export interface ScanResult {
  findings: SecretFinding[];
  notScanned: NotScanned[];
  bytesScanned: number;
  linesScanned: number;
}

export interface ScanLimits {
  /** Characters of a line that are scanned; the rest of a longer line is reported as not scanned. */
  maxLineLength: number;
  /** Total characters per scan (per pull request). */
  maxBytes: number;
  /** Wall-clock budget per scan. */
  maxMillis: number;
}

export const DEFAULT_LIMITS: ScanLimits = { maxLineLength: 4_096, maxBytes: 20 * 1024 * 1024, maxMillis: 5_000 };

const GENERIC_SKIP_GLOBS = ["**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/Cargo.lock", "**/go.sum", "**/poetry.lock", "**/composer.lock", "**/Gemfile.lock", "**/*.min.js", "**/*.map", "**/*.svg"];

function globMatcher(globs: string[]): (path: string) => boolean {
  const compiled = globs.map((g) => new Minimatch(g, { dot: true }));
  return (path) => compiled.some((m) => m.match(path));
}
const isGenericSkipPath = globMatcher(GENERIC_SKIP_GLOBS);

export interface ScannerOptions {
  key: Uint8Array;
  ignorePaths?: string[];
  limits?: Partial<ScanLimits>;
  /** Milliseconds clock, injectable for tests of the time bound. */
  clock?: () => number;
}

export class SecretScanner {
  private readonly rules: CompiledRule[];
  private readonly index: KeywordIndex;
  /** keyword id → rule indexes. */
  private readonly rulesByKeyword: number[][];
  private readonly limits: ScanLimits;
  private readonly clock: () => number;

  constructor(rules: SecretRule[], private readonly options: ScannerOptions) {
    this.rules = rules.map(compileRule);
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
    this.rulesByKeyword = rulesByKeyword;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? (() => performance.now());
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  scan(targets: ScanTarget[]): ScanResult {
    const result: ScanResult = { findings: [], notScanned: [], bytesScanned: 0, linesScanned: 0 };
    const started = this.clock();
    const ignored = globMatcher(this.options.ignorePaths ?? []);
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!;
      if (ignored(target.path)) continue;
      const skipGeneric = isGenericSkipPath(target.path);
      const truncated: number[] = [];
      for (let i = 0; i < target.lines.length; i++) {
        if ((i & 255) === 0 && this.clock() - started > this.limits.maxMillis) {
          result.notScanned.push({ path: target.path, reason: `time budget of ${this.limits.maxMillis} ms used up at line ${target.lines[i]!.line}` });
          for (const rest of targets.slice(t + 1)) result.notScanned.push({ path: rest.path, reason: "time budget used up" });
          return result;
        }
        const { line, text } = target.lines[i]!;
        if (result.bytesScanned + text.length > this.limits.maxBytes) {
          result.notScanned.push({ path: target.path, reason: `size budget of ${this.limits.maxBytes} characters used up at line ${line}` });
          for (const rest of targets.slice(t + 1)) result.notScanned.push({ path: rest.path, reason: "size budget used up" });
          return result;
        }
        const scanned = text.length > this.limits.maxLineLength ? text.slice(0, this.limits.maxLineLength) : text;
        if (scanned !== text) truncated.push(line);
        result.bytesScanned += text.length;
        result.linesScanned++;
        this.scanLine(target, i, scanned, skipGeneric, result.findings);
      }
      if (truncated.length > 0) {
        result.notScanned.push({ path: target.path, reason: `line${truncated.length === 1 ? "" : "s"} ${truncated.slice(0, 5).join(", ")}${truncated.length > 5 ? ", …" : ""} longer than ${this.limits.maxLineLength} characters scanned only in part` });
      }
    }
    return result;
  }

  private scanLine(target: ScanTarget, index: number, text: string, skipGeneric: boolean, findings: SecretFinding[]): void {
    let candidates: Set<number> | undefined;
    this.index.scan(text, 0, text.length, (keywordId) => {
      candidates ??= new Set();
      for (const r of this.rulesByKeyword[keywordId]!) candidates.add(r);
    });
    if (!candidates) return;
    const claimed: Array<[number, number]> = [];
    for (const ruleIndex of [...candidates].sort((a, b) => a - b)) {
      const rule = this.rules[ruleIndex]!;
      if (rule.generic && skipGeneric) continue;
      const haystack = rule.spanLines ? [text, ...target.lines.slice(index + 1, index + 1 + rule.spanLines).map((l) => l.text)].join("\n") : text;
      rule.pattern.lastIndex = 0;
      for (let match = rule.pattern.exec(haystack); match !== null; match = rule.pattern.exec(haystack)) {
        if (match[0].length === 0) {
          rule.pattern.lastIndex++;
          continue;
        }
        if (match.index >= text.length) break;
        const secret = match[1] ?? match[0];
        // A multi-line match (a PEM body) is reported where it starts, on this line.
        const start = Math.min(match.index + Math.max(0, match[0].indexOf(secret)), match.index);
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
          column: start + 1,
          length: secret.length,
          preview: maskedPreview(secret),
          fingerprint: fingerprint(this.options.key, rule.id, secret),
          suppressed: text.includes(INLINE_ALLOW),
        });
      }
    }
  }
}

/** Every line of a whole file, for `soc2-guard scan PATH`. */
export function linesOfText(text: string): AddedLine[] {
  return text.split("\n").map((t, i) => ({ line: i + 1, text: t.endsWith("\r") ? t.slice(0, -1) : t }));
}
