/**
 * Go regular expressions (RE2 syntax, as `matches` uses them) translated to JavaScript ones.
 *
 * RE2 has no backreferences or lookaround; patterns using them are refused, as Go refuses
 * them. The rest is rewritten where the two dialects differ: leading `(?i)`-style flags,
 * `(?P<name>`, `\z`, `\A`, `\Q...\E`, `\pL`, `\x{...}`, POSIX classes (`[[:alpha:]]`), Go's
 * ASCII-only `\s`, escaped punctuation and literal `{`/`}`.
 *
 * Go matches in linear time; JavaScript backtracks, so a pattern such as `(a+)+$` can stall the
 * event loop. V8 falls back to a linear engine after too many backtracks when started with
 * `--enable-experimental-regexp-engine-on-excessive-backtracks`, but only for patterns without
 * the `i` and `u` flags and without lookaround. So the output avoids them where it can: `(?i)`
 * becomes both cases of each letter (`[wW][eE][bB]`), `.` matches a whole surrogate pair
 * (as Go's `.` matches a whole rune) without the `u` flag, and `\z`/`\A` become `$`/`^`.
 * The `u` flag is used only for `\p{...}` classes and characters beyond U+FFFF.
 *
 * @module
 */

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const GO_SPACE = "\\t\\n\\f\\r ";
const SIMPLE_ESCAPES = new Set(["d", "D", "w", "W", "b", "B", "n", "t", "r", "f", "v", "S"]);
const SURROGATE_PAIR = "[\\ud800-\\udbff][\\udc00-\\udfff]";

function isPunct(c: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(c);
}

/** Reads a `{n}`, `{n,}` or `{n,m}` repetition at `i`; its length, or 0 when there is none. */
function repetitionLength(p: string, i: number): number {
  const m = /^\{\d+(,\d*)?\}/.exec(p.slice(i));
  return m ? m[0].length : 0;
}

class Translator {
  readonly #p: string;
  #i = 0;
  #out = "";
  #ignoreCase = false;
  #dotAll = false;
  #multiline = false;
  #unicode = false;

  constructor(pattern: string) {
    this.#p = pattern;
  }

