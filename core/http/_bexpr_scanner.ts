/**
 * The lexical half of the filter parser: positions and the farthest-failure bookkeeping that
 * go-bexpr's PEG parser reports, whitespace, literals, identifiers, selectors, string and
 * number literals and values. {@link Scanner} is extended by the expression parser.
 *
 * @module
 */

import type { Selector } from "./_bexpr_ast.ts";
import { BexprError, positionAt } from "./_bexpr_error.ts";

const WS = "[ \\t\\r\\n]";

/** A step of {@link Scanner.seq}: `_` required whitespace, `_?` optional, else a literal. */
export type Step = "_" | "_?" | string;

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}
function isAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}
function isIdentChar(c: string | undefined): boolean {
  return isAlpha(c) || isDigit(c) || c === "_" || c === "/";
}
const POINTER_CHAR = /^[\p{L}\p{N}\-_.~:|]/u;

const GO_ESCAPES = new Map([
  ["a", "\x07"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ["v", "\v"],
  ["\\", "\\"],
]);

/** Go's `strconv.Unquote` applied to the inside of a double-quoted literal; null if invalid. */
function unquoteGo(body: string): string | null {
  if (body.includes("\n")) return null;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple = e === undefined ? undefined : GO_ESCAPES.get(e);
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const digits = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (digits > 0) {
      const h = body.slice(i + 1, i + 1 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(h)) return null;
      const code = parseInt(h, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
      out += String.fromCodePoint(code);
      i += digits;
      continue;
    }
    const octal = body.slice(i, i + 3);
    if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) <= 0xff) {
      out += String.fromCharCode(parseInt(octal, 8));
      i += 2;
      continue;
    }
    return null;
  }
  return out;
}

/** Reads the source for the parser, remembering what it expected where matching failed. */
export class Scanner {
  protected readonly src: string;
  protected pos = 0;
  protected failPos = -1;
  protected readonly expected = new Set<string>();

  constructor(source: string) {
    this.src = source;
  }

  /** The error for an expression that does not parse: where matching got farthest, and why. */
  protected noMatch(): BexprError {
    const list = [...this.expected].sort((a, b) =>
      a === "EOF" ? 1 : b === "EOF" ? -1 : a < b ? -1 : a > b ? 1 : 0
    );
    const text = list.length <= 1
      ? list.join("")
      : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
    return new BexprError(
      `no match found, expected: ${text}`,
      positionAt(this.src, Math.max(this.failPos, 0)),
    );
  }

  /** Throws one of the grammar's own errors (`rule "index": Invalid index`) at `at`. */
  protected error(rule: string, message: string, at = this.pos): never {
    throw new BexprError(`rule "${rule}": ${message}`, positionAt(this.src, at));
  }

  /** Notes that `what` was expected at `pos`, keeping only the farthest position's notes. */
  protected expect(pos: number, what: string): void {
    if (pos > this.failPos) {
      this.failPos = pos;
      this.expected.clear();
    }
    if (pos === this.failPos) this.expected.add(what);
  }

  /** Reads whitespace; true when there was some. */
  protected ws(): boolean {
    const start = this.pos;
    while (isSpace(this.src[this.pos])) this.pos++;
    this.expect(this.pos, WS);
    return this.pos > start;
  }

  /** Reads `text` exactly, or nothing. */
  protected lit(text: string): boolean {
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    this.expect(this.pos, JSON.stringify(text));
    return false;
  }

  /** Matches a sequence of literals and whitespace (`_` required, `_?` optional), or nothing. */
  protected seq(steps: readonly Step[]): boolean {
    const start = this.pos;
    for (const step of steps) {
      const ok = step === "_" ? this.ws() : step === "_?" ? (this.ws(), true) : this.lit(step);
      if (!ok) {
        this.pos = start;
        return false;
      }
    }
    return true;
  }

