/**
 * What the commands that talk to an agent share: building the API client from the connection
 * flags and `NOMAD_*` variables, colors, the Web UI hints Nomad prints after some commands
 * (`==> View this job in the Web UI: http://127.0.0.1:4646/ui/jobs/web@default`), and
 * questions on stdin (`job stop`'s confirmation).
 *
 * @module
 */
import { ApiClient } from "../api/mod.ts";
import type { Context } from "../command.ts";
import { parseGoBool } from "../flags.ts";
import { clientConfig, type ClientFlags } from "../meta.ts";
import { colorize } from "../format/color.ts";
import { setLocalZoneFromEnv } from "../format/time.ts";

/**
 * The API client of a command, from its flags and environment; prints Nomad's
 * `Error initializing client: ...` and returns `undefined` when it cannot be built. Also sets
 * the time zone times print in from `TZ`.
 */
export async function connect(flags: ClientFlags, ctx: Context): Promise<ApiClient | undefined> {
  setLocalZoneFromEnv(ctx.env);
  try {
    return await ApiClient.create(clientConfig(flags, ctx.env));
  } catch (err) {
    await ctx.ui.error(`Error initializing client: ${(err as Error).message}`);
    return undefined;
  }
}

/** Replaces color tags (`[bold]`) with terminal codes, or removes them when color is off. */
export function paint(ctx: Context, text: string): string {
  return colorize(text, ctx.ui.color);
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Parses an unsigned decimal as Go's `strconv.ParseUint(s, 10, 64)` (`-check-index`,
 * `-version`): `undefined` for `""`.
 *
 * @throws {Error} Go's `strconv.ParseUint: parsing "x": invalid syntax` (or `value out of
 * range`).
 */
export function parseUint(text: string): number | undefined {
  if (text === "") return undefined;
  if (!/^[0-9]+$/.test(text)) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const n = BigInt(text);
  if (n > 0xffffffffffffffffn) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  }
  return Number(n);
}

/** The command line again without `-page-token` and its value, for the next-page hint. */
export function argsWithoutPageToken(args: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (/^--?page-token/.test(arg)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    out.push(arg);
  }
  return out.join(" ");
}

/** Pages of the Web UI that commands point to, as Nomad's `CommandUIRoutes`. */
const UI_ROUTES: Readonly<Record<string, { path: string; description: string }>> = {
  "server members": { path: "/servers", description: "View and manage Nomad servers" },
  "node status": { path: "/clients", description: "View and manage Nomad clients" },
  "node status single": {
    path: "/clients/:nodeID",
    description: "View client details and metrics",
  },
  "job status": { path: "/jobs", description: "View and manage Nomad jobs" },
  "job status single": {
    path: "/jobs/:jobID@:namespace",
    description: "View job details and metrics",
  },
  "job run": { path: "/jobs/:jobID@:namespace", description: "View this job" },
  "job dispatch": { path: "/jobs/:dispatchID@:namespace", description: "View this job" },
  "alloc status": { path: "/allocations/:allocID", description: "View allocation details" },
  "eval list": { path: "/evaluations", description: "View evaluations" },
  "eval status": {
    path: "/evaluations?currentEval=:evalID",
    description: "View evaluation details",
  },
  "deployment status": {
    path: "/jobs/:jobID/deployments",
    description: "View all deployments for this job",
  },
};

async function hintsDisabled(client: ApiClient, ctx: Context): Promise<boolean> {
  const env = ctx.env.NOMAD_CLI_SHOW_HINTS;
  let fromEnv: boolean | undefined;
  if (env) {
    try {
      fromEnv = parseGoBool(env);
    } catch {
      fromEnv = undefined;
    }
  }
  if (fromEnv === false) return true;
  let self;
  try {
    self = await client.agent.self();
  } catch {
    return true;
  }
  const ui = self?.config?.UI;
  if (ui === null || typeof ui !== "object") return false;
  const show = (ui as Record<string, unknown>).ShowCLIHints;
  if (typeof show !== "boolean") return false;
  return !show && fromEnv !== true;
}

async function openBrowser(url: string): Promise<void> {
  const [cmd, ...args] = Deno.build.os === "darwin"
    ? ["open", url]
    : Deno.build.os === "windows"
    ? ["rundll32", "url.dll,FileProtocolHandler", url]
    : ["xdg-open", url];
  const out = await new Deno.Command(cmd!, { args, stdout: "null", stderr: "null" }).output();
  if (!out.success) throw new Error(`${cmd} exited with code ${out.code}`);
}

/**
 * Prints the Web UI hint of a command on stderr (and opens the page with `-ui`), unless hints
 * are off: `NOMAD_CLI_SHOW_HINTS=false`, the agent's `ui { show_cli_hints = false }`, or an
 * agent that cannot be asked.
 *
 * @param route A key of Nomad's `CommandUIRoutes` (`"job status single"`).
 * @param params Values for the route's `:name` placeholders.
 * @param opts `open` to open the page; `blankAfter` for the empty line `job run` adds.
 */
export async function showUiHint(
  client: ApiClient,
  ctx: Context,
  route: string,
  params: Readonly<Record<string, string>> = {},
  opts: { open?: boolean; blankAfter?: boolean } = {},
): Promise<void> {
  const r = UI_ROUTES[route];
  if (!r) return;
  let path = r.path;
  for (const [k, v] of Object.entries(params)) path = path.replaceAll(`:${k}`, v);
  const url = `${client.address}/ui${path}`;
  if (opts.open) {
    try {
      await openBrowser(url);
    } catch (err) {
      await ctx.ui.warn(`Failed to open browser: ${messageOf(err)}`);
    }
  }
  if (await hintsDisabled(client, ctx)) return;
  const description = `${r.description} in the Web UI:`;
  const hint = ctx.ui.color
    ? `\x1b[1m\x1b[35m\n==> ${description}\x1b[0m \x1b[34m${url}\x1b[0m`
    : `\n\n==> ${description} ${url}`;
  await ctx.ui.warn(hint);
  if (opts.blankAfter) await ctx.ui.warn("");
}

/**
 * Asks a question as Nomad's `Ui.Ask` does: the question and a space on stdout, then one line
 * from stdin, without its trailing white space.
 *
 * @throws {Error} `EOF` when stdin ends before a line (or there is no stdin).
 */
export async function ask(ctx: Context, question: string): Promise<string> {
  await ctx.ui.rawOutput(`${question} `);
  if (!ctx.stdin) throw new Error("EOF");
  const reader = ctx.stdin.getReader();
  const decoder = new TextDecoder();
  let line = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("EOF");
      line += decoder.decode(value, { stream: true });
      if (line.includes("\n")) {
        line = line.slice(0, line.indexOf("\n"));
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return line.trimEnd();
}
