/**
 * The bridge to HashiCorp's HCL library compiled to WebAssembly (npm `@cdktf/hcl2json`): parses
 * native HCL syntax into JSON and turns the library's error text into positioned diagnostics.
 *
 * @module
 */
import { parse as hcl2json } from "@cdktf/hcl2json";
import { type Diagnostic, JobspecError } from "./errors.ts";

/** The JSON body the library returns: blocks become (nested, per label) arrays of bodies. */
export type HclJson = Record<string, unknown>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Splits the library's error text (`parse config: [f.hcl:3,13-4,1: Summary; Detail f.hcl:...]`)
 * into diagnostics.
 */
export function diagnosticsFromLibrary(file: string, message: string): Diagnostic[] {
  let text = message.replace(/^Error:\s*/, "").replace(/^parse config:\s*/, "");
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const head = new RegExp(
    `(?:^|\\s)${escapeRegExp(file)}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `,
    "g",
  );
  const starts = [...text.matchAll(head)];
  if (starts.length === 0) return [{ summary: text.trim() }];
  return starts.map((m, i) => {
    const bodyStart = m.index + m[0].length;
    const bodyEnd = starts[i + 1]?.index ?? text.length;
    const body = text.slice(bodyStart, bodyEnd).trim();
    const semi = body.indexOf("; ");
    const summary = semi === -1 ? body : body.slice(0, semi);
    const detail = semi === -1 ? undefined : body.slice(semi + 2);
    const pos = { file, line: Number(m[1]), col: Number(m[2]) };
    return detail === undefined ? { pos, summary } : { pos, summary, detail };
  });
}

/**
 * Parses HCL native syntax with HashiCorp's library.
 *
 * @throws {JobspecError} with the library's diagnostics, each positioned `file:line:col`.
 */
export async function parseHcl(file: string, source: string): Promise<HclJson> {
  try {
    return await hcl2json(file, source) as HclJson;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new JobspecError(diagnosticsFromLibrary(file, message), { cause: err });
  }
}
