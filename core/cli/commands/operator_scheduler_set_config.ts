/**
 * `nomad-ts operator scheduler set-config [options]`: changes the settings given on the command
 * line and keeps the others, with a check-and-set on the configuration's modify index (so two
 * operators cannot overwrite each other's changes), as Nomad does.
 *
 * @module
 */
import type { SchedulerConfiguration } from "../../structs/mod.ts";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { parseGoBool, parseGoInt } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf, parseUint } from "./_api.ts";

const BOOL_SETTINGS = {
  "memory-oversubscription": (c: SchedulerConfiguration, v: boolean) => {
    c.MemoryOversubscriptionEnabled = v;
  },
  "reject-job-registration": (c: SchedulerConfiguration, v: boolean) => {
    c.RejectJobRegistration = v;
  },
  "pause-eval-broker": (c: SchedulerConfiguration, v: boolean) => {
    c.PauseEvalBroker = v;
  },
  "preempt-batch-scheduler": (c: SchedulerConfiguration, v: boolean) => {
    c.PreemptionConfig.BatchSchedulerEnabled = v;
  },
  "preempt-service-scheduler": (c: SchedulerConfiguration, v: boolean) => {
    c.PreemptionConfig.ServiceSchedulerEnabled = v;
  },
  "preempt-sysbatch-scheduler": (c: SchedulerConfiguration, v: boolean) => {
    c.PreemptionConfig.SysBatchSchedulerEnabled = v;
  },
  "preempt-system-scheduler": (c: SchedulerConfiguration, v: boolean) => {
    c.PreemptionConfig.SystemSchedulerEnabled = v;
  },
} as const;

const FLAGS = {
  ...CLIENT_FLAGS,
  "check-index": { type: "string" },
  "scheduler-algorithm": { type: "string" },
  "memory-oversubscription": { type: "string" },
  "reject-job-registration": { type: "string" },
  "pause-eval-broker": { type: "string" },
  "preempt-batch-scheduler": { type: "string" },
  "preempt-service-scheduler": { type: "string" },
  "preempt-sysbatch-scheduler": { type: "string" },
  "preempt-system-scheduler": { type: "string" },
  "node-limit-for-feasibility-checks": { type: "string" },
} as const;

/** The `operator scheduler set-config` command. */
const setConfig: Command = {
  name: "operator scheduler set-config",
  help: () =>
    `Usage: ${PROGRAM} operator scheduler set-config [options]

  Changes the scheduler configuration: the settings given as options change,
  the others stay as they are.

  With ACLs enabled, this needs a token with the 'operator:write' capability.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Scheduler Set Config Options:

  -check-index
    Change the configuration only if its modify index is still this one.

  -scheduler-algorithm=["binpack"|"spread"]
    Whether the scheduler packs allocations onto few nodes or spreads them.

  -memory-oversubscription=[true|false]
    Let tasks with memory_max use more memory than they reserved when the
    client has some to spare.

  -reject-job-registration=[true|false]
    Refuse job registrations, dispatches and scaling from tokens that are not
    management tokens (all of them when ACLs are off).

  -pause-eval-broker=[true|false]
    Stop handing evaluations to the scheduler workers.

  -preempt-batch-scheduler=[true|false]
    Let batch jobs preempt lower-priority allocations.

  -preempt-service-scheduler=[true|false]
    Let service jobs preempt lower-priority allocations.

  -preempt-sysbatch-scheduler=[true|false]
    Let sysbatch jobs preempt lower-priority allocations.

  -preempt-system-scheduler=[true|false]
    Let system jobs preempt lower-priority allocations.

  -node-limit-for-feasibility-checks=<count>
    How many feasible nodes to consider for jobs with spread or affinity
    (default 100).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(setConfig, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags, set } = parsed;
    const changes: ((c: SchedulerConfiguration) => void)[] = [];
    for (const [name, apply] of Object.entries(BOOL_SETTINGS)) {
      if (!set.has(name as keyof typeof FLAGS & string)) continue;
      const text = flags[name as keyof typeof BOOL_SETTINGS];
      let value: boolean;
      try {
        value = parseGoBool(text);
      } catch {
        await ctx.ui.error(
          `invalid value ${JSON.stringify(text)} for flag -${name}: strconv.ParseBool: ` +
            `parsing ${JSON.stringify(text)}: invalid syntax`,
        );
        await ctx.ui.output(setConfig.help());
        return 1;
      }
      changes.push((c) => apply(c, value));
    }
    if (set.has("node-limit-for-feasibility-checks")) {
      const text = flags["node-limit-for-feasibility-checks"];
      let n: number;
      try {
        n = parseGoInt(text);
        if (n < 0) throw new RangeError("invalid syntax");
      } catch {
        await ctx.ui.error(
          `invalid value ${JSON.stringify(text)} for flag -node-limit-for-feasibility-checks: ` +
            `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`,
        );
        await ctx.ui.output(setConfig.help());
        return 1;
      }
      changes.push((c) => (c.NodeLimitForFeasibilityChecks = n));
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      if (parsed.args.length !== 0) {
        await ctx.ui.error("This command takes no arguments");
        await ctx.ui.error(commandErrorText(setConfig));
        return 1;
      }
      let checkIndex: number;
      try {
        checkIndex = parseUint(flags["check-index"]) ?? 0;
      } catch (err) {
        await ctx.ui.error(
          `Error parsing check-index value ${JSON.stringify(flags["check-index"])}: ${
            messageOf(err)
          }`,
        );
        return 1;
      }
      let config: SchedulerConfiguration;
      try {
        const resp = await client.operator.schedulerGetConfiguration();
        if (!resp?.SchedulerConfig) throw new Error("the agent sent no configuration");
        config = resp.SchedulerConfig;
      } catch (err) {
        await ctx.ui.error(`Error querying for scheduler configuration: ${messageOf(err)}`);
        return 1;
      }
      if (checkIndex > 0 && config.ModifyIndex !== checkIndex) {
        await ctx.ui.error(
          `Error performing check index set: check-index ${checkIndex} does not match does not ` +
            `match current state value ${config.ModifyIndex}`,
        );
        return 1;
      }
      if (checkIndex > 0) config.ModifyIndex = checkIndex;
      if (flags["scheduler-algorithm"] !== "") {
        config.SchedulerAlgorithm = flags["scheduler-algorithm"];
      }
      for (const change of changes) change(config);
      let updated: boolean;
      try {
        updated = (await client.operator.schedulerCASConfiguration(config))?.Updated ?? false;
      } catch (err) {
        await ctx.ui.error(`Error setting scheduler configuration: ${messageOf(err)}`);
        return 1;
      }
      if (updated) {
        await ctx.ui.output("Scheduler configuration updated!");
        return 0;
      }
      await ctx.ui.output(
        "Scheduler configuration could not be atomically updated, please try again",
      );
      return 1;
    } finally {
      client.close();
    }
  },
};
export default setConfig;
