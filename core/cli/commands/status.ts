/**
 * `nomad-ts status [options] [identifier]`: without an identifier, the job list of
 * `job status`; with one, the status of whatever it names — a job, evaluation, node,
 * allocation, deployment, namespace, ... — found by a prefix search, as Nomad does. Against an
 * agent without `/v1/search`, it asks the job, evaluation, node, allocation and deployment
 * lists by prefix instead.
 *
 * @module
 */
import type { ApiClient, SearchContext } from "../api/mod.ts";
import { isStatus } from "../api/mod.ts";
import { loadCommand } from "../catalog.ts";
import { type Command, type Context, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS, generalOptionsUsage } from "../meta.ts";
import { goQuote } from "../format/quote.ts";
import { connect, messageOf } from "./_api.ts";

const FLAGS = {
  ...CLIENT_FLAGS,
  verbose: { type: "bool" },
  ui: { type: "bool" },
} as const;

/** The command that shows each search context. */
const COMMAND_OF: Readonly<Record<string, string>> = {
  evals: "eval status",
  nodes: "node status",
  allocs: "alloc status",
  jobs: "job status",
  deployment: "deployment status",
  namespaces: "namespace status",
  quotas: "quota status",
  plugins: "plugin status",
  volumes: "volume status",
};

type Matches = Record<string, string[] | null>;

/** Prefix matches by context, from `/v1/search` or, when the agent has none, the lists. */
async function findMatches(client: ApiClient, id: string): Promise<Matches | null> {
  try {
    return (await client.search.prefixSearch(id, "all")).Matches;
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
  }
  const q = { prefix: id };
  const lists: [SearchContext, () => Promise<{ ID: string }[]>][] = [
    ["jobs", () => client.jobs.list(q)],
    ["evals", () => client.evaluations.list(q)],
    ["nodes", () => client.nodes.list(q)],
    ["allocs", () => client.allocations.list(q)],
    ["deployment", () => client.deployments.list(q)],
  ];
  const matches: Matches = {};
  for (const [context, list] of lists) {
    try {
      matches[context] = (await list()).map((o) => o.ID);
    } catch {
      matches[context] = [];
    }
  }
  return matches;
}

/** Which context `id` names: the only exact match, or the only context with one match. */
export function resolveContext(
  id: string,
  matches: Matches,
): { context: string } | { ambiguous: true } | { none: true } {
  const exact = Object.entries(matches).filter(([, ids]) => (ids ?? [])[0] === id);
  if (exact.length > 1) return { ambiguous: true };
  if (exact.length === 1) return { context: exact[0]![0] };
  let match: string | undefined;
  let count = 0;
  for (const [context, ids] of Object.entries(matches)) {
    const n = (ids ?? []).length;
    if (n === 1) {
      match = context;
      count++;
    }
    if (count > 1 || n > 1) return { ambiguous: true };
  }
  return match === undefined ? { none: true } : { context: match };
}

async function multiMatchError(ctx: Context, id: string, matches: Matches) {
  await ctx.ui.error(`Multiple matches found for id ${goQuote(id)}`);
  for (const [context, ids] of Object.entries(matches)) {
    if ((ids ?? []).length === 0) continue;
    await ctx.ui.error(`\n${context.charAt(0).toUpperCase()}${context.slice(1)}:`);
    await ctx.ui.error(ids!.join(", "));
  }
}

/** The `status` command. */
const status: Command = {
  name: "status",
  help: () =>
    `Usage: ${PROGRAM} status [options] <identifier>

  Shows the status of whatever the identifier (or a prefix of it) names: a job,
  evaluation, node, allocation, deployment, ... Without an identifier, lists
  the jobs like "${PROGRAM} job status".

General Options:

  ${generalOptionsUsage()}

Status Options:

  -verbose
    Show full information.

  -ui
    Open the status page in the web UI.`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(status, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    if (parsed.args.length === 0) return await (await loadCommand("job status")).run(args, ctx);
    const client = await connect(parsed.flags, ctx);
    if (!client) return 1;
    const id = parsed.args[parsed.args.length - 1]!;
    let matches: Matches | null;
    try {
      matches = await findMatches(client, id);
    } catch (err) {
      await ctx.ui.error(`Error querying search with id: ${goQuote(messageOf(err))}`);
      return 1;
    } finally {
      client.close();
    }
    if (!matches) {
      await ctx.ui.error(`No matches returned for query: ${goQuote(id)}`);
      return 1;
    }
    const found = resolveContext(id, matches);
    if ("ambiguous" in found) {
      await multiMatchError(ctx, id, matches);
      return 1;
    }
    const target = "context" in found ? COMMAND_OF[found.context] : undefined;
    if (target === undefined) {
      await ctx.ui.error(`Unable to resolve ID: ${goQuote(id)}`);
      return 1;
    }
    return await (await loadCommand(target)).run(args, ctx);
  },
};
export default status;
