// Records every check-run write the app makes through nock (POST creates, PATCH updates).
import type nock from "nock";

export interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: string;
  conclusion?: string;
  output?: { title: string; summary: string; annotations?: Array<{ path: string; start_line: number; annotation_level: string; message: string }> };
}

export interface CheckRunWrite {
  method: "POST" | "PATCH";
  id: number;
  /** The commit the run is on (the POST's head_sha; for a PATCH, the commit its id was created for). */
  sha: string | undefined;
  body: CheckRunBody;
}

export function recordCheckRuns(scope: nock.Scope, firstId = 555, repo = "Codertocat/Hello-World", known: Record<number, string> = {}): CheckRunWrite[] {
  const writes: CheckRunWrite[] = [];
  const shaOf = new Map<number, string>(Object.entries(known).map(([id, sha]) => [Number(id), sha]));
  let nextId = firstId;
  scope
    .post(`/repos/${repo}/check-runs`)
    .times(50)
    .optionally()
    .reply(201, (_uri, body) => {
      const id = nextId++;
      const b = body as CheckRunBody;
      shaOf.set(id, b.head_sha ?? "");
      writes.push({ method: "POST", id, sha: b.head_sha, body: b });
      return { id, head_sha: b.head_sha, name: "soc2-guard" };
    });
  scope
    .patch(new RegExp(`/repos/${repo}/check-runs/\\d+$`))
    .times(50)
    .optionally()
    .reply(200, (uri, body) => {
      const id = Number(uri.split("/").pop());
      writes.push({ method: "PATCH", id, sha: shaOf.get(id), body: body as CheckRunBody });
      return { id, name: "soc2-guard" };
    });
  return writes;
}

/** The last write to the run on a commit: what GitHub shows for that commit. */
export function lastOn(writes: CheckRunWrite[], sha: string): CheckRunWrite | undefined {
  return writes.filter((w) => w.sha === sha && (w.body.status !== undefined || w.body.conclusion !== undefined)).at(-1);
}
