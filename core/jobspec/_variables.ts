/**
 * Input variables and locals of a job file: `variable` and `variables` blocks, their values from
 * defaults, `NOMAD_VAR_<name>`, `-var-file` files and `-var` flags (later sources win, as in
 * Nomad), type constraints, validation rules, and `locals` evaluated in dependency order.
 *
 * @module
 */
import type { Diagnostic } from "./errors.ts";
import {
  convertValue,
  evalExpression,
  ExprError,
  type HclType,
  parseTypeExpression,
  type Scope,
  type Value,
} from "./expr.ts";
import {
  type BlockEntry,
  bodyOf,
  checkLabels,
  Ctx,
  entries,
  type Entry,
  evalJson,
} from "./_decode.ts";
import { type HclJson, parseHcl } from "./_hcl.ts";
import { type Pos, scanBody } from "./_scan.ts";

interface Validation {
  readonly condition: Entry;
  readonly message: string;
  readonly pos: Pos;
}

/** A declared input variable. */
export interface Variable {
  readonly name: string;
  readonly pos: Pos;
  readonly type: HclType | undefined;
  value: Value | undefined;
  /** Where the value came from: `default`, `env`, `varfile` or `cmd`. */
  from: string;
  readonly validations: Validation[];
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

/** Whether `-var` and `NOMAD_VAR_` text is taken literally for this type (Nomad's rule). */
function literalFor(type: HclType | undefined): boolean {
  return type === undefined || type.kind === "string" || type.kind === "number";
}

function convertOrReport(
  ctx: Ctx,
  pos: Pos | undefined,
  value: Value,
  type: HclType | undefined,
  summary: string,
  detail: (err: string) => string,
): Value | undefined {
  if (type === undefined) return value;
  try {
    return convertValue(value, type);
  } catch (err) {
    ctx.error(pos, summary, detail((err as Error).message));
    return undefined;
  }
}

function declare(vars: Map<string, Variable>, e: BlockEntry, ctx: Ctx): void {
  if (!checkLabels(e, 1)) return;
  const name = e.item.labels[0] ?? "";
  if (vars.has(name)) {
    ctx.error(e.item.pos, "Duplicate variable", `Duplicate ${name} variable definition found.`);
    return;
  }
  if (!IDENTIFIER.test(name)) {
    ctx.error(
      e.item.pos,
      "Invalid variable name",
      "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
    );
  }
  const v: Variable = {
    name,
    pos: e.item.pos,
    type: undefined,
    value: undefined,
    from: "",
    validations: [],
  };
  let defaultEntry: Entry | undefined;
  for (const inner of entries(bodyOf(e), ctx)) {
    const item = inner.item;
    if (item.kind === "attribute" && item.name === "type") {
      try {
        // Nomad refuses `any` and `optional(...)` in variable types; so do we.
        Object.assign(v, { type: parseTypeExpression(item.source, { exact: true }) });
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        ctx.error(item.valuePos, err.summary, err.detail);
      }
    } else if (item.kind === "attribute" && item.name === "default") {
      defaultEntry = inner;
    } else if (
      item.kind === "attribute" && (item.name === "description" || item.name === "sensitive")
    ) {
      // Documentation only.
    } else if (item.kind === "block" && item.name === "validation") {
      const validation = decodeValidation(name, inner as BlockEntry, ctx);
      if (validation) v.validations.push(validation);
    } else {
      const what = item.kind === "block" ? "Unsupported block type" : "Unsupported argument";
      ctx.error(item.pos, what, `"${item.name}" is not expected in a variable block.`);
    }
  }
  if (defaultEntry && defaultEntry.item.kind === "attribute") {
    const raw = evalJson(defaultEntry.json, ctx, defaultEntry.item.valuePos);
    if (raw !== undefined) {
      v.value = convertOrReport(
        ctx,
        defaultEntry.item.valuePos,
        raw,
        v.type,
        "Invalid default value for variable",
        (err) =>
          `This default value is not compatible with the variable's type constraint: ${err}.`,
      );
      v.from = "default";
    }
  }
  vars.set(name, v);
}

function decodeValidation(name: string, e: BlockEntry, ctx: Ctx): Validation | undefined {
  let condition: Entry | undefined;
  let message: string | undefined;
  for (const inner of entries(bodyOf(e), ctx)) {
    if (inner.item.kind === "attribute" && inner.item.name === "condition") {
      condition = inner;
      if (!new RegExp(`\\bvar\\.${name}\\b`).test(inner.item.source)) {
        ctx.error(
          inner.item.valuePos,
          "Invalid variable validation condition",
          `The condition for variable "${name}" must refer to var.${name} in order to test incoming values.`,
        );
      }
    } else if (inner.item.kind === "attribute" && inner.item.name === "error_message") {
      const m = evalJson(inner.json, ctx, inner.item.valuePos);
      message = typeof m === "string" ? m : "";
      if (message.trim() === "") {
        ctx.error(
          inner.item.valuePos,
          "Invalid validation error message",
          "An empty or blank string is not a valid nor useful error message.",
        );
      }
    } else {
      ctx.error(
        inner.item.pos,
        "Unsupported argument",
        `"${inner.item.name}" is not expected in a validation block.`,
      );
    }
  }
  if (!condition || message === undefined) {
    ctx.error(
      e.item.pos,
      "Missing required argument",
      'A validation block needs "condition" and "error_message".',
    );
    return undefined;
  }
  return { condition, message, pos: e.item.pos };
}

/** Collects the `variable` and `variables` declarations of the top-level body. */
export function declareVariables(top: readonly Entry[], ctx: Ctx): Map<string, Variable> {
  const vars = new Map<string, Variable>();
  for (const e of top) {
    if (e.item.kind !== "block") continue;
    if (e.item.name === "variable") declare(vars, e as BlockEntry, ctx);
    if (e.item.name === "variables") {
      for (const inner of entries(bodyOf(e as BlockEntry), ctx)) {
        if (inner.item.kind !== "attribute") continue;
        const value = evalJson(inner.json, ctx, inner.item.valuePos);
        if (vars.has(inner.item.name)) {
          ctx.error(
            inner.item.pos,
            "Duplicate variable",
            `Duplicate ${inner.item.name} variable definition found.`,
          );
        } else {
          vars.set(inner.item.name, {
            name: inner.item.name,
            pos: inner.item.pos,
            type: undefined,
            value,
            from: "default",
            validations: [],
          });
        }
      }
    }
  }
  return vars;
}

/** Where variable values come from, besides defaults. */
export interface ValueSources {
  readonly env: Readonly<Record<string, string>>;
  readonly varFiles: readonly string[];
  readonly vars: readonly string[];
}

function assignText(ctx: Ctx, v: Variable, text: string, from: string, label: string): void {
  const scope: Scope = { ...ctx.scope, variables: {} };
  let raw: Value;
  if (literalFor(v.type)) raw = text;
  else {
    try {
      raw = evalExpression(text, scope);
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      ctx.error(undefined, err.summary, `${label}: ${err.detail}`);
      return;
    }
  }
  const summary = from === "cmd"
    ? "Invalid argument value for -var variable"
    : "Invalid value for variable";
  const value = convertOrReport(
    ctx,
    undefined,
    raw,
    v.type,
    summary,
    (err) =>
      from === "cmd"
        ? `The received arg value for ${v.name} is not compatible with the variable's type constraint: ${err}.`
        : `The value for ${v.name} is not compatible with the variable's type constraint: ${err}.`,
  );
  if (value !== undefined) Object.assign(v, { value, from });
}

async function assignFile(vars: Map<string, Variable>, path: string, ctx: Ctx): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    ctx.error(
      undefined,
      "Failed to read file",
      `failed to read "${path}": ${(err as Error).message}`,
    );
    return;
  }
  const fileCtx = new Ctx(path, { ...ctx.scope, variables: {} }, ctx.decoders, ctx.diags);
  let json: HclJson;
  let items;
  if (text.trimStart().startsWith("{")) {
    try {
      json = JSON.parse(text);
    } catch (err) {
      ctx.error(undefined, "Invalid JSON variable file", `${path}: ${(err as Error).message}`);
      return;
    }
    items = Object.keys(json).map((name) => ({
      kind: "attribute" as const,
      name,
      pos: { line: 1, col: 1 },
      valuePos: { line: 1, col: 1 },
      source: "",
    }));
  } else {
    try {
      json = await parseHcl(path, text);
    } catch (err) {
      ctx.diags.push(...((err as { diagnostics?: Diagnostic[] }).diagnostics ?? []));
      return;
    }
    items = scanBody(text);
  }
  for (const e of entries({ items, json }, fileCtx)) {
    if (e.item.kind === "block") {
      fileCtx.error(
        e.item.pos,
        e.item.name === "variable"
          ? "Variable declaration in a .var file"
          : "Unsupported block type",
        `A .var file is used to assign values to variables that have already been declared in job files, not to declare new variables.`,
      );
      continue;
    }
    const v = vars.get(e.item.name);
    if (!v) {
      fileCtx.error(
        e.item.pos,
        "Undefined variable",
        `A "${e.item.name}" variable was set but was not found in known variables. To declare variable "${e.item.name}", place this block in your job files`,
      );
      continue;
    }
    const raw = evalJson(e.json, fileCtx, e.item.valuePos);
    if (raw === undefined) continue;
    const value = convertOrReport(
      fileCtx,
      e.item.valuePos,
      raw,
      v.type,
      "Invalid value for variable",
      (err) =>
        `The value for ${v.name} is not compatible with the variable's type constraint: ${err}.`,
    );
    if (value !== undefined) Object.assign(v, { value, from: "varfile" });
  }
}

