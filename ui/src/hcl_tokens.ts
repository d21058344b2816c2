/**
 * A tokenizer for highlighting HCL2 job files: every character of the input lands in exactly
 * one token (joining the tokens' text gives the input back), so the highlighted copy lines up
 * with the text being edited. It is forgiving: an unterminated string, heredoc or comment ends
 * at the end of the line or of the input instead of failing, because the text is usually
 * half-typed.
 *
 * Token kinds: `comment`, `string` (quotes and literal text), `interp` (the `${`, `%{` and `}`
 * of a template sequence; the expression inside is tokenized as code), `heredoc` (the `<<EOF`
 * opener, body text and closing marker), `number`, `literal` (`true`, `false`, `null`),
 * `block` (a block type such as `job` or `task`), `attr` (an argument name before `=`),
 * `ident` (other names: `var`, functions, `for`), `punct`, `op`, `space`.
 *
 * @module
 */

/** The kind of a token. */
export type TokenKind =
  | "comment"
  | "string"
  | "interp"
  | "heredoc"
  | "number"
  | "literal"
  | "block"
  | "attr"
  | "ident"
  | "punct"
  | "op"
  | "space";

/** A run of the input with one kind. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;
const LITERALS = new Set(["true", "false", "null"]);
const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "=>", "...", "=", "<", ">", "+", "-"];
const SINGLE_OPS = "*/%!?:";
const PUNCT = "{}[](),.";
const MERGED = new Set<TokenKind>(["string", "heredoc", "space"]);

class Scanner {
  readonly out: Token[] = [];
  pos = 0;
  constructor(readonly src: string) {}

  push(kind: TokenKind, end: number): void {
    if (end <= this.pos) return;
    const text = this.src.slice(this.pos, end);
    const last = this.out.at(-1);
    // Adjacent runs of text merge, which keeps the rendered markup small.
    if (last !== undefined && last.kind === kind && MERGED.has(kind)) {
      this.out[this.out.length - 1] = { kind, text: last.text + text };
    } else {
      this.out.push({ kind, text });
    }
    this.pos = end;
  }
}

/** Whether the identifier ending at `end` starts a block: labels then `{` follow it. */
function startsBlock(src: string, end: number): boolean {
  let i = end;
  for (;;) {
    while (src[i] === " " || src[i] === "\t") i++;
    const c = src[i];
    if (c === "{") return true;
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"' && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      if (src[i] !== '"') return false;
      i++;
      continue;
    }
    if (c !== undefined && IDENT_START.test(c)) {
      while (i < src.length && IDENT_PART.test(src[i]!)) i++;
      continue;
    }
    return false;
  }
}

/** Whether `=` (not `==` or `=>`) follows the identifier ending at `end`. */
function assigns(src: string, end: number): boolean {
  let i = end;
  while (src[i] === " " || src[i] === "\t") i++;
  return src[i] === "=" && src[i + 1] !== "=" && src[i + 1] !== ">";
}

/** Whether the position is the first non-blank of its line (where a block may start). */
function lineStart(src: string, pos: number): boolean {
  for (let i = pos - 1; i >= 0; i--) {
    const c = src[i];
    if (c === "\n") return true;
    if (c !== " " && c !== "\t") return false;
  }
  return true;
}

/**
 * Scans template text (a quoted string's or a heredoc's body) up to `stop`, which returns at a
 * position the length of the terminator there, -1 to end before it, or 0 to go on. Template
 * sequences are scanned as code.
 */
function scanTemplate(
  s: Scanner,
  kind: "string" | "heredoc",
  stop: (i: number) => number,
): void {
  const src = s.src;
  while (s.pos < src.length) {
    let i = s.pos;
    while (i < src.length) {
      if (stop(i) !== 0) break;
      if (kind === "string" && src[i] === "\\") {
        i += 2;
        continue;
      }
      if ((src[i] === "$" || src[i] === "%") && src[i + 1] === "{") {
        if (src[i - 1] === src[i] && i - 1 >= s.pos) {
          i += 2; // `$${` and `%%{` are escapes, not sequences
          continue;
        }
        break;
      }
      i++;
    }
    s.push(kind, Math.min(i, src.length));
    if (s.pos >= src.length) return;
    if (stop(s.pos) !== 0) return;
    s.push("interp", s.pos + 2);
    scanCode(s, true);
    if (src[s.pos] === "}") s.push("interp", s.pos + 1);
  }
}

