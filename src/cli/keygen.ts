// `soc2-guard keygen [--out PREFIX]`: a new Ed25519 signing key pair for the app.
// PREFIX.key (PKCS#8 PEM, mode 0600) becomes SOC2_GUARD_SIGNING_KEY; PREFIX.pub (SPKI PEM)
// goes to the auditors, who pin its fingerprint. Never overwrites a file.

import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { formatFingerprint, generateSigningKey } from "../trust/signing-key.js";

export const keygenCommand: Command = async (args, io) => {
  const parsed = parseArgs(args);
  const prefix = resolve(io.cwd, stringFlag(parsed, "out") ?? "soc2-guard-signing");
  const privateFile = `${prefix}.key`;
  const publicFile = `${prefix}.pub`;
  for (const file of [privateFile, publicFile]) {
    if (existsSync(file)) {
      io.stderr(`soc2-guard keygen: ${file} exists; choose another --out PREFIX (keys are never overwritten)\n`);
      return 2;
    }
  }
  const key = generateSigningKey();
  writeFileSync(privateFile, key.privatePem, { mode: 0o600, flag: "wx" });
  writeFileSync(publicFile, key.publicPem, { flag: "wx" });
  io.stdout(
    [
      `private key: ${privateFile}   (set SOC2_GUARD_SIGNING_KEY to its contents or its path; keep it secret)`,
      `public key:  ${publicFile}   (give it to your auditors)`,
      `key id:      ${key.keyId}`,
      `fingerprint: ${formatFingerprint(key.keyId)}   (SHA-256 of the public key's SPKI; auditors pin this)`,
      "",
    ].join("\n"),
  );
  return 0;
};
