/**
 * `nomad-ts monitor [options]`: streams the log lines of an agent (`GET /v1/agent/monitor`) to
 * stdout as they are logged, at a level of its own (`-log-level DEBUG` while the agent logs at
 * INFO), until the agent ends the stream or the user presses Ctrl-C (exit 0).
 *
 * As in Nomad, the command's own messages go through a prefixed UI: errors start with `==> `,
 * and the help printed after a flag error is indented by four spaces.
 *
 * @module
 */
import { type Command, PROGRAM } from "../command.ts";
import { FlagError, parseFlags } from "../flags.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { connect, messageOf } from "./_api.ts";
import { abortOnInterrupt } from "./_alloc_output.ts";
import { lookupNodeID } from "./_node_lookup.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  "log-level": { type: "string" },
  "log-include-location": { type: "bool" },
  "node-id": { type: "string" },
  "server-id": { type: "string" },
  json: { type: "bool" },
} as const;

const ERROR_PREFIX = "==> ";

/** The `monitor` command. */
const monitor: Command = {
  name: "monitor",
  help: () =>
    `Usage: ${PROGRAM} monitor [options]

  Streams the log lines of a Nomad agent as they are written. The stream has a
  level of its own: an agent that logs at INFO can still be monitored with
  -log-level DEBUG.

General Options:

  ${generalOptionsUsage({ namespace: false })}

Monitor Specific Options:

  -log-level <level>
    The least severe level to stream: TRACE, DEBUG, INFO, WARN or ERROR
    (default: INFO).

  -log-include-location
    Add the file and line of each message (nomad-ts has none to add).

  -node-id <node-id>
    Stream the agent of this client node (an ID or a prefix of one).

  -server-id <server-id>
    Stream this server's agent ("leader" or a server name).

  -json
    Stream one JSON object per line.`,

  async run(args, ctx) {
    const fail = async (...messages: string[]) => {
      for (const m of messages) await ctx.ui.error(`${ERROR_PREFIX}${m}`);
      return 1;
    };
    let parsed;
    try {
      parsed = parseFlags(FLAGS, args);
    } catch (err) {
      if (!(err instanceof FlagError)) throw err;
      await ctx.ui.error(err.message);
      await ctx.ui.output(`    ${monitor.help()}`);
      return 1;
    }
    const { flags } = parsed;
    const usage = `For additional help try '${PROGRAM} monitor -help'`;
    if (parsed.args.length !== 0) return await fail("This command takes no arguments", usage);
    const client = await connect(flags, ctx);
    if (!client) return 1;
    const controller = new AbortController();
    const stopListening = abortOnInterrupt(controller);
    try {
      let nodeID = flags["node-id"];
      if (nodeID !== "") {
        try {
          nodeID = await lookupNodeID(client, nodeID);
        } catch (err) {
          return await fail(messageOf(err));
        }
      }
      let frames;
      try {
        frames = await client.agent.monitor({
          logLevel: flags["log-level"],
          nodeID,
          serverID: flags["server-id"],
          json: flags.json,
          includeLocation: flags["log-include-location"],
          signal: controller.signal,
        });
      } catch (err) {
        if (controller.signal.aborted) return 0;
        return await fail(`Error starting monitor: ${messageOf(err)}`, usage);
      }
      const decoder = new TextDecoder();
      try {
        for await (const frame of frames) {
          const text = decoder.decode(frame.Data, { stream: true });
          if (text !== "") await ctx.ui.rawOutput(text);
        }
        const rest = decoder.decode();
        if (rest !== "") await ctx.ui.rawOutput(rest);
      } catch (err) {
        if (controller.signal.aborted) return 0;
        return await fail(`error monitoring logs: ${messageOf(err)}`);
      }
      return 0;
    } finally {
      stopListening();
      client.close();
    }
  },
};
export default monitor;
