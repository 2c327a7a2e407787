// The control catalogue: every PR control, in the order the check run lists them.

import type { Control } from "./types.js";
import { reviewApproval } from "./review-approval.js";
import { ciPassing } from "./ci-passing.js";
import { branchProtection } from "./branch-protection.js";
import { changeTicket } from "./change-ticket.js";
import { secretsDiff } from "./secrets-diff.js";
import { secretsRepository } from "./secrets-repository.js";
import { privacyPii } from "./privacy-pii.js";
import { requireCompleteFacts } from "./complete-facts.js";

/** Who contributed and which paths changed decide approvals: never on a list GitHub cut short. */
const reviewApprovalOnCompleteFacts = requireCompleteFacts(reviewApproval, ["commits", "changedPaths"]);

export const catalogue: Control[] = [reviewApprovalOnCompleteFacts, ciPassing, branchProtection, secretsDiff, secretsRepository, changeTicket, privacyPii];
