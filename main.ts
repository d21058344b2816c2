/**
 * The `nomad-ts` executable: runs the command line and exits with its code. Everything else
 * lives in core/cli.
 *
 * @module
 */
import { run } from "./core/cli/mod.ts";

const code = await run(Deno.args, {
  stdout: Deno.stdout,
  stderr: Deno.stderr,
  stdin: Deno.stdin.readable,
  env: Deno.env.toObject(),
  cwd: Deno.cwd(),
  stdoutIsTerminal: Deno.stdout.isTerminal(),
});
Deno.exit(code);
