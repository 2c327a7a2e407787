// The personal-data engine, same discipline as secrets/scanner.ts: a character-class
// prefilter (lines without a digit run or an IBAN-shaped token cost one regex pass),
// candidate extraction with bounded, unambiguous patterns that can only start at the
// beginning of a run (linear in the line), checksums in code, budgets in size and time,
// and whatever was not scanned is reported.

import type { ScanTarget } from "../secrets/scanner.js";
import { BudgetExhausted, ScanBudget, type NotScanned, type ScanLimits } from "../secrets/scan-budget.js";
import type { ScanFinding } from "../secrets/finding.js";
import { pathMatcher } from "../secrets/path-glob.js";
import { INLINE_ALLOW } from "../secrets/allowlist.js";
import { fingerprint } from "../secrets/redaction.js";
import type { PiiCandidate, PiiRule } from "./rule.js";
import { builtinPiiRules } from "./rules/index.js";
import { ContextWords } from "./context-words.js";
import { contactsOnLine, isDataFile } from "./bulk-contacts.js";
import { maskedPii } from "./masking.js";

/** For bulk data the preview is the counts and the length 0. */
export type PiiFinding = ScanFinding;

export interface PiiScanResult {
  findings: PiiFinding[];
  notScanned: NotScanned[];
  bytesScanned: number;
  linesScanned: number;
}

export interface PiiScannerOptions {
  key: Uint8Array;
  /** Values (as written or compact) and fingerprints that are known test data. */
  allow?: string[];
  /** E-mail domains that are the organisation's own test domains. */
  allowDomains?: string[];
  ignorePaths?: string[];
  /** Distinct real-looking contacts that make a data file bulk personal data. */
  bulkThreshold?: number;
  limits?: Partial<ScanLimits>;
  clock?: () => number;
}

export const DEFAULT_BULK_THRESHOLD = 20;
export const BULK_RULE = "pii.bulk-contacts";

// Digit groups joined by single blanks or hyphens; not inside a word, a path, a version, a
// float, a UUID or a phone number (+…), and not followed by more of a number.
// A comma may border a run (CSV fields); thousands groups are too short to be candidates.
const DIGIT_RUN = /(?<![A-Za-z0-9_.\/+\-$#])\d{1,19}(?:[ -]\d{1,19}){0,5}(?![A-Za-z0-9_]|[.\/:]\d|-\d)/g;
// IBAN-shaped: country, check digits, then 11–30 characters compact or groups of four.
const IBAN_SHAPE = /(?<![A-Za-z0-9_])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9_])/g;
// Every candidate of nine or more digits has five in a row, or 3+2 across one separator
// (123-45-…, 123 456 …, 4111 11…, GB82 WEST 1234 56…): the one test most lines stop at.
const PREFILTER = /\d{3}[ -]?\d{2}/;
const PREFILTER_ALL = /\d{3}[ -]?\d{2}/g;
const HAS_IBAN_START = /[A-Z]{2}\d{2}/;

const CONTEXT_LINES_BEFORE = 2;

interface CompiledPiiRule extends PiiRule {
  contextWords: ContextWords | null;
}

export class PiiScanner {
  private readonly digitRules: CompiledPiiRule[];
  private readonly ibanRules: CompiledPiiRule[];
  private readonly limits: Partial<ScanLimits> | undefined;
  private readonly clock: () => number;
  private readonly allowed: Set<string>;
  private readonly allowDomains: Set<string>;
  private readonly bulkThreshold: number;
  private readonly isIgnored: (path: string) => boolean;

  constructor(private readonly options: PiiScannerOptions, rules: PiiRule[] = builtinPiiRules) {
    const compiled = rules.map((r) => ({ ...r, contextWords: r.context ? new ContextWords(r.context) : null }));
    this.digitRules = compiled.filter((r) => r.shape === "digits");
    this.ibanRules = compiled.filter((r) => r.shape === "iban");
    this.limits = options.limits;
    this.clock = options.clock ?? (() => performance.now());
    this.allowed = new Set((options.allow ?? []).map((v) => (/^[0-9a-f]{64}$/.test(v) ? v : compactOf(v))));
    this.allowDomains = new Set((options.allowDomains ?? []).map((d) => d.toLowerCase()));
    this.bulkThreshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
    this.isIgnored = pathMatcher(options.ignorePaths ?? []);
  }

