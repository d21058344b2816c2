/// <reference lib="dom" />
/**
 * A job diff as `job plan` prints it, each line coloured by its change.
 *
 * @module
 */
import type { JSX } from "preact";
import { NL } from "./code_view.tsx";
import { diffLines } from "./plan.ts";
import type { JobDiff } from "./types.ts";

/** The annotated diff of a job. */
export function DiffView(props: { diff: JobDiff; verbose?: boolean }): JSX.Element {
  const lines = diffLines(props.diff, props.verbose ?? false);
  return (
    <pre class="diff" aria-label="Job diff">{lines.map((l, i) => (
      <span key={i} class={`diff-line d-${l.kind.toLowerCase()}${l.heading ? " heading" : ""}`}>
        {l.text}
        {NL}
      </span>
    ))}</pre>
  );
}
