/// <reference lib="dom" />
/**
 * The job file editor: a plain `<textarea>` (so typing, selection, undo, paste and screen
 * readers behave as everywhere) over a highlighted copy of its text, with line numbers. Errors
 * at a position mark their line in the gutter and show their message at the end of the line;
 * the same errors are listed below the editor as buttons that put the cursor there.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { NL, TokenSpans } from "./code_view.tsx";
import { tokenize, tokenLines } from "./hcl_tokens.ts";
import type { JobFileError } from "./plan.ts";

/** The character offset of a 1-based line and column in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl === -1) return text.length;
    offset = nl + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineLength = (end === -1 ? text.length : end) - offset;
  return offset + Math.min(Math.max(0, column - 1), lineLength);
}

/** The height of a line of the editor, in pixels (styles.css sets the same). */
export const LINE_HEIGHT = 20;

/** The HCL editor. */
export function HclEditor(props: {
  value: string;
  onInput: (value: string) => void;
  errors: readonly JobFileError[];
  label: string;
  placeholder?: string;
  /** Called on Ctrl+Enter / Cmd+Enter. */
  onSubmit?: () => void;
}): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  const highlight = useRef<HTMLPreElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const lines = useMemo(() => tokenLines(tokenize(props.value)), [props.value]);
  const byLine = new Map<number, JobFileError[]>();
  for (const e of props.errors) {
    if (e.line > 0) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
  }
  const sync = () => {
    const ta = area.current;
    if (ta === null) return;
    if (highlight.current) {
      highlight.current.scrollTop = ta.scrollTop;
      highlight.current.scrollLeft = ta.scrollLeft;
    }
    if (gutter.current) gutter.current.scrollTop = ta.scrollTop;
  };
  // New errors: bring the first one's line into view, as an editor would.
  useEffect(() => {
    const first = props.errors.find((e) => e.line > 0);
    const ta = area.current;
    if (first === undefined || ta === null) return;
    const top = (first.line - 1) * LINE_HEIGHT;
    if (top < ta.scrollTop || top > ta.scrollTop + ta.clientHeight - 2 * LINE_HEIGHT) {
      ta.scrollTop = Math.max(0, top - 3 * LINE_HEIGHT);
      sync();
    }
  }, [props.errors]);
  const jump = (e: JobFileError) => {
    const ta = area.current;
    if (ta === null) return;
    const at = offsetOf(props.value, e.line, e.column);
    ta.focus();
    ta.setSelectionRange(at, at);
  };
  const describedBy = props.errors.length > 0 ? "editor-errors" : undefined;
  return (
    <div class="editor-wrap">
      <div class={props.errors.length > 0 ? "editor has-errors" : "editor"}>
        <pre class="editor-gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, i) => (
            <span key={i} class={byLine.has(i + 1) ? "ln err" : "ln"}>
              {byLine.has(i + 1) ? "● " : ""}
              {i + 1}
              {NL}
            </span>
          ))}
        </pre>
        <div class="editor-main">
          <pre
            class="editor-highlight"
            ref={highlight}
            aria-hidden="true"
          ><code>{lines.map((l, i) => {
            const errs = byLine.get(i + 1);
            return (
              <span key={i} class={errs ? "line err" : "line"}>
                <TokenSpans tokens={l} />
                {errs && (
                  <span class="err-inline" data-line={i + 1}>
                    {"  ◀ "}
                    {errs.map((e) => e.message).join(" · ")}
                  </span>
                )}
                {NL}
              </span>
            );
          })}</code></pre>
          <textarea
            ref={area}
            class="editor-input"
            aria-label={props.label}
            aria-describedby={describedBy}
            aria-invalid={props.errors.length > 0}
            spellcheck={false}
            autocapitalize="off"
            autocomplete="off"
            wrap="off"
            placeholder={props.placeholder}
            value={props.value}
            onInput={(e) => {
              props.onInput(e.currentTarget.value);
              sync();
            }}
            onScroll={sync}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && props.onSubmit) {
                e.preventDefault();
                props.onSubmit();
              }
            }}
          />
        </div>
      </div>
      {props.errors.length > 0 && (
        <div class="notice error" id="editor-errors" role="alert">
          <strong>
            {props.errors.length === 1
              ? "The job file has an error"
              : `The job file has ${props.errors.length} errors`}
          </strong>
          <ul class="error-list">
            {props.errors.map((e, i) => (
              <li key={i}>
                {e.line > 0
                  ? (
                    <button type="button" class="link" onClick={() => jump(e)}>
                      Line {e.line}, column {e.column}
                    </button>
                  )
                  : null}
                {e.line > 0 ? ": " : ""}
                <span class="pre-wrap">{e.message}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
