// Aho–Corasick over lowercase ASCII: one pass over a line finds every keyword of every
// rule at once, so only the rules whose keywords occur are run. The automaton is a dense
// transition table (states × 128), so the scan is a table lookup per character.

const ALPHABET = 128;

export class KeywordIndex {
  private readonly transitions: Int32Array;
  /** For each state, the keyword ids that end there (including via failure links). */
  private readonly outputs: Array<number[] | undefined>;
  private readonly hasOutput: Uint8Array;
  readonly keywords: string[];

  constructor(keywords: string[]) {
    this.keywords = keywords.map((k) => k.toLowerCase());
    const goto: Array<Map<number, number>> = [new Map()];
    const out: number[][] = [[]];
    this.keywords.forEach((word, id) => {
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        if (c >= ALPHABET) throw new Error(`keyword "${word}" is not ASCII`);
        let next = goto[state]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push([]);
          goto[state]!.set(c, next);
        }
        state = next;
      }
      out[state]!.push(id);
    });
    const states = goto.length;
    const table = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const next = goto[0]!.get(c);
      table[c] = next ?? 0;
      if (next !== undefined) queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      out[state] = [...out[state]!, ...out[fail[state]!]!];
      for (let c = 0; c < ALPHABET; c++) {
        const next = goto[state]!.get(c);
        if (next !== undefined) {
          fail[next] = table[fail[state]! * ALPHABET + c]!;
          table[state * ALPHABET + c] = next;
          queue.push(next);
        } else {
          table[state * ALPHABET + c] = table[fail[state]! * ALPHABET + c]!;
        }
      }
    }
    // Fold case into the table: an uppercase letter moves like its lowercase twin, so the
    // scan loop has no branch for it.
    for (let state = 0; state < states; state++) {
      for (let c = 65; c <= 90; c++) table[state * ALPHABET + c] = table[state * ALPHABET + c + 32]!;
    }
    this.transitions = table;
    this.outputs = out.map((o) => (o.length > 0 ? o : undefined));
    this.hasOutput = new Uint8Array(states);
    out.forEach((o, state) => (this.hasOutput[state] = o.length > 0 ? 1 : 0));
  }

  /** True when any keyword occurs in text[start, end): the fast path for the many lines with none. */
  any(text: string, start: number, end: number): boolean {
    const table = this.transitions;
    const hasOutput = this.hasOutput;
    let state = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      state = c < ALPHABET ? table[state * ALPHABET + c]! : 0;
      if (hasOutput[state] === 1) return true;
    }
    return false;
  }

  /** Calls `found` with the id of every keyword occurring in text[start, end) (case-insensitive ASCII). */
  scan(text: string, start: number, end: number, found: (keywordId: number) => void): void {
    const table = this.transitions;
    const outputs = this.outputs;
    const hasOutput = this.hasOutput;
    let state = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      state = c < ALPHABET ? table[state * ALPHABET + c]! : 0;
      if (hasOutput[state] === 1) {
        const hits = outputs[state]!;
        for (let k = 0; k < hits.length; k++) found(hits[k]!);
      }
    }
  }
}
