/**
 * Color tags as Nomad's CLI writes them with `mitchellh/colorstring`: `[bold]`, `[green]`,
 * `[light_yellow]`, `[reset]`, ... become terminal codes when color is on and disappear when it
 * is off; tags that are not color names (`[foo]`, `[0]`) stay as they are. With color on, text
 * that used a tag ends with a reset code.
 *
 * @example
 * ```ts
 * colorize("[bold]Summary[reset]", false); // "Summary"
 * colorize("[green]+[reset] ", true); // "\x1b[32m+\x1b[0m \x1b[0m"
 * ```
 *
 * @module
 */

const CODES: Readonly<Record<string, string>> = {
  // foreground
  default: "39",
  black: "30",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  magenta: "35",
  cyan: "36",
  light_gray: "37",
  dark_gray: "90",
  light_red: "91",
  light_green: "92",
  light_yellow: "93",
  light_blue: "94",
  light_magenta: "95",
  light_cyan: "96",
  white: "97",
  // background
  _default_: "49",
  _black_: "40",
  _red_: "41",
  _green_: "42",
  _yellow_: "43",
  _blue_: "44",
  _magenta_: "45",
  _cyan_: "46",
  _light_gray_: "47",
  _dark_gray_: "100",
  _light_red_: "101",
  _light_green_: "102",
  _light_yellow_: "103",
  _light_blue_: "104",
  _light_magenta_: "105",
  _light_cyan_: "106",
  _white_: "107",
  // attributes
  bold: "1",
  dim: "2",
  underline: "4",
  blink_slow: "5",
  blink_fast: "6",
  invert: "7",
  hidden: "8",
  reset: "0",
  reset_bold: "21",
};

const TAG = /\[[a-z0-9_-]+\]/gi;

/**
 * Replaces color tags with terminal codes (`enabled`) or removes them, as
 * `colorstring.Colorize{Reset: true}.Color` does.
 *
 * @param text Text with tags such as `[bold]` and `[reset]`.
 * @param enabled Whether to emit terminal codes.
 */
export function colorize(text: string, enabled: boolean): string {
  let used = false;
  const out = text.replace(TAG, (tag) => {
    const name = tag.slice(1, -1);
    if (!Object.hasOwn(CODES, name)) return tag;
    used = true;
    return enabled ? `\x1b[${CODES[name]}m` : "";
  });
  return used && enabled ? `${out}\x1b[0m` : out;
}
