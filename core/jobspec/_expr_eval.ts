/**
 * The evaluator of HCL expressions and templates, with Nomad's rule for references to unknown
 * roots: `attr.kernel.name` or `NOMAD_TASK_DIR` evaluate to the text `${attr.kernel.name}` so the
 * client can interpolate them at run time.
 *
 * @module
 */
import type { Expr, TemplatePart } from "./_expr_ast.ts";
import { ExprError } from "./_expr_error.ts";
import {
  binaryOp,
  conditionValue,
  conversionMessage,
  fail,
  getAttr,
  indexValue,
  templateString,
  unaryOp,
  valueTypeName,
} from "./_expr_ops.ts";
import { parseTemplate } from "./_expr_parser.ts";
import { ArgError, type CallContext, type Func, type Scope } from "./_functions_api.ts";
import { FUNCTIONS } from "./_functions_registry.ts";
import {
  convert,
  isObject,
  objectFrom,
  type ObjectValue,
  setKey,
  sortedKeys,
  T,
  typeOf,
  unifyTypes,
  type Value,
} from "./_hcl_types.ts";

interface Ctx {
  readonly scope: Scope;
  /** The evaluated text, for keeping runtime interpolations verbatim. */
  readonly src: string;
  /** Unknown roots are errors (templatefile) rather than kept as `${...}`. */
  readonly strict: boolean;
  readonly locals: ReadonlyMap<string, Value>;
  readonly splatItem?: Value;
}

/**
 * Evaluates a parsed expression of `src`.
 *
 * @throws {ExprError} for every evaluation problem, with HCL's wording.
 */
export function evaluate(e: Expr, scope: Scope, src: string, strict = false): Value {
  return ev(e, { scope, src, strict, locals: new Map() });
}

function ev(e: Expr, ctx: Ctx): Value {
  switch (e.type) {
    case "literal":
      return e.value;
    case "template":
      return parts(e.parts, ctx);
    case "wrap":
    case "paren":
      return ev(e.expr, ctx);
    case "traversal":
      return traversal(e, ctx);
    case "getattr":
      return getAttr(ev(e.target, ctx), e.name, e.at);
    case "index":
      return indexValue(ev(e.target, ctx), ev(e.key, ctx), e.at);
    case "splat": {
      const src = ev(e.source, ctx);
      if (src === null) return [];
      const items = Array.isArray(src) ? src : [src];
      return items.map((splatItem) => ev(e.each, { ...ctx, splatItem }));
    }
    case "splatitem":
      return ctx.splatItem ?? null;
    case "call":
      return call(e, ctx);
    case "tuple":
      return e.items.map((x) => ev(x, ctx));
    case "object":
      return objectFrom(e.items.map((item) => {
        const k = ev(item.key, ctx);
        if (k === null) {
          fail(item.key.start, "Null value as key", "Can't use a null value as a key.");
        }
        let key: Value;
        try {
          key = convert(k, T.string);
        } catch (err) {
          fail(
            item.key.start,
            "Incorrect key type",
            `Can't use this value as a key: ${conversionMessage(err)}.`,
          );
        }
        return [key as string, ev(item.value, ctx)] as const;
      }));
    case "for":
      return forExpr(e, ctx);
    case "unary":
      return unaryOp(e.op, ev(e.operand, ctx), e.start, e.operand.start);
    case "binary":
      return binaryOp(e.op, ev(e.left, ctx), ev(e.right, ctx), {
        start: e.start,
        left: e.left.start,
        right: e.right.start,
      });
    case "conditional":
      return conditional(e, ctx);
  }
}

function traversal(e: Extract<Expr, { type: "traversal" }>, ctx: Ctx): Value {
  let v: Value;
  if (ctx.locals.has(e.root)) v = ctx.locals.get(e.root)!;
  else if (Object.hasOwn(ctx.scope.variables, e.root)) v = ctx.scope.variables[e.root]!;
  else if (ctx.strict) {
    return fail(
      e.start,
      "Unknown variable",
      `There is no variable named ${JSON.stringify(e.root)}.`,
    );
  } else return keptTraversal(e, ctx.src);
  for (const step of e.steps) {
    v = step.kind === "attr"
      ? getAttr(v, step.name, step.start)
      : indexValue(v, step.key, step.start);
  }
  return v;
}

