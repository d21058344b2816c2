/**
 * Test helpers: run the CLI in-process with captured output.
 *
 * @module
 */
import { run } from "./mod.ts";
import type { Writer } from "./ui.ts";

/** A {@link Writer} that keeps what is written, as text. */
export class TextSink implements Writer {
  #text = "";
  #decoder = new TextDecoder();

  /** Everything written so far. */
  get text(): string {
    return this.#text;
  }

  /** Appends the bytes, decoded as UTF-8. */
  write(p: Uint8Array): Promise<number> {
    this.#text += this.#decoder.decode(p, { stream: true });
    return Promise.resolve(p.length);
  }
}

/** The outcome of {@link runCli}. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with the given arguments, environment, directory and stdin text. */
export async function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string; terminal?: boolean } = {},
): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await run(args, {
    stdout,
    stderr,
    env: opts.env ?? {},
    cwd: opts.cwd ?? Deno.cwd(),
    ...(opts.stdin === undefined
      ? {}
      : { stdin: ReadableStream.from([new TextEncoder().encode(opts.stdin)]) }),
    stdoutIsTerminal: opts.terminal ?? false,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
