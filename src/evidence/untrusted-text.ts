// Text that a pull request's author controls (titles, commit messages, names, emergency
// reasons) made inert before it goes into an issue body: it can mention nobody, reference
// no issue, hide nothing in HTML comments, forge no key marker, break no table and link
// nowhere. Pure.

/** GitHub refuses an issue body longer than this many characters. */
export const ISSUE_BODY_LIMIT = 65_536;

const ZWSP = "\u200b";

/**
 * One line of inert text, at most `max` characters. A zero-width space after `@` and `#`
 * stops mentions and issue references, `<` and `>` become entities (no HTML, no comment,
 * no key marker), a scheme's `//` is broken so nothing autolinks, and markdown
 * punctuation is escaped so the text cannot open a link, an image or a code span.
 */
export function neutralise(text: string | null | undefined, max = 200): string {
  const oneLine = String(text ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, "")
    .trim();
  const clipped = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return clipped
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]()!|~]/g, (c) => `\\${c}`)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/#/g, `#${ZWSP}`)
    .replace(/\bGH-/gi, (m) => `${m.slice(0, 2)}${ZWSP}-`)
    .replace(/:\/\//g, `:/${ZWSP}/`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/** Cuts a body to GitHub's limit, leaving room for the key marker and saying it was cut. */
export function capIssueBody(body: string, reserve = 200): string {
  const limit = ISSUE_BODY_LIMIT - reserve;
  if (body.length <= limit) return body;
  const note = "\n\n… (cut to fit GitHub's issue size limit; the evidence record holds the full list)";
  return `${body.slice(0, limit - note.length)}${note}`;
}
