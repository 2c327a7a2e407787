// Saved logins exported as CSV — browsers' password exports (`url,username,password`),
// password managers' and FTP or database tools' exports: the column the header names as the
// password holds one per row. The header is the file's first line, so the scanner passes it
// with each row; a row is read as CSV (quoted fields, doubled quotes) within bounds.

import type { RegexMatch } from "./linear-regex.js";
import { acceptable } from "./credential-context.js";

export const SAVED_LOGIN_RULE = { id: "saved-login-password", description: "Password in an exported list of saved logins" };

const PASSWORD_COLUMN = /^(?:password|passwd|pass|pwd|login_password|password_value)$/i;
const MAX_FIELDS = 64;

interface Field {
  start: number;
  end: number;
  quoted: boolean;
}

/** The fields of one CSV line, with their spans (the value inside quotes). */
function fieldsOf(line: string): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i <= line.length && fields.length < MAX_FIELDS) {
    if (line[i] === '"') {
      let j = i + 1;
      while (j < line.length && !(line[j] === '"' && line[j + 1] !== '"')) j += line[j] === '"' ? 2 : 1;
      fields.push({ start: i + 1, end: j, quoted: true });
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ",") j++;
      fields.push({ start: i, end: j, quoted: false });
      i = j;
    }
    if (line[i] !== ",") break;
    i++;
  }
  return fields;
}

/** The password column's index in a CSV header, or -1. */
export function passwordColumn(header: string): number {
  return fieldsOf(header).findIndex((f) => PASSWORD_COLUMN.test(header.slice(f.start, f.end).trim()));
}

/** The password of a CSV row, given the header's password column. */
export function findSavedLogin(row: string, column: number): RegexMatch[] {
  const field = fieldsOf(row)[column];
  if (!field) return [];
  const value = row.slice(field.start, field.end);
  if (value.includes('""') || !acceptable(value, true)) return [];
  return [{ start: field.start, valueStart: field.start, valueEnd: field.end, value }];
}
