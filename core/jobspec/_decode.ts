/**
 * Schema-driven decoding of an HCL body into a struct of core/structs.
 *
 * Each body is read twice over: the scanner's items (source order, kind, labels, positions) and
 * the HCL library's JSON (values). Attributes are evaluated with our expression language and
 * converted to the field's Go kind the way HCL's `gohcl` does; blocks decode into nested
 * structs, lists and maps. `dynamic` blocks are expanded. Every problem becomes a positioned
 * diagnostic; decoding goes on so that all problems are reported at once.
 *
 * @module
 */
import { type Field, type Kind, type StructSpec, zero } from "../structs/mod.ts";
import type { Diagnostic, SourcePos } from "./errors.ts";
import { evalTemplate, ExprError, type Scope, type Value } from "./expr.ts";
import type { HclJson } from "./_hcl.ts";
import type { Pos, ScannedAttribute, ScannedBlock, ScannedItem } from "./_scan.ts";
import { convertKind } from "./_convert.ts";

/** Decodes a struct whose HCL form is not the plain schema mapping (constraints, tasks, ...). */
export type CustomDecoder = (body: Body, ctx: Ctx, labels: readonly string[]) => unknown;

/** Shared state of one decoding: the file, the diagnostics, the scope and custom decoders. */
export class Ctx {
  readonly file: string;
  readonly scope: Scope;
  readonly diags: Diagnostic[];
  readonly decoders: ReadonlyMap<StructSpec<unknown>, CustomDecoder>;

  constructor(
    file: string,
    scope: Scope,
    decoders: ReadonlyMap<StructSpec<unknown>, CustomDecoder> = new Map(),
    diags: Diagnostic[] = [],
  ) {
    this.file = file;
    this.scope = scope;
    this.decoders = decoders;
    this.diags = diags;
  }

  /** The source position of a scanned position. */
  at(pos: Pos): SourcePos {
    return { file: this.file, line: pos.line, col: pos.col };
  }

  /** Records a problem. */
  error(pos: Pos | undefined, summary: string, detail?: string): void {
    const d: Diagnostic = pos ? { pos: this.at(pos), summary } : { summary };
    this.diags.push(detail === undefined ? d : { ...d, detail });
  }

  /** A context that shares the diagnostics but sees more variables. */
  withVariables(extra: Record<string, Value>): Ctx {
    const scope = { ...this.scope, variables: { ...this.scope.variables, ...extra } };
    return new Ctx(this.file, scope, this.decoders, this.diags);
  }
}

/** An attribute with its raw JSON value, in the context it is evaluated in. */
export interface AttrEntry {
  readonly item: ScannedAttribute;
  readonly json: unknown;
  readonly ctx: Ctx;
}

/** A block with its JSON body, in the context it is decoded in. */
export interface BlockEntry {
  readonly item: ScannedBlock;
  readonly json: HclJson;
  readonly ctx: Ctx;
}

/** An item of a body, ready to decode. */
export type Entry = AttrEntry | BlockEntry;

/** A body: what the scanner saw and what the library returned for it. */
export interface Body {
  readonly items: readonly ScannedItem[];
  readonly json: HclJson;
  /** Where the block that holds this body starts (for "missing argument" problems). */
  readonly pos?: Pos;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function blockJson(parent: HclJson, block: ScannedBlock, occurrence: number): HclJson {
  let v: unknown = parent[block.name];
  for (const label of block.labels) v = isObject(v) ? v[label] : undefined;
  const body = Array.isArray(v) ? v[occurrence] : undefined;
  return isObject(body) ? body : {};
}

/**
 * Evaluates a JSON value of the library: strings are HCL templates, arrays and objects are
 * evaluated element by element. Reports a positioned problem and returns `undefined` on error.
 */
export function evalJson(json: unknown, ctx: Ctx, pos: Pos): Value | undefined {
  try {
    return evalRaw(json, ctx.scope);
  } catch (err) {
    if (err instanceof ExprError) {
      ctx.error(pos, err.summary, err.detail);
      return undefined;
    }
    throw err;
  }
}

function evalRaw(json: unknown, scope: Scope): Value {
  if (typeof json === "string") return evalTemplate(json, scope);
  if (Array.isArray(json)) return json.map((v) => evalRaw(v, scope));
  if (isObject(json)) {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(json)) out[k] = evalRaw(v, scope);
    return out;
  }
  return (json ?? null) as Value;
}