  protected identifier(): string | null {
    const start = this.pos;
    if (!isAlpha(this.src[start])) {
      this.expect(start, "[a-zA-Z]");
      return null;
    }
    this.pos++;
    while (isIdentChar(this.src[this.pos])) this.pos++;
    this.expect(this.pos, "[a-zA-Z0-9_/]");
    return this.src.slice(start, this.pos);
  }

  protected selector(): Selector | null {
    if (this.src[this.pos] === '"') return this.pointerSelector();
    const first = this.identifier();
    if (first === null) {
      this.expect(this.pos, JSON.stringify('"'));
      return null;
    }
    const path = [first];
    for (;;) {
      const c = this.src[this.pos];
      if (c === "." && isAlpha(this.src[this.pos + 1])) {
        this.pos++;
        path.push(this.identifier()!);
      } else if (c === "." && isDigit(this.src[this.pos + 1])) {
        const start = ++this.pos;
        while (isDigit(this.src[this.pos])) this.pos++;
        path.push(this.src.slice(start, this.pos));
      } else if (c === "[") {
        this.pos++;
        this.ws();
        const key = this.stringLiteral();
        if (key === null) this.error("index", "Invalid index");
        this.ws();
        if (!this.lit("]")) this.error("index", "Unclosed index expression");
        path.push(key);
      } else {
        this.expect(this.pos, '"."');
        this.expect(this.pos, '"["');
        return { type: "bexpr", path };
      }
    }
  }

  protected pointerSelector(): Selector | null {
    const src = this.src;
    const start = this.pos++;
    const path: string[] = [];
    while (src[this.pos] === "/") {
      const segStart = ++this.pos;
      for (let m; (m = POINTER_CHAR.exec(src.slice(this.pos, this.pos + 2))) !== null;) {
        this.pos += m[0].length;
      }
      if (this.pos === segStart) {
        this.expect(this.pos, "[\\pL\\pN-_.~:|]");
        this.pos = start;
        return null;
      }
      path.push(src.slice(segStart, this.pos).replaceAll("~1", "/").replaceAll("~0", "~"));
    }
    if (src[this.pos] !== '"') {
      this.expect(this.pos, '"/"');
      this.pos = start;
      return null;
    }
    this.pos++;
    return { type: "pointer", path };
  }

  protected stringLiteral(): string | null {
    const src = this.src;
    const start = this.pos;
    const quote = src[start];
    if (quote !== '"' && quote !== "`") {
      this.expect(start, JSON.stringify('"'));
      this.expect(start, '"`"');
      return null;
    }
    const end = src.indexOf(quote, start + 1);
    if (end === -1) this.error("string", "Unterminated string literal", src.length);
    this.pos = end + 1;
    const body = src.slice(start + 1, end);
    if (quote === "`") return body.replaceAll("\r", "");
    const text = unquoteGo(body);
    if (text === null) this.error("string", "invalid syntax", start);
    return text;
  }

  protected number(): string | null {
    const src = this.src;
    const start = this.pos;
    if (src[this.pos] === "-") this.pos++;
    if (src[this.pos] === "0") {
      this.pos++;
    } else if (isDigit(src[this.pos])) {
      while (isDigit(src[this.pos])) this.pos++;
    } else {
      this.expect(this.pos, '"0"');
      this.expect(this.pos, "[1-9]");
      this.pos = start;
      return null;
    }
    if (src[this.pos] === "." && isDigit(src[this.pos + 1])) {
      this.pos++;
      while (isDigit(src[this.pos])) this.pos++;
    }
    const next = src[this.pos];
    if (next === undefined || isSpace(next) || next === ")" || next === "}") {
      return src.slice(start, this.pos);
    }
    this.error("number", "Invalid number literal");
  }

  protected value(): string | null {
    const c = this.src[this.pos];
    if (isAlpha(c)) return this.selector()!.path.join(".");
    if (c === "-" || isDigit(c)) return this.number();
    if (c === '"' || c === "`") return this.stringLiteral();
    for (const e of ["[a-zA-Z]", '"-"', '"0"', "[1-9]", JSON.stringify('"'), '"`"']) {
      this.expect(this.pos, e);
    }
    return null;
  }
}
