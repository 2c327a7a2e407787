// Words that name an identifier ("ssn", "nhs", "sin"), found as words: `sin` in
// `customerSin`, `user_sin` or `SIN:` counts, in `using` or `single` it does not.

export class ContextWords {
  private readonly words: readonly string[];

  constructor(words: readonly string[]) {
    this.words = words.map((w) => w.toLowerCase());
  }

  /** True when one of the words occurs in text as a word (camelCase and snake_case parts count). */
  occursIn(text: string): boolean {
    const lower = text.toLowerCase();
    for (const word of this.words) {
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
        if (startsWord(text, at) && endsWord(text, at + word.length)) return true;
      }
    }
    return false;
  }
}

const isLetter = (c: string | undefined): boolean => c !== undefined && c.toLowerCase() !== c.toUpperCase();
const isUpper = (c: string | undefined): boolean => c !== undefined && c !== c.toLowerCase();

function startsWord(text: string, at: number): boolean {
  const before = text[at - 1];
  return !isLetter(before) || (isUpper(text[at]) && !isUpper(before));
}

// "ssnumber", "nhsno", "sinnr", "aadhaarid": a name glued to the word for number.
const NUMBER_SUFFIX = /^(?:number|numbers|num|no|nr|nos|id|ids)(?![a-z])/i;

function endsWord(text: string, end: number): boolean {
  const after = text[end];
  if (!isLetter(after) || (isUpper(after) && !isUpper(text[end - 1]))) return true;
  return NUMBER_SUFFIX.test(text.slice(end, end + 8));
}
