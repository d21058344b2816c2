/// <reference lib="dom" />
/**
 * The building blocks of the pages: status badges in Nomad's colours, relative times with the
 * exact time on hover, allocation bars and meters, tabs, empty states, errors, two-step
 * buttons for destructive actions, and key/value lists.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { statusClass, SUMMARY_KEYS } from "./format.ts";
import { useNow } from "./hooks.ts";
import { setQuery } from "./nav.ts";
import type { ApiError } from "./store.ts";
import { exactTime, relativeTime, toMillis } from "./time.ts";

/** A status word in its colour. */
export function StatusBadge(props: { status: string; label?: string }): JSX.Element {
  return (
    <span class={`badge st-${statusClass(props.status)}`} data-status={props.status}>
      {props.label ?? props.status}
    </span>
  );
}

/** `4m27s ago`, with the exact time as a tooltip; `-` for a missing time. */
export function RelTime(props: { time: number | string | null | undefined }): JSX.Element {
  const now = useNow();
  const ms = toMillis(props.time);
  if (ms === undefined) return <span class="muted">-</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={exactTime(ms)}>
      {relativeTime(ms, now)}
    </time>
  );
}

/** Counts per allocation status as a stacked bar with its legend. */
export function SummaryBar(
  props: { counts: Readonly<Record<string, number>>; legend?: boolean; compact?: boolean },
): JSX.Element {
  const total = SUMMARY_KEYS.reduce((n, k) => n + (props.counts[k] ?? 0), 0);
  const parts = SUMMARY_KEYS.filter((k) => (props.counts[k] ?? 0) > 0);
  const label = parts.length === 0
    ? "no allocations"
    : parts.map((k) => `${props.counts[k]} ${k.toLowerCase()}`).join(", ");
  return (
    <div class={props.compact ? "summary compact" : "summary"}>
      <div class="bar" role="img" aria-label={label} title={label}>
        {total === 0 ? <span class="seg empty" style={{ width: "100%" }} /> : parts.map((k) => (
          <span
            key={k}
            class={`seg st-${statusClass(k)}`}
            style={{ width: `${(100 * props.counts[k]!) / total}%` }}
          />
        ))}
      </div>
      {props.legend && (
        <ul class="legend">
          {SUMMARY_KEYS.map((k) => (
            <li key={k} class={(props.counts[k] ?? 0) === 0 ? "zero" : ""}>
              <span class={`dot st-${statusClass(k)}`} />
              <span class="legend-count">{props.counts[k] ?? 0}</span> {k}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A horizontal meter: `used` of `total`, with a text label. */
export function Meter(
  props: { used: number; total: number; label: string; text: string },
): JSX.Element {
  const pct = props.total > 0 ? Math.min(100, (100 * props.used) / props.total) : 0;
  const level = pct >= 90 ? "high" : pct >= 70 ? "mid" : "low";
  return (
    <div class="meter">
      <div class="meter-head">
        <span>{props.label}</span>
        <span class="muted">{props.text}</span>
      </div>
      <div
        class="meter-track"
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        <span class={`meter-fill ${level}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** Page tabs as links. */
export function Tabs(
  props: { items: ReadonlyArray<{ label: string; href: string; active: boolean }> },
): JSX.Element {
  return (
    <nav class="tabs" aria-label="Sections">
      {props.items.map((t) => (
        <a key={t.href} href={t.href} aria-current={t.active ? "page" : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}

/** What to show when there is nothing, and what to do about it. */
export function Empty(props: { title: string; children?: ComponentChildren }): JSX.Element {
  return (
    <div class="empty">
      <h3>{props.title}</h3>
      {props.children && <div class="empty-body">{props.children}</div>}
    </div>
  );
}

/** An error of the agent, with its status. */
export function ErrorBox(props: { error: ApiError | Error; title?: string }): JSX.Element {
  const status = "status" in props.error ? (props.error as ApiError).status : 0;
  return (
    <div class="notice error" role="alert">
      <strong>
        {props.title ?? (status === 0 ? "Cannot reach the agent" : `Error ${status}`)}
      </strong>
      <div class="pre-wrap">{props.error.message}</div>
    </div>
  );
}

/**
 * A toolbar filter kept in the page's query string: a labelled select of `options` after
 * "All" (the empty value); `param` is the query parameter it sets.
 */
export function FilterSelect(props: {
  label: string;
  param: string;
  value: string;
  options: readonly string[];
}): JSX.Element {
  return (
    <label class="select">
      <span>{props.label}</span>
      <select
        value={props.value}
        onChange={(e) => setQuery({ [props.param]: e.currentTarget.value })}
      >
        <option value="">All</option>
        {props.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
}

/** A placeholder while the first answer is on its way. */
export function Loading(props: { what?: string }): JSX.Element {
  return <div class="loading" aria-busy="true">Loading {props.what ?? ""}…</div>;
}

/**
 * A button that asks before it acts: the first press shows "Yes, <action>" and "Cancel"; the
 * action runs on the second. Errors of the action are shown next to it.
 */
export function TwoStepButton(props: {
  label: string;
  confirm: string;
  question?: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<unknown>;
}): JSX.Element {
  const [step, setStep] = useState<"idle" | "ask" | "busy">("idle");
  const [error, setError] = useState<string | undefined>();
  const yes = useRef<HTMLButtonElement>(null);
  // Focus moves in the same commit that shows the question, so a key pressed as soon as the
  // question is visible answers it.
  useLayoutEffect(() => {
    if (step === "ask") yes.current?.focus();
  }, [step]);
  const run = async () => {
    setStep("busy");
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    setStep("idle");
  };
  const kind = props.danger ? "btn danger" : "btn";
  return (
    <span class="two-step">
      {step === "idle" && (
        <button
          type="button"
          class={kind}
          disabled={props.disabled}
          onClick={() => setStep("ask")}
        >
          {props.label}
        </button>
      )}
      {step !== "idle" && (
        <span class="confirm" role="group" aria-label={props.question ?? "Are you sure?"}>
          <span class="question">{props.question ?? "Are you sure?"}</span>
          <button
            type="button"
            class={kind}
            disabled={step === "busy"}
            onClick={run}
            ref={yes}
          >
            {step === "busy" ? "Working…" : props.confirm}
          </button>
          <button
            type="button"
            class="btn ghost"
            disabled={step === "busy"}
            onClick={() =>
              setStep("idle")}
          >
            Cancel
          </button>
        </span>
      )}
      {error && <span class="inline-error" role="alert">{error}</span>}
    </span>
  );
}

/** A button whose action runs once per press, showing progress and errors. */
export function ActionButton(props: {
  label: string;
  busy?: string;
  primary?: boolean;
  disabled?: boolean;
  onClick: () => Promise<unknown>;
}): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onClick();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    setBusy(false);
  };
  return (
    <span class="two-step">
      <button
        type="button"
        class={props.primary ? "btn primary" : "btn"}
        disabled={busy || props.disabled}
        onClick={run}
      >
        {busy ? (props.busy ?? "Working…") : props.label}
      </button>
      {error && <span class="inline-error" role="alert">{error}</span>}
    </span>
  );
}

/** A list of labelled values. */
export function Facts(
  props: { items: ReadonlyArray<readonly [string, ComponentChildren]> },
): JSX.Element {
  return (
    <dl class="facts">
      {props.items.map(([k, v]) => (
        <div key={k} class="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A titled box around a part of a page. */
export function Section(
  props: { title: string; actions?: ComponentChildren; children: ComponentChildren },
): JSX.Element {
  const id = `s-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section class="box" aria-labelledby={id}>
      <header class="box-head">
        <h2 id={id}>{props.title}</h2>
        {props.actions && <div class="box-actions">{props.actions}</div>}
      </header>
      <div class="box-body">{props.children}</div>
    </section>
  );
}

/** A page's heading with its breadcrumbs and actions. */
export function PageHeader(props: {
  crumbs?: ReadonlyArray<{ label: string; href: string }>;
  title: ComponentChildren;
  badge?: ComponentChildren;
  actions?: ComponentChildren;
}): JSX.Element {
  return (
    <div class="page-head">
      {props.crumbs && props.crumbs.length > 0 && (
        <nav class="crumbs" aria-label="Breadcrumbs">
          {props.crumbs.map((c) => <a key={c.href} href={c.href}>{c.label}</a>)}
        </nav>
      )}
      <div class="title-row">
        <h1>{props.title}</h1>
        {props.badge}
        {props.actions && <div class="actions">{props.actions}</div>}
      </div>
    </div>
  );
}

/** A table of key/value pairs with a filter box (attributes, meta). */
export function KeyValueTable(
  props: { entries: Readonly<Record<string, string>> | null; label: string },
): JSX.Element {
  const [filter, setFilter] = useState("");
  const entries = Object.entries(props.entries ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const f = filter.toLowerCase();
  const shown = entries.filter(([k, v]) =>
    f === "" || k.toLowerCase().includes(f) || v.toLowerCase().includes(f)
  );
  if (entries.length === 0) return <p class="muted">No {props.label.toLowerCase()}.</p>;
  return (
    <div>
      <input
        class="search"
        type="search"
        placeholder={`Filter ${props.label.toLowerCase()}`}
        aria-label={`Filter ${props.label.toLowerCase()}`}
        value={filter}
        onInput={(e) => setFilter(e.currentTarget.value)}
      />
      <div class="table-wrap">
        <table class="table kv" aria-label={props.label}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(([k, v]) => (
              <tr key={k}>
                <td class="mono">{k}</td>
                <td class="mono wrap">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