/**
 * Nomad's text for a reference to an unknown root: the traversal's source wrapped in `${...}`,
 * keeping the spaces of a `${ x }` that holds nothing else.
 */
function keptTraversal(e: Expr, src: string): string {
  const text = src.slice(e.start, e.end);
  let i = e.start - 1;
  while (i >= 0 && src[i] === " ") i--;
  if (i >= 1 && src[i] === "{" && src[i - 1] === "$") {
    let j = e.end;
    while (j < src.length && src[j] === " ") j++;
    return src[j] === "}" ? src.slice(i - 1, j + 1) : src.slice(i - 1, e.end) + "}";
  }
  return "${" + text + "}";
}

function parts(list: readonly TemplatePart[], ctx: Ctx): string {
  let out = "";
  for (const p of list) {
    switch (p.kind) {
      case "literal":
        out += p.text;
        break;
      case "interp":
        out += templateString(ev(p.expr, ctx), p.expr.start);
        break;
      case "if":
        out += parts(conditionValue(ev(p.cond, ctx), p.cond.start) ? p.then : p.else, ctx);
        break;
      case "for":
        for (const [k, v] of iterate(ev(p.collection, ctx), p.collection.start)) {
          out += parts(p.body, bind(ctx, p.keyVar, k, p.valueVar, v));
        }
        break;
    }
  }
  return out;
}

function iterate(coll: Value, at: number): [Value, Value][] {
  if (coll === null) {
    fail(
      at,
      "Iteration over null value",
      "A null value cannot be used as the collection in a 'for' expression.",
    );
  }
  if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
  if (isObject(coll)) return sortedKeys(coll).map((k) => [k, coll[k]!]);
  return fail(
    at,
    "Iteration over non-iterable value",
    `A value of type ${
      valueTypeName(coll)
    } cannot be used as the collection in a 'for' expression.`,
  );
}

function bind(ctx: Ctx, keyVar: string | null, k: Value, valueVar: string, v: Value): Ctx {
  const locals = new Map(ctx.locals);
  if (keyVar !== null) locals.set(keyVar, k);
  locals.set(valueVar, v);
  return { ...ctx, locals };
}

