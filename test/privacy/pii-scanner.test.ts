import { describe, expect, it } from "vitest";
import { PiiScanner } from "../../src/privacy/scanner.js";
import { linesOfText, targetOfText, type ScanTarget } from "../../src/secrets/scanner.js";
import { aadhaar, card, germanTaxId, grouped, iban, nhs, sin, ssn, wrongCheck } from "./identifiers.js";

const key = new Uint8Array(32).fill(7);
const scanner = new PiiScanner({ key });
const scanText = (path: string, text: string, s = scanner) => s.scan([{ path, lines: linesOfText(text) }]);
const rules = (path: string, text: string, s = scanner) => scanText(path, text, s).findings.map((f) => f.rule);

describe("personal-data detectors", () => {
  it.each([
    ["a Visa number in code", "src/pay.ts", () => `const pan = "${card.visa()}";`, "pii.payment-card"],
    ["a Mastercard number grouped in fours", "notes.md", () => `charged ${grouped(card.mastercard(), [4, 4, 4, 4])} yesterday`, "pii.payment-card"],
    ["an Amex number 4-6-5 with hyphens", "fixtures/order.json", () => `{"card": "${grouped(card.amex(), [4, 6, 5], "-")}"}`, "pii.payment-card"],
    ["a German IBAN", "config/payout.yml", () => `payout_account: ${iban.de()}`, "pii.iban"],
    ["a British IBAN in groups of four", "db/seed.sql", () => `INSERT INTO payees VALUES ('${iban.gb().replace(/(.{4})/g, "$1 ").trim()}');`, "pii.iban"],
    ["a French IBAN in XML", "src/main/resources/payee.xml", () => `<iban>${iban.fr()}</iban>`, "pii.iban"],
    ["a US SSN next to its name", "app/models/user.py", () => `user.ssn = "${ssn()}"`, "pii.us-ssn"],
    ["an NHS number next to its name", "test/fixtures/patient.json", () => `{"nhsNumber": "${grouped(nhs(), [3, 3, 4])}"}`, "pii.uk-nhs-number"],
    ["a Canadian SIN next to its name", "import.csv", () => `name,sin\nAda,${grouped(sin(), [3, 3, 3], "-")}`, "pii.ca-sin"],
    ["an Aadhaar number next to its name", "kyc.yml", () => `aadhaar: "${grouped(aadhaar(), [4, 4, 4])}"`, "pii.in-aadhaar"],
    ["a German tax id next to its name", "steuer.ts", () => `const steuerId = "${germanTaxId()}";`, "pii.de-tax-id"],
    ["an id in a CSV column its header names", "export.csv", () => `id,name,ssn,created\n1,Ada,x,2024-01-01\n2,Bo,y,2024-01-02\n3,Cy,${ssn()},2024-01-03`, "pii.us-ssn"],
  ])("finds %s", (_name, path, text, rule) => {
    expect(rules(path, text())).toEqual([rule]);
  });

  it.each([
    ["a card with a wrong check digit", () => `const pan = "${wrongCheck(card.visa())}";`],
    ["an IBAN with a wrong check digit", () => `iban: ${wrongCheck(iban.de())}`],
    ["an NHS number with a wrong check digit", () => `nhs_number: ${wrongCheck(nhs())}`],
    ["a SIN with a wrong check digit", () => `sin: ${wrongCheck(sin())}`],
    ["an Aadhaar number with a wrong check digit", () => `aadhaar: ${wrongCheck(aadhaar())}`],
    ["a German tax id with a wrong check digit", () => `steuer_id: ${wrongCheck(germanTaxId())}`],
    ["an SSN in area 666", () => `ssn: 666-12-3456`],
    ["an SSN with serial 0000", () => `ssn: 521-37-0000`],
    ["a valid SSN without a word that names it", () => `const code = "${ssn()}";`],
    ["an Aadhaar-valid number without context", () => `const id = ${aadhaar()};`],
    ["a Luhn-valid number of no card network", () => `timeout: ${"9".padEnd(15, "1")}3`],
    ["a card-shaped number inside a float", () => `const x = 0.${card.visa()};`],
    ["a card-shaped number inside a version or path", () => `v1.${card.visa()} /a/${card.visa()}/b`],
    ["a card-shaped number inside a hex token", () => `sha = "ab${card.visa()}cd"`],
    ["a card-shaped number glued to a longer number", () => `id: ${card.visa()}-7`],
  ])("refuses %s", (_name, text) => {
    expect(rules("src/x.ts", text())).toEqual([]);
  });

  it.each([
    ["the card networks' published test numbers", "4111 1111 1111 1111 / 4242424242424242 / 5555555555554444 / 378282246310005 / 6011111111111117"],
    ["Stripe's test cards", "4000056655665556 4000002500003155"],
    ["documentation IBANs", "GB82 WEST 1234 5698 7654 32, DE89370400440532013000, NL91ABNA0417164300"],
    ["documented example ids", "ssn: 123-45-6789, ssn 078-05-1120, nhs: 943 476 5919, sin: 046 454 286, steuer-id 86095742719"],
  ])("never reports %s", (_name, text) => {
    expect(rules("fixtures/test-data.txt", text)).toEqual([]);
  });

  it("skips values on the config allowlist, as written or by fingerprint", () => {
    const value = card.visa();
    const first = scanText("a.ts", `pan = ${value}`).findings[0]!;
    expect(rules("a.ts", `pan = ${value}`, new PiiScanner({ key, allow: [grouped(value, [4, 4, 4, 4])] }))).toEqual([]);
    expect(rules("a.ts", `pan = ${value}`, new PiiScanner({ key, allow: [first.fingerprint] }))).toEqual([]);
    expect(rules("skip/a.ts", `pan = ${value}`, new PiiScanner({ key, ignorePaths: ["skip/**"] }))).toEqual([]);
  });

  it("shows a masked preview and a keyed fingerprint, never the value; soc2-guard:allow marks a finding suppressed", () => {
    const value = grouped(card.visa(), [4, 4, 4, 4]);
    const [finding] = scanText("a.ts", `card = "${value}" // soc2-guard:allow fixture`).findings;
    expect(finding).toMatchObject({ rule: "pii.payment-card", line: 1, column: 9, length: 19, suppressed: true, preview: `•••• •••• •••• ••${value.slice(-2)}` });
    expect(finding!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(finding)).not.toContain(value.replace(/ /g, "").slice(0, 12));
    expect(new PiiScanner({ key: new Uint8Array(32).fill(8) }).scan([{ path: "a.ts", lines: [{ line: 1, text: `card = "${value}"` }] }]).findings[0]!.fingerprint).not.toBe(finding!.fingerprint);
  });
});

