// A git object store for one repository: blobs, trees and commits addressed by real git
// SHA-1s, and branch refs. Trees are kept flat (path → blob) and hashed from their sorted
// listing; enough for the contents, trees, compare and createCommitOnBranch the app uses.

import { createHash } from "node:crypto";

export interface GitIdentity {
  name: string;
  email: string;
  /** The GitHub account this identity belongs to; null for an address no account claims. */
  login: string | null;
  date: string;
}

export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
}

export class RefUpdateConflict extends Error {
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`Update is not a fast forward: ${ref} is at ${actual ?? "nothing"}, not ${expected ?? "nothing"}`);
  }
}

const sha1 = (type: string, body: string | Buffer): string => {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return createHash("sha1").update(`${type} ${bytes.length}\0`).update(bytes).digest("hex");
};

export class GitStore {
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, GitCommit>();
  readonly refs = new Map<string, string>();
  private nonce = 0;

  putBlob(text: string): string {
    const sha = sha1("blob", text);
    this.blobs.set(sha, text);
    return sha;
  }

  /** A tree from path → text (texts are stored as blobs). */
  putFiles(files: Map<string, string>): string {
    const entries = new Map<string, string>();
    for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) entries.set(path, this.putBlob(text));
    const sha = sha1("tree", [...entries].map(([p, b]) => `100644 ${p}\0${b}`).join(""));
    this.trees.set(sha, entries);
    return sha;
  }

  putCommit(input: { tree: string; parents: string[]; message: string; author: GitIdentity; committer?: GitIdentity }): string {
    const committer = input.committer ?? input.author;
    const ident = (i: GitIdentity) => `${i.name} <${i.email}> ${Math.floor(Date.parse(i.date) / 1000)} +0000`;
    const body = [`tree ${input.tree}`, ...input.parents.map((p) => `parent ${p}`), `author ${ident(input.author)}`, `committer ${ident(committer)}`, `x-sandbox-nonce ${++this.nonce}`, "", input.message].join("\n");
    const sha = sha1("commit", body);
    this.commits.set(sha, { sha, tree: input.tree, parents: input.parents, message: input.message, author: input.author, committer });
    return sha;
  }

  commit(sha: string): GitCommit | undefined {
    return this.commits.get(sha);
  }

  /** path → text of a commit's tree. */
  files(commitSha: string): Map<string, string> {
    const commit = this.commits.get(commitSha);
    const tree = commit ? this.trees.get(commit.tree) : undefined;
    const out = new Map<string, string>();
    for (const [path, blob] of tree ?? []) out.set(path, this.blobs.get(blob) ?? "");
    return out;
  }

  file(commitSha: string, path: string): { sha: string; text: string } | null {
    const commit = this.commits.get(commitSha);
    const blob = commit ? this.trees.get(commit.tree)?.get(path) : undefined;
    return blob === undefined ? null : { sha: blob, text: this.blobs.get(blob) ?? "" };
  }

  /** Every commit reachable from `sha` (inclusive). */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s) || !this.commits.has(s)) continue;
      seen.add(s);
      stack.push(...this.commits.get(s)!.parents);
    }
    return seen;
  }

  /** Commits reachable from head but not from base, oldest first (parents before children). */
  between(base: string, head: string): GitCommit[] {
    const excluded = this.ancestors(base);
    const order: GitCommit[] = [];
    const visit = (sha: string, seen: Set<string>) => {
      if (seen.has(sha) || excluded.has(sha)) return;
      seen.add(sha);
      const c = this.commits.get(sha);
      if (!c) return;
      for (const p of c.parents) visit(p, seen);
      order.push(c);
    };
    visit(head, new Set());
    return order;
  }

  mergeBase(a: string, b: string): string | null {
    const ofA = this.ancestors(a);
    // Breadth-first from b: the first commit also reachable from a.
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const s = queue.shift()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (ofA.has(s)) return s;
      queue.push(...(this.commits.get(s)?.parents ?? []));
    }
    return null;
  }

  /** Moves a ref; with `force` false the new commit must descend from the old one (422 on GitHub). */
  updateRef(ref: string, sha: string, options: { force?: boolean; expected?: string | null } = {}): void {
    const current = this.refs.get(ref) ?? null;
    if (options.expected !== undefined && options.expected !== current) throw new RefUpdateConflict(ref, options.expected, current);
    if (!options.force && current !== null && !this.ancestors(sha).has(current)) throw new RefUpdateConflict(ref, current, current);
    this.refs.set(ref, sha);
  }
}

/** Unified diff of two texts as one hunk (common prefix and suffix as context), GitHub's `patch` field. */
export function unifiedPatch(before: string | null, after: string | null): { patch: string; additions: number; deletions: number } {
  const split = (t: string | null) => (t === null || t === "" ? [] : t.replace(/\n$/, "").split("\n"));
  const a = split(before);
  const b = split(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ctxStart = Math.max(0, start - 3);
  const ctxEndA = Math.min(a.length, endA + 3);
  const ctxEndB = Math.min(b.length, endB + 3);
  const lines = [
    ...a.slice(ctxStart, start).map((l) => ` ${l}`),
    ...a.slice(start, endA).map((l) => `-${l}`),
    ...b.slice(start, endB).map((l) => `+${l}`),
    ...b.slice(endB, ctxEndB).map((l) => ` ${l}`),
  ];
  const oldLen = ctxEndA - ctxStart;
  const newLen = ctxEndB - ctxStart;
  const header = `@@ -${oldLen === 0 ? 0 : ctxStart + 1},${oldLen} +${newLen === 0 ? 0 : ctxStart + 1},${newLen} @@`;
  return { patch: [header, ...lines].join("\n"), additions: endB - start, deletions: endA - start };
}
