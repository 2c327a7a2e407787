// Long-lived state the handlers share: caches, the per-PR serializer, the clock.
// Created once per app instance; tests and the bench create their own.

import type { Control } from "../controls/types.js";
import { catalogue } from "../controls/index.js";
import { EtagCache, RequestCounter } from "../github/request-accounting.js";
import type { UpdateMergeCache } from "../github/update-merge.js";
import { KeyedSerializer } from "./serializer.js";

export interface AppServices {
  /** Our app's slug, to recognise our own check runs (resolved once). */
  appSlug: () => Promise<string>;
  etagCache: EtagCache;
  /** Counts every request of every event (the bench reads it). */
  counter: RequestCounter;
  updateMergeCache: UpdateMergeCache;
  knownCheckRuns: Map<string, number>;
  serializer: KeyedSerializer;
  fingerprintKey: Uint8Array;
  controls: Control[];
  now: () => Date;
}

export function createServices(overrides: Partial<AppServices> & Pick<AppServices, "appSlug" | "fingerprintKey">): AppServices {
  return {
    etagCache: new EtagCache(),
    counter: new RequestCounter(),
    updateMergeCache: new Map(),
    knownCheckRuns: new BoundedMap(10_000),
    serializer: new KeyedSerializer(),
    controls: catalogue,
    now: () => new Date(),
    ...overrides,
  };
}

/** A Map that forgets its oldest entries past a size, so long-running servers stay bounded. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) super.delete(oldest);
    }
    return this;
  }
}
