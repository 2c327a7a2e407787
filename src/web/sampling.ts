// Sampling an auditor can reproduce: the seed is `samplingSeed` (src/trust/checkpoint.ts) of
// the period's signed checkpoint — the one the period's first export signed beside its
// statement (src/export/period-checkpoint.ts) — so nobody knew it before the app signed
// it, the company cannot choose it, and anyone with a copy of the export issue can derive
// it again. The draw itself is `drawSample` (./view/shared.ts), the same code in the
// portal, the CLI and report.html.

import type { Checkpoint } from "../trust/checkpoint.js";

export const SEED_RULE = 'seed = SHA-256("soc2-guard sampling seed" NUL + the checkpoint envelope\'s payload (base64) + NUL + its signature(s) (base64))';

export function sampleMethod(stratified: boolean): string {
  return `${stratified ? "stratified by repository (sizes in proportion, largest remainder); in each stratum " : ""}changes ordered by record hash, then a partial Fisher–Yates shuffle driven by sfc32 seeded with the first 128 bits of the seed; ${SEED_RULE}. Draw it again: soc2-guard sample --period YYYY-MM --size N${stratified ? " --stratify" : ""}`;
}

/** Which checkpoint the seed came from, in words. */
export function seedSource(checkpoint: Checkpoint, location: string, verified: boolean): string {
  return `the period's signed checkpoint (${checkpoint.count} records, chain head ${checkpoint.head.slice(0, 16)}…, signed ${checkpoint.time} by key ${checkpoint.keyId.replace(/^ed25519:/, "").slice(0, 16)}…${verified ? ", signature verified now" : ", signature not checked"}), from ${location}`;
}
