// Private keys and signed tokens.
import type { SecretRule } from "../rule.js";
import { findPrivateKeyBlocks } from "../private-key-block.js";

export const privateKeyRules: SecretRule[] = [
  {
    id: "private-key-pem",
    description: "Private key (PEM)",
    // Structure, not a pattern: the body is reassembled from string literals, escapes and
    // following lines (private-key-block.ts); the fingerprint is taken over the whole body.
    regex: "-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY",
    keywords: ["private key"],
    spanLines: 12,
    finder: (text) => findPrivateKeyBlocks(text),
  },
  { id: "putty-private-key", description: "PuTTY private key", regex: `(PuTTY-User-Key-File-[23]: (?:ssh-rsa|ssh-dss|ssh-ed25519|ssh-ed448|ecdsa-sha2-nistp\\d+))`, keywords: ["putty-user-key-file-"] },
  { id: "age-secret-key", description: "age encryption secret key", regex: `(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})`, keywords: ["age-secret-key-1"] },
  { id: "ssh-private-key-inline", description: "OpenSSH private key body", regex: `(b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]{60,})`, keywords: ["b3blbnnzac1rzxktdje"] },
  {
    id: "jwt",
    description: "Signed JSON Web Token",
    regex: `(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{20,})`,
    keywords: ["eyj"],
    // An unsigned token (alg none) grants nothing.
    validate: (token) => {
      try {
        const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8")) as { alg?: string };
        return typeof header.alg === "string" && header.alg.toLowerCase() !== "none";
      } catch {
        return false;
      }
    },
  },
  { id: "onepassword-service-token", description: "1Password service account token", regex: `(ops_eyJ[A-Za-z0-9+/=]{250,})`, keywords: ["ops_eyj"] },
  { id: "onepassword-secret-key", description: "1Password account secret key", regex: `(?<![A-Z0-9-])(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})(?![A-Z0-9-])`, keywords: ["a3-"] },
  { id: "bcrypt-hash", description: "Password hash (bcrypt)", regex: `(?<![A-Za-z0-9$])(\\$2[abxy]?\\$\\d{2}\\$[./A-Za-z0-9]{53})`, keywords: ["$2a$", "$2b$", "$2y$", "$2x$", "$2$"] },
  { id: "crypt-password-hash", description: "Password hash (md5crypt / sha256crypt / sha512crypt)", regex: `(?<![A-Za-z0-9$])(\\$(?:1|5|6)\\$(?:rounds=\\d+\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{22,86})`, keywords: ["$1$", "$5$", "$6$"] },
  { id: "kerberos-asrep-hash", description: "Password hash (Kerberos 5 AS-REP, etype 23)", regex: `(\\$krb5asrep\\$23\\$(?:[^:$\\s]+:)?[a-fA-F0-9]{32}\\$[a-fA-F0-9]{64,})`, keywords: ["$krb5asrep$"] },
  // Cisco IOS type 8 (PBKDF2-SHA256) and type 9 (scrypt): a 14-character salt and a 43-character hash.
  { id: "cisco-password-hash", description: "Password hash (Cisco IOS type 8 / 9)", regex: `(?<![A-Za-z0-9$])(\\$(?:8|9)\\$[./A-Za-z0-9]{14}\\$[./A-Za-z0-9]{43})(?![./A-Za-z0-9])`, keywords: ["$8$", "$9$"] },
  { id: "kerberos-tgs-hash", description: "Password hash (Kerberos 5 TGS-REP, etype 23)", regex: `(\\$krb5tgs\\$23\\$\\*[^$*]+\\$[^$*]+\\$[^*]+\\*\\$[a-fA-F0-9]{32}\\$[a-fA-F0-9]{64,})`, keywords: ["$krb5tgs$"] },
  { id: "pgp-private-key-block", description: "PGP private key block", regex: `(-----BEGIN PGP PRIVATE KEY BLOCK-----)`, keywords: ["begin pgp private key block"] },
  { id: "ethereum-private-key", description: "Ethereum / EVM private key", regex: `(?:private[_-]?key|wallet[_-]?key|eth[_-]?key|mnemonic_key)["']?\\s*[:=]\\s*["']?(0x[a-fA-F0-9]{64})(?![a-fA-F0-9])`, keywords: ["private_key", "privatekey", "private-key", "wallet", "eth_key", "ethkey"], ignoreCase: true, entropy: 3.5 },
];
