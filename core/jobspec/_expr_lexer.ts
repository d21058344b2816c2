/**
 * The scanner of HCL expressions and templates: turns source text into tokens with their
 * offsets, switching between expression mode and template mode (quoted strings, heredocs, bare
 * templates) the way HCL's scanner does.
 *
 * In a quoted string the escapes `\n \r \t \" \\ \uXXXX \UXXXXXXXX` are decoded; in every
 * template `$${` and `%%{` stand for a literal `${` and `%{`. Bare templates (the text handed to
 * `evalTemplate`, and `templatefile` contents) and heredocs take backslashes literally.
 *
 * @module
 */
import { ExprError } from "./_expr_error.ts";

/** The kinds of token. Punctuation tokens are their own text. */
export type TokenType =
  | "ident"
  | "number"
  | "oquote"
  | "cquote"
  | "oheredoc"
  | "cheredoc"
  | "lit"
  | "interp"
  | "control"
  | "seqend"
  | "newline"
  | "eof"
  | "("
  | ")"
  | "["
  | "]"
  | "{"
  | "}"
  | ","
  | "."
  | "..."
  | ":"
  | "?"
  | "="
  | "=>"
  | "!"
  | "*"
  | "/"
  | "%"
  | "+"
  | "-"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "&&"
  | "||";

/** One token; `start`/`end` are offsets in the scanned text. */
export interface Token {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
  /** The decoded text of a template literal; the raw text otherwise. */
  readonly value: string;
  /** A `~` strip marker on `${~`, `%{~` or `~}`. */
  readonly strip: boolean;
}

type Frame =
  | { readonly kind: "expr" | "brace" | "interp" | "quoted" | "bare" }
  | { readonly kind: "heredoc"; readonly marker: string; readonly indent: number };

const OPERATORS: readonly TokenType[] = [
  "...",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  ":",
  "?",
  "=",
  "!",
  "*",
  "/",
  "%",
  "+",
  "-",
  "<",
  ">",
];
const NUMBER = /\d+(\.\d+)?([eE][+-]?\d+)?/y;
const HEREDOC_START = /<<(-?)([\p{ID_Start}_][\p{ID_Continue}-]*)[ \t]*\r?\n/uy;
const HEREDOC_CLOSE = /[ \t]*([\p{ID_Start}_][\p{ID_Continue}-]*)[ \t]*(\r?\n|$)/uy;
const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /[\p{ID_Continue}-]/u;

/**
 * Scans `src` as an expression (`mode = "expression"`) or as bare template content.
 *
 * @throws {ExprError} for characters the language does not use, bad escapes, unterminated
 * comments and line breaks in quoted strings.
 */
export function tokenize(src: string, mode: "expression" | "template"): Token[] {
  return new Scanner(src).run(mode === "expression" ? { kind: "expr" } : { kind: "bare" });
}

class Scanner {
  readonly #src: string;
  #pos = 0;
  readonly #out: Token[] = [];
  readonly #stack: Frame[] = [];

  constructor(src: string) {
    this.#src = src;
  }

  run(top: Frame): Token[] {
    this.#stack.push(top);
    while (this.#pos < this.#src.length) {
      const frame = this.#stack.at(-1)!;
      if (frame.kind === "quoted" || frame.kind === "bare" || frame.kind === "heredoc") {
        this.#template(frame);
      } else this.#expressionToken();
    }
    this.#emit("eof", this.#pos, this.#pos, "");
    return this.#out;
  }

