/**
 * What the `deployment` commands share with each other and with the monitor: finding the
 * deployment a (short) ID names, as Nomad's `getDeployment` does, the deployment table of
 * `deployment list`, and the status text of `deployment status` (`ID`, `Job ID`, `Job
 * Version`, `Status`, `Description`, then the `Deployed` table of its groups).
 *
 * @module
 */
import type { Deployment } from "../../structs/mod.ts";
import type { ApiClient } from "../api/mod.ts";
import { type Command, commandErrorText, type Context } from "../command.ts";
import { formatKV, formatList, limit } from "../format/columns.ts";
import { formatDeploymentGroups } from "../format/tables.ts";
import { goQuote } from "../format/quote.ts";
import { messageOf } from "./_api.ts";

/** The table of `deployment list` (and of an ambiguous prefix). */
export function formatDeployments(deploys: readonly Deployment[], length: number): string {
  if (deploys.length === 0) return "No deployments found";
  const rows = ["ID|Job ID|Job Version|Status|Description"];
  for (const d of deploys) {
    rows.push(
      `${limit(d.ID, length)}|${d.JobID}|${d.JobVersion}|${d.Status}|${d.StatusDescription}`,
    );
  }
  return formatList(rows);
}

/** The text of `deployment status`, with color tags. */
export function formatDeployment(d: Deployment | null, length: number): string {
  if (d === null) return "No deployment found";
  let base = formatKV([
    `ID|${limit(d.ID, length)}`,
    `Job ID|${d.JobID}`,
    `Job Version|${d.JobVersion}`,
    `Status|${d.Status}`,
    `Description|${d.StatusDescription}`,
  ]);
  const groups = d.TaskGroups ?? {};
  if (Object.keys(groups).length === 0) return base;
  base += `\n\n[bold]Deployed[reset]\n${formatDeploymentGroups(groups)}`;
  return base;
}

/** What a prefix lookup found: the deployment, or the candidates of an ambiguous prefix. */
export type DeploymentMatch =
  | { readonly deployment: Deployment; readonly possible?: undefined }
  | { readonly deployment?: undefined; readonly possible: readonly Deployment[] };

/**
 * The deployment `id` names: a full ID is read directly; a prefix loses its hyphens and, when
 * odd, its last character (as Nomad's CLI does), and is then searched.
 *
 * @throws {Error} `Identifier must contain at least two characters.`, `Deployment ID "x"
 * matched no deployments`, or the API's error.
 */
export async function getDeployment(client: ApiClient, id: string): Promise<DeploymentMatch> {
  if (id.length === 36) return { deployment: await client.deployments.info(id) };
  let prefix = id.replaceAll("-", "");
  if (prefix.length === 1) throw new Error("Identifier must contain at least two characters.");
  if (prefix.length % 2 === 1) prefix = prefix.slice(0, -1);
  const deploys = await client.deployments.prefixList(prefix);
  if (deploys.length === 0) {
    throw new Error(`Deployment ID ${goQuote(prefix)} matched no deployments`);
  }
  if (deploys.length === 1) return { deployment: deploys[0]! };
  return { possible: deploys };
}

/**
 * The one deployment argument of a deployment command, looked up by prefix; prints Nomad's
 * errors and returns `undefined` when there is none to act on.
 */
export async function deploymentArg(
  cmd: Command,
  args: readonly string[],
  client: ApiClient,
  ctx: Context,
  length: number,
): Promise<Deployment | undefined> {
  if (args.length !== 1) {
    await ctx.ui.error("This command takes one argument: <deployment id>");
    await ctx.ui.error(commandErrorText(cmd));
    return undefined;
  }
  let match: DeploymentMatch;
  try {
    match = await getDeployment(client, args[0]!);
  } catch (err) {
    await ctx.ui.error(`Error retrieving deployment: ${messageOf(err)}`);
    return undefined;
  }
  if (match.possible !== undefined) {
    await ctx.ui.error(
      `Prefix matched multiple deployments\n\n${formatDeployments(match.possible, length)}`,
    );
    return undefined;
  }
  return match.deployment;
}

/** Whether some group of the deployment rolls back on failure. */
export function hasAutoRevert(d: Deployment): boolean {
  return Object.values(d.TaskGroups ?? {}).some((s) => s.AutoRevert);
}
