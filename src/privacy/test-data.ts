// Test data is not personal data: the numbers card networks and payment providers publish
// for testing, the IBANs of standards and bank documentation, identifiers that documents
// use as their example, and the domains and telephone ranges reserved for examples.

/** Published test card numbers (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay; Stripe, Adyen, Braintree docs). */
const TEST_CARDS = new Set([
  "4111111111111111", "4242424242424242", "4012888888881881", "4222222222222", "4000056655665556", "4000000000000002", "4000000000009995",
  "4000002500003155", "4000000000003220", "4000000000000077", "4000000000000093", "4000000000000341", "4000000000000069", "4000000000000127",
  "4005519200000004", "4009348888881881", "4012000033330026", "4012000077777777", "4217651111111119", "4500600000000061", "4988438843884305",
  "4917610000000000", "4484070000000000", "4035501000000008", "4000160000000004", "4000020000000000", "4003050500040005",
  "5555555555554444", "5105105105105100", "5200828282828210", "5454545454545454", "5431111111111111", "5500000000000004", "5555341244441115",
  "2223003122003222", "2223000048400011", "2222400070000005", "5101180000000007", "5577000055770004", "5136333333333335",
  "378282246310005", "371449635398431", "378734493671000", "340000000000009", "370000000000002", "374245455400126", "343434343434343",
  "6011111111111117", "6011000990139424", "6011000000000004", "6011601160116611", "6445644564456445", "6011981111111113",
  "3530111333300000", "3566002020360505", "3566111111111113", "3569990010095841", "3528000700000000",
  "30569309025904", "38520000023237", "36148900647913", "36700102000000", "36006666333344",
  "6200000000000005", "6205500000000000004", "6250941006528599", "6243030000000001",
  "6759649826438453", "6799990100000000019", "5018000000000009", "6304000000000000",
]);

/** IBANs printed in ISO 13616, the SWIFT registry and banks' documentation as examples. */
const DOCUMENTATION_IBANS = new Set([
  "GB82WEST12345698765432", "GB33BUKB20201555555555", "GB29NWBK60161331926819", "GB94BARC10201530093459", "GB15MIDL40051512345678",
  "DE89370400440532013000", "DE44500105175407324931", "DE02120300000000202051", "DE75512108001245126199",
  "FR1420041010050500013M02606", "FR7630006000011234567890189", "FR7630001007941234567890185",
  "NL91ABNA0417164300", "NL02ABNA0123456789", "BE68539007547034", "BE71096123456769", "ES9121000418450200051332", "ES7921000813610123456789",
  "IT60X0542811101000000123456", "CH9300762011623852957", "CH5604835012345678009", "AT611904300234573201", "AT483200000012345864",
  "IE29AIBK93115212345678", "IE64IRCE92050112345678", "PL61109010140000071219812874", "PT50000201231234567890154", "SE4550000000058398257466",
  "DK5000400440116243", "FI2112345600000785", "NO9386011117947", "LU280019400644750000", "CZ6508000000192000145399", "GR1601101250000000012300695",
  "HU42117730161111101800000000", "RO49AAAA1B31007593840000", "SK3112000000198742637541", "SI56263300012039086", "HR1210010051863000160",
  "BG80BNBG96611020345678", "LT121000011101001000", "LV80BANK0000435195001", "EE382200221020145685", "MT84MALT011000012345MTLCAST001S",
  "CY17002001280000001200527600", "SA0380000000608010167519", "AE070331234567890123456", "TR330006100519786457841326", "IL620108000000099999999",
  "BR1800360305000010009795493C1", "MU17BOMM0101101030300200000MUR", "KW81CBKU0000000000001234560101",
]);

/** Identifiers that official documents use as their example. */
const DOCUMENTED_IDS = new Set([
  "123456789", "078051120", "219099999", // US SSN: the common placeholder, the Woolworth wallet card, the 1940s advertisement
  "046454286", // Canadian SIN on Service Canada's sample card
  "9434765919", "4010232137", // NHS numbers in NHS Digital's examples
  "86095742719", "65929970489", // German tax id examples of the Bundeszentralamt für Steuern
  "234123412346", "999941057058", // Aadhaar placeholders of UIDAI's documentation
]);

/** Repeated or sequential digits ("4444 4444 4444 4448", "1234…") are made up by hand, not issued. */
function looksHandMade(digits: string): boolean {
  if (new Set(digits).size <= 3) return true;
  if (/(\d)\1{5}/.test(digits)) return true;
  return "01234567890123456789".includes(digits.slice(0, 8)) || "98765432109876543210".includes(digits.slice(0, 8));
}

export function isTestCard(digits: string): boolean {
  return TEST_CARDS.has(digits) || looksHandMade(digits);
}

export function isDocumentationIban(iban: string): boolean {
  // A BBAN of mostly one digit ("DE00 0000 0000 …") is a placeholder too.
  return DOCUMENTATION_IBANS.has(iban) || /(\d)\1{7}/.test(iban.slice(4));
}

export function isDocumentedId(digits: string): boolean {
  return DOCUMENTED_IDS.has(digits) || looksHandMade(digits);
}

/** Domains reserved for documentation and testing (RFC 2606, RFC 6761) and throwaway mail domains used in fixtures. */
export function isExampleDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  if (/(?:^|\.)(?:example|test|invalid|localhost|local|internal|lan|home\.arpa)$/.test(d)) return true;
  if (/(?:^|\.)example\.(?:com|org|net|edu)$/.test(d)) return true;
  return /^(?:mailinator\.com|domain\.com|email\.com|test\.com|foo\.com|bar\.com|acme\.com|company\.com|yourcompany\.com|yourdomain\.com|users\.noreply\.github\.com)$/.test(d);
}

/**
 * Fictional telephone numbers: North American 555-0100…0199 (and any 555 exchange in
 * fixtures), UK Ofcom drama ranges (07700 900xxx, 01632 960xxx, 020 7946 0xxx), Australia's 0491 570 xxx.
 */
export function isFictionalPhone(digits: string): boolean {
  const national = digits.startsWith("1") && digits.length === 11 ? digits.slice(1) : digits;
  if (national.length === 10 && national.slice(3, 6) === "555") return true;
  if (national.length === 10 && national.slice(0, 3) === "555") return true;
  const uk = digits.startsWith("44") ? `0${digits.slice(2)}` : digits;
  if (/^07700900\d{3}$|^01632960\d{3}$|^02079460\d{3}$|^0113496\d{4}$/.test(uk)) return true;
  const au = digits.startsWith("61") ? `0${digits.slice(2)}` : digits;
  if (/^0491570\d{3}$/.test(au)) return true;
  return new Set(digits).size <= 2;
}
