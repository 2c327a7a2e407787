// Unified diffs → the lines a change adds, numbered as in the new file. Handles GitHub's
// per-file `patch` (hunks only) and `git diff` output (many files, with headers).

export interface AddedLine {
  line: number;
  text: string;
}

export interface DiffFile {
  path: string;
  previousPath: string | null;
  status: "added" | "removed" | "modified" | "renamed";
  binary: boolean;
  added: AddedLine[];
}

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Added lines of one file's hunks (GitHub's `patch` field). */
export function addedLinesOfPatch(patch: string): AddedLine[] {
  const added: AddedLine[] = [];
  let next = 0;
  let inHunk = false;
  for (const raw of patch.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const hunk = HUNK.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) added.push({ line: next++, text: line.slice(1) });
    else if (line.startsWith(" ")) next++;
    else if (line.startsWith("\\")) continue; // "\ No newline at end of file"
    else if (line.startsWith("-")) continue;
    else if (line === "") next++; // some tools strip the space of empty context lines
  }
  return added;
}

function unquote(path: string): string {
  if (path.startsWith('"') && path.endsWith('"')) return JSON.parse(path) as string;
  return path;
}

/** Files and their added lines from `git diff` / `git format-patch` output. */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  const chunks = text.split(/^(?=diff --git )/m);
  for (const chunk of chunks) {
    if (!chunk.trim()) continue;
    const header = chunk.split(/^(?=@@ )/m)[0] ?? "";
    const plus = /^\+\+\+ (?:b\/)?([^\t\n]+)/m.exec(header)?.[1]; // diff -u appends "\t<timestamp>"
    const minus = /^--- (?:a\/)?([^\t\n]+)/m.exec(header)?.[1];
    const gitLine = /^diff --git a\/(.+?) b\/(.+)$/m.exec(header);
    const renameFrom = /^rename from (.+)$/m.exec(header)?.[1];
    const renameTo = /^rename to (.+)$/m.exec(header)?.[1];
    const newPath = unquote(renameTo ?? (plus && plus !== "/dev/null" ? plus : gitLine?.[2] ?? minus ?? "unknown"));
    const oldPath = renameFrom ?? (minus && minus !== "/dev/null" ? unquote(minus) : null);
    const binary = /^Binary files .* differ$/m.test(header) || /^GIT binary patch$/m.test(header);
    const status: DiffFile["status"] = plus === "/dev/null" ? "removed" : minus === "/dev/null" ? "added" : renameTo ? "renamed" : "modified";
    files.push({ path: newPath, previousPath: oldPath !== newPath ? oldPath : null, status, binary, added: binary ? [] : addedLinesOfPatch(chunk.slice(header.length)) });
  }
  return files;
}