function forExpr(e: Extract<Expr, { type: "for" }>, ctx: Ctx): Value {
  const tuple: Value[] = [];
  const obj: ObjectValue = {};
  const keyExpr = e.keyExpr;
  for (const [k, v] of iterate(ev(e.collection, ctx), e.collection.start)) {
    const inner = bind(ctx, e.keyVar, k, e.valueVar, v);
    if (e.cond && !forCondition(ev(e.cond, inner), e.cond.start)) continue;
    if (!keyExpr) {
      tuple.push(ev(e.valueExpr, inner));
      continue;
    }
    const key = forKey(ev(keyExpr, inner), keyExpr.start);
    const value = ev(e.valueExpr, inner);
    const existing = Object.hasOwn(obj, key) ? obj[key] : undefined;
    if (e.group) setKey(obj, key, [...((existing as Value[] | undefined) ?? []), value]);
    else if (existing !== undefined) {
      fail(
        keyExpr.start,
        "Duplicate object key",
        `Two different items produced the key ${
          JSON.stringify(key)
        } in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
      );
    } else setKey(obj, key, value);
  }
  return keyExpr ? objectFrom(Object.entries(obj)) : tuple;
}

function forCondition(c: Value, at: number): boolean {
  if (c === null) {
    fail(at, "Invalid 'for' condition", "The value of the 'if' clause must not be null.");
  }
  try {
    return convert(c, T.bool) as boolean;
  } catch (err) {
    return fail(
      at,
      "Invalid 'for' condition",
      `The 'if' clause value is invalid: ${conversionMessage(err)}.`,
    );
  }
}

function forKey(k: Value, at: number): string {
  if (k === null) {
    fail(
      at,
      "Invalid object key",
      "Key expression in 'for' expression must not produce a null value.",
    );
  }
  try {
    return convert(k, T.string) as string;
  } catch (err) {
    return fail(
      at,
      "Invalid object key",
      `The object key expression must produce a string: ${conversionMessage(err)}.`,
    );
  }
}

function conditional(e: Extract<Expr, { type: "conditional" }>, ctx: Ctx): Value {
  const c = conditionValue(ev(e.cond, ctx), e.cond.start);
  const value = ev(c ? e.ifTrue : e.ifFalse, ctx);
  let other: Value;
  try {
    other = ev(c ? e.ifFalse : e.ifTrue, ctx);
  } catch (err) {
    if (err instanceof ExprError) return value;
    throw err;
  }
  const [t, f] = c ? [value, other] : [other, value];
  const unified = unifyTypes([typeOf(t), typeOf(f)]);
  if (!unified) {
    fail(
      e.start,
      "Inconsistent conditional result types",
      `The true and false result expressions must have consistent types. The 'true' value is ${
        valueTypeName(t)
      }, but the 'false' value is ${valueTypeName(f)}.`,
    );
  }
  try {
    return convert(value, unified);
  } catch (err) {
    return fail(e.start, "Inconsistent conditional result types", conversionMessage(err));
  }
}

function call(e: Extract<Expr, { type: "call" }>, ctx: Ctx): Value {
  const fn: Func | undefined = FUNCTIONS.get(e.name);
  if (!fn) {
    fail(
      e.start,
      "Call to unknown function",
      `There is no function named ${JSON.stringify(e.name)}.`,
    );
  }
  const callCtx: CallContext = {
    scope: ctx.scope,
    renderTemplate: (text, vars) => {
      const scope = { ...ctx.scope, variables: vars };
      return evaluate(parseTemplate(text), scope, text, true);
    },
  };
  const argAt: number[] = [];
  let args: Value[] = [];
  if ("lazy" in fn) {
    arity(e, fn, e.args.map((a) => a.start));
    return guard(
      e,
      fn,
      e.args.map((a) => a.start),
      () => fn.lazy(e.args.map((expr) => ({ expr, value: () => ev(expr, ctx) })), callCtx),
    );
  }
  for (const [i, a] of e.args.entries()) {
    const v = ev(a, ctx);
    if (!(e.expand && i === e.args.length - 1)) {
      args.push(v);
      argAt.push(a.start);
      continue;
    }
    const detail = v === null
      ? "The expanding argument (indicated by ...) must not be null."
      : !Array.isArray(v)
      ? "The expanding argument (indicated by ...) must be of a tuple, list, or set type."
      : null;
    if (detail) fail(a.start, "Invalid expanding argument value", detail);
    for (const x of v as Value[]) {
      args.push(x);
      argAt.push(a.start);
    }
  }
  arity(e, fn, argAt);
  args = args.map((v, i) => {
    const p = i < fn.params.length ? fn.params[i]! : fn.varParam!;
    const bad = (msg: string) =>
      fail(
        argAt[i]!,
        "Invalid function argument",
        `Invalid value for ${JSON.stringify(p.name)} parameter: ${msg}.`,
      );
    if (v === null && !p.allowNull) bad("argument must not be null");
    try {
      return convert(v, p.type);
    } catch (err) {
      return bad(conversionMessage(err));
    }
  });
  return guard(e, fn, argAt, () => fn.impl(args, callCtx));
}

function arity(e: Extract<Expr, { type: "call" }>, fn: Func, argAt: readonly number[]): void {
  const n = fn.params.length;
  if (argAt.length < n) {
    fail(
      e.end - 1,
      "Not enough function arguments",
      `Function ${JSON.stringify(e.name)} expects ${n} argument(s). Missing value for ${
        JSON.stringify(fn.params[argAt.length]!.name)
      }.`,
    );
  }
  if (!fn.varParam && argAt.length > n) {
    fail(
      argAt[n]!,
      "Too many function arguments",
      `Function ${JSON.stringify(e.name)} expects only ${n} argument(s).`,
    );
  }
}

function guard(
  e: Extract<Expr, { type: "call" }>,
  fn: Func,
  argAt: readonly number[],
  run: () => Value,
): Value {
  try {
    return run();
  } catch (err) {
    if (err instanceof ExprError) throw err;
    if (err instanceof ArgError) {
      const p = err.index < fn.params.length ? fn.params[err.index] : fn.varParam;
      fail(
        argAt[err.index] ?? e.start,
        "Invalid function argument",
        `Invalid value for ${JSON.stringify(p?.name ?? "")} parameter: ${err.message}.`,
      );
    }
    const msg = err instanceof Error ? err.message : String(err);
    return fail(
      e.start,
      "Error in function call",
      `Call to function ${JSON.stringify(e.name)} failed: ${msg}.`,
    );
  }
}
