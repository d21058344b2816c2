/// <reference lib="dom" />
/**
 * Read-only source with line numbers and highlighting: HCL through the job file tokenizer,
 * JSON through a small scanner of its own.
 *
 * @module
 */
import type { JSX } from "preact";
import { type Token, tokenize, tokenLines } from "./hcl_tokens.ts";

const JSON_TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],])/g;

/** A line break in JSX text. */
export const NL = "\n";

/** Tokens of JSON text (keys as `attr`, strings, numbers, literals, punctuation). */
export function jsonTokens(text: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    if (m.index > last) out.push({ kind: "space", text: text.slice(last, m.index) });
    if (m[1] !== undefined) {
      out.push({ kind: m[2] !== undefined ? "attr" : "string", text: m[1] });
      if (m[2] !== undefined) out.push({ kind: "punct", text: m[2] });
    } else if (m[3] !== undefined) out.push({ kind: "number", text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: "literal", text: m[4] });
    else out.push({ kind: "punct", text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: "space", text: text.slice(last) });
  return out;
}

/** A line's tokens as spans. */
export function TokenSpans(props: { tokens: readonly Token[] }): JSX.Element {
  return (
    <>
      {props.tokens.map((t, i) =>
        t.kind === "space" ? t.text : <span key={i} class={`tk-${t.kind}`}>{t.text}</span>
      )}
    </>
  );
}

/** Highlighted, line-numbered source. */
export function CodeView(
  props: { text: string; language: "hcl" | "json"; label: string },
): JSX.Element {
  const tokens = props.language === "hcl" ? tokenize(props.text) : jsonTokens(props.text);
  const lines = tokenLines(tokens);
  if (lines.length > 1 && lines.at(-1)!.length === 0) lines.pop();
  return (
    <div class="code-view" role="region" aria-label={props.label} tabIndex={0}>
      <pre class="gutter" aria-hidden="true">{lines.map((_, i) => `${i + 1}\n`).join("")}</pre>
      <pre class="code"><code>{lines.map((l, i) => (
        <span key={i} class="line">
          <TokenSpans tokens={l} />
          {NL}
        </span>
      ))}</code></pre>
    </div>
  );
}
