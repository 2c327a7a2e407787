// Writes schema/soc2-guard-config.schema.json from src/config/schema.ts (npm run schema).
import { writeFileSync } from "node:fs";
import { configSchema } from "../src/config/schema.js";

writeFileSync(new URL("../schema/soc2-guard-config.schema.json", import.meta.url), `${JSON.stringify(configSchema, null, 2)}\n`);
