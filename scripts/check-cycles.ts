// `npm run lint` step: fails on any import cycle between modules in src/ (type-only
// imports included — a type cycle is still two concepts that cannot be read apart).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Relative specifiers of every static import, re-export and dynamic import in a module. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) if (m[1]!.startsWith(".")) found.push(m[1]!);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** The import graph of a source tree: module → modules it imports (paths relative to root). */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = new Set(tsFiles(root).map((f) => relative(root, f)));
  for (const file of files) {
    const targets = importsOf(readFileSync(join(root, file), "utf8"))
      .map((spec) => relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, ".ts"))
      .filter((target) => files.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle, each once, as a path that starts and ends on the same module (Tarjan's SCCs). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) connect(node);
  // One concrete loop per strongly connected component, for the message: the shortest way back to its first module.
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const next of graph.get(at) ?? []) {
        if (!members.has(next) || cameFrom.has(next)) continue;
        cameFrom.set(next, at);
        if (next === start) queue.length = 0;
        else queue.push(next);
      }
    }
    const path = [start];
    for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) path.unshift(at);
    return [start, ...path];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");
  const cycles = findCycles(importGraph(root));
  if (cycles.length > 0) {
    console.error(`${cycles.length} import cycle${cycles.length === 1 ? "" : "s"} in src/:`);
    for (const cycle of cycles) console.error(`  ${cycle.join(" → ")}`);
    process.exit(1);
  }
  console.log("no import cycles in src/");
}