  scan(targets: ScanTarget[]): PiiScanResult {
    const result: PiiScanResult = { findings: [], notScanned: [], bytesScanned: 0, linesScanned: 0 };
    const budget = new ScanBudget(this.limits, this.clock);
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!;
      if (this.isIgnored(target.path)) continue;
      try {
        if (target.text === undefined || isDataFile(target.path) || !this.scanJoined(target, target.text, result, budget)) this.scanLines(target, result, budget);
      } catch (error) {
        if (!(error instanceof BudgetExhausted)) throw error;
        result.notScanned.push(...budget.rest(targets, t, error.message, this.isIgnored));
        return result;
      }
    }
    return result;
  }

  /**
   * The fast path for a whole file given as text that fits the budgets: one prefilter pass
   * over the text jumps straight to the few lines that hold a candidate (most files have
   * none). False when it does not fit.
   */
  private scanJoined(target: ScanTarget, joined: string, result: PiiScanResult, budget: ScanBudget): boolean {
    const { maxLineLength, maxBytes } = budget.limits;
    // No line can be longer than the whole text; a longer file is checked line by line.
    if (joined.length > maxLineLength && target.lines.some((l) => l.text.length > maxLineLength)) return false;
    const chars = joined.length - Math.max(0, target.lines.length - 1);
    if (result.bytesScanned + chars > maxBytes || budget.overTime()) return false;
    const prefilter = PREFILTER_ALL;
    prefilter.lastIndex = 0;
    let index = 0;
    let lineStart = 0;
    let checks = 0;
    for (let m = prefilter.exec(joined); m !== null; m = prefilter.exec(joined)) {
      while (lineStart + target.lines[index]!.text.length < m.index) lineStart += target.lines[index++]!.text.length + 1;
      if ((++checks & 63) === 0 && budget.overTime()) throw new BudgetExhausted(budget.timeReason(target.lines[index]!.line));
      const text = target.lines[index]!.text;
      this.scanLine(target, index, text, result.findings);
      prefilter.lastIndex = lineStart + text.length + 1;
    }
    result.bytesScanned += chars;
    result.linesScanned += target.lines.length;
    return true;
  }

  /** Line by line: data files (every line counts toward bulk contacts) and files at a budget's edge. */
  private scanLines(target: ScanTarget, result: PiiScanResult, budget: ScanBudget): void {
    const { maxLineLength, maxBytes } = budget.limits;
    const bulk = isDataFile(target.path) ? new Map<string, number>() : null;
    let firstContactLine = 0;
    let bulkSuppressed = false;
    const truncated: number[] = [];
    for (let i = 0; i < target.lines.length; i++) {
      const { line, text: full } = target.lines[i]!;
      if ((i & 63) === 0 && budget.overTime()) throw new BudgetExhausted(budget.timeReason(line));
      if (result.bytesScanned + full.length > maxBytes) throw new BudgetExhausted(budget.sizeReason(line));
      const text = full.length > maxLineLength ? full.slice(0, maxLineLength) : full;
      if (text !== full) truncated.push(line);
      result.bytesScanned += full.length;
      result.linesScanned++;
      if (PREFILTER.test(text)) this.scanLine(target, i, text, result.findings);
      if (bulk) {
        const contacts = contactsOnLine(text, this.allowDomains);
        if (contacts.length > 0) {
          if (firstContactLine === 0) firstContactLine = line;
          for (const c of contacts) bulk.set(c, (bulk.get(c) ?? 0) + 1);
        }
        if (text.includes(INLINE_ALLOW)) bulkSuppressed = true;
      }
    }
    if (bulk && bulk.size >= this.bulkThreshold) result.findings.push(this.bulkFinding(target.path, firstContactLine, bulk, bulkSuppressed));
    const cut = budget.truncated(target.path, truncated);
    if (cut) result.notScanned.push(cut);
  }

  private bulkFinding(path: string, line: number, contacts: Map<string, number>, suppressed: boolean): PiiFinding {
    const values = [...contacts.keys()].sort();
    const phones = values.filter((v) => v.startsWith("tel:")).length;
    const emails = values.length - phones;
    const counts = [emails > 0 ? `${emails} e-mail address${emails === 1 ? "" : "es"}` : "", phones > 0 ? `${phones} phone number${phones === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
    return { rule: BULK_RULE, description: "Bulk personal data (contact details)", path, line, column: 1, length: 0, preview: counts, fingerprint: fingerprint(this.options.key, BULK_RULE, values.join("\n")), suppressed };
  }

  private scanLine(target: ScanTarget, index: number, text: string, findings: PiiFinding[]): void {
    const claimed: Array<[number, number]> = [];
    if (this.ibanRules.length > 0 && HAS_IBAN_START.test(text)) {
      IBAN_SHAPE.lastIndex = 0;
      for (let m = IBAN_SHAPE.exec(text); m !== null; m = IBAN_SHAPE.exec(text)) {
        const raw = m[0];
        const candidate: PiiCandidate = { raw, compact: raw.replace(/ /g, ""), groups: raw.split(" ").map((g) => g.length) };
        for (const rule of this.ibanRules) {
          if (this.matches(rule, candidate, target, index)) {
            claimed.push([m.index, m.index + raw.length]);
            findings.push(this.finding(rule, candidate, target, index, text, m.index));
            break;
          }
        }
      }
    }
    DIGIT_RUN.lastIndex = 0;
    for (let m = DIGIT_RUN.exec(text); m !== null; m = DIGIT_RUN.exec(text)) {
      const raw = m[0];
      if (raw.length < 9) continue;
      const start = m.index;
      if (claimed.some(([s, e]) => start < e && start + raw.length > s)) continue;
      // The run as written, then each of its blank-separated groups alone ("4539148803436467 2024"
      // in a table row); a hyphen joins one identifier ("…-7" is part of it).
      const parts = raw.includes(" ") && !raw.includes("-") ? [{ raw, at: start }, ...splitGroups(raw, start)] : [{ raw, at: start }];
      for (const part of parts) {
        const compact = part.raw.replace(/[ -]/g, "");
        if (compact.length < 9 || compact.length > 19) continue;
        const candidate: PiiCandidate = { raw: part.raw, compact, groups: part.raw.split(/[ -]/).map((g) => g.length) };
        const rule = this.digitRules.find((r) => this.matches(r, candidate, target, index));
        if (rule) {
          findings.push(this.finding(rule, candidate, target, index, text, part.at));
          break;
        }
      }
    }
  }

  private matches(rule: CompiledPiiRule, candidate: PiiCandidate, target: ScanTarget, index: number): boolean {
    if (!rule.lengths.includes(candidate.compact.length)) return false;
    if (rule.groupings && candidate.groups.length > 1 && !rule.groupings.some((g) => sameGroups(g, candidate.groups))) return false;
    if (!rule.validate(candidate.compact) || rule.isTestValue(candidate.compact)) return false;
    if (this.allowed.has(candidate.compact) || this.allowed.has(fingerprint(this.options.key, rule.id, candidate.compact))) return false;
    if (rule.contextWords && !this.hasContext(rule.contextWords, target, index)) return false;
    return true;
  }

  /** The line, the lines just before it, and a data file's first line (a CSV header names its columns). */
  private hasContext(words: ContextWords, target: ScanTarget, index: number): boolean {
    for (let i = Math.max(0, index - CONTEXT_LINES_BEFORE); i <= index; i++) if (words.occursIn(target.lines[i]!.text.slice(0, 4_096))) return true;
    const first = target.lines[0];
    return first !== undefined && first.line === 1 && index > CONTEXT_LINES_BEFORE && isDataFile(target.path) && words.occursIn(first.text.slice(0, 4_096));
  }

  private finding(rule: PiiRule, candidate: PiiCandidate, target: ScanTarget, index: number, text: string, at: number): PiiFinding {
    return {
      rule: rule.id,
      description: rule.description,
      path: target.path,
      line: target.lines[index]!.line,
      column: at + 1,
      length: candidate.raw.length,
      preview: maskedPii(candidate.raw),
      fingerprint: fingerprint(this.options.key, rule.id, candidate.compact),
      suppressed: text.includes(INLINE_ALLOW),
    };
  }
}

function sameGroups(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function splitGroups(raw: string, start: number): Array<{ raw: string; at: number }> {
  const parts: Array<{ raw: string; at: number }> = [];
  let at = start;
  for (const group of raw.split(" ")) {
    if (group.length >= 9) parts.push({ raw: group, at });
    at += group.length + 1;
  }
  return parts;
}

/** A value as config lists it: separators removed, letters uppercased. */
export function compactOf(value: string): string {
  return value.replace(/[\s-]/g, "").toUpperCase();
}
