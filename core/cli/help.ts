/**
 * Help output laid out as Nomad prints it: the top-level list (common commands first, then the
 * rest sorted, columns aligned like Go's `tabwriter` with six spaces of padding), and a
 * command's help followed by its subcommands.
 *
 * @module
 */
import { childrenOf, COMMON_COMMANDS, synopsisOf, UNLISTED_ALIASES } from "./catalog.ts";
import { type Command, PROGRAM } from "./command.ts";

/** Aligns `[name, synopsis]` rows as Nomad's help does: indent 4, name column padded by 6. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([name]) => name.length + 4)) + 6;
  return rows.map(([name, synopsis]) => `${`    ${name}`.padEnd(width)}${synopsis}`);
}

/**
 * The top-level help: the usage line, the common commands in Nomad's order, then every other
 * top-level command sorted (aliases such as `init` and `validate` left out). No trailing
 * newline.
 */
export function rootHelp(): string {
  const top = childrenOf("");
  const common = COMMON_COMMANDS.filter((name) => top.includes(name));
  const other = top.filter((name) =>
    !COMMON_COMMANDS.includes(name) && !UNLISTED_ALIASES.includes(name)
  );
  const row = (name: string) => [name, synopsisOf(name)] as const;
  return [
    `Usage: ${PROGRAM} [-version] [-help] <command> [args]`,
    "",
    "Common commands:",
    ...table(common.map(row)),
    "",
    "Other commands:",
    ...table(other.map(row)),
  ].join("\n");
}

/**
 * A command's help as mitchellh/cli prints it: the command's own text and, when the name the
 * user typed has subcommands, a `Subcommands:` list. Ends with a newline.
 *
 * @param cmd The command whose help to print.
 * @param typed The name the user typed (`"run"` for the alias of `job run`).
 */
export function commandHelp(cmd: Command, typed: string): string {
  const subs = childrenOf(typed);
  let text = cmd.help();
  if (subs.length > 0) {
    const prefix = typed.length + 1;
    const width = Math.max(...subs.map((s) => s.length)) - prefix;
    text += "\n\nSubcommands:";
    for (const sub of subs) {
      text += `\n    ${sub.slice(prefix).padEnd(width)}    ${synopsisOf(sub)}`;
    }
  }
  return `${text}\n`;
}
