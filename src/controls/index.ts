// The control catalogue: every PR control, in the order the check run lists them.

import type { Control } from "./types.js";
import { reviewApproval } from "./review-approval.js";
import { ciPassing } from "./ci-passing.js";
import { branchProtection } from "./branch-protection.js";
import { changeTicket } from "./change-ticket.js";
import { secretsDiff } from "./secrets-diff.js";
import { secretsRepository } from "./secrets-repository.js";
import { privacyPii } from "./privacy-pii.js";

export const catalogue: Control[] = [reviewApproval, ciPassing, branchProtection, secretsDiff, secretsRepository, changeTicket, privacyPii];
