/**
 * `nomad-ts node drain -enable|-disable [options] <node>`: starts or cancels moving the
 * allocations off a node, then (when enabling, unless `-detach`) follows the drain until the
 * node is empty, printing Nomad's progress lines with timestamps; `-monitor` only follows a
 * drain already under way.
 *
 * @module
 */
import { HOUR, parseDuration, SECOND } from "../../structs/mod.ts";
import type { ApiClient, DrainOptions } from "../api/mod.ts";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import type { FlagValues } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatTime, now } from "../format/time.ts";
import { ask, connect, messageOf } from "./_api.ts";
import { monitorDrain } from "./_drain_monitor.ts";
import { findNode } from "./_node_lookup.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  enable: { type: "bool" },
  disable: { type: "bool" },
  deadline: { type: "string" },
  detach: { type: "bool" },
  force: { type: "bool" },
  "no-deadline": { type: "bool" },
  "ignore-system": { type: "bool" },
  "keep-ineligible": { type: "bool" },
  self: { type: "bool" },
  yes: { type: "bool" },
  monitor: { type: "bool" },
  m: { type: "string" },
  meta: { type: "strings" },
} as const;

type Flags = FlagValues<typeof FLAGS>;

/** The deadline when none is given (Nomad's `defaultDrainDuration`). */
export const DEFAULT_DRAIN_DEADLINE = HOUR;

/**
 * The flag combinations Nomad refuses, as the message it prints; `undefined` when the flags
 * go together.
 */
export function drainFlagProblem(flags: Flags, args: number): string | undefined {
  if (flags.monitor && (flags.enable || flags.disable)) {
    return "The -monitor flag cannot be used with the '-enable' or '-disable' flags";
  }
  if ((flags.enable && flags.disable) || (!flags.monitor && !flags.enable && !flags.disable)) {
    return "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'";
  }
  if ((flags.self && args !== 0) || (!flags.self && args !== 1)) {
    return "Node ID must be specified if -self isn't being used";
  }
  if (
    flags.disable &&
    (flags.deadline !== "" || flags.force || flags["no-deadline"] || flags["ignore-system"])
  ) {
    return "-disable can't be combined with flags configuring drain strategy";
  }
  if (flags.deadline !== "" && (flags.force || flags["no-deadline"])) {
    return "-deadline can't be combined with -force or -no-deadline";
  }
  if (flags.force && flags["no-deadline"]) return "-force and -no-deadline are mutually exclusive";
  return undefined;
}

/**
 * The drain deadline in nanoseconds: -1 s with `-force`, 0 with `-no-deadline`, the parsed
 * `-deadline`, else one hour.
 *
 * @throws {Error} Nomad's message for a deadline that does not parse or is not positive.
 */
export function drainDeadline(flags: Flags): number {
  if (flags.force) return -SECOND;
  if (flags["no-deadline"]) return 0;
  if (flags.deadline === "") return DEFAULT_DRAIN_DEADLINE;
  let d: number;
  try {
    d = parseDuration(flags.deadline);
  } catch (err) {
    throw new Error(`Failed to parse deadline "${flags.deadline}": ${messageOf(err)}`);
  }
  if (d <= 0) throw new Error("A positive drain duration must be given");
  return d;
}

/** Asks to confirm a drain toggle by prefix; `undefined` to go on, else the exit code. */
async function confirm(ctx: Context, verb: string, nodeID: string): Promise<number | undefined> {
  let answer: string;
  try {
    answer = await ask(
      ctx,
      `Are you sure you want to ${verb} drain mode for node "${nodeID}"? [y/N]`,
    );
  } catch (err) {
    await ctx.ui.error(`Failed to parse answer: ${messageOf(err)}`);
    return 1;
  }
  const lower = answer.toLowerCase();
  if (answer === "" || lower.startsWith("n")) {
    await ctx.ui.output("Canceling drain toggle");
    return 0;
  }
  if (lower.startsWith("y") && answer.length > 1) {
    await ctx.ui.output("For confirmation, an exact \u2018y\u2019 is required.");
    return 0;
  }
  if (answer !== "y") {
    await ctx.ui.output("No confirmation detected. For confirmation, an exact 'y' is required.");
    return 1;
  }
  return undefined;
}

/** Prints the drain's progress until it ends, each line stamped with the time. */
async function follow(
  client: ApiClient,
  ctx: Context,
  nodeID: string,
  index: number,
  ignoreSystem: boolean,
): Promise<void> {
  for await (const m of monitorDrain(client, nodeID, { index, ignoreSystem })) {
    const line = `${formatTime(now())}: ${m.text}`;
    if (m.level === "info") await ctx.ui.info(line);
    else if (m.level === "warn") await ctx.ui.warn(line);
    else if (m.level === "error") await ctx.ui.error(line);
    else await ctx.ui.output(line);
  }
}

