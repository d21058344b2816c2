/**
 * A recursive-descent parser for go-bexpr's grammar (hashicorp/go-bexpr `grammar.peg`).
 *
 * Like the PEG parser it mirrors, it remembers the farthest position where matching failed
 * and what it expected there, so a malformed expression is reported as
 * `1:7 (6): no match found, expected: "!=", "==" or [ \t\r\n]`; the grammar's own errors keep
 * go-bexpr's wording (`rule "number": Invalid number literal`, `rule "index": Invalid index`,
 * `rule "grouping": Unmatched parentheses`, ...).
 *
 * Deliberate differences, each accepting expressions go-bexpr refuses or misreads:
 * `any`/`all` may appear anywhere an operand may (go-bexpr allows them only as the left-most
 * operand of an `or` chain); `not(` needs no space; a number may be followed by `}`; and a
 * quoted value is always a string (go-bexpr reads `"/usr/bin"` as a JSON pointer and compares
 * with `usr/bin`). `matches` patterns are compiled while parsing, so a bad pattern is reported
 * with its position even when no datum is ever evaluated.
 *
 * @module
 */

import type { Binding, Expr, MatchExpr, MatchOp, Selector } from "./_bexpr_ast.ts";
import { compileGoRegexp } from "./_bexpr_regexp.ts";
import { Scanner, type Step } from "./_bexpr_scanner.ts";

/** How deeply parentheses and `any`/`all` blocks may nest. */
export const MAX_NESTING = 200;

const BINARY_OPS: ReadonlyArray<readonly [readonly Step[], MatchOp]> = [
  [["_?", "==", "_?"], "=="],
  [["_?", "!=", "_?"], "!="],
  [["_", "contains", "_"], "in"],
  [["_", "not", "_", "contains", "_"], "not in"],
  [["_", "matches", "_"], "matches"],
  [["_", "not", "_", "matches", "_"], "not matches"],
];

const UNARY_OPS: ReadonlyArray<readonly [readonly Step[], MatchOp]> = [
  [["_", "is", "_", "empty"], "is empty"],
  [["_", "is", "_", "not", "_", "empty"], "is not empty"],
  [["_", "is", "_", "nil"], "is nil"],
  [["_", "is", "_", "not", "_", "nil"], "is not nil"],
];

const IN_OPS: ReadonlyArray<readonly [readonly Step[], MatchOp]> = [
  [["_", "in", "_"], "in"],
  [["_", "not", "_", "in", "_"], "not in"],
];

class Parser extends Scanner {
  #depth = 0;

  parse(): Expr {
    this.ws();
    const expr = this.#or();
    if (expr !== null) {
      this.ws();
      if (this.pos === this.src.length) return expr;
      this.expect(this.pos, "EOF");
    }
    throw this.noMatch();
  }

