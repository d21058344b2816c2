/**
 * `nomad-ts job init [-short] [-connect] [filename]` (alias `init`): writes an example job file
 * to start from, never over an existing file. The examples are embedded assets, so a compiled
 * binary carries them.
 *
 * @module
 */
import { resolve } from "node:path";
import { type Command, commandErrorText, parseCommandFlags, PROGRAM } from "../command.ts";
import { CLIENT_FLAGS } from "../meta.ts";
import example from "../assets/example.nomad.hcl" with { type: "text" };
import exampleShort from "../assets/example_short.nomad.hcl" with { type: "text" };
import connect from "../assets/connect.nomad.hcl" with { type: "text" };
import connectShort from "../assets/connect_short.nomad.hcl" with { type: "text" };

/** The file written without a filename argument. */
export const DEFAULT_INIT_NAME = "example.nomad.hcl";

const FLAGS = {
  ...CLIENT_FLAGS,
  short: { type: "bool" },
  connect: { type: "bool" },
  template: { type: "string" },
  "list-templates": { type: "bool" },
} as const;

/** The example job text for the `-short` and `-connect` choices. */
export function exampleJob(opts: { short: boolean; connect: boolean }): string {
  if (opts.connect) return opts.short ? connectShort : connect;
  return opts.short ? exampleShort : example;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** The `job init` command. */
const jobInit: Command = {
  name: "job init",
  help: () =>
    `Usage: ${PROGRAM} job init [options] [filename]
Alias: ${PROGRAM} init

  Writes an example job file to start a new job from. Without a filename the
  file is "${DEFAULT_INIT_NAME}" in the current directory, with or without
  -short, as Nomad does. An existing file is never overwritten.

Init Options:

  -short
    Write a minimal job, without the comments that explain each block.

  -connect
    Write a job of two services that talk through a Consul service mesh
    (Connect) instead of the single Redis service.

  -template
    Start from a job template stored in the Nomad variable
    nomad/job-templates/<template> (needs the server; not built yet).

  -list-templates
    List the job templates stored under nomad/job-templates/ (needs the
    server; not built yet).`,

  async run(args, ctx) {
    const parsed = await parseCommandFlags(jobInit, FLAGS, args, ctx.ui);
    if (!parsed) return 1;
    const { flags } = parsed;
    if (parsed.args.length > 1) {
      await ctx.ui.error("This command takes either no arguments or one: <filename>");
      await ctx.ui.error(commandErrorText(jobInit));
      return 1;
    }
    const filename = parsed.args[0] ?? DEFAULT_INIT_NAME;
    const path = resolve(ctx.cwd, filename);
    try {
      if (await exists(path) && !flags["list-templates"]) {
        await ctx.ui.error(`Job '${filename}' already exists`);
        return 1;
      }
    } catch (err) {
      await ctx.ui.error(`Failed to stat '${filename}': ${(err as Error).message}`);
      return 1;
    }
    if (flags.template !== "" || flags["list-templates"]) {
      await ctx.ui.error(
        `Error: job templates are Nomad variables read from the server, which is not built ` +
          `yet in ${PROGRAM}; -template and -list-templates come in a later version.`,
      );
      return 1;
    }
    try {
      await Deno.writeTextFile(path, exampleJob(flags), { createNew: true, mode: 0o660 });
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) {
        await ctx.ui.error(`Job '${filename}' already exists`);
      } else {
        await ctx.ui.error(`Failed to write '${filename}': ${(err as Error).message}`);
      }
      return 1;
    }
    await ctx.ui.output(`Example job file written to ${filename}`);
    return 0;
  },
};
export default jobInit;
