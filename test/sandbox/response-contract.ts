// Validates a REST response against the response schema GitHub's OpenAPI description
// gives for that operation and status (trimmed fixture), so the sandbox cannot drift from
// GitHub's shapes.

import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { convertNullable, findOperation } from "../helpers/github-contract.js";

type Json = Record<string, unknown>;
const SPEC_FILE = new URL("../fixtures/openapi/api.github.com.trimmed.json", import.meta.url);

let ajv: Ajv | undefined;
let spec: (Json & { paths: Record<string, Record<string, Json>> }) | undefined;
const compiled = new Map<string, ValidateFunction | null>();

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** null when the body matches GitHub's schema for (method, path, status); else the problems. */
export function checkRestResponse(method: string, pathname: string, status: number, body: unknown): string | null {
  const op = findOperation(method, pathname);
  if (!op) return `${method} ${pathname}: not an operation in GitHub's REST API`;
  if (!ajv || !spec) {
    spec = convertNullable(JSON.parse(readFileSync(SPEC_FILE, "utf8"))) as typeof spec;
    ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ ...spec, $id: "openapi" });
  }
  const key = `${op.method} ${op.template} ${status}`;
  if (!compiled.has(key)) {
    const response = spec!.paths[op.template]?.[op.method.toLowerCase()]?.responses as Record<string, Json> | undefined;
    const declared = response?.[String(status)];
    if (!declared) {
      compiled.set(key, null);
      return `${key}: GitHub does not document this status`;
    }
    const hasJson = ((declared.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
    compiled.set(key, hasJson ? (ajv!.getSchema(`openapi#/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}/responses/${status}/content/application~1json/schema`) ?? null) : null);
    if (!hasJson && (declared as Json).$ref) {
      compiled.set(key, ajv!.getSchema(`openapi#${String((declared as Json).$ref).slice(1)}/content/application~1json/schema`) ?? null);
    }
  }
  const validate = compiled.get(key);
  if (!validate) return null;
  if (validate(body)) return null;
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(body)"} ${e.message}`).join("; ");
  return `${key}: response does not match GitHub's schema: ${errors}`;
}
