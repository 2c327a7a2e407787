// Work started by webhooks that is still running: the server answers GitHub at once
// (GitHub gives up after 10 s) and evaluates in the background; tests and shutdown wait here.

export class WorkTracker {
  private readonly pending = new Set<Promise<unknown>>();

  add(job: Promise<unknown>): void {
    const tracked = job.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  get size(): number {
    return this.pending.size;
  }
}
