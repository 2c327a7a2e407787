// Source control, CI/CD and developer-tool tokens.
import type { SecretRule } from "../rule.js";
import { ALNUM, END, HEX, START, URLSAFE, UUID, named, prefixed } from "./define.js";
import { hasValidGitHubChecksum } from "../github-token-checksum.js";

// GitHub tokens carry a checksum; a wrong one is still reported (tokens get mangled in
// copies), but a right one is certain, so the rule never needs an entropy floor.
const github = (id: string, description: string, prefix: string): SecretRule =>
  prefixed(id, description, prefix, ALNUM(36), { validate: (t) => hasValidGitHubChecksum(t) || /[0-9]/.test(t) });

export const vcsCiRules: SecretRule[] = [
  github("github-pat", "GitHub personal access token (classic)", "ghp_"),
  github("github-oauth-token", "GitHub OAuth access token", "gho_"),
  github("github-user-to-server-token", "GitHub App user-to-server token", "ghu_"),
  github("github-server-to-server-token", "GitHub App installation token", "ghs_"),
  prefixed("github-refresh-token", "GitHub refresh token", "ghr_", ALNUM("36,76")),
  prefixed("github-fine-grained-pat", "GitHub fine-grained personal access token", "github_pat_", `${ALNUM(22)}_${ALNUM(59)}`),
  prefixed("gitlab-pat", "GitLab personal access token", "glpat-", URLSAFE("20,64")),
  prefixed("gitlab-deploy-token", "GitLab deploy token", "gldt-", URLSAFE("20,64")),
  prefixed("gitlab-runner-token", "GitLab runner authentication token", "glrt-", URLSAFE("20,64")),
  prefixed("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "glptt-", HEX(40)),
  prefixed("gitlab-runner-registration-token", "GitLab runner registration token", "GR1348941", URLSAFE(20)),
  prefixed("gitlab-ci-job-token", "GitLab CI/CD job token", "glcbt-", URLSAFE("20,80")),
  prefixed("gitlab-feed-token", "GitLab feed token", "glft-", URLSAFE(20)),
  prefixed("gitlab-oauth-secret", "GitLab OAuth application secret", "gloas-", URLSAFE(64)),
  prefixed("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-", URLSAFE(25)),
  prefixed("gitlab-agent-token", "GitLab agent for Kubernetes token", "glagent-", URLSAFE("50,")),
  prefixed("gitlab-feature-flag-token", "GitLab feature flags client token", "glffct-", URLSAFE(20)),
  prefixed("gitlab-scim-token", "GitLab SCIM token", "glsoat-", URLSAFE(20)),
  prefixed("bitbucket-app-password", "Bitbucket app password", "ATBB", "[A-Za-z0-9_=.-]{32}"),
  prefixed("atlassian-api-token", "Atlassian API token", "ATATT3", "[A-Za-z0-9_\\-=]{180,190}"),
  named("atlassian-api-token-legacy", "Atlassian / Jira API token (legacy)", ["jira", "confluence", "atlassian"], ALNUM(24)),
  prefixed("circleci-personal-token", "CircleCI personal API token", "CCIPAT_", `${ALNUM(22)}_${HEX(40)}`),
  prefixed("circleci-project-token", "CircleCI project API token", "CCIPRJ_", `${ALNUM(22)}_${HEX(40)}`),
  named("circleci-token-legacy", "CircleCI API token (legacy)", ["circleci", "circle_token"], HEX(40)),
  named("travis-ci-token", "Travis CI token", ["travis"], URLSAFE(22)),
  prefixed("buildkite-token", "Buildkite agent / API token", "bkua_", HEX(40)),
  named("buildkite-agent-token", "Buildkite agent token", ["buildkite"], HEX(50)),
  named("jenkins-api-token", "Jenkins API token", ["jenkins"], HEX(34)),
  { id: "sourcegraph-token", description: "Sourcegraph access token", regex: `${START}(sgp_(?:${HEX(16)}_)?${HEX(40)})${END}`, keywords: ["sgp_"] },
  prefixed("jfrog-api-key", "JFrog Artifactory API key", "AKCp", ALNUM("69,73")),
  prefixed("jfrog-identity-token", "JFrog identity token", "cmVmdGtuOjAxOj", "[A-Za-z0-9+/=]{50,}"),
  { id: "sonarqube-token", description: "SonarQube / SonarCloud token", regex: `${START}(sq[upa]_${HEX(40)})${END}`, keywords: ["squ_", "sqp_", "sqa_"] },
  named("sonar-token-legacy", "SonarQube token (legacy)", ["sonar_token", "sonar.login", "sonarqube", "sonarcloud"], HEX(40)),
  named("snyk-token", "Snyk API token", ["snyk"], UUID),
  named("codecov-token", "Codecov upload token", ["codecov"], UUID),
  { id: "octopus-deploy-api-key", description: "Octopus Deploy API key", regex: `${START}(API-[A-Z0-9]{26,32})${END}`, keywords: ["api-"] },
  { id: "harness-pat", description: "Harness personal access token", regex: `${START}((?:pat|sat)\\.${URLSAFE(22)}\\.${HEX(24)}\\.${ALNUM(20)})${END}`, keywords: ["pat.", "sat."] },
  named("drone-ci-token", "Drone CI token", ["drone_token", "drone"], ALNUM(32)),
  named("teamcity-token", "TeamCity access token", ["teamcity"], "eyJ0eXAiOiAiVENWMiJ9\\.[A-Za-z0-9_-]{36}\\.[A-Za-z0-9_-]{48}"),
  named("bitrise-token", "Bitrise personal access token", ["bitrise"], URLSAFE(86)),
  named("gitea-token", "Gitea access token", ["gitea"], HEX(40)),
  named("codeclimate-token", "Code Climate reporter ID", ["codeclimate", "cc_test_reporter_id"], HEX(64)),
  prefixed("prefect-api-key", "Prefect API key", "pnu_", ALNUM(36)),
  prefixed("infracost-api-key", "Infracost API key", "ico-", ALNUM(32)),
  prefixed("readme-api-key", "ReadMe API key", "rdme_", "[a-z0-9]{70}"),
  prefixed("postman-api-key", "Postman API key", "PMAK-", `${HEX(24)}-${HEX(34)}`),
  prefixed("linear-api-key", "Linear API key", "lin_api_", ALNUM(40)),
  { id: "depot-token", description: "Depot token", regex: `${START}(dep[tu]_[A-Za-z0-9]{43,64})${END}`, keywords: ["dept_", "depu_"] },
];
