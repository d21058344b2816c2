/**
 * The bridge to HashiCorp's HCL library compiled to WebAssembly (npm `@cdktf/hcl2json`): parses
 * native HCL syntax into JSON and turns the library's error text into positioned diagnostics.
 *
 * The library is imported on the first parse, not with this module: importing it inflates and
 * instantiates its Go WebAssembly runtime at once (about 40 MB of resident memory), which a
 * process that never parses HCL — an agent with no HCL configuration file — should not pay.
 *
 * @module
 */
import { type Diagnostic, JobspecError } from "./errors.ts";
import { scanBody, type ScannedBlock, type ScannedItem } from "./_scan.ts";

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
  const { parse: hcl2json } = await import("@cdktf/hcl2json");
  try {
    return await hcl2json(file, source) as HclJson;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new JobspecError(diagnosticsFromLibrary(file, message), { cause: err });
  }
}

/**
 * Blanks out (keeping newlines, so positions stay) every block whose label count differs from
 * the most common count among its siblings of the same type (the larger on a tie). The library cannot turn such a
 * body into JSON (`Unable to convert Block to JSON`) and says so without a position; without
 * those blocks it can, and the decoder then reports the wrong labels where they are.
 *
 * @returns the blanked source, or `undefined` when no block was inconsistent.
 */
export function blankInconsistentBlocks(
  source: string,
  items: readonly ScannedItem[],
): string | undefined {
  const spans: (readonly [number, number])[] = [];
  const visit = (body: readonly ScannedItem[]) => {
    const byName = new Map<string, ScannedBlock[]>();
    for (const item of body) {
      if (item.kind !== "block") continue;
      byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
      visit(item.body);
    }
    for (const blocks of byName.values()) {
      const counts = new Map<number, number>();
      for (const b of blocks) counts.set(b.labels.length, (counts.get(b.labels.length) ?? 0) + 1);
      if (counts.size < 2) continue;
      // The most common count wins; on a tie, the larger (a missing label is the usual mistake).
      const common = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
      for (const b of blocks) if (b.labels.length !== common) spans.push(b.span);
    }
  };
  visit(items);
  if (spans.length === 0) return undefined;
  let out = source;
  for (const [from, to] of spans) {
    out = out.slice(0, from) + out.slice(from, to).replace(/[^\n]/g, " ") + out.slice(to);
  }
  return out;
}

/**
 * Parses like {@link parseHcl} and scans the source for positions (see `_scan.ts`). When the
 * library only fails because sibling blocks have different label counts, parses again without
 * the odd ones (see {@link blankInconsistentBlocks}) so the decoder can point at them.
 */
export async function parseAndScan(
  file: string,
  source: string,
): Promise<{ json: HclJson; items: ScannedItem[] }> {
  try {
    const json = await parseHcl(file, source);
    return { json, items: scanBody(source) };
  } catch (err) {
    if (
      !(err instanceof JobspecError) || !err.message.includes("Unable to convert Block to JSON")
    ) {
      throw err;
    }
    const items = scanBody(source);
    const blanked = blankInconsistentBlocks(source, items);
    if (blanked === undefined) throw err;
    return { json: await parseHcl(file, blanked), items };
  }
}
