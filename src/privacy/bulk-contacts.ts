// Bulk personal data: a data file (CSV, JSON, SQL, YAML fixtures…) that adds many rows with
// real-looking e-mail addresses or telephone numbers. One address in code is a contact;
// a table of them is a copy of customer data. Reported once per file.

import { isExampleDomain, isFictionalPhone } from "./test-data.js";

const DATA_FILE = /\.(?:csv|tsv|psv|json|jsonl|ndjson|sql|dump|ya?ml|xml|xlsx?\.csv|vcf|ldif)$/i;

export function isDataFile(path: string): boolean {
  return DATA_FILE.test(path);
}

// Bounded repetitions, and a start only at the beginning of a run: linear in the line.
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})(?![A-Za-z0-9-])/g;
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w])/g;

/** Real-looking contacts on one line: e-mail addresses of real-looking domains and non-fictional phone numbers. */
export function contactsOnLine(text: string, allowDomains: ReadonlySet<string>): string[] {
  const found: string[] = [];
  if (text.includes("@")) {
    EMAIL.lastIndex = 0;
    for (let m = EMAIL.exec(text); m !== null; m = EMAIL.exec(text)) {
      const domain = m[1]!.toLowerCase();
      const tld = domain.slice(domain.lastIndexOf(".") + 1);
      if (!/^[a-z]{2,24}$/.test(tld) || isExampleDomain(domain) || allowDomains.has(domain)) continue;
      // A file name ("logo@2x.png") or a package ("@scope/pkg@1.2.3") is not an address.
      if (/^(?:png|jpe?g|gif|svg|webp|js|ts|css|map)$/.test(tld)) continue;
      found.push(m[0].toLowerCase());
    }
  }
  PHONE.lastIndex = 0;
  for (let m = PHONE.exec(text); m !== null; m = PHONE.exec(text)) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length < 10 || digits.length > 15 || isFictionalPhone(digits)) continue;
    found.push(`tel:${digits}`);
  }
  return found;
}
