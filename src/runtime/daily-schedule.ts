// The in-process daily trigger (one replica, no Redis): the daily reconciliation and audit.

/** Calls `task` every day at `hourUtc`:00 UTC. The timer never keeps the process alive. */
export function scheduleDaily(task: () => Promise<void>, hourUtc: number, now: () => Date = () => new Date()): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const current = now();
    const next = new Date(Date.UTC(current.getUTCFullYear(), current.getUTCMonth(), current.getUTCDate(), hourUtc));
    if (next <= current) next.setUTCDate(next.getUTCDate() + 1);
    timer = setTimeout(() => {
      void task().finally(arm);
    }, next.getTime() - current.getTime());
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
