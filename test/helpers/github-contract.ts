// Checks a request against GitHub's contract: the REST operation exists in GitHub's
// OpenAPI description (trimmed fixture) and its JSON body validates; a GraphQL document
// parses and validates against GitHub's public schema. Used by the shared test hook and
// by the sandbox tests.

import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { buildSchema, parse, validate, type GraphQLSchema } from "graphql";


interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  body: ValidateFunction | null;
}

type Json = Record<string, unknown>;

// The package exports no file paths; find it beside node_modules.
const GRAPHQL_SCHEMA_FILE = new URL("../../node_modules/@octokit/graphql-schema/schema.graphql", import.meta.url);
const SPEC_FILE = new URL("../fixtures/openapi/api.github.com.trimmed.json", import.meta.url);

let operations: Operation[] | undefined;
let graphqlSchema: GraphQLSchema | undefined;
const graphqlVerdicts = new Map<string, string | null>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** OpenAPI 3.0 `nullable` → JSON Schema: `type: [t, "null"]`, or `anyOf` with null when there is no type. */
function convertNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convertNullable);
  if (!value || typeof value !== "object") return value;
  const node: Json = {};
  for (const [k, v] of Object.entries(value as Json)) node[k] = convertNullable(v);
  if (node.nullable !== true) return node;
  delete node.nullable;
  if (typeof node.type === "string") {
    node.type = [node.type, "null"];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
    return node;
  }
  return { anyOf: [node, { type: "null" }] };
}

function loadOperations(): Operation[] {
  const spec = convertNullable(JSON.parse(readFileSync(SPEC_FILE, "utf8"))) as Json & { paths: Record<string, Record<string, Json>> };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ ...spec, $id: "openapi" });
  const result: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters") continue;
      // Parameters may be inline or `$ref`s to components/parameters (e.g. git-ref-only).
      const parameters = ((op.parameters as Json[] | undefined) ?? []).map((p) =>
        typeof p.$ref === "string" ? ((spec.components as Json | undefined)?.parameters as Record<string, Json> | undefined)?.[p.$ref.split("/").pop()!] ?? p : p,
      );
      const multi = new Set(parameters.filter((p) => p["x-multi-segment"] === true).map((p) => String(p.name)));
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([^}]+)\\?\}|\{([^}]+)\}/g, (_m, a: string, b: string) => (multi.has(a ?? b) ? "(.+)" : "([^/]+)"))}$`,
      );
      const hasBody = (op.requestBody as Json | undefined)?.content && ((op.requestBody as Json).content as Json)["application/json"];
      const body = hasBody
        ? (ajv.getSchema(`openapi#/paths/${escapePointer(template)}/${method}/requestBody/content/application~1json/schema`) ?? null)
        : null;
      result.push({ method: method.toUpperCase(), template, pattern, body });
    }
  }
  return result;
}

export function findOperation(method: string, pathname: string): Operation | undefined {
  operations ??= loadOperations();
  return operations.find((op) => op.method === method && op.pattern.test(pathname));
}

/** Returns a description of the problem, or null when the REST request is well-formed. */
export function checkRestRequest(method: string, pathname: string, body: unknown): string | null {
  const op = findOperation(method, pathname);
  if (!op) {
    const other = (operations ?? []).filter((o) => o.pattern.test(pathname)).map((o) => o.method);
    return other.length > 0
      ? `${method} ${pathname}: GitHub has no ${method} here (only ${other.join(", ")})`
      : `${method} ${pathname}: no such operation in GitHub's REST API (or it is missing from scripts/trim-openapi.ts)`;
  }
  if (op.body && body !== undefined) {
    if (!op.body(body)) {
      const errors = (op.body.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "(body)"} ${e.message}`).join("; ");
      return `${method} ${op.template}: request body does not match GitHub's schema: ${errors}`;
    }
  }
  return null;
}

/** Returns a description of the problem, or null when the GraphQL document is valid for GitHub. */
export function checkGraphqlRequest(body: unknown): string | null {
  const query = (body as { query?: unknown } | undefined)?.query;
  if (typeof query !== "string") return "POST /graphql: body has no query string";
  const cached = graphqlVerdicts.get(query);
  if (cached !== undefined) return cached;
  graphqlSchema ??= buildSchema(readFileSync(GRAPHQL_SCHEMA_FILE, "utf8"), { assumeValidSDL: true });
  let verdict: string | null;
  try {
    const errors = validate(graphqlSchema, parse(query));
    verdict = errors.length > 0 ? `POST /graphql: ${errors.map((e) => e.message).join("; ")}` : null;
  } catch (error) {
    verdict = `POST /graphql: ${(error as Error).message}`;
  }
  graphqlVerdicts.set(query, verdict);
  return verdict;
}