/** Applies values from the environment, var files and `-var` flags, in that order. */
export async function assignValues(
  vars: Map<string, Variable>,
  sources: ValueSources,
  ctx: Ctx,
): Promise<void> {
  for (const [key, text] of Object.entries(sources.env)) {
    if (!key.startsWith("NOMAD_VAR_")) continue;
    const v = vars.get(key.slice("NOMAD_VAR_".length));
    if (v) assignText(ctx, v, text, "env", `<value for var.${v.name} from env>`);
  }
  for (const path of sources.varFiles) await assignFile(vars, path, ctx);
  for (const arg of sources.vars) {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      ctx.error(
        undefined,
        "Invalid -var option",
        `The given -var option "${arg}" is not correctly specified. It must be a variable name and value separated by an equals sign, like -var="key=value".`,
      );
      continue;
    }
    const name = arg.slice(0, eq);
    const v = vars.get(name);
    if (!v) {
      ctx.error(
        undefined,
        "Undefined -var variable",
        `A "${name}" variable was passed in the command line but was not found in known variables. To declare variable "${name}", place this block in your job file`,
      );
      continue;
    }
    assignText(ctx, v, arg.slice(eq + 1), "cmd", `<value for var.${name} from arguments>`);
  }
}

/** Checks that every variable has a value and passes its validation rules; returns `var`. */
export function variableValues(vars: Map<string, Variable>, ctx: Ctx): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const v of vars.values()) {
    if (v.value === undefined) {
      ctx.error(
        v.pos,
        `Unset variable "${v.name}"`,
        "A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/job-specification/hcl2/variables for details.",
      );
      continue;
    }
    out[v.name] = v.value;
  }
  for (const v of vars.values()) {
    if (v.value === undefined) continue;
    const scoped = ctx.withVariables({ var: { [v.name]: v.value } });
    for (const rule of v.validations) {
      if (rule.condition.item.kind !== "attribute") continue;
      const ok = evalJson(rule.condition.json, scoped, rule.condition.item.valuePos);
      if (ok === undefined) continue;
      if (ok === null || typeof ok !== "boolean") {
        ctx.error(
          rule.condition.item.valuePos,
          "Invalid variable validation result",
          "Validation condition expression must return either true or false, not null.",
        );
      } else if (!ok) {
        ctx.error(
          rule.pos,
          `Invalid value for ${v.from} variable`,
          `${rule.message}\n\nThis was checked by the validation rule at ${ctx.file}:${rule.pos.line},${rule.pos.col}.`,
        );
      }
    }
  }
  return out;
}

