/// <reference lib="dom" />
/**
 * Run Job (`/ui/jobs/run`): paste or write a job file, Plan it (the agent parses it — errors
 * point at their line — and the scheduler does a dry run: the diff and placement result as
 * `nomad job plan` prints them), then Run it and go to the job's page.
 *
 * The text is kept in the session's storage, so leaving the page does not lose it.
 *
 * @module
 */
import type { JSX } from "preact";
import { NL } from "../code_view.tsx";
import { useState } from "preact/hooks";
import { jobPath, postJson, putJson, withNamespace } from "../api.ts";
import { ErrorBox, PageHeader, Section } from "../components.tsx";
import { DiffView } from "../diff_view.tsx";
import { HclEditor } from "../editor.tsx";
import { store, useTitle } from "../hooks.ts";
import { navigate } from "../nav.ts";
import { dryRunLines, type JobFileError, jobFileErrors, planChangesAllocations } from "../plan.ts";
import { routePath } from "../router.ts";
import { ApiError } from "../store.ts";
import type { Job, PlanResponse } from "../types.ts";

const STORAGE_KEY = "nomad-ts.run-job.source";
const PLACEHOLDER = 'job "example" {\n  group "web" {\n    task "server" {\n      ...';

/** A job that runs on a dev agent (raw_exec is enabled there). */
export const EXAMPLE_JOB = `job "example" {
  type = "service"

  group "web" {
    count = 1

    task "server" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "while true; do echo \\"hello from $NOMAD_ALLOC_ID\\"; sleep 10; done"]
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
`;

function loadSource(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}

function saveSource(text: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, text);
  } catch {
    // storage may be disabled; the text just is not kept
  }
}

interface Planned {
  readonly job: Job;
  readonly plan: PlanResponse;
  readonly source: string;
}

function PlanResult(props: { planned: Planned }): JSX.Element {
  const { plan, job } = props.planned;
  const [verbose, setVerbose] = useState(false);
  const changes = planChangesAllocations(plan);
  return (
    <Section
      title="Plan"
      actions={
        <label class="check">
          <input
            type="checkbox"
            checked={verbose}
            onChange={(e) => setVerbose(e.currentTarget.checked)}
          />{" "}
          Show every field
        </label>
      }
    >
      {plan.Diff !== null && plan.Diff.Type === "None" && (
        <p class="muted">No changes: the job is already running as written.</p>
      )}
      {plan.Diff !== null && <DiffView diff={plan.Diff} verbose={verbose} />}
      <h3 class="sub">Scheduler dry-run</h3>
      <pre class="dry-run">{dryRunLines(plan, job.Type).map((l, i) => (
        <span key={i} class={`dry-${l.level}`}>{l.text}{NL}</span>
      ))}</pre>
      {plan.Warnings && (
        <div class="notice warning">
          <strong>Job warnings</strong>
          <div class="pre-wrap">{plan.Warnings}</div>
        </div>
      )}
      <p class="muted small">
        Job Modify Index: {plan.JobModifyIndex}. {changes
          ? "Running it creates, stops or replaces allocations."
          : "Running it changes no allocation."}
      </p>
    </Section>
  );
}

/** The Run Job page. */
export function RunJobPage(): JSX.Element {
  useTitle("Run Job");
  const [source, setSource] = useState(loadSource);
  const [errors, setErrors] = useState<JobFileError[]>([]);
  const [failure, setFailure] = useState<Error | undefined>();
  const [planned, setPlanned] = useState<Planned | undefined>();
  const [busy, setBusy] = useState<"" | "plan" | "run">("");

  const edit = (text: string) => {
    setSource(text);
    saveSource(text);
    if (planned !== undefined && planned.source !== text) setPlanned(undefined);
  };

  const plan = async () => {
    if (source.trim() === "" || busy !== "") return;
    setBusy("plan");
    setErrors([]);
    setFailure(undefined);
    setPlanned(undefined);
    try {
      let job: Job;
      try {
        job = await postJson<Job>("/v1/jobs/parse", { JobHCL: source, Canonicalize: true });
      } catch (err) {
        if (err instanceof ApiError && err.status === 400) {
          setErrors(jobFileErrors(err.message));
          return;
        }
        throw err;
      }
      const response = await postJson<PlanResponse>(
        withNamespace(jobPath(job.ID, "/plan"), job.Namespace || "default"),
        { Job: job, Diff: true },
      );
      setPlanned({ job, plan: response, source });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setErrors(jobFileErrors(err.message));
      else setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy("");
    }
  };

  const run = async () => {
    if (planned === undefined || busy !== "") return;
    setBusy("run");
    setFailure(undefined);
    try {
      const { job } = planned;
      await putJson(withNamespace("/v1/jobs", job.Namespace || "default"), {
        Job: job,
        Submission: { Source: planned.source, Format: "hcl2" },
      });
      store.wakeAll();
      navigate(routePath({
        page: "job",
        job: job.ID,
        namespace: job.Namespace || "default",
        tab: "overview",
      }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) setErrors(jobFileErrors(err.message));
      else setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy("");
    }
  };

  return (
    <div>
      <PageHeader
        crumbs={[{ label: "Jobs", href: routePath({ page: "jobs" }) }]}
        title="Run Job"
      />
      <p class="muted">
        Paste a job file (HCL), Plan it to see what would change and where it would run, then Run
        it. Ctrl+Enter plans.
      </p>
      <HclEditor
        value={source}
        onInput={edit}
        errors={errors}
        label="Job definition (HCL)"
        placeholder={PLACEHOLDER}
        onSubmit={plan}
      />
      <div class="button-row">
        {planned === undefined
          ? (
            <button
              type="button"
              class="btn primary"
              disabled={source.trim() === "" || busy !== ""}
              onClick={plan}
            >
              {busy === "plan" ? "Planning…" : "Plan"}
            </button>
          )
          : (
            <>
              <button type="button" class="btn primary" disabled={busy !== ""} onClick={run}>
                {busy === "run" ? "Running…" : "Run"}
              </button>
              <button
                type="button"
                class="btn"
                disabled={busy !== ""}
                onClick={() => setPlanned(undefined)}
              >
                Edit
              </button>
            </>
          )}
        {source.trim() === "" && (
          <button
            type="button"
            class="btn"
            onClick={() => edit(EXAMPLE_JOB)}
          >
            Use an example job
          </button>
        )}
      </div>
      {failure && <ErrorBox error={failure} />}
      {planned && <PlanResult planned={planned} />}
    </div>
  );
}
