// The archive repository's issues, kept in memory behind nock: list (by label), create,
// edit, comment, label — enough to watch drift issues over several audit passes.

import nock from "nock";
import { API } from "./fixture-org.js";

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  comments: string[];
}

export interface IssueStore {
  issues: StoredIssue[];
  writes: string[];
}

export function mockIssues(owner: string, repo: string, scope: nock.Scope = nock(API)): IssueStore {
  const store: IssueStore = { issues: [], writes: [] };
  const base = `/repos/${owner}/${repo}`;
  const shape = (i: StoredIssue) => ({ id: i.number * 10, node_id: `I_${i.number}`, number: i.number, title: i.title, body: i.body, state: i.state, state_reason: i.state_reason, labels: i.labels.map((name) => ({ name })), html_url: `https://github.com/${owner}/${repo}/issues/${i.number}`, user: { login: "soc2-guard[bot]", type: "Bot" }, comments: i.comments.length });
  scope.persist();
  scope.get(`${base}/issues`).query(true).reply((uri) => {
    const label = new URL(uri, API).searchParams.get("labels");
    return [200, store.issues.filter((i) => !label || i.labels.includes(label)).map(shape)];
  });
  scope.post(`${base}/labels`).reply((_u, body) => {
    store.writes.push("label");
    return [201, { id: 1, name: (body as { name: string }).name, color: "d93f0b" }];
  });
  scope.post(`${base}/issues`).reply((_u, body) => {
    const b = body as { title: string; body: string; labels?: string[] };
    const issue: StoredIssue = { number: store.issues.length + 1, title: b.title, body: b.body, state: "open", state_reason: null, labels: b.labels ?? [], comments: [] };
    store.issues.push(issue);
    store.writes.push(`create #${issue.number}`);
    return [201, shape(issue)];
  });
  scope.patch(new RegExp(`${base}/issues/\\d+$`)).reply((uri, body) => {
    const issue = store.issues.find((i) => i.number === Number(uri.split("/").pop()))!;
    const b = body as Partial<StoredIssue>;
    if (b.title !== undefined) issue.title = b.title;
    if (b.body !== undefined) issue.body = b.body;
    if (b.state !== undefined) issue.state = b.state;
    if (b.state_reason !== undefined) issue.state_reason = b.state_reason;
    store.writes.push(`edit #${issue.number}${b.state ? ` ${b.state}` : ""}`);
    return [200, shape(issue)];
  });
  scope.post(new RegExp(`${base}/issues/\\d+/comments$`)).reply((uri, body) => {
    const issue = store.issues.find((i) => i.number === Number(uri.split("/").at(-2)))!;
    issue.comments.push((body as { body: string }).body);
    store.writes.push(`comment #${issue.number}`);
    return [201, { id: 1, body: (body as { body: string }).body, html_url: "" }];
  });
  return store;
}
