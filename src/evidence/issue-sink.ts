// Where soc2-guard opens issues for people to act on: the archive repository on GitHub,
// or, with a local archive directory, markdown files beside the records.

import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface IssueDraft {
  title: string;
  body: string;
  labels: string[];
  /** A stable key: an issue with the same key is never opened twice. */
  key: string;
}

export interface IssueSink {
  readonly description: string;
  /** Opens the issue unless one with the same key exists; returns its URL. */
  open(issue: IssueDraft): Promise<{ url: string; created: boolean }>;
}

export const issueKeyMarker = (key: string): string => `<!-- soc2-guard:key=${key} -->`;

export class LocalIssueSink implements IssueSink {
  constructor(private readonly root: string) {}

  get description(): string {
    return `${join(this.root, "issues")}/`;
  }

  async open(issue: IssueDraft): Promise<{ url: string; created: boolean }> {
    const dir = join(this.root, "issues");
    mkdirSync(dir, { recursive: true });
    const existing = existsSync(dir) ? readdirSync(dir).sort() : [];
    for (const name of existing) {
      if (readFileSync(join(dir, name), "utf8").includes(issueKeyMarker(issue.key))) return { url: `file://${join(dir, name)}`, created: false };
    }
    const file = join(dir, `${String(existing.length + 1).padStart(4, "0")}.md`);
    writeFileSync(file, `# ${issue.title}\n\nlabels: ${issue.labels.join(", ")}\n\n${issue.body}\n\n${issueKeyMarker(issue.key)}\n`);
    return { url: `file://${file}`, created: true };
  }
}