/** The drain metadata to send: the last drain's when cancelling, `-m` and `-meta` pairs. */
function drainMeta(flags: Flags, last: Record<string, unknown> | null): Record<string, string> {
  const meta: Record<string, string> = {};
  const lastMeta = last?.Meta;
  if (flags.disable && lastMeta !== null && typeof lastMeta === "object") {
    for (const [k, v] of Object.entries(lastMeta)) if (typeof v === "string") meta[k] = v;
  }
  if (flags.m !== "") meta[flags.enable ? "message" : "cancel_message"] = flags.m;
  for (const pair of flags.meta) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    if (at < 0) meta[pair] = "";
    else meta[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return meta;
}

/** The `node drain` command. */
const nodeDrain: Command = {
  name: "node drain",
  help: () =>
    `Usage: ${PROGRAM} node drain [options] <node>

  Starts or stops draining a node: moving its allocations to other nodes and
  keeping new ones off it. Give exactly one of -enable and -disable (or
  -monitor to follow a drain under way); -self drains the node of the agent the
  command talks to.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Node Drain Options:

  -disable
    Stop draining the node.

  -enable
    Start draining the node.

  -deadline <duration>
    How long the allocations have to move off the node; those still there
    afterwards are stopped. Default: one hour.

  -detach
    Return at once instead of following the drain.

  -monitor
    Only follow the drain under way, without changing it.

  -force
    Stop the allocations on the node at once.

  -no-deadline
    Let the allocations move off the node without ever being stopped by force.

  -ignore-system
    Leave the allocations of system jobs on the node; the drain completes
    without them. By default they are stopped last.

  -keep-ineligible
    Keep the node ineligible for new allocations when cancelling a drain.

  -m
    A message recorded with the drain (as "message" when enabling,
    "cancel_message" when disabling).

  -meta <key>=<value>
    Metadata recorded with the drain; may be repeated.

  -self
    Drain the node of the local agent.

  -yes
    Do not ask for confirmation when the node is given by a prefix.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(nodeDrain, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const problem = drainFlagProblem(flags, parsed.args.length);
    if (problem !== undefined) {
      await ctx.ui.error(problem);
      await ctx.ui.error(commandErrorText(nodeDrain));
      return 1;
    }
    let deadline: number;
    try {
      deadline = drainDeadline(flags);
    } catch (err) {
      await ctx.ui.error(messageOf(err));
      return 1;
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const found = await findNode(client, ctx, {
        self: flags.self,
        arg: parsed.args[0],
        errorPrefix: "Error toggling drain mode",
      });
      if ("code" in found) return found.code;
      const { node } = found;
      const ignoreSystem = flags["ignore-system"];
      if (flags.monitor) {
        if (node.DrainStrategy === null) {
          await ctx.ui.warn("No drain strategy set");
          return 0;
        }
        await ctx.ui.info(
          `${formatTime(now())}: Monitoring node "${node.ID}": Ctrl-C to detach monitoring`,
        );
        await follow(client, ctx, node.ID, found.meta?.lastIndex ?? 0, ignoreSystem);
        return 0;
      }
      if (found.prefix !== node.ID && !flags.yes) {
        const code = await confirm(ctx, flags.disable ? "disable" : "enable", node.ID);
        if (code !== undefined) return code;
      }
      const opts: DrainOptions = {
        DrainSpec: flags.enable ? { Deadline: deadline, IgnoreSystemJobs: ignoreSystem } : null,
        MarkEligible: !flags["keep-ineligible"],
        Meta: drainMeta(flags, node.LastDrain),
      };
      let index: number;
      try {
        index = (await client.nodes.updateDrain(node.ID, opts)).NodeModifyIndex;
      } catch (err) {
        await ctx.ui.error(`Error updating drain specification: ${messageOf(err)}`);
        return 1;
      }
      if (!flags.enable || flags.detach) {
        await ctx.ui.output(
          `Node "${node.ID}" drain strategy ${flags.enable ? "set" : "unset"}`,
        );
        return 0;
      }
      const at = formatTime(now());
      await ctx.ui.info(`${at}: Ctrl-C to stop monitoring: will not cancel the node drain`);
      await ctx.ui.output(`${at}: Node "${node.ID}" drain strategy set`);
      await follow(client, ctx, node.ID, index, ignoreSystem);
      return 0;
    } finally {
      client.close();
    }
  },
};
export default nodeDrain;