  run(): { source: string; flags: string } {
    for (let m; (m = /^\(\?([a-zA-Z]+)\)/.exec(this.#p.slice(this.#i))) !== null;) {
      for (const f of m[1]!) {
        if (f === "i") this.#ignoreCase = true;
        else if (f === "m") this.#multiline = true;
        else if (f === "s") this.#dotAll = true;
        else if (f === "U") throw new Error("the ungreedy flag (?U) is not supported");
        else throw new Error(`invalid or unsupported Perl syntax: \`(?${f}\``);
      }
      this.#i += m[0].length;
    }
    while (this.#i < this.#p.length) this.#outside();
    const flags = (this.#multiline ? "m" : "") + (this.#dotAll ? "s" : "") +
      (this.#unicode ? "u" : "");
    return { source: this.#out, flags };
  }

  /** A character as a JavaScript escape, valid with or without the `u` flag. */
  #hex(c: string): string {
    const code = c.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
    this.#unicode = true;
    return `\\u{${code.toString(16)}}`;
  }

  /** A literal character; with `(?i)`, both of its cases. */
  #literal(c: string, inClass: boolean): string {
    if (c.codePointAt(0)! > 0xffff) this.#unicode = true;
    const text = /[A-Za-z0-9_ ]/.test(c) ? c : this.#hex(c);
    if (!this.#ignoreCase) return text;
    const other = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    if (other === c || other.length !== 1) return text;
    const both = text + (/[A-Za-z]/.test(other) ? other : this.#hex(other));
    return inClass ? both : `[${both}]`;
  }

  #outside(): void {
    const p = this.#p;
    const c = p[this.#i]!;
    if (c === "\\") return this.#escape(false);
    if (c === "[") return this.#charClass();
    if (c === "(") return this.#group();
    if (c === "{") {
      const n = repetitionLength(p, this.#i);
      this.#out += n > 0 ? p.slice(this.#i, this.#i + n) : "\\{";
      this.#i += Math.max(n, 1);
      return;
    }
    if (".^$|)*+?".includes(c)) {
      this.#out += c === "." ? this.#dot() : c;
      this.#i++;
      return;
    }
    const cp = String.fromCodePoint(p.codePointAt(this.#i)!);
    this.#out += this.#literal(cp, false);
    this.#i += cp.length;
  }

  /** Go's `.`: one rune, so a surrogate pair counts as one character. */
  #dot(): string {
    return `(?:${SURROGATE_PAIR}|${this.#dotAll ? "[\\s\\S]" : "."})`;
  }

  #group(): void {
    const rest = this.#p.slice(this.#i);
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.#out += `(?<${named[1]}>`;
      this.#i += named[0].length;
      return;
    }
    const flagGroup = /^\(\?([imsU-]*):/.exec(rest);
    if (flagGroup !== null) {
      if (flagGroup[1]!.includes("U")) throw new Error("the ungreedy flag (?U) is not supported");
      this.#out += flagGroup[0];
      this.#i += flagGroup[0].length;
      return;
    }
    if (/^\(\?[imsU-]+\)/.test(rest)) {
      throw new Error("flags such as (?i) are only supported at the start of the pattern");
    }
    if (rest.startsWith("(?")) {
      const shown = /^\(\?[^)]{0,3}/.exec(rest)![0];
      throw new Error(`invalid or unsupported Perl syntax: \`${shown}\``);
    }
    this.#out += "(";
    this.#i++;
  }

  #escape(inClass: boolean): void {
    const p = this.#p;
    const c = p[this.#i + 1];
    if (c === undefined) throw new Error("trailing backslash at end of expression");
    this.#i += 2;
    if (/[1-9]/.test(c)) throw new Error(`invalid escape sequence: \`\\${c}\``);
    if (c === "Q") {
      const end = p.indexOf("\\E", this.#i);
      for (const ch of p.slice(this.#i, end === -1 ? p.length : end)) {
        this.#out += this.#literal(ch, inClass);
      }
      this.#i = end === -1 ? p.length : end + 2;
      return;
    }
    if ((c === "z" || c === "A") && !inClass) {
      const anchor = c === "z" ? "$" : "^";
      this.#out += this.#multiline ? (c === "z" ? "(?![\\s\\S])" : "(?<![\\s\\S])") : anchor;
      return;
    }
    if (c === "s") return void (this.#out += inClass ? GO_SPACE : `[${GO_SPACE}]`);
    if (c === "S" && !inClass) return void (this.#out += `[^${GO_SPACE}]`);
    if (c === "a") return void (this.#out += "\\x07");
    if (c === "p" || c === "P") return this.#unicodeClass(c);
    if (c === "x") {
      const braced = /^\{([0-9A-Fa-f]+)\}/.exec(p.slice(this.#i));
      const two = /^[0-9A-Fa-f]{2}/.exec(p.slice(this.#i));
      const match = braced ?? two;
      if (!match) throw new Error("invalid escape sequence: `\\x`");
      const code = parseInt(braced ? braced[1]! : two![0], 16);
      if (code > 0x10ffff) throw new Error(`invalid escape sequence: \`\\x${match[0]}\``);
      this.#out += this.#literal(String.fromCodePoint(code), inClass);
      this.#i += match[0].length;
      return;
    }
    if (c === "0") return void (this.#out += "\\x00");
    if (SIMPLE_ESCAPES.has(c)) return void (this.#out += `\\${c}`);
    if (isPunct(c)) return void (this.#out += this.#hex(c));
    throw new Error(`invalid escape sequence: \`\\${c}\``);
  }

  #unicodeClass(c: "p" | "P"): void {
    const p = this.#p;
    let name: string;
    if (p[this.#i] === "{") {
      const end = p.indexOf("}", this.#i);
      if (end === -1) throw new Error(`invalid character class range: \`\\${c}{\``);
      name = p.slice(this.#i + 1, end);
      this.#i = end + 1;
    } else {
      name = p[this.#i] ?? "";
      this.#i++;
    }
    let negated = c === "P";
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) {
      throw new Error(`invalid character class range: \`\\${c}{${name}}\``);
    }
    if (name === "Any") {
      this.#out += negated ? "[^\\s\\S]" : `(?:${SURROGATE_PAIR}|[\\s\\S])`;
      return;
    }
    this.#unicode = true;
    const property = name.length <= 2 ? name : `Script=${name}`;
    this.#out += `\\${negated ? "P" : "p"}{${property}}`;
  }

  #charClass(): void {
    const p = this.#p;
    this.#i++;
    this.#out += "[";
    if (p[this.#i] === "^") {
      this.#out += "^";
      this.#i++;
    }
    for (let first = true;; first = false) {
      const c = p[this.#i];
      if (c === undefined) throw new Error(`missing closing ]: \`${p}\``);
      if (c === "]" && !first) {
        this.#out += "]";
        this.#i++;
        return;
      }
      if (c === "[" && p[this.#i + 1] === ":") {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.#i));
        const range = m ? POSIX_CLASSES[m[2]!] : undefined;
        if (!m || range === undefined || m[1] === "^") {
          throw new Error(`invalid character class range: \`${p.slice(this.#i, this.#i + 10)}\``);
        }
        this.#out += this.#ignoreCase && (m[2] === "lower" || m[2] === "upper") ? "A-Za-z" : range;
        this.#i += m[0].length;
      } else if (c === "\\") {
        this.#escape(true);
      } else if (c === "-" && p[this.#i + 1] !== "]" && !first) {
        this.#out += "-";
        this.#i++;
      } else {
        this.#classAtom();
      }
    }
  }

  /** A literal character of a class, or a range starting with it (`a-z`). */
  #classAtom(): void {
    const p = this.#p;
    const cp = String.fromCodePoint(p.codePointAt(this.#i)!);
    this.#i += cp.length;
    const range = /^-([^\]\\[])/u.exec(p.slice(this.#i));
    if (range === null) {
      this.#out += this.#literal(cp, true);
      return;
    }
    const to = range[1]!;
    this.#i += range[0].length;
    this.#out += `${this.#hex(cp)}-${this.#hex(to)}`;
    if (this.#ignoreCase && /^[a-z]$/.test(cp) && /^[a-z]$/.test(to)) {
      this.#out += `${cp.toUpperCase()}-${to.toUpperCase()}`;
    } else if (this.#ignoreCase && /^[A-Z]$/.test(cp) && /^[A-Z]$/.test(to)) {
      this.#out += `${cp.toLowerCase()}-${to.toLowerCase()}`;
    }
  }
}

/**
 * Compiles a Go (RE2) regular expression into an equivalent JavaScript `RegExp`.
 *
 * @throws {Error} When Go would refuse the pattern or JavaScript cannot express it; the
 * message names the part at fault.
 */
export function compileGoRegexp(pattern: string): RegExp {
  const { source, flags } = new Translator(pattern).run();
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const detail = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    throw new Error(`error parsing regexp: ${detail.toLowerCase()}: \`${pattern}\``);
  }
}
