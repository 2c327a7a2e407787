// What soc2-guard keeps in its own check run's external_id on a commit: who pushed the
// commit to the pull request (the sender of the `synchronize` event that made it the head,
// and the head before it), and who declared an emergency while it was the head. Only this
// app can write its check runs, so the record is shared by every replica, survives
// restarts, and cannot be written by the pull request's author. Pure codec.

export interface OwnCheckRecord {
  push?: { pusher: string; before: string };
  exception?: { by: string };
}

const PREFIX = "soc2-guard/1";
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const SHA = /^[0-9a-f]{40}$/;

export function encodeOwnCheckRecord(record: OwnCheckRecord): string {
  const parts = [PREFIX];
  if (record.push) parts.push(`push=${record.push.pusher}:${record.push.before}`);
  if (record.exception) parts.push(`exception=${record.exception.by}`);
  return parts.join(" ");
}

/** The record, or null when `externalId` is not one (older runs hold the head SHA). */
export function decodeOwnCheckRecord(externalId: string | null | undefined): OwnCheckRecord | null {
  if (!externalId?.startsWith(`${PREFIX} `) && externalId !== PREFIX) return null;
  const record: OwnCheckRecord = {};
  for (const part of externalId.slice(PREFIX.length).trim().split(" ")) {
    const [key, value = ""] = part.split("=", 2);
    if (key === "push") {
      const colon = value.lastIndexOf(":");
      const pusher = value.slice(0, colon);
      const before = value.slice(colon + 1);
      if (LOGIN.test(pusher) && SHA.test(before)) record.push = { pusher, before };
    } else if (key === "exception" && LOGIN.test(value)) {
      record.exception = { by: value };
    }
  }
  return record;
}
