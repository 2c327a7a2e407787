// Turns the shared renderer into script text for report.html: each function's own source
// (Function#toString), so the browser runs exactly the code the portal runs on the server.
// A transpiler may wrap functions in `__name(fn, "name")` to keep their names; the
// prelude defines it as the identity.

export function embedFunctions(functions: ReadonlyArray<(...args: never[]) => unknown>): string {
  const prelude = "var __name = function (target) { return target; };\n";
  return prelude + functions.map((fn) => {
    const source = fn.toString();
    if (!/^(async\s+)?function\b/.test(source)) throw new Error(`embed: ${fn.name} must be a function declaration`);
    return source;
  }).join("\n");
}

/** JSON safe inside <script type="application/json">: no "</script", no U+2028/9 surprises. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