  #emit(type: TokenType, start: number, end: number, value: string, strip = false): void {
    this.#out.push({ type, start, end, value, strip });
  }

  #expressionToken(): void {
    const s = this.#src, start = this.#pos, c = s[start]!;
    if (c === " " || c === "\t") {
      this.#pos++;
    } else if (c === "\n" || (c === "\r" && s[start + 1] === "\n")) {
      this.#pos += c === "\r" ? 2 : 1;
      this.#emit("newline", start, this.#pos, "\n");
    } else if (c === "#" || s.startsWith("//", start)) {
      while (this.#pos < s.length && s[this.#pos] !== "\n" && s[this.#pos] !== "\r") this.#pos++;
    } else if (s.startsWith("/*", start)) {
      const end = s.indexOf("*/", start + 2);
      if (end < 0) {
        throw new ExprError(
          start,
          "Unterminated comment",
          "There is no closing */ for this comment.",
        );
      }
      this.#pos = end + 2;
    } else if (c >= "0" && c <= "9") {
      const m = at(NUMBER, s, start)!;
      this.#pos += m[0].length;
      this.#emit("number", start, this.#pos, m[0]);
    } else if (ID_START.test(c) || isIdStartAstral(s, start)) {
      this.#pos = identEnd(s, start);
      this.#emit("ident", start, this.#pos, s.slice(start, this.#pos));
    } else if (c === '"') {
      this.#pos++;
      this.#emit("oquote", start, this.#pos, '"');
      this.#stack.push({ kind: "quoted" });
    } else if (s.startsWith("<<", start) && this.#heredocStart()) {
      return;
    } else if (c === "{") {
      this.#pos++;
      this.#stack.push({ kind: "brace" });
      this.#emit("{", start, this.#pos, "{");
    } else if (c === "}" || (c === "~" && s[start + 1] === "}")) {
      this.#closeBrace(start, c === "~");
    } else {
      const op = OPERATORS.find((o) => s.startsWith(o, start));
      if (!op) {
        const ch = String.fromCodePoint(s.codePointAt(start)!);
        throw new ExprError(
          start,
          "Invalid character",
          `The character ${JSON.stringify(ch)} is not used within the language.`,
        );
      }
      this.#pos += op.length;
      this.#emit(op, start, this.#pos, op);
    }
  }

  #closeBrace(start: number, strip: boolean): void {
    const frame = this.#stack.at(-1)!;
    if (frame.kind === "interp") {
      this.#pos = start + (strip ? 2 : 1);
      this.#stack.pop();
      this.#emit("seqend", start, this.#pos, "}", strip);
      return;
    }
    if (strip) {
      throw new ExprError(
        start,
        "Invalid character",
        'The character "~" is not used within the language.',
      );
    }
    this.#pos = start + 1;
    if (frame.kind === "brace") this.#stack.pop();
    this.#emit("}", start, this.#pos, "}");
  }

  #heredocStart(): boolean {
    const s = this.#src, start = this.#pos;
    const m = at(HEREDOC_START, s, start);
    if (!m) return false;
    const marker = m[2]!;
    this.#pos += m[0].length;
    this.#emit("oheredoc", start, this.#pos, marker);
    const indent = m[1] === "-" ? heredocIndent(s, this.#pos, marker) : 0;
    this.#stack.push({ kind: "heredoc", marker, indent });
    return true;
  }

  /** Scans template content up to an interpolation, a directive or the end of the template. */
  #template(frame: Frame): void {
    const s = this.#src;
    let start = this.#pos, buf = "";
    const flush = () => {
      if (this.#pos > start) this.#emit("lit", start, this.#pos, buf);
      buf = "";
      start = this.#pos;
    };
    let lineStart = frame.kind === "heredoc" &&
      (this.#pos === 0 || s[this.#pos - 1] === "\n");
    while (this.#pos < s.length) {
      const p = this.#pos, c = s[p]!;
      if (frame.kind === "heredoc" && lineStart) {
        const close = heredocCloseAt(s, p, frame.marker);
        if (close >= 0) {
          flush();
          this.#stack.pop();
          this.#pos = close;
          this.#emit("cheredoc", p, close, frame.marker);
          return;
        }
        let skip = 0;
        while (skip < frame.indent && (s[p + skip] === " " || s[p + skip] === "\t")) skip++;
        this.#pos += skip;
        lineStart = false;
        continue;
      }
      if (frame.kind === "quoted") {
        if (c === '"') {
          flush();
          this.#pos++;
          this.#stack.pop();
          this.#emit("cquote", p, p + 1, '"');
          return;
        }
        if (c === "\n" || c === "\r") {
          throw new ExprError(
            p,
            "Invalid multi-line string",
            'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
          );
        }
        if (c === "\\") {
          const [text, len] = decodeEscape(s, p);
          buf += text;
          this.#pos += len;
          continue;
        }
      }
      if ((c === "$" || c === "%") && s[p + 1] === c && s[p + 2] === "{") {
        buf += c + "{";
        this.#pos += 3;
        continue;
      }
      if ((c === "$" || c === "%") && s[p + 1] === "{") {
        flush();
        const strip = s[p + 2] === "~";
        this.#pos = p + (strip ? 3 : 2);
        this.#emit(c === "$" ? "interp" : "control", p, this.#pos, c + "{", strip);
        this.#stack.push({ kind: "interp" });
        return;
      }
      buf += c;
      this.#pos++;
      if (c === "\n") lineStart = true;
    }
    flush();
  }
}

/** Matches a sticky regexp at `pos` without copying the text. */
function at(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

function isIdStartAstral(s: string, i: number): boolean {
  const cp = s.codePointAt(i)!;
  return cp > 0xffff && ID_START.test(String.fromCodePoint(cp));
}

function identEnd(s: string, start: number): number {
  let i = start;
  while (i < s.length) {
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    if (!ID_CONTINUE.test(ch)) break;
    i += ch.length;
  }
  return i;
}

/** If a heredoc's closing marker line starts at `p`, the offset after it; otherwise -1. */
function heredocCloseAt(s: string, p: number, marker: string): number {
  const m = at(HEREDOC_CLOSE, s, p);
  if (!m || m[1] !== marker) return -1;
  return p + m[0].length - m[2]!.length;
}

/** The common indentation of the non-blank lines of a `<<-` heredoc body. */
function heredocIndent(s: string, start: number, marker: string): number {
  let min = Infinity;
  for (let p = start; p < s.length;) {
    if (heredocCloseAt(s, p, marker) >= 0) break;
    const nl = s.indexOf("\n", p);
    const line = s.slice(p, nl < 0 ? s.length : nl);
    if (line.trim() !== "") min = Math.min(min, /^[ \t]*/.exec(line)![0].length);
    if (nl < 0) break;
    p = nl + 1;
  }
  return min === Infinity ? 0 : min;
}

/** Decodes the escape sequence at `p` (a backslash); returns the text and the length used. */
function decodeEscape(s: string, p: number): [string, number] {
  const c = s[p + 1];
  switch (c) {
    case "n":
      return ["\n", 2];
    case "r":
      return ["\r", 2];
    case "t":
      return ["\t", 2];
    case '"':
      return ['"', 2];
    case "\\":
      return ["\\", 2];
    case "u":
    case "U": {
      const n = c === "u" ? 4 : 8;
      const hex = s.slice(p + 2, p + 2 + n);
      const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === n ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new ExprError(
          p,
          "Invalid escape sequence",
          `The \\${c} escape sequence must be followed by ${n} hexadecimal digits of a valid Unicode character.`,
        );
      }
      return [String.fromCodePoint(cp), 2 + n];
    }
    default:
      throw new ExprError(
        p,
        "Invalid escape sequence",
        `The symbol ${JSON.stringify(c ?? "")} is not a valid escape sequence selector.`,
      );
  }
}
