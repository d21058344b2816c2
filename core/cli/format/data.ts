/**
 * The machine-readable output of `-json` and `-t`, as Nomad's `Format` helper produces it: JSON
 * indented with four spaces and `<`, `>`, `&` left as they are (Nomad's pretty JSON handle), or
 * a Go template — which nomad-ts does not evaluate yet.
 *
 * @module
 */

/** A `-json`/`-t` request that cannot be answered; the message is what the command prints. */
export class FormatError extends Error {
  override readonly name = "FormatError";
}

/** `data` as Nomad's pretty JSON: four-space indent, HTML characters not escaped. */
export function formatJson(data: unknown): string {
  return JSON.stringify(data, null, 4) ?? "null";
}

/**
 * Formats `data` for `-json` (`json`) or `-t <template>` (`template`), as Nomad's `Format`.
 *
 * @throws {FormatError} `Both json and template formatting are not allowed` when both are
 * asked for; for a template, that Go templates are not supported yet (use `-json`).
 */
export function formatData(json: boolean, template: string, data: unknown): string {
  if (json && template.length > 0) {
    throw new FormatError("Both json and template formatting are not allowed");
  }
  if (json) return formatJson(data);
  if (template.length > 0) {
    throw new FormatError(
      "Error formatting the data: Go templates (-t) are not supported by nomad-ts yet; " +
        "use -json and a JSON tool such as jq instead",
    );
  }
  throw new FormatError("no formatting option given");
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/**
 * Bytes with binary units as `go-humanize`'s `IBytes` writes them: `0 B`, `300 MiB`,
 * `1.5 GiB` (one decimal below 10 of a unit, none above).
 */
export function formatIBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1024));
  const value = Math.floor((bytes / 1024 ** e) * 10 + 0.5) / 10;
  if (value < 10) return `${value.toFixed(1)} ${UNITS[e]}`;
  // Go's %.0f rounds a half to the even neighbour.
  const whole = Math.floor(value);
  const half = Math.abs(value - whole - 0.5) < 1e-9;
  const rounded = half ? (whole % 2 === 0 ? whole : whole + 1) : Math.round(value);
  return `${rounded} ${UNITS[e]}`;
}
