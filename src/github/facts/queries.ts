// GraphQL documents. One query gathers nearly everything an evaluation needs — the
// pull request, its commits, reviews, labels, changed paths, the checks on its head,
// the base branch's classic protection and CODEOWNERS, and both config files — so a
// pull-request event costs one counted request for its facts. Validated against
// GitHub's public schema in the tests.

export const CONFIG_FILE = ".github/soc2-guard.yml";

/** The classic protection fields we evaluate (the PR gate and the org audit read the same ones). */
export const PROTECTION_RULE_FIELDS = /* GraphQL */ `
  pattern
  requiresApprovingReviews
  requiredApprovingReviewCount
  dismissesStaleReviews
  requiresCodeOwnerReviews
  requireLastPushApproval
  requiresStatusChecks
  requiredStatusCheckContexts
  requiredStatusChecks { context app { databaseId slug } }
  requiresStrictStatusChecks
  allowsForcePushes
  allowsDeletions
  isAdminEnforced
`;

/** A file at a commit: its text, and enough to fetch all of it when GraphQL truncates it. */
const BLOB = /* GraphQL */ `object { ... on Blob { oid text isTruncated byteSize } }`;

/** One check suite with its first page of runs; MORE_CHECK_RUNS reads the pages past it. */
const SUITE_FIELDS = /* GraphQL */ `
  fragment SuiteFields on CheckSuite {
    id
    app { slug databaseId }
    checkRuns(first: 100, filterBy: { checkType: LATEST }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { databaseId name status conclusion completedAt detailsUrl }
    }
  }
`;

/** The checks on one commit, first pages; CHECKS_ON_COMMIT reads the suites past them. */
const CHECKS_FIELDS = /* GraphQL */ `
  fragment ChecksFields on Commit {
    oid
    checkSuites(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...SuiteFields }
    }
    status { contexts { context state createdAt targetUrl } }
  }
  ${SUITE_FIELDS}
`;

const COMMIT_FIELDS = /* GraphQL */ `
  fragment CommitFields on Commit {
    oid
    message
    parents(first: 2) { totalCount nodes { oid } }
    author { user { login } }
    committer { user { login } }
    authors(first: 10) { totalCount nodes { email user { login } } }
    # Our own check run's record on this commit: who pushed it (src/github/check-run/own-check-record.ts).
    ownRuns: checkSuites(first: 3, filterBy: { checkName: "soc2-guard" }) {
      nodes { app { slug } checkRuns(first: 3, filterBy: { checkName: "soc2-guard" }) { nodes { externalId } } }
    }
  }
`;

/**
 * The other open pull requests whose head is this one's head commit (they all show the one
 * check run on that commit): the same branch into other bases, and other branches at the
 * same commit. Read in the facts query, so the common case (no other) costs nothing.
 */
const SHARED_HEAD_FIELDS = /* GraphQL */ `
  headRef {
    associatedPullRequests(states: [OPEN], first: 20) {
      totalCount
      nodes { number headRefOid baseRepository { nameWithOwner } }
    }
  }
  sharedHead: commits(last: 1) {
    nodes {
      commit {
        associatedPullRequests(first: 20) {
          totalCount
          nodes { number state headRefOid baseRepository { nameWithOwner } }
        }
      }
    }
  }
`;

