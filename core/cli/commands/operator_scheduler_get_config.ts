/**
 * `nomad-ts operator scheduler get-config`: the cluster's scheduler configuration (algorithm,
 * memory oversubscription, preemption per scheduler, ...), as Nomad prints it.
 *
 * @module
 */
import type { SchedulerConfiguration } from "../../structs/mod.ts";
import { type Command, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatKV } from "../format/columns.ts";
import { formatData } from "../format/data.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  json: { type: "bool" },
  t: { type: "string" },
} as const;

/** The configuration as `get-config` prints it. */
export function formatSchedulerConfig(c: SchedulerConfiguration): string {
  const p = c.PreemptionConfig;
  return formatKV([
    `Scheduler Algorithm|${c.SchedulerAlgorithm}`,
    `Memory Oversubscription|${c.MemoryOversubscriptionEnabled}`,
    `Reject Job Registration|${c.RejectJobRegistration}`,
    `Pause Eval Broker|${c.PauseEvalBroker}`,
    `Preemption System Scheduler|${p.SystemSchedulerEnabled}`,
    `Preemption Service Scheduler|${p.ServiceSchedulerEnabled}`,
    `Preemption Batch Scheduler|${p.BatchSchedulerEnabled}`,
    `Preemption SysBatch Scheduler|${p.SysBatchSchedulerEnabled}`,
    `Node Limit For Feasibility Checks|${c.NodeLimitForFeasibilityChecks ?? 0}`,
    `Modify Index|${c.ModifyIndex}`,
  ]);
}

/** The `operator scheduler get-config` command. */
const getConfig: Command = {
  name: "operator scheduler get-config",
  help: () =>
    `Usage: ${PROGRAM} operator scheduler get-config [options]

  Shows the current scheduler configuration.

  With ACLs enabled, this needs a token with the 'operator:read' capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Scheduler Get Config Options:

  -json
    Print the configuration as JSON.

  -t
    Format the configuration with a Go template (not supported yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(getConfig, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      let resp;
      try {
        resp = await client.operator.schedulerGetConfiguration();
      } catch (err) {
        await ctx.ui.error(`Error querying scheduler configuration: ${messageOf(err)}`);
        return 1;
      }
      if (flags.json || flags.t !== "") {
        try {
          await ctx.ui.output(formatData(flags.json, flags.t, resp));
        } catch (err) {
          await ctx.ui.error(messageOf(err));
          return 1;
        }
        return 0;
      }
      if (!resp?.SchedulerConfig) {
        await ctx.ui.error("Error querying scheduler configuration: the agent sent none");
        return 1;
      }
      await ctx.ui.output(formatSchedulerConfig(resp.SchedulerConfig));
      return 0;
    } finally {
      client.close();
    }
  },
};
export default getConfig;
