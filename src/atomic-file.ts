// Replaces a file so that a crash leaves either the old content or the new, never half of
// it: write a temporary file beside it (unique per process and call, so two processes never
// share one), then rename it over the target.

import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

export function writeFileAtomically(path: string, text: string, options: { mode?: number } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(tmp, text, options.mode !== undefined ? { mode: options.mode } : {});
  // The mode given at creation is narrowed by the umask; say it again.
  if (options.mode !== undefined) chmodSync(tmp, options.mode);
  renameSync(tmp, path);
}