describe("bulk personal data", () => {
  const rows = (n: number, email: (i: number) => string, phone: (i: number) => string) => ["id,email,phone", ...Array.from({ length: n }, (_, i) => `${i},${email(i)},${phone(i)}`)].join("\n");
  const real = (i: number) => `person${i}@gmail.com`;
  const realPhone = (i: number) => `+44 7700 ${String(100_000 + i * 7919).slice(0, 6)}`;

  it("reports a data file with many real-looking e-mails and phones once, on its first contact line", () => {
    const findings = scanText("test/fixtures/users.csv", rows(30, real, realPhone)).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: "pii.bulk-contacts", line: 2, preview: "30 e-mail addresses and 30 phone numbers" });
  });

  it("counts JSON, SQL and YAML fixtures too, and honours the configured threshold", () => {
    const json = Array.from({ length: 12 }, (_, i) => `  {"email": "${real(i)}"},`).join("\n");
    expect(rules("fixtures/users.json", json)).toEqual([]);
    expect(rules("fixtures/users.json", json, new PiiScanner({ key, bulkThreshold: 10 }))).toEqual(["pii.bulk-contacts"]);
    const sql = Array.from({ length: 25 }, (_, i) => `INSERT INTO users VALUES (${i}, '${real(i)}');`).join("\n");
    expect(rules("db/dump.sql", sql)).toEqual(["pii.bulk-contacts"]);
    const yaml = Array.from({ length: 25 }, (_, i) => `- email: ${real(i)}`).join("\n");
    expect(rules("fixtures/users.yml", yaml)).toEqual(["pii.bulk-contacts"]);
  });

  it("does not count example domains, 555 and drama numbers, allowlisted domains, or code files", () => {
    expect(rules("fixtures/users.csv", rows(40, (i) => `user${i}@example.com`, (i) => `(415) 555-01${String(i).padStart(2, "0")}`))).toEqual([]);
    expect(rules("fixtures/users.csv", rows(40, (i) => `u${i}@qa.test`, (i) => `+44 7700 900${String(i).padStart(3, "0")}`))).toEqual([]);
    expect(rules("fixtures/users.csv", rows(40, (i) => `u${i}@fixtures.acme.io`, () => ""), new PiiScanner({ key, allowDomains: ["fixtures.acme.io"] }))).toEqual([]);
    expect(rules("src/authors.ts", rows(40, real, realPhone))).toEqual([]);
  });
});

