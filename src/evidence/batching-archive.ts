// Records that arrive together go into one write. While a write is in flight, later
// appends wait and are then written together — so a burst of merges costs a few commits
// (and a few content-creating requests) instead of one each. Each caller still learns
// which of its own records were written and which were already archived.

import type { AppendResult, EvidenceArchive } from "./archive.js";
import type { EvidenceRecord } from "./record.js";

interface Waiting {
  records: EvidenceRecord[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export class BatchingArchive<Result extends AppendResult = AppendResult> implements EvidenceArchive {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly inner: EvidenceArchive & { append(records: EvidenceRecord[]): Promise<Result> },
    /** Upper bound on records per write, so one commit's tree stays small. */
    private readonly maxRecords = 100,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  has(id: string): Promise<boolean> {
    return this.inner.has(id);
  }

  read() {
    return this.inner.read();
  }

  append(records: EvidenceRecord[]): Promise<Result> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (!this.writing) void this.drain();
    }) as Promise<Result>;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        try {
          const result = await this.inner.append(batch.flatMap((w) => w.records));
          splitResult(batch, result);
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let size = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (batch.length > 0 && size + next.records.length > this.maxRecords) break;
      batch.push(this.waiting.shift()!);
      size += next.records.length;
    }
    return batch;
  }
}

/** Gives each caller its share: a record written once is "written" for the first caller that sent it. */
function splitResult<Result extends AppendResult>(batch: Waiting[], result: Result): void {
  const written = new Map(result.written.map((r) => [r.id, r]));
  const duplicates = new Set(result.duplicates);
  for (const w of batch) {
    const mine: AppendResult = { written: [], duplicates: [] };
    for (const record of w.records) {
      const sealed = written.get(record.id);
      if (sealed) {
        mine.written.push(sealed);
        written.delete(record.id);
        duplicates.add(record.id);
      } else if (duplicates.has(record.id)) mine.duplicates.push(record.id);
      // Neither: the write kept it for later (a spooling archive) — the result says so.
    }
    // Extra fields (e.g. the spool's `spooled`, `problem`) describe the whole write.
    w.resolve({ ...result, ...mine });
  }
}
