// Sampling an auditor can reproduce: the seed comes from the period's seal — the hash of
// the period's last record, which the app sealed and the company cannot choose after the
// fact — or, once signed checkpoints exist, from the checkpoint that covers it. The draw
// itself is `drawSample` (./view/shared.ts), the same code in the portal, the CLI and
// report.html.

import { createHash } from "node:crypto";

export const SAMPLE_METHOD_VERSION = "soc2-guard-sample/v1";

/** SHA-256 of "soc2-guard-sample/v1\n<period>\n<seal hash>". */
export function sampleSeed(period: string, sealHash: string): string {
  return createHash("sha256").update(`${SAMPLE_METHOD_VERSION}\n${period}\n${sealHash}`, "utf8").digest("hex");
}

export function sampleMethod(stratified: boolean, seedFrom: string): string {
  return `${stratified ? "stratified by repository (sizes in proportion, largest remainder); in each stratum " : ""}changes ordered by record hash, then a partial Fisher–Yates shuffle driven by sfc32 seeded with the first 128 bits of the seed; seed = SHA-256("${SAMPLE_METHOD_VERSION}\\n" + period + "\\n" + ${seedFrom}). Draw it again: soc2-guard sample --period YYYY-MM --size N${stratified ? " --stratify" : ""}`;
}
