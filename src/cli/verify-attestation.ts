// `soc2-guard verify-attestation FILE --key PUB`: checks DSSE envelopes (one JSON
// envelope, or an attestations/YYYY/MM/DD.jsonl day file) against the pinned key and
// prints what each one attests. Exit 0 when all verify, 1 when any does not.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { pinnedKeys } from "./public-key.js";
import { formatFingerprint } from "../trust/signing-key.js";
import { asEnvelope } from "../trust/dsse.js";
import { CHANGE_PREDICATE_TYPE, VSA_PREDICATE_TYPE, verifyAttestation, type ChangePredicate } from "../trust/attestation.js";

const USAGE = "usage: soc2-guard verify-attestation FILE --key PUBLIC_KEY.pem[,ANOTHER.pem]\n";

export const verifyAttestationCommand: Command = async (args, io) => {
  const parsed = parseArgs(args);
  const file = parsed.positionals[0];
  if (!file) {
    io.stderr(USAGE);
    return 2;
  }
  try {
    const keys = pinnedKeys(stringFlag(parsed, "key"), io);
    if (keys.length === 0) {
      io.stderr(`soc2-guard verify-attestation: --key PUBLIC_KEY.pem is required (the app's public key you pinned)\n${USAGE}`);
      return 2;
    }
    const text = readFileSync(resolve(io.cwd, file), "utf8");
    const whole = asEnvelope(text.trim());
    const items = whole ? [{ where: file, text: text.trim() }] : text.split("\n").map((t, i) => ({ where: `${file}:${i + 1}`, text: t })).filter((l) => l.text.trim());
    for (const key of keys) io.stdout(`key ${formatFingerprint(key.keyId)}\n`);
    const ring = new Map(keys.map((k) => [k.keyId, k.publicKey]));
    let bad = 0;
    for (const item of items) {
      const checked = verifyAttestation(item.text, ring);
      if (!checked.ok) {
        bad++;
        io.stdout(`✘ ${item.where}: ${checked.problem} — ${checked.detail}\n`);
        continue;
      }
      const st = checked.statement;
      const subject = st.subject.map((s) => `gitCommit ${s.digest.gitCommit ?? "?"}${s.digest.gitTree ? ` gitTree ${s.digest.gitTree}` : ""}${s.uri ? ` (${s.uri})` : ""}`).join(", ");
      let what = st.predicateType;
      if (st.predicateType === CHANGE_PREDICATE_TYPE) {
        const p = st.predicate as unknown as ChangePredicate;
        what = `change review of ${p.record.id}: ${p.approvals.filter((a) => a.counted).map((a) => `${a.reviewer} on ${a.commit.slice(0, 7)}`).join(", ") || "no counted approval"}; ${p.controls.map((c) => `${c.id}=${c.status}`).join(" ")}`;
      } else if (st.predicateType === VSA_PREDICATE_TYPE) {
        const p = st.predicate as { verificationResult?: string; verifiedLevels?: string[] };
        what = `SLSA Source VSA: ${p.verificationResult} [${(p.verifiedLevels ?? []).join(", ")}]`;
      }
      io.stdout(`✔ ${item.where}: ${what}; subject ${subject}; signed by ${checked.keyid || "(no key id)"}\n`);
    }
    if (items.length === 0) {
      io.stdout("no envelope in the file\n");
      return 1;
    }
    return bad === 0 ? 0 : 1;
  } catch (error) {
    io.stderr(`soc2-guard verify-attestation: ${(error as Error).message}\n`);
    return 2;
  }
};
