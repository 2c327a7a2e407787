// The bounds every diff scanner keeps (secrets/scanner.ts, privacy/scanner.ts): characters
// per scan, characters of one line, wall-clock time; and how what a bound cut is reported —
// the file it stopped in with the line, every later file as not scanned, long lines as
// scanned only in part. Never a silent pass.

export interface NotScanned {
  path: string;
  reason: string;
}

export interface ScanLimits {
  /** Characters of one line that are scanned; the rest of a longer line is reported as not scanned. */
  maxLineLength: number;
  /** Total characters per scan (per pull request). */
  maxBytes: number;
  /** Wall-clock budget per scan. */
  maxMillis: number;
}

export const DEFAULT_LIMITS: ScanLimits = { maxLineLength: 1024 * 1024, maxBytes: 64 * 1024 * 1024, maxMillis: 10_000 };

/** Thrown inside a scan when the time budget runs out mid-file; the message is the reason. */
export class BudgetExhausted extends Error {}

export class ScanBudget {
  readonly limits: ScanLimits;
  private readonly deadline: number;

  constructor(limits: Partial<ScanLimits> | undefined, private readonly clock: () => number) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.deadline = clock() + this.limits.maxMillis;
  }

  overTime(): boolean {
    return this.clock() > this.deadline;
  }

  timeReason(line: number): string {
    return `time budget of ${this.limits.maxMillis} ms used up at line ${line}`;
  }

  sizeReason(line: number): string {
    return `size budget of ${this.limits.maxBytes} characters used up at line ${line}`;
  }

  /** The file a budget stopped in, then every later file that would have been scanned. */
  rest(targets: ReadonlyArray<{ path: string }>, stoppedAt: number, reason: string, isIgnored: (path: string) => boolean): NotScanned[] {
    const why = reason.startsWith("time") ? "time" : "size";
    return [{ path: targets[stoppedAt]!.path, reason }, ...targets.slice(stoppedAt + 1).filter((t) => !isIgnored(t.path)).map((t) => ({ path: t.path, reason: `${why} budget used up` }))];
  }

  /** Lines longer than the per-line bound, scanned up to it. */
  truncated(path: string, lines: readonly number[]): NotScanned | null {
    if (lines.length === 0) return null;
    return { path, reason: `line${lines.length === 1 ? "" : "s"} ${lines.slice(0, 5).join(", ")}${lines.length > 5 ? ", …" : ""} longer than ${this.limits.maxLineLength} characters scanned only in part` };
  }
}
