// A local GitHub for soc2-guard: state, HTTP server, faults, and the app started against it.
export { GitHubSandbox, type Delivery, type SandboxOptions } from "./server.js";
export { SandboxState, CI_APP, type PullRequest, type Repo, type CheckRun, type Issue } from "./state.js";
export { Faults, type FaultRule } from "./faults.js";
export { startAppServer, settle, sandboxOctokit, freePort, type RunningApp } from "./app-server.js";
export { seedOrganization, seedAuditors, ORG, REPO, FULL, ARCHIVE_REPO, INSTALLATION_ID, ORG_CONFIG, AUDITOR, OUTSIDER } from "./seed.js";
