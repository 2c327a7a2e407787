// SaaS and developer-platform API tokens whose published formats carry a distinctive
// prefix (or a distinctive shape next to the provider's name).
import type { SecretRule } from "../rule.js";
import { ALNUM, END, HEX, START, URLSAFE, UUID, named, prefixed } from "./define.js";

export const saasApiRules: SecretRule[] = [
  prefixed("dependency-track-api-key", "Dependency-Track API key", "odt_", ALNUM("32,40")),
  prefixed("ionic-pat", "Ionic personal access token", "ion_", ALNUM(42)),
  prefixed("flexport-api-key", "Flexport API key", "shltm_", URLSAFE(40)),
  prefixed("typeform-token-short", "Typeform personal access token (short form)", "tfp_", "[A-Za-z0-9_-]{40,59}"),
  prefixed("ubidots-token", "Ubidots token", "BBFF-", ALNUM(30)),
  { id: "voiceflow-api-key", description: "Voiceflow API key", regex: `${START}(VF\\.(?:DM|WS)\\.${HEX(24)}\\.${ALNUM(16)})${END}`, keywords: ["vf.dm.", "vf.ws."] },
  prefixed("sourcegraph-license-key", "Sourcegraph key (slk_)", "slk_", HEX(64)),
  prefixed("mongodb-atlas-service-account-secret", "MongoDB Atlas service account secret", "mdb_sa_sk_", URLSAFE(40)),
  { id: "pubnub-publish-key", description: "PubNub publish key", regex: `${START}(pub-c-${UUID})${END}`, keywords: ["pub-c-"] },
  { id: "pubnub-secret-key", description: "PubNub secret key", regex: `${START}(sec-c-[A-Za-z0-9]{48})${END}`, keywords: ["sec-c-"] },
  prefixed("nightfall-api-key", "Nightfall API key", "NF-", ALNUM(32)),
  prefixed("teamwork-api-token", "Teamwork API token", "tkn.v1_", "[A-Za-z0-9+/]{60,80}={0,2}"),
  { id: "zoho-oauth-token", description: "Zoho OAuth access / refresh token", regex: `${START}(1000\\.${HEX(32)}\\.${HEX(32)})${END}`, keywords: ["1000."] },
  { id: "pagarme-api-key", description: "Pagar.me API key", regex: `${START}(ak_(?:live|test)_${ALNUM("30,32")})${END}`, keywords: ["ak_live_", "ak_test_"] },
  { id: "scrapfly-api-key", description: "Scrapfly API key", regex: `${START}(scp-(?:live|test)-${HEX(32)})${END}`, keywords: ["scp-live-", "scp-test-"] },
  { id: "maxmind-license-key", description: "MaxMind license key", regex: `${START}(${ALNUM(6)}_${ALNUM(29)}_mmk)${END}`, keywords: ["_mmk"] },
  prefixed("segment-public-api-token", "Segment public API token", "sgp_", ALNUM(64)),
  prefixed("elevenlabs-api-key-prefixed", "ElevenLabs API key (sk_)", "sk_", HEX(48)),
  { id: "slack-refresh-token", description: "Slack token rotation refresh / access token", regex: `${START}(xoxe(?:\\.xox[bp])?-1-[A-Za-z0-9]{100,250})${END}`, keywords: ["xoxe.xox", "xoxe-1-"] },
  { id: "telegram-bot-token-url", description: "Telegram bot token in a notification URL", regex: `tgram://(\\d{8,10}:[A-Za-z0-9_-]{35})`, keywords: ["tgram://"] },
  { id: "microsoft-teams-webhook-legacy", description: "Microsoft Teams incoming webhook URL (outlook.office.com)", regex: `(https://outlook\\.office(?:365)?\\.com/webhook/${UUID}@${UUID}/IncomingWebhook/${HEX(32)}/${UUID})`, keywords: ["outlook.office"] },
  // The secret is the webhook's last segment (the tenant's name, even "example", is not a placeholder).
  { id: "tines-webhook-url", description: "Tines webhook URL", regex: `https://[a-z0-9-]+\\.tines\\.com/webhook/${HEX(32)}/(${HEX(32)})`, keywords: [".tines.com/webhook/"] },
  // An org id (00D…, 15 characters), `!`, the session's token.
  { id: "salesforce-access-token", description: "Salesforce access / refresh token", regex: `${START}(00D[A-Za-z0-9]{12}![A-Za-z0-9._]{80,200})(?![A-Za-z0-9._])`, keywords: ["00d"], entropy: 4 },
  { id: "thingsboard-access-token", description: "ThingsBoard device access token in an API URL", regex: `thingsboard\\.cloud/api/v1/([A-Za-z0-9]{20})/`, keywords: ["thingsboard.cloud/api/v1/"] },
  { id: "grafana-api-key-bare", description: "Grafana API key (legacy, base64 JSON)", regex: `${START}(eyJrIjoi[A-Za-z0-9+/]{48,100}={0,2})(?![A-Za-z0-9+/=])`, keywords: ["eyjrijoi"] },
  {
    id: "private-key-base64",
    description: "Base64-encoded PEM private key",
    regex: `${START}(LS0tLS1CRUdJTi[A-Za-z0-9+/]{60,}={0,2})(?![A-Za-z0-9+/=])`,
    keywords: ["ls0tls1crudjti"],
    // Only a PEM block that says PRIVATE KEY: certificates and public keys are not secrets.
    validate: (value) => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(Buffer.from(value.slice(0, 80), "base64").toString("latin1")),
  },
  { id: "azure-devops-pat-v2", description: "Azure DevOps personal access token (84-character format)", regex: `${START}([A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{3}AZDO[A-Za-z0-9]{4})${END}`, keywords: ["azdo"] },
  { id: "azure-devops-pat-named", description: "Azure DevOps personal access token (next to its name)", regex: `(?:azure[_ -]?devops|ado|vsts)[\\w .-]{0,20}?(?:pat|token)["']?\\s*[:=]\\s*["']?([A-Za-z0-9]{52,84})${END}`, keywords: ["devops", "ado", "vsts"], ignoreCase: true, entropy: 3.5 },
  prefixed("jfrog-reference-token", "JFrog reference token", "cmVmdGtu", "[A-Za-z0-9+/]{56}", { entropy: 4 }),
  { id: "fullstory-api-key", description: "FullStory API key", regex: `${START}(na1\\.[A-Za-z0-9+/]{80,120}={0,2})(?![A-Za-z0-9+/=])`, keywords: ["na1."], entropy: 4 },
  named("openweather-api-key", "OpenWeather API key", ["openweather", "openweathermap", "owm_key", "owm_api_key"], HEX(32)),
  named("klaviyo-private-key", "Klaviyo private API key", ["klaviyo"], `pk_${ALNUM(34)}`),
];