/** The entries of a body in source order, with `dynamic` blocks expanded. */
export function entries(body: Body, ctx: Ctx): Entry[] {
  const out: Entry[] = [];
  const seen = new Map<string, number>();
  for (const item of body.items) {
    if (item.kind === "attribute") {
      out.push({ item, json: body.json[item.name], ctx });
      continue;
    }
    const key = [item.name, ...item.labels].join("\0");
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const json = blockJson(body.json, item, occurrence);
    if (item.name === "dynamic") out.push(...expandDynamic(item, json, ctx));
    else out.push({ item, json, ctx });
  }
  return out;
}

function expandDynamic(block: ScannedBlock, json: HclJson, ctx: Ctx): BlockEntry[] {
  const target = block.labels[0];
  if (block.labels.length !== 1 || target === undefined) {
    ctx.error(
      block.pos,
      "Invalid dynamic block",
      "A dynamic block needs one label: the block type to generate.",
    );
    return [];
  }
  let forEach: Value | undefined;
  let iterator = target;
  let labelsAttr: AttrEntry | undefined;
  let content: BlockEntry | undefined;
  for (const e of entries({ items: block.body, json }, ctx)) {
    if (e.item.kind === "attribute" && e.item.name === "for_each") {
      forEach = evalJson(e.json, ctx, e.item.valuePos);
    } else if (e.item.kind === "attribute" && e.item.name === "iterator") {
      iterator = e.item.source.replace(/^"|"$/g, "");
    } else if (e.item.kind === "attribute" && e.item.name === "labels") {
      labelsAttr = e as AttrEntry;
    } else if (e.item.kind === "block" && e.item.name === "content") {
      content = e as BlockEntry;
    } else {
      ctx.error(
        e.item.pos,
        "Unsupported argument",
        `"${e.item.name}" is not expected in a dynamic block.`,
      );
    }
  }
  if (forEach === undefined || content === undefined) {
    ctx.error(
      block.pos,
      "Invalid dynamic block",
      'A dynamic block needs "for_each" and a "content" block.',
    );
    return [];
  }
  const pairs: [Value, Value][] = Array.isArray(forEach)
    ? forEach.map((v, i) => [i, v])
    : isObject(forEach)
    ? Object.entries(forEach)
    : [];
  if (!Array.isArray(forEach) && !isObject(forEach)) {
    ctx.error(
      block.pos,
      "Invalid dynamic for_each value",
      "Cannot use a non-collection value in for_each.",
    );
  }
  return pairs.map(([key, value]) => {
    const inner = ctx.withVariables({ [iterator]: { key, value } });
    let labels: string[] = [];
    if (labelsAttr) {
      const v = evalJson(labelsAttr.json, inner, labelsAttr.item.valuePos);
      labels = Array.isArray(v) ? v.map(String) : [];
    }
    const item: ScannedBlock = { ...content.item, name: target, labels };
    return { item, json: content.json, ctx: inner };
  });
}

/** Fields of a spec by HCL name. */
function byHclName(spec: StructSpec<unknown>): Map<string, [string, Field<unknown>]> {
  const out = new Map<string, [string, Field<unknown>]>();
  for (const [name, f] of Object.entries(spec.fields)) {
    if (f.hcl && !f.hcl.label) out.set(f.hcl.name, [name, f]);
  }
  return out;
}

