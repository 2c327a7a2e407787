// Prometheus metrics (prom-client), one registry per app instance so tests can run several.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { RequestCounter } from "../github/transport/request-accounting.js";
import type { QueueStats } from "./queue.js";

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({ name: "soc2_guard_deliveries_received_total", help: "Webhook deliveries accepted by the ingress, by event", labelNames: ["event"], registers: [this.registry] });
  readonly duplicates = new Counter({ name: "soc2_guard_deliveries_duplicate_total", help: "Deliveries refused because their id was already accepted", labelNames: ["event"], registers: [this.registry] });
  readonly processed = new Counter({ name: "soc2_guard_deliveries_processed_total", help: "Deliveries worked to completion, by event", labelNames: ["event"], registers: [this.registry] });
  readonly failed = new Counter({ name: "soc2_guard_deliveries_failed_total", help: "Delivery attempts that failed (retried unless final), by event", labelNames: ["event"], registers: [this.registry] });
  readonly redelivered = new Counter({ name: "soc2_guard_deliveries_redelivered_total", help: "Failed deliveries the recovery job asked GitHub to redeliver", registers: [this.registry] });
  readonly eventToCheck = new Histogram({
    name: "soc2_guard_event_to_check_run_seconds",
    help: "From a pull-request event's arrival to its check run being written",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly githubRequests = new Counter({ name: "soc2_guard_github_requests_total", help: "GitHub API requests by HTTP status", labelNames: ["status"], registers: [this.registry] });
  readonly rateLimitRemaining = new Gauge({ name: "soc2_guard_github_rate_limit_remaining", help: "x-ratelimit-remaining of the latest GitHub answer", registers: [this.registry] });
  readonly evidenceWaiting = new Gauge({ name: "soc2_guard_evidence_waiting", help: "Evidence records waiting in the spool for the archive", registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: "soc2_guard_queue_jobs", help: "Jobs in the delivery queue by state", labelNames: ["state"], registers: [this.registry] });
  readonly oldestJob = new Gauge({ name: "soc2_guard_queue_oldest_job_age_seconds", help: "Age of the oldest waiting job", registers: [this.registry] });

  constructor(withProcessMetrics = true) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: "soc2_guard_" });
  }

  /** A request counter that feeds the GitHub request metrics; install it like any other. */
  requestCounter(): RequestCounter {
    const metrics = this;
    return new (class extends RequestCounter {
      override record(route: string, status: number, headers?: Record<string, unknown>): void {
        super.record(route, status, headers);
        metrics.githubRequests.inc({ status: String(status) });
        const remaining = Number(headers?.["x-ratelimit-remaining"]);
        if (Number.isFinite(remaining) && headers?.["x-ratelimit-remaining"] !== undefined) metrics.rateLimitRemaining.set(remaining);
      }
    })();
  }

  observeQueue(stats: QueueStats): void {
    for (const state of ["waiting", "active", "delayed", "failed"] as const) this.queueDepth.set({ state }, stats[state]);
    this.oldestJob.set(stats.oldestAgeMs / 1000);
  }
}
