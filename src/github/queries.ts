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
  requiresStrictStatusChecks
  allowsForcePushes
  allowsDeletions
  isAdminEnforced
`;

const COMMIT_FIELDS = /* GraphQL */ `
  fragment CommitFields on Commit {
    oid
    message
    parents(first: 2) { nodes { oid } }
    author { user { login } }
    committer { user { login } }
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
            config: file(path: $configPath) { object { ... on Blob { text isTruncated } } }
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
          nodes { databaseId state submittedAt author { __typename login } commit { oid } }
        }
        files(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { path }
        }
        head: commits(last: 1) {
          nodes {
            commit {
              oid
              checkSuites(first: 50) {
                nodes {
                  app { slug databaseId }
                  checkRuns(first: 100, filterBy: { checkType: LATEST }) {
                    nodes { databaseId name status conclusion completedAt detailsUrl }
                  }
                }
              }
              status { contexts { context state createdAt targetUrl } }
            }
          }
        }
        baseRef {
          branchProtectionRule { ${PROTECTION_RULE_FIELDS} }
          target {
            ... on Commit {
              codeownersGithub: file(path: ".github/CODEOWNERS") { object { ... on Blob { text } } }
              codeownersRoot: file(path: "CODEOWNERS") { object { ... on Blob { text } } }
              codeownersDocs: file(path: "docs/CODEOWNERS") { object { ... on Blob { text } } }
            }
          }
        }
      }
    }
    orgConfig: repository(owner: $owner, name: ".github") {
      defaultBranchRef {
        target {
          ... on Commit {
            config: file(path: $configPath) { object { ... on Blob { text isTruncated } } }
          }
        }
      }
    }
  }
  ${COMMIT_FIELDS}
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
          nodes { path }
        }
      }
    }
  }
`;
