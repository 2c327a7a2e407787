// The app's webhook delivery log (GET /app/hook/deliveries, cursor-paged, newest first)
// and GitHub's "Redeliver" (POST /app/hook/deliveries/{delivery_id}/attempts). Both use
// the app's JWT, not an installation token.

import type { GitHubClient } from "./client.js";

export interface HookDeliveryAttempt {
  /** This attempt's id (what a redelivery is asked for). */
  id: number;
  /** The delivery's id, X-GitHub-Delivery: the same for every attempt of one delivery. */
  guid: string;
  deliveredAt: Date;
  /** 0 when GitHub could not connect or timed out. */
  statusCode: number;
  redelivery: boolean;
  event: string;
}

/** Attempts newer than `since`, a page at a time, newest first; stops at the first older one. */
export async function* hookDeliveriesSince(app: GitHubClient, since: Date): AsyncGenerator<HookDeliveryAttempt[]> {
  for await (const page of app.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const attempts = page.data.map((d) => ({
      id: Number(d.id),
      guid: String(d.guid),
      deliveredAt: new Date(String(d.delivered_at)),
      statusCode: Number(d.status_code ?? 0),
      redelivery: Boolean(d.redelivery),
      event: String(d.event),
    }));
    const recent = attempts.filter((a) => a.deliveredAt >= since);
    if (recent.length > 0) yield recent;
    if (recent.length < attempts.length) return;
  }
}

export async function requestRedelivery(app: GitHubClient, attemptId: number): Promise<void> {
  await app.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: attemptId });
}
