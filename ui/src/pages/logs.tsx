/// <reference lib="dom" />
/**
 * A task's logs: stdout or stderr, followed live (new lines appear as the task writes them and
 * the view keeps to the bottom unless scrolled up), or paused.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { LogStream } from "../log_stream.ts";
import type { Allocation } from "../types.ts";
import { terminal } from "./alloc.tsx";

/** The log viewer of a task. */
export function LogViewer(props: { alloc: Allocation; task: string }): JSX.Element {
  const { alloc, task } = props;
  const [type, setType] = useState<"stdout" | "stderr">("stdout");
  const [follow, setFollow] = useState(true);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [loaded, setLoaded] = useState(false);
  const view = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const done = terminal(alloc);
  const doneRef = useRef(done);
  doneRef.current = done;

  useEffect(() => {
    setText("");
    setError(undefined);
    setLoaded(false);
    stick.current = true;
    const stream = new LogStream({
      alloc: alloc.ID,
      task,
      type,
      follow,
      reconnect: () => !doneRef.current,
      onText: (t) => {
        setText(t);
        setLoaded(true);
      },
      onError: setError,
    });
    // An empty log sends nothing: show it as empty once the request has been answered.
    const timer = setTimeout(() => setLoaded(true), 1500);
    return () => {
      clearTimeout(timer);
      stream.close();
    };
  }, [alloc.ID, task, type, follow]);

  useEffect(() => {
    const el = view.current;
    if (el !== null && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  const onScroll = () => {
    const el = view.current;
    if (el !== null) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  return (
    <section class="box logs-box" aria-label={`Logs of ${task}`}>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Stream">
          {(["stdout", "stderr"] as const).map((t) => (
            <button
              key={t}
              type="button"
              class={t === type ? "btn seg-on" : "btn"}
              aria-pressed={t === type}
              onClick={() => setType(t)}
            >
              {t}
            </button>
          ))}
        </div>
        <button type="button" class="btn" aria-pressed={follow} onClick={() => setFollow(!follow)}>
          {follow ? "Pause" : "Follow"}
        </button>
        <span class="muted small" aria-live="polite">
          {follow && !done ? "Following live" : done ? "The task has finished" : "Paused"}
        </span>
      </div>
      {error && <div class="notice warning" role="status">{error}</div>}
      <pre
        class="logs"
        ref={view}
        onScroll={onScroll}
        role="log"
        aria-label={`${type} of ${task}`}
        tabIndex={0}
        data-stream={type}
      >{text}</pre>
      {loaded && text === "" && !error && <p class="muted small">Nothing written to {type} yet.</p>}
    </section>
  );
}
