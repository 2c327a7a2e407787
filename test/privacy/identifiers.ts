// Valid identifiers built at run time from a body and the scheme's check digit, so the
// repository holds no number that a scanner (ours or GitHub's) would take for real data.
import { iso7064Mod1110CheckDigit, luhnValid, verhoeffCheckDigit } from "../../src/privacy/checksums.js";

export function luhnComplete(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error("unreachable");
}

export function ibanOf(country: string, bban: string): string {
  const numeric = (bban + country + "00").replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return `${country}${String(98 - r).padStart(2, "0")}${bban}`;
}

export function nhsOf(body9: string): string {
  const sum = [...body9].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  if (check === 10) throw new Error(`no NHS number starts ${body9}`);
  return body9 + check;
}

export const aadhaarOf = (body11: string): string => body11 + verhoeffCheckDigit(body11);
export const germanTaxIdOf = (body10: string): string => body10 + iso7064Mod1110CheckDigit(body10);

/** The same value with its last digit changed: a near miss the checksum must refuse. */
export function wrongCheck(value: string): string {
  const last = Number(value[value.length - 1]);
  return value.slice(0, -1) + String((last + 3) % 10);
}

export const grouped = (value: string, sizes: number[], sep = " "): string => {
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(value.slice(at, at + size));
    at += size;
  }
  return out.join(sep);
};

export const card = {
  visa: () => luhnComplete("453914880343646"),
  mastercard: () => luhnComplete("527316841973004"),
  amex: () => luhnComplete("37921447365028"),
};
export const iban = { de: () => ibanOf("DE", "370502991000147235"), gb: () => ibanOf("GB", "NWBK60161331926810"), fr: () => ibanOf("FR", "20041010050500013M02617") };
export const ssn = () => "521-37-4862";
export const nhs = () => nhsOf("485777345");
export const sin = () => luhnComplete("59171489");
export const aadhaar = () => aadhaarOf("49185736240");
export const germanTaxId = () => germanTaxIdOf("4719358261");
