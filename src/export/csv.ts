// RFC 4180 CSV for auditors' spreadsheets: CRLF line ends, a field quoted when it holds a
// comma, quote, CR or LF, quotes doubled. A field that a spreadsheet would run as a
// formula (leading =, +, -, @, tab, CR) is prefixed with an apostrophe: PR titles and
// commit messages are written by anyone who can open a pull request.

// These functions are self-contained (no module-level values): report.html runs their own
// source in the browser (src/web/view/embed.ts) so its CSV download is this CSV.

/** Neutralises spreadsheet formula injection (OWASP's advice: prefix with a single quote). */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  // Numbers and booleans are ours, never user text: a negative number stays a number.
  const text = typeof value === "string" ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** A whole CSV document: header then rows. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = csvRow(header);
  for (const row of rows) out += csvRow(row);
  return out;
}
