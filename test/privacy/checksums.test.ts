import { describe, expect, it } from "vitest";
import { germanTaxIdValid, ibanMod97Valid, iso7064Mod1110CheckDigit, luhnValid, nhsMod11Valid, ssnStructureValid, verhoeffCheckDigit, verhoeffValid } from "../../src/privacy/checksums.js";
import { cardNetwork } from "../../src/privacy/rules/cards.js";
import { IBAN_LENGTHS } from "../../src/privacy/rules/iban.js";

describe("check digits", () => {
  it.each([
    ["Luhn, the textbook example", () => luhnValid("79927398713"), true],
    ["Luhn, one digit off", () => luhnValid("79927398714"), false],
    ["Luhn, transposed neighbours", () => luhnValid("79927398731"), false],
    ["IBAN mod 97 of ISO 13616's example", () => ibanMod97Valid("GB82WEST12345698765432"), true],
    ["IBAN mod 97, check digits changed", () => ibanMod97Valid("GB83WEST12345698765432"), false],
    ["NHS mod 11 of NHS Digital's example", () => nhsMod11Valid("9434765919"), true],
    ["NHS mod 11, last digit changed", () => nhsMod11Valid("9434765918"), false],
    ["Verhoeff of 2363", () => verhoeffValid("2363"), true],
    ["Verhoeff, one digit off", () => verhoeffValid("2364"), false],
    ["Verhoeff check digit of 236", () => verhoeffCheckDigit("236"), 3],
    ["ISO 7064 MOD 11,10 check of the BZSt example", () => iso7064Mod1110CheckDigit("8609574271"), 9],
    ["German tax id of the BZSt example", () => germanTaxIdValid("86095742719"), true],
    ["German tax id, a digit three times in a row", () => germanTaxIdValid("11123456784"), false],
    ["German tax id, every digit once", () => germanTaxIdValid("12345678903"), false],
  ])("%s", (_name, run, expected) => {
    expect(run()).toBe(expected);
  });

  it.each([
    ["area 000", "000123456", false],
    ["area 666", "666123456", false],
    ["area 900-999 (ITINs)", "912345678", false],
    ["group 00", "123004567", false],
    ["serial 0000", "123450000", false],
    ["an assignable number", "321541234", true],
  ])("SSN structure: %s", (_name, digits, expected) => {
    expect(ssnStructureValid(digits)).toBe(expected);
  });

  it.each([
    ["4", 16, "Visa"],
    ["51", 16, "Mastercard"],
    ["2720", 16, "Mastercard"],
    ["2721", 16, null],
    ["37", 15, "American Express"],
    ["37", 16, null],
    ["6011", 16, "Discover"],
    ["3530", 16, "JCB"],
    ["36", 14, "Diners Club"],
    ["62", 16, "UnionPay"],
    ["9", 16, null],
  ])("IIN %s with %i digits is %s", (prefix, length, network) => {
    expect(cardNetwork(prefix.padEnd(length, "0"))).toBe(network);
  });

  it("knows the registered IBAN length of every SEPA country", () => {
    for (const country of ["AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM"]) {
      expect(IBAN_LENGTHS[country], country).toBeGreaterThanOrEqual(15);
    }
    expect([IBAN_LENGTHS.DE, IBAN_LENGTHS.GB, IBAN_LENGTHS.FR, IBAN_LENGTHS.NO, IBAN_LENGTHS.MT]).toEqual([22, 22, 27, 15, 31]);
  });
});
