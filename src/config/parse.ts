// Parses and validates one config file. Every problem is located at a line and column
// of that file so the check run can annotate it.

import { Ajv, type ErrorObject } from "ajv";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from "yaml";
import { configSchema } from "./schema.js";
import type { ConfigProblem } from "./types.js";
import { parseAuditConfig } from "./audit.js";
import { LinearRegex } from "../secrets/linear-regex.js";
import { userPattern } from "./user-pattern.js";

/** A config file as written: every key optional. Validated against the schema. */
export type ConfigFileContent = {
  archive?: Record<string, unknown>;
  controls?: Record<string, Record<string, unknown>>;
  exceptions?: Record<string, unknown>;
  protectedBranches?: string[];
  audit?: Record<string, unknown>;
  minimums?: { controls?: Record<string, Record<string, unknown>> };
};

export interface ParsedConfigFile {
  /** null when the file has problems: an invalid file contributes nothing. */
  content: ConfigFileContent | null;
  problems: ConfigProblem[];
  /** A problem located at a key path of this file (the deepest node of the path that exists). */
  problemAt: (segments: Array<string | number>, message: string) => ConfigProblem;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(configSchema);

export function parseConfigFile(text: string, file: string, source: string): ParsedConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = (offset: number, key: string, message: string): ConfigProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, source, line, column: col, key, message };
  };
  const problemAt = (segments: Array<string | number>, message: string): ConfigProblem => {
    let node: Node | undefined;
    for (let n = segments.length; n > 0 && !node?.range; n--) node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
    return problem(node?.range?.[0] ?? 0, segments.join("."), message);
  };

  if (doc.errors.length > 0) {
    return {
      content: null,
      problems: doc.errors.map((e) => problem(e.pos[0], "", `YAML syntax error: ${firstLine(e.message)}`)),
      problemAt,
    };
  }
  const value: unknown = doc.toJS() ?? {};
  if (!validate(value)) {
    const problems = dedupeErrors(validate.errors ?? []).map((error) => {
      const { segments, message } = describe(error);
      return problem(offsetOf(doc, segments, error), segments.join("."), message);
    });
    return { content: null, problems, problemAt };
  }
  const content = value as ConfigFileContent;
  const auditProblems = parseAuditConfig(content.audit).problems.map((p) => {
    const segments = p.key.split(".");
    let node: Node | undefined;
    for (let n = segments.length; n > 0 && !node?.range; n--) node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
    return problem(node?.range?.[0] ?? 0, p.key, p.message);
  });
  if (auditProblems.length > 0) return { content: null, problems: auditProblems, problemAt };
  const regexProblems = checkRegexes(content, doc, problem);
  if (regexProblems.length > 0) return { content: null, problems: regexProblems, problemAt };
  return { content, problems: [], problemAt };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function pathSegments(instancePath: string): string[] {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function describe(error: ErrorObject): { segments: string[]; message: string } {
  const segments = pathSegments(error.instancePath);
  const key = segments.join(".") || "(top level)";
  switch (error.keyword) {
    case "additionalProperty":
    case "additionalProperties": {
      const extra = String((error.params as { additionalProperty?: string }).additionalProperty);
      return { segments: [...segments, extra], message: `unknown key "${extra}" under ${key}` };
    }
    case "enum":
      return {
        segments,
        message: `must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "required":
      return { segments, message: `is missing required key "${String((error.params as { missingProperty?: string }).missingProperty)}"` };
    case "oneOf":
      return { segments, message: "must be a check name or { name, app }" };
    default:
      return { segments, message: error.message ?? "is invalid" };
  }
}

/** oneOf produces one error per branch plus the oneOf itself; keep the oneOf. */
function dedupeErrors(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === "oneOf").map((e) => e.instancePath));
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword !== "oneOf" && oneOfPaths.has(e.instancePath)) return false;
    const id = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The offset of the node an error is about; for an unknown key, the key itself. */
function offsetOf(doc: Document, segments: string[], error: ErrorObject): number {
  if (error.keyword === "additionalProperties") {
    const parent = doc.getIn(segments.slice(0, -1), true) ?? doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segments[segments.length - 1]);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
  }
  for (let n = segments.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true)) as Node | null | undefined;
    if (node?.range) return node.range[0];
  }
  return 0;
}

function checkRegexes(
  content: ConfigFileContent,
  doc: Document,
  problem: (offset: number, key: string, message: string) => ConfigProblem,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (segments: Array<string | number>, source: unknown, linear: boolean): void => {
    if (typeof source !== "string") return;
    try {
      // Secret rules run on the linear-time engine, which has no lookarounds: refuse them here, with the line.
      if (linear) new LinearRegex(source);
      else userPattern(source);
    } catch (error) {
      const node = doc.getIn(segments, true) as Node | undefined;
      problems.push(problem(node?.range?.[0] ?? 0, segments.join("."), `not a valid regular expression: ${(error as Error).message}`));
    }
  };
  for (const [scope, controls] of [["controls"], ["minimums", "controls"]].map(
    (s) => [s, s.length === 1 ? content.controls : content.minimums?.controls] as const,
  )) {
    const ticket = controls?.["change.ticket"]?.patterns;
    if (Array.isArray(ticket)) ticket.forEach((p, i) => check([...scope, "change.ticket", "patterns", i], p, false));
    const rules = controls?.["secrets.diff"]?.rules;
    if (Array.isArray(rules)) rules.forEach((r, i) => check([...scope, "secrets.diff", "rules", i, "regex"], (r as { regex?: unknown }).regex, true));
  }
  return problems;
}