/** Options of {@link decodeStruct}. */
export interface StructOptions {
  /** HCL names the caller handles itself. */
  readonly skip?: ReadonlySet<string>;
  /** Block fields that may also be written as an attribute (`meta = {...}`). */
  readonly attributeBlocks?: ReadonlySet<string>;
  /** Set by custom decoders that call back into the plain mapping. */
  readonly plain?: boolean;
}

/** Sorts an object's keys, as Go does when it marshals a map. */
export function sortedKeys<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k] as T;
  return out;
}

/**
 * Decodes a block body into a new struct of `spec`. `labels` fill the spec's label fields.
 */
export function decodeStruct<T>(
  spec: StructSpec<T>,
  body: Body,
  ctx: Ctx,
  labels: readonly string[] = [],
  opts: StructOptions = {},
): T {
  const custom = opts.plain ? undefined : ctx.decoders.get(spec as StructSpec<unknown>);
  if (custom) return custom(body, ctx, labels) as T;
  const out = zero(spec) as Record<string, unknown>;
  const fields = byHclName(spec as StructSpec<unknown>);
  const labelFields = Object.entries(spec.fields).filter(([, f]) => f.hcl?.label);
  labelFields.forEach(([name], i) => (out[name] = labels[i] ?? ""));
  const seen = new Map<string, Pos>();
  for (const e of entries(body, ctx)) {
    const { item } = e;
    if (opts.skip?.has(item.name)) continue;
    const found = fields.get(item.name);
    if (!found) {
      unsupported(e);
      continue;
    }
    const [name, f] = found;
    if (item.kind === "attribute") {
      if (f.hcl?.block && !opts.attributeBlocks?.has(item.name)) {
        e.ctx.error(
          item.pos,
          "Unsupported argument",
          `An argument named "${item.name}" is not expected here. Did you mean to define a block of type "${item.name}"?`,
        );
        continue;
      }
      const prev = seen.get(item.name);
      if (prev && opts.attributeBlocks?.has(item.name)) {
        duplicate(e, prev);
        continue;
      }
      seen.set(item.name, item.pos);
      const value = evalJson(e.json, e.ctx, item.valuePos);
      if (value === undefined) continue;
      const converted = convertKind(f.kind, value, item.name, item.valuePos, e.ctx);
      if (converted !== undefined) out[name] = converted;
      continue;
    }
    if (!f.hcl?.block) {
      e.ctx.error(
        item.pos,
        "Unsupported block type",
        `Blocks of type "${item.name}" are not expected here. Did you mean to define argument "${item.name}"? If so, use the equals sign to assign it a value.`,
      );
      continue;
    }
    decodeBlockInto(out, name, f.kind, e as BlockEntry, seen);
  }
  for (const [hclName, [, f]] of fields) {
    if (f.hcl?.required && !seen.has(hclName)) {
      ctx.error(
        body.pos,
        "Missing required argument",
        `The argument "${hclName}" is required, but no definition was found.`,
      );
    }
  }
  return out as T;
}

function unsupported(e: Entry): void {
  if (e.item.kind === "attribute") {
    e.ctx.error(
      e.item.pos,
      "Unsupported argument",
      `An argument named "${e.item.name}" is not expected here.`,
    );
  } else {
    e.ctx.error(
      e.item.pos,
      "Unsupported block type",
      `Blocks of type "${e.item.name}" are not expected here.`,
    );
  }
}

function duplicate(e: Entry, prev: Pos): void {
  e.ctx.error(
    e.item.pos,
    `Duplicate ${e.item.name} block`,
    `Only one block of type "${e.item.name}" is allowed. Previous definition was at ${e.ctx.file}:${prev.line},${prev.col}.`,
  );
}

function labelCount(spec: StructSpec<unknown>): number {
  return Object.values(spec.fields).filter((f) => f.hcl?.label).length;
}

