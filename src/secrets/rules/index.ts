// The rule catalogue, most specific first: earlier rules claim a span before the generic ones.
import type { SecretRule } from "../rule.js";
import { cloudRules } from "./cloud.js";
import { vcsCiRules } from "./vcs-ci.js";
import { paymentRules } from "./payment-commerce.js";
import { communicationRules } from "./communication.js";
import { registryRules } from "./registries.js";
import { databaseRules } from "./databases.js";
import { privateKeyRules } from "./private-keys.js";
import { aiObservabilityRules } from "./ai-observability.js";
import { genericRules } from "./generic.js";
import { saasApiRules } from "./saas-apis.js";

export const builtinRules: SecretRule[] = [
  ...privateKeyRules,
  ...vcsCiRules,
  ...cloudRules,
  ...paymentRules,
  ...communicationRules,
  ...registryRules,
  ...aiObservabilityRules,
  ...saasApiRules,
  ...databaseRules,
  ...genericRules,
];
