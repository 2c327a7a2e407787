// National identifiers with a check digit or a refusing structure. Each needs a word that
// names it nearby: nine to twelve digits that happen to pass a checksum are common in code.

import type { PiiRule } from "../rule.js";
import { germanTaxIdValid, luhnValid, nhsMod11Valid, ssnStructureValid, verhoeffValid } from "../checksums.js";
import { nationalId } from "./define.js";

export const nationalIdRules: PiiRule[] = [
  nationalId({
    id: "pii.us-ssn",
    description: "US Social Security number",
    length: 9,
    groupings: [[3, 2, 4]],
    context: ["ssn", "social security", "social_security", "socialsecurity", "socialsecuritynumber", "ss#", "ss no", "taxpayer id", "tin"],
    validate: ssnStructureValid,
  }),
  nationalId({
    id: "pii.uk-nhs-number",
    description: "UK NHS number",
    length: 10,
    groupings: [[3, 3, 4]],
    context: ["nhs", "national health", "patient number", "health number", "chi number"],
    validate: nhsMod11Valid,
  }),
  nationalId({
    id: "pii.ca-sin",
    description: "Canadian Social Insurance Number",
    length: 9,
    groupings: [[3, 3, 3]],
    context: ["sin", "social insurance", "social_insurance", "numéro d'assurance sociale", "nas"],
    // 0 is never issued and 8 is unused; Luhn over all nine digits.
    validate: (digits) => /^[1-79]\d{8}$/.test(digits) && luhnValid(digits),
  }),
  nationalId({
    id: "pii.in-aadhaar",
    description: "India Aadhaar number",
    length: 12,
    groupings: [[4, 4, 4]],
    context: ["aadhaar", "aadhar", "uidai", "uid", "आधार"],
    // Never starts with 0 or 1; Verhoeff check.
    validate: (digits) => /^[2-9]\d{11}$/.test(digits) && verhoeffValid(digits),
  }),
  nationalId({
    id: "pii.de-tax-id",
    description: "German tax identification number (Steuer-ID)",
    length: 11,
    groupings: [[2, 3, 3, 3]],
    context: ["steuer", "steuerid", "steueridentifikationsnummer", "steuer-id", "steuernummer", "identifikationsnummer", "idnr", "tax id", "taxid", "tax_id", "tin"],
    validate: germanTaxIdValid,
  }),
];
