// Payment card numbers (PCI DSS primary account numbers): the issuer identification
// number ranges and lengths each network publishes, and the Luhn check.

import type { PiiRule } from "../rule.js";
import { luhnValid } from "../checksums.js";
import { isTestCard } from "../test-data.js";

interface Network {
  name: string;
  /** Inclusive IIN prefix ranges, compared on as many leading digits as the bounds have. */
  ranges: Array<[number, number]>;
  lengths: readonly number[];
}

export const CARD_NETWORKS: Network[] = [
  { name: "Visa", ranges: [[4, 4]], lengths: [13, 16, 19] },
  { name: "Mastercard", ranges: [[51, 55], [2221, 2720]], lengths: [16] },
  { name: "American Express", ranges: [[34, 34], [37, 37]], lengths: [15] },
  { name: "Discover", ranges: [[6011, 6011], [644, 649], [65, 65], [622126, 622925]], lengths: [16, 17, 18, 19] },
  { name: "JCB", ranges: [[3528, 3589]], lengths: [16, 17, 18, 19] },
  { name: "Diners Club", ranges: [[300, 305], [36, 36], [38, 39]], lengths: [14, 15, 16, 17, 18, 19] },
  { name: "UnionPay", ranges: [[62, 62]], lengths: [16, 17, 18, 19] },
  { name: "Maestro", ranges: [[5018, 5018], [5020, 5020], [5038, 5038], [5893, 5893], [6304, 6304], [6759, 6759], [6761, 6763]], lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: "Mir", ranges: [[2200, 2204]], lengths: [16, 17, 18, 19] },
];

/** The network whose IIN range and length fit, or null. */
export function cardNetwork(digits: string): string | null {
  for (const network of CARD_NETWORKS) {
    if (!network.lengths.includes(digits.length)) continue;
    for (const [low, high] of network.ranges) {
      const width = String(low).length;
      const prefix = Number(digits.slice(0, width));
      if (prefix >= low && prefix <= high) return network.name;
    }
  }
  return null;
}

export const cardRules: PiiRule[] = [
  {
    id: "pii.payment-card",
    description: "Payment card number",
    shape: "digits",
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
    // 4-4-4-4, Amex 4-6-5, Diners 4-6-4, 19 digits 4-4-4-4-3 (or 4-4-4-7), and 4-4-4-1 for 13-digit Visa.
    groupings: [[4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 4, 3], [4, 4, 4, 7], [4, 4, 4, 1], [4, 4, 4, 3], [4, 4, 4, 2], [4, 4, 4, 4, 1], [4, 4, 4, 4, 2]],
    validate: (digits) => cardNetwork(digits) !== null && luhnValid(digits),
    isTestValue: isTestCard,
  },
];