export const PULL_REQUEST_FACTS = /* GraphQL */ `
  query PullRequestFacts($owner: String!, $repo: String!, $number: Int!, $configPath: String!) {
    repository(owner: $owner, name: $repo) {
      nameWithOwner
      defaultBranchRef {
        name
        target {
          ... on Commit {
            oid
            config: file(path: $configPath) { ${BLOB} }
          }
        }
      }
      pullRequest(number: $number) {
        number
        url
        title
        body
        isDraft
        state
        merged
        mergedAt
        mergedBy { login }
        mergeCommit { oid parents(first: 2) { totalCount } }
        author { __typename login }
        headRefName
        headRefOid
        baseRefName
        baseRefOid
        isCrossRepository
        headRepository { nameWithOwner }
        labels(first: 50) { nodes { name } }
        forcePushes: timelineItems(last: 100, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT]) {
          nodes { ... on HeadRefForcePushedEvent { actor { login } beforeCommit { oid } afterCommit { oid } } }
        }
        baseChanges: timelineItems(last: 1, itemTypes: [BASE_REF_CHANGED_EVENT]) {
          nodes { ... on BaseRefChangedEvent { createdAt previousRefName currentRefName } }
        }
        timelineItems(last: 50, itemTypes: [LABELED_EVENT]) {
          nodes { ... on LabeledEvent { createdAt actor { login } label { name } } }
        }
        commits(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { commit { ...CommitFields } }
        }
        reviews(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { databaseId state submittedAt author { __typename login } commit { oid } }
        }
        files(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { path changeType }
        }
        head: commits(last: 1) {
          nodes { commit { ...ChecksFields } }
        }
        ${SHARED_HEAD_FIELDS}
        baseRef {
          branchProtectionRule {
            ${PROTECTION_RULE_FIELDS}
            bypassPullRequestAllowances(first: 100) { nodes { actor { __typename ... on User { login } ... on Team { slug } ... on App { slug } } } }
          }
          target {
            ... on Commit {
              codeownersGithub: file(path: ".github/CODEOWNERS") { ${BLOB} }
              codeownersRoot: file(path: "CODEOWNERS") { ${BLOB} }
              codeownersDocs: file(path: "docs/CODEOWNERS") { ${BLOB} }
            }
          }
        }
      }
    }
    orgConfig: repository(owner: $owner, name: ".github") {
      defaultBranchRef {
        target {
          ... on Commit {
            oid
            config: file(path: $configPath) { ${BLOB} }
          }
        }
      }
    }
  }
  ${COMMIT_FIELDS}
  ${CHECKS_FIELDS}
`;

export const MORE_COMMITS = /* GraphQL */ `
  query MorePullRequestCommits($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        commits(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { commit { ...CommitFields } }
        }
      }
    }
  }
  ${COMMIT_FIELDS}
`;

export const MORE_FILES = /* GraphQL */ `
  query MorePullRequestFiles($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        files(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { path changeType }
        }
      }
    }
  }
`;

export const MORE_REVIEWS = /* GraphQL */ `
  query MorePullRequestReviews($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        reviews(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes { databaseId state submittedAt author { __typename login } commit { oid } }
        }
      }
    }
  }
`;

/** The checks on a commit by oid: the head when the PR's last listed commit is not headRefOid, or check-suite pages past the first. */
export const CHECKS_ON_COMMIT = /* GraphQL */ `
  query ChecksOnCommit($owner: String!, $repo: String!, $oid: GitObjectID!, $after: String) {
    repository(owner: $owner, name: $repo) {
      object(oid: $oid) {
        ... on Commit {
          oid
          checkSuites(first: 50, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { ...SuiteFields }
          }
          status { contexts { context state createdAt targetUrl } }
        }
      }
    }
  }
  ${SUITE_FIELDS}
`;

export const MORE_CHECK_RUNS = /* GraphQL */ `
  query MoreCheckRuns($suite: ID!, $after: String!) {
    node(id: $suite) {
      ... on CheckSuite {
        checkRuns(first: 100, after: $after, filterBy: { checkType: LATEST }) {
          pageInfo { hasNextPage endCursor }
          nodes { databaseId name status conclusion completedAt detailsUrl }
        }
      }
    }
  }
`;

/** Sizes of the blobs GitHub gave no patch for, so only those within budget are downloaded (aliases b0, b1, …). */
export function blobSizesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$b${i}: GitObjectID!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `    b${i}: object(oid: $b${i}) { ... on Blob { oid byteSize isBinary } }`).join("\n");
  return `query BlobSizes($owner: String!, $repo: String!, ${vars}) {\n  repository(owner: $owner, name: $repo) {\n${fields}\n  }\n}`;
}

/** CODEOWNERS email owners → accounts: one user search per email, aliased into one request. */
export function emailOwnersQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$q${i}: String!`).join(", ");
  const searches = Array.from({ length: count }, (_, i) => `e${i}: search(type: USER, query: $q${i}, first: 2) { userCount nodes { ... on User { login } } }`).join("\n    ");
  return `query EmailOwners(${variables}) {\n    ${searches}\n  }`;
}