/** Evaluates every `locals` attribute, in as many rounds as their references need. */
export function evaluateLocals(top: readonly Entry[], ctx: Ctx): Record<string, Value> {
  const pending: Entry[] = [];
  const seen = new Set<string>();
  for (const e of top) {
    if (e.item.kind !== "block" || e.item.name !== "locals") continue;
    for (const inner of entries(bodyOf(e as BlockEntry), ctx)) {
      if (inner.item.kind !== "attribute") {
        ctx.error(
          inner.item.pos,
          "Unsupported block type",
          "Blocks are not allowed in a locals block.",
        );
      } else if (seen.has(inner.item.name)) {
        ctx.error(
          inner.item.pos,
          "Duplicate local value definition",
          `A local value named "${inner.item.name}" was already defined.`,
        );
      } else {
        seen.add(inner.item.name);
        pending.push(inner);
      }
    }
  }
  const locals: Record<string, Value> = {};
  while (pending.length > 0) {
    const failed: Entry[] = [];
    for (const e of pending) {
      const probe = new Ctx(ctx.file, {
        ...ctx.scope,
        variables: { ...ctx.scope.variables, local: locals },
      });
      const value = e.item.kind === "attribute"
        ? evalJson(e.json, probe, e.item.valuePos)
        : undefined;
      if (value === undefined) failed.push(e);
      else locals[e.item.name] = value;
    }
    if (failed.length === pending.length) {
      // No progress: report the real errors.
      const final = ctx.withVariables({ local: locals });
      for (const e of failed) {
        if (e.item.kind === "attribute") evalJson(e.json, final, e.item.valuePos);
      }
      break;
    }
    pending.splice(0, pending.length, ...failed);
  }
  return locals;
}
