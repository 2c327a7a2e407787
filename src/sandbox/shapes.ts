// GitHub's JSON shapes for the sandbox's state: the REST responses and the webhook
// payloads. Field sets follow GitHub's OpenAPI description (the sandbox tests validate
// every response against it).

import { unifiedPatch as unifiedPatchOf, type GitCommit } from "./git.js";
import type { CheckRun, CheckSuite, Issue, PayloadBuilder, PullRequest, Repo, Review, SandboxState } from "./state.js";

type Json = Record<string, unknown>;

export class Shapes implements PayloadBuilder {
  constructor(
    private readonly state: SandboxState,
    /** REST base, e.g. http://127.0.0.1:PORT/api/v3 */
    readonly apiUrl: string,
    /** Web base, e.g. http://127.0.0.1:PORT */
    readonly webUrl: string,
  ) {}

  nodeId(kind: string, id: number): string {
    return Buffer.from(`0:${kind}${id}`).toString("base64");
  }

  user(login: string): Json {
    const u = this.state.user(login);
    const url = `${this.apiUrl}/users/${login}`;
    return {
      login,
      id: u.id,
      node_id: this.nodeId(u.type, u.id),
      avatar_url: `${this.webUrl}/avatars/${u.id}`,
      gravatar_id: "",
      url,
      html_url: `${this.webUrl}/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: u.type,
      site_admin: false,
    };
  }

  orgUser(login: string): Json {
    const o = this.state.org(login);
    return { ...this.user(login), ...(o ? { id: o.id, node_id: this.nodeId("Organization", o.id), type: "Organization" } : {}) };
  }

  repository(repo: Repo): Json {
    const full = `${repo.owner}/${repo.name}`;
    const url = `${this.apiUrl}/repos/${full}`;
    const open = [...repo.issues.values()].filter((i) => i.state === "open").length + [...repo.pulls.values()].filter((p) => p.state === "open").length;
    return {
      id: repo.id,
      node_id: this.nodeId("Repository", repo.id),
      name: repo.name,
      full_name: full,
      owner: this.orgUser(repo.owner),
      private: repo.private,
      visibility: repo.private ? "private" : "public",
      html_url: `${this.webUrl}/${full}`,
      description: null,
      fork: false,
      url,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://127.0.0.1/${full}.git`,
      hooks_url: `${url}/hooks`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@127.0.0.1:${full}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: `${this.webUrl}/${full}.git`,
      mirror_url: null,
      svn_url: `${this.webUrl}/${full}`,
      homepage: null,
      language: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 1,
      default_branch: repo.defaultBranch,
      open_issues: open,
      open_issues_count: open,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      license: null,
      pushed_at: repo.pushedAt,
      created_at: repo.createdAt,
      updated_at: repo.pushedAt,
      allow_forking: false,
      web_commit_signoff_required: false,
      network_count: 0,
      subscribers_count: 0,
    };
  }

  /** GET /repos/{owner}/{repo}: the full repository with its security settings. */
  fullRepository(repo: Repo): Json {
    return {
      ...this.repository(repo),
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      security_and_analysis: {
        secret_scanning: { status: repo.security.secretScanning },
        secret_scanning_push_protection: { status: repo.security.pushProtection },
      },
      organization: this.orgUser(repo.owner),
    };
  }

