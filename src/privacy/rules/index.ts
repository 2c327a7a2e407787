// The personal-data catalogue, most specific first: a value claimed by an earlier rule is not reported again.
import type { PiiRule } from "../rule.js";
import { cardRules } from "./cards.js";
import { ibanRules } from "./iban.js";
import { nationalIdRules } from "./national-ids.js";

export const builtinPiiRules: PiiRule[] = [...ibanRules, ...nationalIdRules, ...cardRules];
