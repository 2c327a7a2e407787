// The audit catalogue: every org-settings policy, in table order.

import type { Policy } from "../policy.js";
import { branchRulesPolicy } from "./branch-rules.js";
import { secretScanningPolicy } from "./secret-scanning.js";
import { visibilityPolicy } from "./visibility.js";
import { twoFactorPolicy } from "./two-factor.js";
import { adminsPolicy } from "./admins.js";
import { configTrustRootPolicy } from "./config-trust-root.js";

export const POLICIES: readonly Policy[] = [branchRulesPolicy, secretScanningPolicy, visibilityPolicy, twoFactorPolicy, adminsPolicy, configTrustRootPolicy];
