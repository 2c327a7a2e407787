// change.ticket — CC8.1: the change is traceable to an authorised request.

import type { Control, ControlResult } from "./types.js";
import { userPatternMatches } from "../config/user-pattern.js";

/** Ticket references in PR text. The patterns run on RE2: linear in the text, whatever the author wrote. */
export function findTicketRefs(texts: string[], patterns: string[]): string[] {
  const refs = new Set<string>();
  for (const source of patterns) for (const text of texts) for (const match of userPatternMatches(source, text)) refs.add(match);
  return [...refs];
}

export const changeTicket: Control = {
  id: "change.ticket",
  criteria: ["CC8.1"],
  title: "Linked ticket",
  evaluate(facts, config): ControlResult {
    const settings = config.controls["change.ticket"];
    const base = { id: this.id, criteria: this.criteria, mode: settings.mode, annotations: [] };
    if (settings.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [] };
    const refs = findTicketRefs([facts.pr.title, facts.pr.body, facts.pr.headRef], settings.patterns);
    if (refs.length > 0) {
      return { ...base, status: "pass", reason: `references ${refs.slice(0, 5).join(", ")}`, fix: "", findings: [], details: { refs } };
    }
    return {
      ...base,
      status: "fail",
      reason: "no ticket reference in the title, body or branch name",
      fix: `Add a ticket reference matching ${settings.patterns.map((p) => `\`${p}\``).join(" or ")} to the title or description`,
      findings: [{ message: "no ticket reference found" }],
      details: { refs },
    };
  },
};
