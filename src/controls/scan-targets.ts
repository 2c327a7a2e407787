// The one list of what a pull request's diff scan can read, shared by every control that
// scans added lines (secrets.diff, privacy.pii): each file's added lines from GitHub's
// patch, or — when GitHub sent no patch (large or binary-looking files) — the whole file as
// the loader read it through the Git blobs API; what could not be read (not-read content,
// files past GitHub's list) is *not scanned*, and binary files are skipped. Computed once
// per facts snapshot, so both controls see exactly the same targets.

import type { Facts } from "../facts.js";
import { linesOfText, type NotScanned, type ScanTarget } from "../secrets/scanner.js";
import { addedLinesOfPatch } from "../secrets/diff.js";

export interface ScanTargets {
  targets: ScanTarget[];
  /** Files that should have been scanned and could not be: a control must not pass on them. */
  notScanned: NotScanned[];
  /** Binary files (NUL bytes): nothing to scan as text. */
  skipped: NotScanned[];
}

const memo = new WeakMap<Facts, ScanTargets>();

export function scanTargetsOf(facts: Facts): ScanTargets {
  const known = memo.get(facts);
  if (known) return known;
  const targets: ScanTarget[] = [];
  const notScanned: NotScanned[] = [];
  const skipped: NotScanned[] = [];
  const listed = new Set<string>();
  for (const file of facts.pr.files ?? []) {
    listed.add(file.path);
    if (file.status === "removed") continue;
    if (file.patch !== null) {
      targets.push({ path: file.path, lines: addedLinesOfPatch(file.patch) });
      continue;
    }
    // A rename or copy with no changes has nothing new to scan.
    if (file.additions === 0 && (file.status === "renamed" || file.status === "unchanged")) continue;
    const content = file.content;
    if (content?.kind === "text") targets.push({ path: file.path, lines: linesOfText(content.text) });
    else if (content?.kind === "binary") skipped.push({ path: file.path, reason: "binary file (NUL bytes)" });
    else notScanned.push({ path: file.path, reason: content?.kind === "not-read" ? `GitHub showed no diff and the file was not read: ${content.reason}` : "GitHub showed no diff and the file's content was not read" });
  }
  const gaps = facts.incomplete ?? [];
  if (facts.pr.files !== null && gaps.some((g) => g.fact === "files")) {
    // Changed paths GitHub's file list stopped before (it lists at most 3,000).
    for (const path of facts.pr.changedPaths) if (!listed.has(path)) notScanned.push({ path, reason: "beyond the 3,000 files GitHub lists with their diff" });
  }
  for (const gap of gaps) if (gap.fact === "changedPaths") notScanned.push({ path: "(files beyond GitHub's list of changed paths)", reason: gap.reason });
  const result = { targets, notScanned, skipped };
  memo.set(facts, result);
  return result;
}
