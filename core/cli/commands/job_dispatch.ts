/**
 * `nomad-ts job dispatch [options] <parameterized job> [input source]`: creates an instance of
 * a parameterized job with a payload read from a file or stdin (`-`) and `-meta` pairs, prints
 * the dispatched job's ID and follows its evaluation (unless `-detach`, or when the child is
 * periodic and has none).
 *
 * Left out: `-wait` (following the child's allocations until they finish), refused as an
 * unknown flag.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  type Command,
  commandErrorText,
  type Context,
  parseCommandFlags,
  PROGRAM,
} from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { formatKV, idLength, limit } from "../format/columns.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf, showUiHint } from "./_api.ts";
import { EvalMonitor } from "./_monitor.ts";
import { jobIDByPrefix, NoJobWithPrefixError } from "./_prefix.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  detach: { type: "bool" },
  verbose: { type: "bool" },
  ui: { type: "bool" },
  "idempotency-token": { type: "string" },
  meta: { type: "strings" },
  "id-prefix-template": { type: "string" },
  priority: { type: "int" },
} as const;

async function readInput(source: string, ctx: Context): Promise<Uint8Array> {
  if (source !== "-") return await Deno.readFile(resolve(ctx.cwd, source));
  if (ctx.stdin === undefined) return new Uint8Array();
  return new Uint8Array(await new Response(ctx.stdin).arrayBuffer());
}

/** The `job dispatch` command. */
const jobDispatch: Command = {
  name: "job dispatch",
  help: () =>
    `Usage: ${PROGRAM} job dispatch [options] <parameterized job> [input source]

  Dispatch creates an instance of a parameterized job. A data payload to the
  dispatched instance can be provided via stdin by using "-" or by specifying a
  path to a file. Metadata can be supplied by using the meta flag one or more
  times.

  An optional idempotency token can be used to prevent more than one instance
  of the job to be dispatched. If an instance with the same token already
  exists, the command returns without any action.

  Upon successful creation, the dispatched job ID will be printed and the
  triggered evaluation will be monitored. This can be disabled by supplying the
  detach flag.

  When ACLs are enabled, this command requires a token with the 'dispatch-job'
  capability for the job's namespace. The 'list-jobs' capability is required to
  run the command with a job prefix instead of the exact job ID. The 'read-job'
  capability is required to monitor the resulting evaluation when -detach is
  not used.

General Options:

  ${generalOptionsUsage()}

Dispatch Options:

  -meta <key>=<value>
    Meta takes a key/value pair separated by "=". The metadata key will be
    merged into the job's metadata. The job may define a default value for the
    key which is overridden when dispatching. The flag can be provided more than
    once to inject multiple metadata key/value pairs. Arbitrary keys are not
    allowed. The parameterized job must allow the key to be merged.

  -detach
    Return immediately instead of entering monitor mode. After job dispatch,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -idempotency-token
    Optional identifier used to prevent more than one instance of the job from
    being dispatched.

  -id-prefix-template
    Optional prefix template for dispatched job IDs.

  -priority
    Optional priority of the dispatched job; defaults to the parameterized
    job's priority.

  -verbose
    Display full information.

  -ui
    Open the dispatched job in the browser.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobDispatch, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    const length = idLength(flags.verbose);
    if (parsed.args.length < 1 || parsed.args.length > 2) {
      await ctx.ui.error(
        "This command takes one or two argument: <parameterized job> [input source]",
      );
      await ctx.ui.error(commandErrorText(jobDispatch));
      return 1;
    }
    let payload: Uint8Array | undefined;
    if (parsed.args.length === 2) {
      try {
        payload = await readInput(parsed.args[1]!, ctx);
      } catch (err) {
        await ctx.ui.error(`Error reading input data: ${messageOf(err)}`);
        return 1;
      }
    }
    const meta: Record<string, string> = {};
    for (const m of flags.meta) {
      const eq = m.indexOf("=");
      if (eq < 0) {
        await ctx.ui.error(`Error parsing meta value: ${m}`);
        return 1;
      }
      meta[m.slice(0, eq)] = m.slice(eq + 1);
    }
    const client = await connect(flags, ctx);
    if (!client) return 1;
    try {
      const prefix = parsed.args[0]!.trim();
      let ref;
      try {
        ref = await jobIDByPrefix(client, prefix, {
          filter: (j) => j.ParentID === "" && j.ParameterizedJob,
        });
      } catch (err) {
        await ctx.ui.error(
          err instanceof NoJobWithPrefixError
            ? `No parameterized job(s) with prefix or ID ${goQuote(prefix)} found`
            : messageOf(err),
        );
        return 1;
      }
      let resp;
      try {
        resp = await client.jobs.dispatch(ref.id, {
          meta,
          ...(payload === undefined ? {} : { payload }),
          idPrefixTemplate: flags["id-prefix-template"],
          priority: flags.priority,
        }, { namespace: ref.namespace, idempotencyToken: flags["idempotency-token"] });
      } catch (err) {
        await ctx.ui.error(`Failed to dispatch job: ${messageOf(err)}`);
        return 1;
      }
      // A periodic child gets no evaluation: the dispatcher launches it on time.
      const evalCreated = resp.EvalID !== "";
      const basic = [`Dispatched Job ID|${resp.DispatchedJobID}`];
      if (evalCreated) basic.push(`Evaluation ID|${limit(resp.EvalID, length)}`);
      await ctx.ui.output(formatKV(basic));
      if (flags.detach || !evalCreated) return 0;
      await ctx.ui.output("");
      await showUiHint(client, ctx, "job dispatch", {
        dispatchID: encodeURIComponent(resp.DispatchedJobID),
        namespace: ref.namespace || "default",
      }, { open: flags.ui, blankAfter: true });
      const code = await new EvalMonitor(client, ctx, length).monitor(resp.EvalID);
      return code === 0 ? 0 : 1;
    } finally {
      client.close();
    }
  },
};
export default jobDispatch;
