// A personal identifier is never shown: its preview keeps the shape (separators, length)
// and the last two characters, enough to tell two findings apart on a line, never to recover it.

export function maskedPii(raw: string): string {
  let kept = 0;
  let out = "";
  for (let i = raw.length - 1; i >= 0; i--) {
    const c = raw[i]!;
    if (/[A-Za-z0-9]/.test(c)) out = (kept++ < 2 ? c : "•") + out;
    else out = c + out;
  }
  return out;
}