/** Checks a block's labels against what its struct expects; reports and returns false if wrong. */
export function checkLabels(e: BlockEntry, expected: number, labelName = "name"): boolean {
  const got = e.item.labels.length;
  if (got === expected) return true;
  if (got < expected) {
    e.ctx.error(
      e.item.pos,
      `Missing ${labelName} for ${e.item.name}`,
      `All ${e.item.name} blocks must have ${expected} labels (${labelName}).`,
    );
  } else {
    e.ctx.error(
      e.item.pos,
      `Extraneous label for ${e.item.name}`,
      expected === 0
        ? `No labels are expected for ${e.item.name} blocks.`
        : `Only ${expected} labels (${labelName}) are expected for ${e.item.name} blocks.`,
    );
  }
  return false;
}

/** The body of a block entry, for nested decoding. */
export function bodyOf(e: BlockEntry): Body {
  return { items: e.item.body, json: e.json, pos: e.item.pos };
}

function decodeBlockInto(
  out: Record<string, unknown>,
  name: string,
  kind: Kind,
  e: BlockEntry,
  seen: Map<string, Pos>,
): void {
  const inner = kind.k === "nullable" ? kind.of : kind;
  if (inner.k === "struct") {
    const prev = seen.get(e.item.name);
    if (prev) return duplicate(e, prev);
    seen.set(e.item.name, e.item.pos);
    if (!checkLabels(e, labelCount(inner.spec))) return;
    out[name] = decodeStruct(inner.spec, bodyOf(e), e.ctx, e.item.labels);
    return;
  }
  if (inner.k === "list" && inner.of.k === "struct") {
    if (!checkLabels(e, labelCount(inner.of.spec))) return;
    const list = (out[name] as unknown[] | null) ?? [];
    list.push(decodeStruct(inner.of.spec, bodyOf(e), e.ctx, e.item.labels));
    out[name] = list;
    seen.set(e.item.name, e.item.pos);
    return;
  }
  if (inner.k === "map" && inner.of.k === "struct") {
    if (!checkLabels(e, 1)) return;
    const map = (out[name] as Record<string, unknown> | null) ?? {};
    const label = e.item.labels[0] ?? "";
    map[label] = decodeStruct(inner.of.spec, bodyOf(e), e.ctx, e.item.labels);
    out[name] = sortedKeys(map);
    seen.set(e.item.name, e.item.pos);
    return;
  }
  if (inner.k === "map") {
    const prev = seen.get(e.item.name);
    if (prev) return duplicate(e, prev);
    seen.set(e.item.name, e.item.pos);
    if (!checkLabels(e, 0)) return;
    out[name] = decodeMapBlock(inner, e);
  }
}

/** Decodes a block whose field is a map (`meta`, `env`, `config`, `header`, ...). */
export function decodeMapBlock(kind: Kind & { k: "map" }, e: BlockEntry): Record<string, unknown> {
  if (kind.of.k === "any") {
    const value = evalJson(e.json, e.ctx, e.item.pos);
    return isObject(value) ? sortDeep(value) as Record<string, unknown> : {};
  }
  const out: Record<string, unknown> = {};
  for (const inner of entries(bodyOf(e), e.ctx)) {
    if (inner.item.kind === "block") {
      inner.ctx.error(
        inner.item.pos,
        "Unexpected block",
        `Blocks are not allowed in a ${e.item.name} block.`,
      );
      continue;
    }
    const value = evalJson(inner.json, inner.ctx, inner.item.valuePos);
    if (value === undefined) continue;
    const converted = convertKind(kind.of, value, inner.item.name, inner.item.valuePos, inner.ctx);
    if (converted !== undefined) out[inner.item.name] = converted;
  }
  return sortedKeys(out);
}

/** Sorts object keys at every level, as Go marshals nested maps. */
export function sortDeep(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isObject(v)) {
    const out: Record<string, Value> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep(v[k] as Value);
    return out;
  }
  return v;
}
