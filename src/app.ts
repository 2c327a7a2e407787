import type { Probot } from "probot";

export default function soc2Guard(app: Probot): void {
  app.log.info("soc2-guard loaded");
}
