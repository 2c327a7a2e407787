// The context-aware password detector: literals in many formats are found, non-literals
// (lookups, variables, templates, environment reads, routes, selectors, placeholders,
// labels, concatenations) are not — on our own dev corpus and on named cases.

import { describe, expect, it } from "vitest";
import { SecretScanner, linesOfText } from "../../src/secrets/scanner.js";
import { builtinRules } from "../../src/secrets/rules/index.js";
import { fileFormatOf, findPasswordLiterals } from "../../src/secrets/credential-context.js";
import { loadDevCorpus, measureDevCorpus } from "../../bench/secrets.js";

const scanner = new SecretScanner(builtinRules, { key: new Uint8Array(32) });
const values = (path: string, text: string) => findPasswordLiterals(text, fileFormatOf(path)).map((m) => m.value);

describe("password literals by structure", () => {
  it.each([
    ["PHP define", "wp-config.php", "define('DB_PASSWORD', 'Kx7#pLm2qR9vT');", "Kx7#pLm2qR9vT"],
    ["an XML element", "ds.xml", "<password>Wint3r!sComing2031</password>", "Wint3r!sComing2031"],
    ["a connection string inside code", "Db.cs", 'var cs = "Server=db01;User ID=app;Password=Cr9#mApp77;";', "Cr9#mApp77"],
    ["a bare INI value", "app.ini", "password = pA55-forOrders-91", "pA55-forOrders-91"],
    ["a .netrc line", ".netrc", "machine ftp.acme-corp.io login uploader password Upl0ad!2031", "Upl0ad!2031"],
    ["a Gradle credentials block", "build.gradle", "    password 'Gr4dle#Deploy9'", "Gr4dle#Deploy9"],
    ["a command-line flag", "backup.sh", "mysqldump --user=backup --password=B4ckup!Nightly shop", "B4ckup!Nightly"],
    ["SQL IDENTIFIED BY", "001.sql", "CREATE USER 'r'@'%' IDENTIFIED BY 'R3port!ng-2031';", "R3port!ng-2031"],
    ["curl -u", "sync.sh", "curl -u syncbot:Sync!2031bot https://intranet.acme.internal", "Sync!2031bot"],
    ["NetworkCredential", "Mailer.cs", 'new NetworkCredential("relay", "R3lay!Pass2031")', "R3lay!Pass2031"],
    ["PowerShell ConvertTo-SecureString", "d.ps1", 'ConvertTo-SecureString "Adm1n!Deploy#44" -AsPlainText -Force', "Adm1n!Deploy#44"],
    ["a setter call", "Client.java", 'client.setPassword("J4va!Client2031");', "J4va!Client2031"],
  ])("finds %s", (_name, path, text, value) => {
    expect(values(path, text)).toEqual([value]);
  });

  it.each([
    ["a property lookup", "a.ts", "const password = req.body.password;"],
    ["a bare identifier in code", "a.ts", "password = userInput;"],
    ["a template", "app.ini", "password = ${DB_PASSWORD}"],
    ["a Jinja template", "c.yml", 'password: "{{ vault_db_password }}"'],
    ["an environment read", "s.py", "DATABASE_PASSWORD = os.environ['DATABASE_PASSWORD']"],
    ["a concatenation", "A.java", 'String usernamePassword = "application:" + appKey;'],
    ["a route", "r.ts", "router.post('/auth/reset-password/:token', resetPassword);"],
    ["a placeholder", "example.env", "DB_PASSWORD=changeme"],
    ["a masked value", "s.yml", 'password: "********"'],
    ["a list of field names", "r.js", "redact: ['password', 'creditCard', 'ssn']"],
    ["a form label", "f.tsx", '<input type="password" name="password" placeholder="Password" />'],
    ["a PHP array lookup", "c.php", "$password = $config['db']['password'];"],
  ])("refuses %s", (_name, path, text) => {
    expect(values(path, text)).toEqual([]);
  });
});

describe("dev corpus (test/secrets/dev-corpus)", () => {
  it("reports nothing on any of its non-literal look-alikes", () => {
    for (const s of loadDevCorpus().filter((x) => x.label === "clean")) {
      expect(scanner.scan([{ path: s.path, lines: linesOfText(s.text) }]).findings.map((f) => f.rule), s.id).toEqual([]);
    }
  });

  it("finds nine in ten of its credentials (on 3dca4fb: 56 %)", () => {
    expect(measureDevCorpus(scanner).recall).toBeGreaterThanOrEqual(0.9);
  });
});
