/**
 * A structural scanner for HCL native syntax that records where each attribute and block is.
 *
 * HashiCorp's HCL library (through `@cdktf/hcl2json`) validates the syntax and gives us the
 * values, but its JSON carries no positions and does not say whether `x` was written as an
 * attribute or a block. This scanner walks the same (already valid) source and returns the
 * body tree: items in source order, each with its kind, name, labels and `line:col`. It skips
 * expressions without evaluating them: strings with nested interpolations, heredocs, comments
 * and brackets.
 *
 * @module
 */

/** A 1-based line and column. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** An attribute `name = value`. */
export interface ScannedAttribute {
  readonly kind: "attribute";
  readonly name: string;
  /** Where the name starts. */
  readonly pos: Pos;
  /** Where the value starts. */
  readonly valuePos: Pos;
  /** The value's source text, trimmed. */
  readonly source: string;
}

/** A block `type "label" ... { body }`. */
export interface ScannedBlock {
  readonly kind: "block";
  readonly name: string;
  readonly labels: readonly string[];
  readonly pos: Pos;
  readonly body: readonly ScannedItem[];
  /** Offsets of the block's first character and just past its closing brace. */
  readonly span: readonly [number, number];
}

/** An item of a body. */
export type ScannedItem = ScannedAttribute | ScannedBlock;

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_-]/u;

class Scanner {
  #src: string;
  #i = 0;
  #line = 1;
  #col = 1;

  constructor(src: string) {
    this.#src = src;
  }

  get done(): boolean {
    return this.#i >= this.#src.length;
  }

  pos(): Pos {
    return { line: this.#line, col: this.#col };
  }

  index(): number {
    return this.#i;
  }

  slice(from: number, to = this.#i): string {
    return this.#src.slice(from, to);
  }

  peek(offset = 0): string {
    return this.#src[this.#i + offset] ?? "";
  }

  startsWith(text: string): boolean {
    return this.#src.startsWith(text, this.#i);
  }

  next(): string {
    const c = this.#src[this.#i++] ?? "";
    if (c === "\n") {
      this.#line++;
      this.#col = 1;
    } else {
      this.#col++;
    }
    return c;
  }

  /** Skips blanks and comments; stops at a newline unless `newlines`. */
  skipSpace(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) {
        this.next();
      } else if (c === "#" || this.startsWith("//")) {
        while (!this.done && this.peek() !== "\n") this.next();
      } else if (this.startsWith("/*")) {
        this.next();
        this.next();
        while (!this.done && !this.startsWith("*/")) this.next();
        this.next();
        this.next();
      } else {
        return;
      }
    }
  }

  identifier(): string {
    const start = this.#i;
    if (!IDENT_START.test(this.peek())) return "";
    while (!this.done && IDENT_PART.test(this.peek())) this.next();
    return this.slice(start);
  }

  /** Reads a quoted string and returns its raw content (escapes left as written). */
  quoted(): string {
    this.next(); // opening quote
    const start = this.#i;
    this.templateUntil('"');
    const text = this.slice(start, this.#i - 1);
    return text;
  }

  /** Skips template text up to and including the closing `end` character. */
  templateUntil(end: string): void {
    while (!this.done) {
      const c = this.peek();
      if (c === "\\") {
        this.next();
        this.next();
      } else if ((c === "$" || c === "%") && this.peek(1) === c && this.peek(2) === "{") {
        this.next();
        this.next();
        this.next();
      } else if ((c === "$" || c === "%") && this.peek(1) === "{") {
        this.next();
        this.next();
        this.expressionUntil("}");
      } else {
        this.next();
        if (c === end) return;
      }
    }
  }

  /** Skips a heredoc starting at `<<`, through its closing marker line. */
  heredoc(): void {
    this.next();
    this.next();
    if (this.peek() === "-") this.next();
    const marker = this.identifier();
    while (!this.done && this.peek() !== "\n") this.next();
    while (!this.done) {
      this.next(); // newline
      const lineStart = this.#i;
      while (!this.done && this.peek() !== "\n") this.next();
      if (this.slice(lineStart).trim() === marker) return;
    }
  }

  /**
   * Skips an expression. With `close`, stops after the matching closing character; without,
   * stops before a newline (or a `}` closing the enclosing one-line block) at depth zero.
   */
  expressionUntil(close?: string): number {
    let depth = 0;
    let end = this.#i;
    while (!this.done) {
      const c = this.peek();
      if (
        c !== " " && c !== "\t" && c !== "\r" && c !== "\n" && c !== "#" &&
        !this.startsWith("//") && !this.startsWith("/*")
      ) {
        end = -1;
      }
      if (c === '"') {
        this.quoted();
      } else if (c === "<" && this.peek(1) === "<" && /[-A-Za-z_]/.test(this.peek(2))) {
        this.heredoc();
      } else if (c === "#" || this.startsWith("//") || this.startsWith("/*")) {
        this.skipSpace(false);
      } else if (c === "(" || c === "[" || c === "{") {
        depth++;
        this.next();
      } else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) {
          if (close !== undefined && c === close) this.next();
          return end;
        }
        depth--;
        this.next();
      } else if (c === "\n" && depth === 0 && close === undefined) {
        return end;
      } else {
        this.next();
      }
      if (end === -1) end = this.#i;
    }
    return end;
  }
}

function body(s: Scanner, closing: boolean): ScannedItem[] {
  const items: ScannedItem[] = [];
  for (;;) {
    s.skipSpace(true);
    if (s.done) return items;
    if (s.peek() === "}") {
      if (closing) s.next();
      return items;
    }
    const pos = s.pos();
    const start = s.index();
    const name = s.identifier();
    if (name === "") {
      // Not valid HCL; the library reported it already. Skip a character to make progress.
      s.next();
      continue;
    }
    s.skipSpace(false);
    if (s.peek() === "=" && s.peek(1) !== "=") {
      s.next();
      s.skipSpace(false);
      const valuePos = s.pos();
      const start = s.index();
      const end = s.expressionUntil();
      items.push({ kind: "attribute", name, pos, valuePos, source: s.slice(start, end).trim() });
      continue;
    }
    const labels: string[] = [];
    while (!s.done && s.peek() !== "{") {
      if (s.peek() === '"') labels.push(s.quoted());
      else {
        const label = s.identifier();
        if (label === "") s.next();
        else labels.push(label);
      }
      s.skipSpace(false);
    }
    s.next(); // {
    const inner = body(s, true);
    items.push({ kind: "block", name, labels, pos, body: inner, span: [start, s.index()] });
  }
}

/**
 * Scans HCL source that the HCL library has already accepted.
 *
 * @example
 * ```ts
 * scanBody('job "x" {\n  type = "batch"\n}\n');
 * // [{ kind: "block", name: "job", labels: ["x"], pos: { line: 1, col: 1 }, body: [
 * //   { kind: "attribute", name: "type", pos: { line: 2, col: 3 }, ... }] }]
 * ```
 */
export function scanBody(src: string): ScannedItem[] {
  return body(new Scanner(src), false);
}
