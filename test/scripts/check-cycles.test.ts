import { describe, expect, it } from "vitest";
import { findCycles, importsOf } from "../../scripts/check-cycles.js";

describe("import cycle check (npm run lint)", () => {
  it("reads static, type-only, re-export and dynamic imports, not comments", () => {
    const source = [
      'import type { A } from "./a.js";',
      'import { b,\n  c } from "../b.js";',
      'export { d } from "./d.js";',
      'export * from "./e.js";',
      'import "./side-effect.js";',
      'const f = await import("./f.js");',
      '// import { g } from "./g.js";',
      '/* import { h } from "./h.js"; */',
      'import { x } from "node:fs";',
    ].join("\n");
    expect(importsOf(source).sort()).toEqual(["../b.js", "./a.js", "./d.js", "./e.js", "./f.js", "./side-effect.js"]);
  });

  it("finds every cycle once, as a loop, and nothing in a tree", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "d.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", []],
      ["e.ts", ["e.ts"]],
      ["f.ts", ["d.ts"]],
    ]);
    expect(findCycles(graph)).toEqual(expect.arrayContaining([["a.ts", "b.ts", "c.ts", "a.ts"], ["e.ts", "e.ts"]]));
    expect(findCycles(graph)).toHaveLength(2);
    expect(findCycles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toEqual([]);
  });
});
