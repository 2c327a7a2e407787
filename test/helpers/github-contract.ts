// Checks a request against GitHub's contract. REST: the operation (method + path template)
// exists in GitHub's OpenAPI description (the trimmed fixture written by
// scripts/trim-openapi.ts), integer path parameters are integers, query parameters are known
// to the operation and fit their type/enum, required ones are present, and a JSON body
// validates against the operation's requestBody schema. GraphQL: the document parses and
// validates against GitHub's public schema (@octokit/graphql-schema), and the variables
// coerce to the operation's variable definitions. Used by the shared test hook
// (test/setup/github-contract.ts) and by the sandbox tests.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import { buildSchema, getVariableValues, Kind, parse, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
}

export interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Path parameters in the order the pattern captures them. */
  pathParams: Parameter[];
  queryParams: Map<string, Parameter>;
  body: ValidateFunction | null;
  bodyRequired: boolean;
}

const require = createRequire(import.meta.url);
// The package exports no file paths: look for it where Node would look for the package.
const GRAPHQL_SCHEMA_FILE =
  (require.resolve.paths("@octokit/graphql-schema") ?? []).map((dir) => join(dir, "@octokit/graphql-schema/schema.graphql")).find((file) => existsSync(file)) ??
  "node_modules/@octokit/graphql-schema/schema.graphql";
const SPEC_FILE = new URL("../fixtures/openapi/api.github.com.trimmed.json", import.meta.url);

let operations: Operation[] | undefined;
let graphqlSchema: GraphQLSchema | undefined;
const graphqlDocuments = new Map<string, { document: DocumentNode; problem: string | null } | { document: null; problem: string }>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** OpenAPI 3.0 `nullable` → JSON Schema: `type: [t, "null"]`, or `anyOf` with null when there is no type. */
export function convertNullable(value: unknown): unknown {
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
  const spec = convertNullable(JSON.parse(readFileSync(SPEC_FILE, "utf8"))) as Json & { paths: Record<string, Record<string, Json>>; components?: Json };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ ...spec, $id: "openapi" });
  const componentParams = (spec.components?.parameters ?? {}) as Record<string, Json>;
  const deref = (p: Json): Parameter => {
    const resolved = typeof p.$ref === "string" ? (componentParams[p.$ref.split("/").pop()!] ?? p) : p;
    return { name: String(resolved.name), in: String(resolved.in), required: resolved.required === true, schema: (resolved.schema as Json | undefined) ?? {}, ...(resolved["x-multi-segment"] === true ? { multi: true } : {}) } as Parameter;
  };
  const result: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const shared = ((item.parameters as unknown as Json[] | undefined) ?? []).map(deref);
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters") continue;
      const own = ((op.parameters as Json[] | undefined) ?? []).map(deref);
      const params = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const byName = new Map(params.filter((p) => p.in === "path").map((p) => [p.name, p]));
      const pathParams: Parameter[] = [];
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          const param = byName.get(name) ?? { name, in: "path", required: true, schema: {} };
          pathParams.push(param);
          return (param as Parameter & { multi?: boolean }).multi ? "(.+)" : "([^/]+)";
        })
        .join("");
      const requestBody = op.requestBody as Json | undefined;
      const hasJsonBody = Boolean((requestBody?.content as Json | undefined)?.["application/json"]);
      const body = hasJsonBody ? (ajv.getSchema(`openapi#/paths/${escapePointer(template)}/${method}/requestBody/content/application~1json/schema`) ?? null) : null;
      result.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        pathParams,
        queryParams: new Map(params.filter((p) => p.in === "query").map((p) => [p.name, p])),
        body,
        bodyRequired: hasJsonBody && requestBody?.required === true,
      });
    }
  }
  // Most specific first: fewer multi-segment parameters, then more literal text, so
  // `/commits/{ref}/check-runs` wins over a `(.+)` that would also swallow it.
  const literal = (op: Operation) => op.template.replace(/\{[^}]+\}/g, "").length;
  const multi = (op: Operation) => op.pathParams.filter((p) => (p as Parameter & { multi?: boolean }).multi).length;
  return result.sort((a, b) => multi(a) - multi(b) || literal(b) - literal(a));
}

function allOperations(): Operation[] {
  return (operations ??= loadOperations());
}

/** The operation a method and path (no query string, percent-decoded) belong to. */
export function findOperation(method: string, pathname: string): Operation | undefined {
  return allOperations().find((op) => op.method === method.toUpperCase() && op.pattern.test(pathname));
}

function scalarProblem(value: string, schema: Json): string | null {
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `must be one of ${schema.enum.filter((e) => e !== null).join(", ")}`;
  if (types.includes("integer") && !/^-?\d+$/.test(value)) return "must be an integer";
  if (types.includes("number") && !Number.isFinite(Number(value))) return "must be a number";
  if (types.includes("boolean") && value !== "true" && value !== "false") return "must be true or false";
  return null;
}

