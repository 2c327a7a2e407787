// Regular expressions written in a config file run on text the pull-request author
// controls (title, body, branch name). They run on RE2, whose matching time is linear
// in the input, so no pattern can be made to backtrack; a pattern RE2 cannot run
// (lookarounds, backreferences) is refused when the config is loaded, with its line.

import RE2 from "re2";

export class UnsupportedUserPattern extends Error {}

const compiled = new Map<string, RE2>();
const COMPILED_CACHE_SIZE = 1_000;

/** Compiles (once) a global RE2 pattern; throws UnsupportedUserPattern when RE2 cannot run it. */
export function userPattern(source: string): RE2 {
  let re = compiled.get(source);
  if (!re) {
    try {
      re = new RE2(source, "g");
    } catch (error) {
      throw new UnsupportedUserPattern(`${(error as Error).message} (patterns run on RE2, linear time: no lookarounds or backreferences)`);
    }
    compiled.set(source, re);
    if (compiled.size > COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  }
  return re;
}

/** Every match of a user pattern in text, left to right (empty matches skipped). */
export function userPatternMatches(source: string, text: string): string[] {
  const re = userPattern(source);
  const found: string[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length > 0) found.push(m[0]);
    else re.lastIndex = m.index + 1;
    if (re.lastIndex > text.length) break;
  }
  return found;
}
