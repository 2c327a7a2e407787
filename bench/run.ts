// npm run bench: every benchmark, a table each, then one final line of JSON.
import { benchPullRequest } from "./pull-request.js";
import { benchCraftedPr } from "./crafted-pr.js";
import { benchSecrets } from "./secrets.js";
import { benchPii } from "./pii.js";
import { benchAudit } from "./audit.js";
import { benchEvidence } from "./evidence.js";
import { benchExport } from "./export.js";
import { benchTrust } from "./trust.js";
import { benchBurst } from "./burst.js";
import { benchPortal } from "./portal.js";

const pr = await benchPullRequest();
console.log("\nPull-request lifecycle (requests counted against the rate limit; a 304 is free):");
console.table(pr.rows);
const final: Record<string, unknown> = { requestsPerEvent: pr.requestsPerEvent, handlerMs: pr.handlerMs };

const secrets = await benchSecrets();
console.log("\nSecret scanner vs secretlint (recommended preset), same inputs:");
console.table([
  { scanner: "soc2-guard", recall: secrets.recall, precision: secrets.precision, falsePerMB: secrets.falsePerMB, mbPerSec: secrets.mbPerSec },
  { scanner: "secretlint", recall: secrets.secretlintRecall, precision: "-", falsePerMB: "-", mbPerSec: secrets.secretlintMbPerSec },
]);
console.log(`corpus: ${secrets.corpus.hits}/${secrets.corpus.positives} positives found, ${secrets.corpus.falseOnClean} findings on ${secrets.corpus.negatives} clean samples; real code: ${secrets.realCode.findings} findings in ${secrets.realCode.megabytes} MB`);
console.log(`dev corpus: ${secrets.dev.recall * 100} % of ${secrets.dev.positives} credentials in many formats, ${secrets.dev.falseOnClean} findings on ${secrets.dev.negatives} non-literal look-alikes`);
final.secrets = { devRecall: secrets.dev.recall, devFalseOnClean: secrets.dev.falseOnClean, recall: secrets.recall, precision: secrets.precision, falsePerMB: secrets.falsePerMB, mbPerSec: secrets.mbPerSec, secretlintMbPerSec: secrets.secretlintMbPerSec, secretlintRecall: secrets.secretlintRecall };

const pii = benchPii();
console.log("\nPersonal-data scanner (generated identifiers in context, near misses, real code):");
console.table([{ recall: pii.recall, nearMissFlagged: pii.nearMissFlagged, falsePerMB: pii.falsePerMB, mbPerSec: pii.mbPerSec, secretsSlowdown: pii.secretsSlowdown }]);
console.log(`corpus: ${pii.corpus.positives} positives, ${pii.corpus.nearMisses} near misses (missed: ${JSON.stringify(pii.corpus.missedByKind)}; near misses flagged: ${JSON.stringify(pii.corpus.flaggedNearMissByKind)}); real code: ${pii.realCode.findings} findings in ${pii.realCode.megabytes} MB`);
final.pii = { recall: pii.recall, nearMissFlagged: pii.nearMissFlagged, falsePerMB: pii.falsePerMB, mbPerSec: pii.mbPerSec, secretsSlowdown: pii.secretsSlowdown };

const evidence = await benchEvidence();
console.log(`\nEvidence, burst of merges into the archive repository: ${JSON.stringify(evidence)}`);
final.evidence = { recordsPerCommit: evidence.recordsPerCommit, requestsPerRecord: evidence.requestsPerRecord, writeConflictsRetried: evidence.writeConflictsRetried };

const trust = await benchTrust();
console.log(`\nSigning: ${trust.attestationMs} ms CPU per record's attestations (budget 2); checkpoint anchor: ${trust.checkpointRequestsPerCommit} requests per archive commit over ${trust.commits} commits, ${trust.checkpoints} checkpoints (budget 1)`);
final.evidence = { ...(final.evidence as object), attestationMs: trust.attestationMs, checkpointRequestsPerCommit: trust.checkpointRequestsPerCommit };

const exported = await benchExport();
console.log(`\nMonthly export of a generated month: ${JSON.stringify(exported)}`);
final.export = exported;

const audit = await benchAudit();
console.log(`\nOrg audit, generated org of ${audit.repos} repositories: cold ${audit.coldRequestsPerRepo} counted requests per repository, warm ${audit.warmRequestsPerRepo} (${audit.seconds} s warm pass)`);
final.audit = { repos: audit.repos, requests: audit.requests, seconds: audit.seconds, coldRequestsPerRepo: audit.coldRequestsPerRepo, warmRequestsPerRepo: audit.warmRequestsPerRepo };

const crafted = await benchCraftedPr();
console.log(`\nCrafted PR, every author-controlled attack at once (${JSON.stringify(crafted.input)}): ${crafted.cpuMs} ms CPU, longest event-loop stall ${crafted.maxEventLoopStallMs} ms, ${crafted.wallMs} ms wall, ${crafted.conclusion}: ${crafted.title}`);
final.craftedPr = { cpuMs: crafted.cpuMs, maxEventLoopStallMs: crafted.maxEventLoopStallMs };
const burst = await benchBurst();
console.log(`\nBurst: ${burst.prs} pull requests opened at once across ${burst.installations} installations, fake GitHub admitting 5 writes/s per installation: ${JSON.stringify(burst)}`);
final.burst = { prs: burst.prs, installations: burst.installations, secondsToAllChecks: burst.secondsToAllChecks, floorSeconds: burst.floorSeconds, writesPerEvaluation: burst.writesPerEvaluation };

const portal = await benchPortal();
console.log(`\nAuditor's view, a ${portal.changes}-change month in Chromium (budgets: pages ≤ 1,000 ms, report ≤ 6 MB and ≤ 2,000 ms): ${JSON.stringify(portal)}`);
final.portal = portal;

console.log(JSON.stringify(final));