/**
 * Returns a description of the problem, or null when the REST request is well-formed.
 * `target` is the percent-decoded path, optionally followed by `?query`.
 */
export function checkRestRequest(method: string, target: string, body: unknown): string | null {
  method = method.toUpperCase();
  const q = target.indexOf("?");
  const pathname = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
  const op = findOperation(method, pathname);
  if (!op) {
    const other = [...new Set(allOperations().filter((o) => o.pattern.test(pathname)).map((o) => o.method))];
    return other.length > 0
      ? `${method} ${pathname}: GitHub has no ${method} here (only ${other.join(", ")})`
      : `${method} ${pathname}: no such operation in GitHub's REST API (or it is missing from scripts/trim-openapi.ts)`;
  }
  const where = `${method} ${op.template} (${target})`;
  const captured = op.pattern.exec(pathname)!.slice(1);
  for (const [i, param] of op.pathParams.entries()) {
    const problem = scalarProblem(captured[i] ?? "", param.schema);
    if (problem) return `${where}: path parameter ${param.name} = ${JSON.stringify(captured[i])} ${problem}`;
  }
  for (const name of new Set(query.keys())) {
    const param = op.queryParams.get(name);
    if (!param) return `${where}: GitHub's ${op.template} has no query parameter ${name}${op.queryParams.size ? ` (it takes ${[...op.queryParams.keys()].join(", ")})` : ""}`;
    for (const value of query.getAll(name)) {
      const problem = param.schema.type === "array" ? null : scalarProblem(value, param.schema);
      if (problem) return `${where}: query parameter ${name} = ${JSON.stringify(value)} ${problem}`;
    }
  }
  for (const param of op.queryParams.values()) {
    if (param.required && !query.has(param.name)) return `${where}: required query parameter ${param.name} is missing`;
  }
  if (op.body) {
    if (body === undefined) {
      if (op.bodyRequired) return `${where}: GitHub requires a JSON request body`;
    } else if (!op.body(body)) {
      const errors = (op.body.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}`)
        .join("; ");
      return `${where}: request body does not match GitHub's schema: ${errors}`;
    }
  }
  return null;
}

function schema(): GraphQLSchema {
  return (graphqlSchema ??= buildSchema(readFileSync(GRAPHQL_SCHEMA_FILE, "utf8"), { assumeValidSDL: true }));
}

function parsed(query: string): { document: DocumentNode | null; problem: string | null } {
  let entry = graphqlDocuments.get(query);
  if (!entry) {
    try {
      const document = parse(query);
      const errors = validate(schema(), document);
      entry = { document, problem: errors.length > 0 ? errors.map((e) => e.message).join("; ") : null };
    } catch (error) {
      entry = { document: null, problem: (error as Error).message };
    }
    graphqlDocuments.set(query, entry);
  }
  return entry;
}

/** Returns why GitHub would reject this GraphQL document (parse or validation), or null. */
export function checkGraphqlDocument(query: string): string | null {
  return parsed(query).problem;
}

/**
 * Returns a description of the problem, or null when the GraphQL request body
 * (`{ query, variables?, operationName? }`) is valid for GitHub's public schema.
 */
export function checkGraphqlRequest(body: unknown): string | null {
  const { query, variables, operationName } = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof query !== "string") return "POST /graphql: body has no query string";
  const firstLine = query.trim().split("\n")[0]!.slice(0, 80);
  const { document, problem } = parsed(query);
  if (problem || !document) return `POST /graphql (${firstLine}): ${problem}`;
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = typeof operationName === "string" ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op) return `POST /graphql (${firstLine}): ${typeof operationName === "string" ? `no operation named ${operationName}` : "several operations and no operationName"}`;
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) return `POST /graphql (${firstLine}): variables must be an object`;
  const coerced = getVariableValues(schema(), op.variableDefinitions ?? [], (variables ?? {}) as Json);
  if (coerced.errors && coerced.errors.length > 0) return `POST /graphql (${op.name?.value ?? firstLine}): ${coerced.errors.map((e) => e.message).join("; ")}`;
  const declared = new Set((op.variableDefinitions ?? []).map((d) => d.variable.name.value));
  const undeclared = Object.keys((variables ?? {}) as Json).filter((k) => !declared.has(k));
  // Octokit's graphql() puts every option that is not a request option into variables, so an
  // extra key there is a typo or a missing `$name` declaration; GitHub ignores it silently.
  if (undeclared.length > 0) return `POST /graphql (${op.name?.value ?? firstLine}): variables ${undeclared.join(", ")} are not declared by the operation`;
  return null;
}