/** Scans a quoted string starting at its opening quote. Strings end at the line's end. */
function scanString(s: Scanner): void {
  s.push("string", s.pos + 1);
  const src = s.src;
  scanTemplate(s, "string", (i) => src[i] === '"' ? 1 : src[i] === "\n" ? -1 : 0);
  if (src[s.pos] === '"') s.push("string", s.pos + 1);
}

/** Scans a heredoc from its `<<` opener, or returns false when there is none here. */
function scanHeredoc(s: Scanner): boolean {
  const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n/.exec(s.src.slice(s.pos, s.pos + 200));
  if (m === null) return false;
  const marker = m[2]!;
  s.push("heredoc", s.pos + m[0].length);
  const src = s.src;
  // The body ends before a line holding only the marker (indented when `<<-`).
  const closing = (i: number): number => {
    if (i > 0 && src[i - 1] !== "\n") return 0;
    let j = i;
    while (src[j] === " " || src[j] === "\t") j++;
    if (src.startsWith(marker, j)) {
      const after = src[j + marker.length];
      if (after === undefined || after === "\n" || after === "\r") return j + marker.length - i;
    }
    return 0;
  };
  scanTemplate(s, "heredoc", closing);
  const len = closing(s.pos);
  if (len > 0) s.push("heredoc", s.pos + len);
  return true;
}

/**
 * Scans code until the input ends or, inside a template sequence (`nested`), until the `}`
 * that closes it.
 */
function scanCode(s: Scanner, nested: boolean): void {
  const src = s.src;
  let depth = 0;
  while (s.pos < src.length) {
    const c = src[s.pos]!;
    const start = s.pos;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      let i = start;
      while (i < src.length && " \t\n\r".includes(src[i]!)) i++;
      s.push("space", i);
    } else if (c === "#" || (c === "/" && src[start + 1] === "/")) {
      const nl = src.indexOf("\n", start);
      s.push("comment", nl === -1 ? src.length : nl);
    } else if (c === "/" && src[start + 1] === "*") {
      const close = src.indexOf("*/", start + 2);
      s.push("comment", close === -1 ? src.length : close + 2);
    } else if (c === '"') {
      scanString(s);
    } else if (c === "<" && src[start + 1] === "<" && scanHeredoc(s)) {
      // scanned
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(start, start + 64));
      s.push("number", start + (m?.[0].length ?? 1));
    } else if (IDENT_START.test(c)) {
      let i = start + 1;
      while (i < src.length && IDENT_PART.test(src[i]!)) i++;
      const word = src.slice(start, i);
      let kind: TokenKind = "ident";
      if (LITERALS.has(word)) kind = "literal";
      else if (!nested && assigns(src, i)) kind = "attr";
      else if (!nested && lineStart(src, start) && startsBlock(src, i)) kind = "block";
      s.push(kind, i);
    } else if (nested && c === "}" && depth === 0) {
      return;
    } else if (PUNCT.includes(c)) {
      if (c === "{") depth++;
      if (c === "}") depth = Math.max(0, depth - 1);
      s.push("punct", start + 1);
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, start));
      if (op !== undefined) s.push("op", start + op.length);
      else s.push(SINGLE_OPS.includes(c) ? "op" : "punct", start + 1);
    }
  }
}

/**
 * Splits HCL source into tokens for highlighting.
 *
 * @example
 * ```ts
 * tokenize('job "web" {\n  count = 2\n}\n').map((t) => t.kind);
 * // ["block", "space", "string", "space", "punct", "space", "attr", "space", "op", ...]
 * ```
 */
export function tokenize(src: string): Token[] {
  const s = new Scanner(src);
  scanCode(s, false);
  return s.out;
}

/**
 * The tokens of each line (line breaks dropped), for rendering line by line. A token that
 * spans lines (a comment, a heredoc body) is cut at each line break.
 */
export function tokenLines(tokens: readonly Token[]): Token[][] {
  const lines: Token[][] = [[]];
  for (const t of tokens) {
    const parts = t.text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== "") lines.at(-1)!.push({ kind: t.kind, text: part });
    });
  }
  return lines;
}
