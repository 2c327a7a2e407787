// npm run bench: every benchmark, a table each, then one final line of JSON.
import { benchPullRequest } from "./pull-request.js";

const pr = await benchPullRequest();
console.log("\nPull-request lifecycle (requests counted against the rate limit; a 304 is free):");
console.table(pr.rows);
const final: Record<string, unknown> = { requestsPerEvent: pr.requestsPerEvent, handlerMs: pr.handlerMs };
console.log(JSON.stringify(final));
