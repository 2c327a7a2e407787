// Writes the published JSON Schemas from their TypeScript sources (npm run schema).
import { writeFileSync } from "node:fs";
import { configSchema } from "../src/config/schema.js";
import { recordSchema } from "../src/evidence/record-schema.js";

writeFileSync(new URL("../schema/soc2-guard-config.schema.json", import.meta.url), `${JSON.stringify(configSchema, null, 2)}\n`);
writeFileSync(new URL("../schema/evidence-record.v1.json", import.meta.url), `${JSON.stringify(recordSchema, null, 2)}\n`);
