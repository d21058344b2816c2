/**
 * The shape `deployment fail`, `resume` and `unblock` share: find the deployment, ask the
 * server to change it, say what happened, then print or follow the evaluation it created
 * (`-detach`, `-verbose`).
 *
 * @module
 */
import type { ApiClient, DeploymentUpdateResponse } from "../api/mod.ts";
import { type Command, type Context, parseCommandFlags } from "../command.ts";
import { CLIENT_FLAGS } from "../meta.ts";
import { idLength } from "../format/columns.ts";
import { connect, messageOf } from "./_api.ts";
import { deploymentArg } from "./_deployment_parts.ts";
import { EvalMonitor } from "./_monitor.ts";

/** The flags of these commands. */
export const DEPLOYMENT_UPDATE_FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
} as const;

/** What one of these commands does. */
export interface DeploymentUpdate {
  /** The gerund of the error line: `Error <doing> deployment: ...`. */
  readonly doing: string;
  /** The server call. */
  update(client: ApiClient, id: string): Promise<DeploymentUpdateResponse>;
  /** The line printed on success. */
  done(id: string, reply: DeploymentUpdateResponse): string;
}

/** Runs `cmd` with `args`: 0 on success, 1 on an error, the monitor's code when following. */
export async function runDeploymentUpdate(
  cmd: Command,
  args: readonly string[],
  ctx: Context,
  what: DeploymentUpdate,
): Promise<number> {
  const parsed = await parseCommandFlags(cmd, DEPLOYMENT_UPDATE_FLAGS, [...args], ctx.ui);
  if (!parsed) return 1;
  const { flags } = parsed;
  const length = idLength(flags.verbose);
  const client = await connect(flags, ctx);
  if (!client) return 1;
  try {
    const d = await deploymentArg(cmd, parsed.args, client, ctx, length);
    if (d === undefined) return 1;
    let u: DeploymentUpdateResponse;
    try {
      u = await what.update(client, d.ID);
    } catch (err) {
      await ctx.ui.error(`Error ${what.doing} deployment: ${messageOf(err)}`);
      return 1;
    }
    await ctx.ui.output(what.done(d.ID, u));
    if (u.EvalID === "") return 0;
    if (flags.detach) {
      await ctx.ui.output(`Evaluation ID: ${u.EvalID}`);
      return 0;
    }
    await ctx.ui.output("");
    return await new EvalMonitor(client, ctx, length).monitor(u.EvalID);
  } finally {
    client.close();
  }
}