  #enter(): void {
    if (++this.#depth > MAX_NESTING) {
      this.error("grouping", `expression nests more than ${MAX_NESTING} levels deep`);
    }
  }

  #firstOp(ops: ReadonlyArray<readonly [readonly Step[], MatchOp]>): MatchOp | null {
    for (const [steps, op] of ops) if (this.seq(steps)) return op;
    return null;
  }

  #chain(kind: "or" | "and", operand: () => Expr | null): Expr | null {
    const first = operand();
    if (first === null) return null;
    const operands = [first];
    for (;;) {
      const save = this.pos;
      if (!this.seq(["_", kind, "_"])) break;
      const next = operand();
      if (next === null) {
        this.pos = save;
        break;
      }
      operands.push(next);
    }
    return operands.length === 1 ? first : { kind, operands };
  }

  #or(): Expr | null {
    return this.#chain("or", () => this.#and());
  }

  #and(): Expr | null {
    return this.#chain("and", () => this.#not());
  }

  #not(): Expr | null {
    const start = this.pos;
    const nots: number[] = [];
    for (;;) {
      const save = this.pos;
      if (this.lit("not") && (this.ws() || this.src[this.pos] === "(")) {
        nots.push(save);
        continue;
      }
      this.pos = save;
      break;
    }
    const end = this.pos;
    // As in the PEG, a "not" that starts no operand may still be a selector named "not".
    for (let k = nots.length; k >= 0; k--) {
      this.pos = k === nots.length ? end : nots[k]!;
      const expr = this.#primary();
      if (expr !== null) return k % 2 === 0 ? expr : { kind: "not", operand: expr };
    }
    this.pos = start;
    return null;
  }

  #primary(): Expr | null {
    const start = this.pos;
    if (this.lit("(")) {
      this.#enter();
      this.ws();
      const inner = this.#or();
      this.#depth--;
      if (inner !== null) {
        this.ws();
        if (this.lit(")")) return inner;
        this.error("grouping", "Unmatched parentheses");
      }
      this.pos = start;
      return null;
    }
    return this.#collection() ?? this.#match();
  }

  #collection(): Expr | null {
    const start = this.pos;
    const op = this.seq(["any", "_"]) ? "any" : this.seq(["all", "_"]) ? "all" : null;
    if (op === null) return null;
    const selector = this.selector();
    const bindingAt = selector !== null && this.seq(["_", "as", "_"]) ? this.pos : -1;
    const binding = bindingAt >= 0 ? this.#binding() : null;
    if (binding === null || !this.seq(["_?", "{", "_?"])) {
      this.pos = start;
      return null;
    }
    this.#enter();
    const inner = this.#or();
    this.#depth--;
    if (inner === null || !this.seq(["_?", "}"])) {
      this.pos = start;
      return null;
    }
    if (binding.index !== undefined && binding.index === binding.value) {
      this.error(
        "collection",
        `"${binding.index}" cannot be used as a placeholder for both the index and the value`,
        bindingAt,
      );
    }
    return { kind: "collection", op, selector: selector!, binding, inner };
  }

  #binding(): Binding | null {
    const start = this.pos;
    const first = this.lit("_") ? "_" : this.identifier();
    if (first === null) return null;
    const afterFirst = this.pos;
    if (this.seq(["_?", ",", "_?"])) {
      const second = this.lit("_") ? "_" : this.identifier();
      if (second !== null && !(first === "_" && second === "_")) {
        if (first === "_") return { value: second };
        if (second === "_") return { index: first };
        return { index: first, value: second };
      }
    }
    this.pos = afterFirst;
    if (first === "_") {
      this.pos = start;
      return null;
    }
    return { default: first };
  }

  #match(): MatchExpr | null {
    const start = this.pos;
    const selector = this.selector();
    if (selector !== null) {
      const afterSelector = this.pos;
      const op = this.#firstOp(BINARY_OPS);
      if (op !== null) {
        const valueAt = this.pos;
        const raw = this.value();
        if (raw !== null) return this.#makeMatch(selector, op, raw, start, valueAt);
      }
      this.pos = afterSelector;
      const unary = this.#firstOp(UNARY_OPS);
      if (unary !== null) return { kind: "match", selector, op: unary, raw: null, offset: start };
      this.pos = start;
    }
    const raw = this.value();
    if (raw !== null) {
      const op = this.#firstOp(IN_OPS);
      if (op !== null) {
        const at = this.pos;
        const target = this.selector();
        if (target === null) this.error("match", "Invalid selector", at);
        return { kind: "match", selector: target, op, raw, offset: start };
      }
    }
    this.pos = start;
    return null;
  }

  #makeMatch(
    selector: Selector,
    op: MatchOp,
    raw: string,
    start: number,
    valueAt: number,
  ): MatchExpr {
    if (op !== "matches" && op !== "not matches") {
      return { kind: "match", selector, op, raw, offset: start };
    }
    try {
      return { kind: "match", selector, op, raw, offset: start, regexp: compileGoRegexp(raw) };
    } catch (e) {
      const detail = (e as Error).message;
      this.error(
        "match",
        `failed to compile regular expression ${JSON.stringify(raw)}: ${detail}`,
        valueAt,
      );
    }
  }
}

/**
 * Parses a filter expression into its syntax tree.
 *
 * @throws {BexprError} When the text is not a valid expression; the message names the
 * position.
 */
export function parseExpression(source: string): Expr {
  return new Parser(source).parse();
}
