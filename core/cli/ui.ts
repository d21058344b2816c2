/**
 * Printing for commands, the way Nomad's `cli.Ui` does it: `output` and `info` to stdout, `error`
 * and `warn` to stderr, each message followed by a newline. With color on, errors are red,
 * warnings yellow and information green, and `colorize` turns `[bold][green]...[reset]` tags into
 * terminal codes; with color off the tags are removed.
 *
 * @module
 */

/** Where bytes go: `Deno.stdout`, `Deno.stderr`, or a buffer in tests. */
export interface Writer {
  write(p: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** Writes all of `text` to `w`, looping over short writes. */
export async function writeAll(w: Writer, text: string): Promise<void> {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) {
    const n = await w.write(bytes);
    bytes = bytes.subarray(n);
  }
}

const CODES: Readonly<Record<string, string>> = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  underline: "\x1b[4m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  magenta: "\x1b[35m",
  cyan: "\x1b[36m",
};
const TAG = /\[(reset|bold|dim|underline|red|green|yellow|blue|magenta|cyan)\]/g;

/** The two output streams of a command and whether they may carry color codes. */
export class Ui {
  readonly #out: Writer;
  readonly #err: Writer;
  /** True when messages carry terminal color codes. */
  readonly color: boolean;
  /** True when stdout is a terminal, where output may be redrawn in place (`-monitor`). */
  readonly terminal: boolean;

  constructor(out: Writer, err: Writer, opts: { color?: boolean; terminal?: boolean } = {}) {
    this.#out = out;
    this.#err = err;
    this.color = opts.color ?? false;
    this.terminal = opts.terminal ?? false;
  }

  /** Prints `text` and a newline to stdout. */
  output(text: string): Promise<void> {
    return writeAll(this.#out, `${text}\n`);
  }

  /** Prints `text` and a newline to stdout, in green when color is on (Nomad's `Ui.Info`). */
  info(text: string): Promise<void> {
    return writeAll(this.#out, `${this.#paint(text, "32")}\n`);
  }

  /** Prints `text` and a newline to stderr, in red when color is on. */
  error(text: string): Promise<void> {
    return writeAll(this.#err, `${this.#paint(text, "31")}\n`);
  }

  /** Prints `text` and a newline to stderr, in yellow when color is on. */
  warn(text: string): Promise<void> {
    return writeAll(this.#err, `${this.#paint(text, "33")}\n`);
  }

  /** Writes `text` to stdout as is. */
  rawOutput(text: string): Promise<void> {
    return writeAll(this.#out, text);
  }

  /** Writes `text` to stderr as is. */
  rawError(text: string): Promise<void> {
    return writeAll(this.#err, text);
  }

  /**
   * Replaces `[bold]`, `[green]`, `[reset]`, ... with terminal codes when color is on, or
   * removes them when it is off.
   *
   * @example
   * ```ts
   * new Ui(Deno.stdout, Deno.stderr).colorize("[bold][green]Done[reset]"); // "Done"
   * ```
   */
  colorize(text: string): string {
    if (!this.color) return text.replace(TAG, "");
    let used = false;
    const out = text.replace(TAG, (_, name: string) => {
      used = true;
      return CODES[name]!;
    });
    return used ? out + CODES.reset : out;
  }

  #paint(text: string, code: string): string {
    return this.color && text !== "" ? `\x1b[0;${code}m${text}\x1b[0m` : text;
  }
}
