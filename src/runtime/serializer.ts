// One evaluation per pull request at a time. Events for the same PR arrive in bursts
// (push, check suites, reviews); evaluating them in parallel would race on the check
// run. While one runs, later requests coalesce into a single follow-up run that sees
// the newest state.

/** Runs one task per key at a time; `null` when another replica did the work for this call. */
export interface PullRequestSerializer {
  run<T>(key: string, task: () => Promise<T>): Promise<T | null>;
}

export class KeyedSerializer implements PullRequestSerializer {
  private readonly running = new Map<string, { follow: Promise<unknown> | null; start: (() => void) | null }>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (!current) return this.start(key, task);
    if (current.follow) return current.follow as Promise<T>;
    const follow = new Promise<T>((resolve, reject) => {
      current.start = () => {
        this.running.delete(key);
        this.start(key, task).then(resolve, reject);
      };
    });
    current.follow = follow;
    return follow;
  }

  private async start<T>(key: string, task: () => Promise<T>): Promise<T> {
    const entry = { follow: null as Promise<unknown> | null, start: null as (() => void) | null };
    this.running.set(key, entry);
    try {
      return await task();
    } finally {
      if (entry.start) entry.start();
      else this.running.delete(key);
    }
  }

  get size(): number {
    return this.running.size;
  }
}