  label(repo: Repo, name: string): Json {
    const l = repo.labels.get(name) ?? { id: 0, color: "ededed", description: null };
    return { id: l.id, node_id: this.nodeId("Label", l.id), url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`, name, description: l.description, color: l.color, default: false };
  }

  private branchEnd(repo: Repo, ref: string, sha: string): Json {
    return { label: `${repo.owner}:${ref}`, ref, sha, user: this.orgUser(repo.owner), repo: this.repository(repo) };
  }

  pullRequestSimple(repo: Repo, pr: PullRequest): Json {
    const full = `${repo.owner}/${repo.name}`;
    const url = `${this.apiUrl}/repos/${full}/pulls/${pr.number}`;
    const html = `${this.webUrl}/${full}/pull/${pr.number}`;
    const head = this.state.headSha(repo, pr);
    const link = (href: string) => ({ href });
    return {
      url,
      id: pr.id,
      node_id: this.nodeId("PullRequest", pr.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${this.apiUrl}/repos/${full}/issues/${pr.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.apiUrl}/repos/${full}/pulls/comments{/number}`,
      comments_url: `${this.apiUrl}/repos/${full}/issues/${pr.number}/comments`,
      statuses_url: `${this.apiUrl}/repos/${full}/statuses/${head}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: this.user(pr.author),
      body: pr.body,
      labels: pr.labels.map((l) => this.label(repo, l)),
      milestone: null,
      active_lock_reason: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: this.branchEnd(repo, pr.headRef, head),
      base: this.branchEnd(repo, pr.baseRef, repo.git.refs.get(pr.baseRef) ?? pr.baseSha),
      _links: {
        self: link(url),
        html: link(html),
        issue: link(`${this.apiUrl}/repos/${full}/issues/${pr.number}`),
        comments: link(`${this.apiUrl}/repos/${full}/issues/${pr.number}/comments`),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${this.apiUrl}/repos/${full}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${this.apiUrl}/repos/${full}/statuses/${head}`),
      },
      author_association: "MEMBER",
      auto_merge: null,
      draft: pr.draft,
    };
  }

  pullRequest(repo: Repo, pr: PullRequest): Json {
    const commits = this.state.pullCommits(repo, pr);
    const files = this.pullFiles(repo, pr);
    return {
      ...this.pullRequestSimple(repo, pr),
      merged: pr.merged,
      mergeable: pr.state === "open" ? true : null,
      rebaseable: pr.state === "open" ? true : null,
      mergeable_state: pr.state === "open" ? "clean" : "unknown",
      merged_by: pr.mergedBy ? this.user(pr.mergedBy) : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: commits.length,
      additions: files.reduce((n, f) => n + Number(f.additions), 0),
      deletions: files.reduce((n, f) => n + Number(f.deletions), 0),
      changed_files: files.length,
    };
  }

  /** The PR's diff (head against the merge base with its base branch), GitHub's diff entries. */
  pullFiles(repo: Repo, pr: PullRequest): Json[] {
    const head = this.state.headSha(repo, pr);
    const baseTip = pr.state === "open" ? (repo.git.refs.get(pr.baseRef) ?? pr.baseSha) : pr.baseSha;
    const base = repo.git.mergeBase(baseTip, head) ?? pr.baseSha;
    return this.diff(repo, base, head);
  }

  diff(repo: Repo, base: string, head: string): Json[] {
    const before = repo.git.files(base);
    const after = repo.git.files(head);
    const out: Json[] = [];
    for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const a = before.get(path) ?? null;
      const b = after.get(path) ?? null;
      if (a === b) continue;
      const { patch, additions, deletions } = unifiedPatchOf(a, b);
      const blob = repo.git.file(head, path)?.sha ?? repo.git.file(base, path)?.sha ?? "0".repeat(40);
      const full = `${repo.owner}/${repo.name}`;
      out.push({
        sha: blob,
        filename: path,
        status: a === null ? "added" : b === null ? "removed" : "modified",
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${this.webUrl}/${full}/blob/${head}/${path}`,
        raw_url: `${this.webUrl}/${full}/raw/${head}/${path}`,
        contents_url: `${this.apiUrl}/repos/${full}/contents/${path}?ref=${head}`,
        patch,
      });
    }
    return out;
  }

  review(repo: Repo, pr: PullRequest, review: Review): Json {
    const html = `${this.webUrl}/${repo.owner}/${repo.name}/pull/${pr.number}`;
    return {
      id: review.id,
      node_id: this.nodeId("PullRequestReview", review.id),
      user: this.user(review.login),
      body: review.body,
      state: review.state,
      html_url: `${html}#pullrequestreview-${review.id}`,
      pull_request_url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`,
      _links: { html: { href: `${html}#pullrequestreview-${review.id}` }, pull_request: { href: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/pulls/${pr.number}` } },
      submitted_at: review.submittedAt,
      commit_id: review.commitId,
      author_association: "MEMBER",
    };
  }

  integration(app: { id: number; slug: string; name: string }): Json {
    return {
      id: app.id,
      slug: app.slug,
      node_id: this.nodeId("Integration", app.id),
      client_id: `Iv1.${app.id}`,
      owner: this.orgUser([...this.state.orgs.values()][0]?.login ?? "sandbox"),
      name: app.name,
      description: `${app.name} (sandbox)`,
      external_url: this.webUrl,
      html_url: `${this.webUrl}/apps/${app.slug}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      permissions: { checks: "write", contents: "write", issues: "write", pull_requests: "read", metadata: "read", members: "read", administration: "read", secret_scanning_alerts: "read" },
      events: ["pull_request", "pull_request_review", "check_suite", "check_run", "push", "status"],
    };
  }

  checkSuite(repo: Repo, suite: CheckSuite): Json {
    const runs = repo.checkRuns.filter((r) => r.suiteId === suite.id);
    const done = runs.every((r) => r.status === "completed");
    const conclusions = runs.map((r) => r.conclusion);
    const conclusion = !done ? null : (["failure", "timed_out", "cancelled", "action_required", "stale"].find((c) => conclusions.includes(c)) ?? "success");
    const before = repo.git.commit(suite.headSha)?.parents[0] ?? null;
    const prs = [...repo.pulls.values()].filter((p) => p.state === "open" && this.state.headSha(repo, p) === suite.headSha);
    return {
      id: suite.id,
      node_id: this.nodeId("CheckSuite", suite.id),
      head_branch: suite.headBranch,
      head_sha: suite.headSha,
      status: done ? "completed" : "in_progress",
      conclusion,
      url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/check-suites/${suite.id}`,
      before,
      after: suite.headSha,
      pull_requests: prs.map((p) => this.minimalPull(repo, p)),
      app: this.integration(suite.app),
      created_at: repo.checkRuns.find((r) => r.suiteId === suite.id)?.startedAt ?? this.state.now(),
      updated_at: this.state.now(),
      latest_check_runs_count: runs.length,
      check_runs_url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/check-suites/${suite.id}/check-runs`,
      head_commit: this.simpleCommit(repo, suite.headSha),
      rerequestable: true,
      runs_rerequestable: true,
    };
  }

  minimalPull(repo: Repo, pr: PullRequest): Json {
    const mini = (ref: string, sha: string) => ({ ref, sha, repo: { id: repo.id, url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}`, name: repo.name } });
    return { id: pr.id, number: pr.number, url: `${this.apiUrl}/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`, head: mini(pr.headRef, this.state.headSha(repo, pr)), base: mini(pr.baseRef, repo.git.refs.get(pr.baseRef) ?? pr.baseSha) };
  }

  simpleCommit(repo: Repo, sha: string): Json {
    const c = repo.git.commit(sha);
    return {
      id: sha,
      tree_id: c?.tree ?? "",
      message: c?.message ?? "",
      timestamp: c?.committer.date ?? this.state.now(),
      author: { name: c?.author.name ?? "", email: c?.author.email ?? "" },
      committer: { name: c?.committer.name ?? "", email: c?.committer.email ?? "" },
    };
  }

  checkRun(repo: Repo, run: CheckRun): Json {
    const url = `${this.apiUrl}/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`;
    const prs = [...repo.pulls.values()].filter((p) => p.state === "open" && this.state.headSha(repo, p) === run.headSha);
    return {
      id: run.id,
      head_sha: run.headSha,
      node_id: this.nodeId("CheckRun", run.id),
      external_id: run.externalId,
      url,
      html_url: `${this.webUrl}/${repo.owner}/${repo.name}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: { title: run.output.title, summary: run.output.summary, text: run.output.text, annotations_count: run.output.annotations.length, annotations_url: `${url}/annotations` },
      name: run.name,
      check_suite: { id: run.suiteId },
      app: this.integration(run.app),
      pull_requests: prs.map((p) => this.minimalPull(repo, p)),
    };
  }

  pushCommit(repo: Repo, c: GitCommit): Json {
    const ident = (i: GitCommit["author"]) => ({ name: i.name, email: i.email, date: i.date, ...(i.login ? { username: i.login } : {}) });
    const parent = c.parents[0];
    const changes = parent ? this.diff(repo, parent, c.sha) : [];
    return {
      id: c.sha,
      tree_id: c.tree,
      distinct: true,
      message: c.message,
      timestamp: c.committer.date,
      url: `${this.webUrl}/${repo.owner}/${repo.name}/commit/${c.sha}`,
      author: ident(c.author),
      committer: ident(c.committer),
      added: changes.filter((f) => f.status === "added").map((f) => f.filename),
      removed: changes.filter((f) => f.status === "removed").map((f) => f.filename),
      modified: changes.filter((f) => f.status === "modified").map((f) => f.filename),
    };
  }

  /** The REST `commit` shape (compare, list commits). */
  commit(repo: Repo, sha: string): Json {
    const c = repo.git.commit(sha)!;
    const full = `${repo.owner}/${repo.name}`;
    const ident = (i: GitCommit["author"]) => ({ name: i.name, email: i.email, date: i.date });
    return {
      url: `${this.apiUrl}/repos/${full}/commits/${sha}`,
      sha,
      node_id: this.nodeId("Commit", parseInt(sha.slice(0, 8), 16)),
      html_url: `${this.webUrl}/${full}/commit/${sha}`,
      comments_url: `${this.apiUrl}/repos/${full}/commits/${sha}/comments`,
      commit: {
        url: `${this.apiUrl}/repos/${full}/git/commits/${sha}`,
        author: ident(c.author),
        committer: ident(c.committer),
        message: c.message,
        comment_count: 0,
        tree: { sha: c.tree, url: `${this.apiUrl}/repos/${full}/git/trees/${c.tree}` },
      },
      author: c.author.login ? this.user(c.author.login) : null,
      committer: c.committer.login ? this.user(c.committer.login) : null,
      parents: c.parents.map((p) => ({ sha: p, url: `${this.apiUrl}/repos/${full}/commits/${p}`, html_url: `${this.webUrl}/${full}/commit/${p}` })),
    };
  }

  gitCommit(repo: Repo, sha: string): Json {
    const c = repo.git.commit(sha)!;
    const full = `${repo.owner}/${repo.name}`;
    const ident = (i: GitCommit["author"]) => ({ name: i.name, email: i.email, date: i.date });
    return {
      sha,
      node_id: this.nodeId("Commit", parseInt(sha.slice(0, 8), 16)),
      url: `${this.apiUrl}/repos/${full}/git/commits/${sha}`,
      html_url: `${this.webUrl}/${full}/commit/${sha}`,
      author: ident(c.author),
      committer: ident(c.committer),
      tree: { sha: c.tree, url: `${this.apiUrl}/repos/${full}/git/trees/${c.tree}` },
      message: c.message,
      parents: c.parents.map((p) => ({ sha: p, url: `${this.apiUrl}/repos/${full}/git/commits/${p}`, html_url: `${this.webUrl}/${full}/commit/${p}` })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    };
  }

  issue(repo: Repo, issue: Issue): Json {
    const full = `${repo.owner}/${repo.name}`;
    const url = `${this.apiUrl}/repos/${full}/issues/${issue.number}`;
    return {
      id: issue.id,
      node_id: this.nodeId("Issue", issue.id),
      url,
      repository_url: `${this.apiUrl}/repos/${full}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${this.webUrl}/${full}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.user),
      labels: issue.labels.map((l) => this.label(repo, l)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: issue.locked ?? false,
      active_lock_reason: issue.locked ? "resolved" : null,
      comments: issue.comments.length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      author_association: "NONE",
    };
  }

  issueComment(repo: Repo, issue: Issue, comment: import("./state.js").Comment): Json {
    const full = `${repo.owner}/${repo.name}`;
    return {
      id: comment.id,
      node_id: this.nodeId("IssueComment", comment.id),
      url: `${this.apiUrl}/repos/${full}/issues/comments/${comment.id}`,
      html_url: `${this.webUrl}/${full}/issues/${issue.number}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
      issue_url: `${this.apiUrl}/repos/${full}/issues/${issue.number}`,
      author_association: "NONE",
      performed_via_github_app: comment.viaApp ? this.integration(this.state.app.slug === comment.viaApp ? this.state.app : { id: 1, slug: comment.viaApp, name: comment.viaApp }) : null,
    };
  }

  envelope(action: string | null, repo: Repo | null, sender: string, fields: Record<string, unknown>): Json {
    const org = repo ? this.state.org(repo.owner) : [...this.state.orgs.values()][0];
    return {
      ...(action ? { action } : {}),
      ...fields,
      ...(repo ? { repository: this.repository(repo) } : {}),
      ...(org ? { organization: { login: org.login, id: org.id, node_id: this.nodeId("Organization", org.id), url: `${this.apiUrl}/orgs/${org.login}` } } : {}),
      sender: this.user(sender),
      ...(org ? { installation: { id: org.installationId, node_id: this.nodeId("Installation", org.installationId) } } : {}),
    };
  }
}

