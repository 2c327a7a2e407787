// Which handlers a job's event goes to ("pull_request" or "pull_request.opened"), the way
// Probot's `app.on` does — but fed by the queue's workers, so a handler runs when a
// worker takes the job, in whichever replica, as often as the retries need.

export class EventRouter<C extends { name: string; payload: unknown }> {
  private readonly handlers = new Map<string, Array<(context: C) => Promise<void>>>();

  on(events: string | readonly string[], handler: (context: C) => Promise<void>): void {
    for (const event of typeof events === "string" ? [events] : events) {
      const list = this.handlers.get(event) ?? [];
      list.push(handler);
      this.handlers.set(event, list);
    }
  }

  handlersFor(name: string, payload: unknown): Array<(context: C) => Promise<void>> {
    const action = (payload as { action?: unknown } | null)?.action;
    return [...(this.handlers.get(name) ?? []), ...(typeof action === "string" ? (this.handlers.get(`${name}.${action}`) ?? []) : [])];
  }

  /** Runs every handler of the event; the first error is rethrown after all have run. */
  async dispatch(context: C): Promise<number> {
    const handlers = this.handlersFor(context.name, context.payload);
    const errors: unknown[] = [];
    for (const handler of handlers) {
      try {
        await handler(context);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
    return handlers.length;
  }
}