describe("bounded work on crafted input", () => {
  it("scans lines shaped to make number and IBAN patterns backtrack in linear time", () => {
    const crafted = [
      "1 ".repeat(20_000),
      "1-".repeat(20_000),
      "12345678901234567890".repeat(1_000),
      "GB82 ".repeat(10_000),
      "GB82WEST".repeat(5_000),
      "a@".repeat(20_000),
      "+1 ".repeat(20_000),
      "(415) ".repeat(10_000),
      "ssn ".repeat(10_000) + "521-37-",
      "x".repeat(64) + "@" + "a.".repeat(20_000),
    ];
    const targets: ScanTarget[] = ["crafted.csv", "crafted.ts"].map((path) => ({ path, lines: Array.from({ length: 200 }, (_, i) => ({ line: i + 1, text: crafted[i % crafted.length]! })) }));
    const started = performance.now();
    const result = new PiiScanner({ key, limits: { maxMillis: 60_000 } }).scan(targets);
    expect(result.notScanned).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("stops at the size and time budgets and says what was not scanned", () => {
    const lines = Array.from({ length: 100 }, (_, i) => ({ line: i + 1, text: "x".repeat(50) }));
    expect(new PiiScanner({ key, limits: { maxBytes: 1_000 } }).scan([{ path: "a.txt", lines }, { path: "b.txt", lines }]).notScanned).toEqual([
      { path: "a.txt", reason: "size budget of 1000 characters used up at line 21" },
      { path: "b.txt", reason: "size budget used up" },
    ]);
    let now = 0;
    const timed = new PiiScanner({ key, limits: { maxMillis: 10 }, clock: () => (now += 6) }).scan([{ path: "a.txt", lines: Array.from({ length: 1_000 }, (_, i) => ({ line: i + 1, text: "ok" })) }]);
    expect(timed.notScanned).toEqual([{ path: "a.txt", reason: "time budget of 10 ms used up at line 65" }]);
  });

  it("finds the same values through the whole-file fast path as line by line", () => {
    const text = [`a = 1`, `pan: "${card.visa()}"`, "", `iban = ${iban.de()}`, `ssn: ${ssn()}`].join("\n") + "\n";
    const fast = scanner.scan([targetOfText("f.ts", text)]);
    const slow = scanner.scan([{ path: "f.ts", lines: linesOfText(text) }]);
    expect(fast.findings.map((f) => [f.rule, f.line, f.column])).toEqual([["pii.payment-card", 2, 7], ["pii.iban", 4, 8], ["pii.us-ssn", 5, 6]]);
    expect(fast).toEqual(slow);
  });
});
