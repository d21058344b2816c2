/// <reference lib="dom" />
/**
 * The Definition, Versions and Evaluations tabs of a job's page.
 *
 * @module
 */
import type { JSX } from "preact";
import { jobPath, withNamespace } from "../api.ts";
import { CodeView } from "../code_view.tsx";
import { DiffView } from "../diff_view.tsx";
import { Empty, ErrorBox, Loading, RelTime, Section, StatusBadge } from "../components.tsx";
import { shortId } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { diffLines } from "../plan.ts";
import type { Evaluation, Job, JobVersions } from "../types.ts";

interface Submission {
  Source: string;
  Format: string;
}

/** The job file as submitted (when the job was run with its source), else the job as JSON. */
export function DefinitionTab(props: { job: Job }): JSX.Element {
  const { job } = props;
  const submission = useQuery<Submission>(
    withNamespace(jobPath(job.ID, `/submission?version=${job.Version}`), job.Namespace),
  );
  if (submission.loading) return <Loading what="definition" />;
  const source = submission.data;
  if (source !== undefined && submission.error === undefined && source.Format !== "json") {
    return (
      <Section title="Definition">
        <p class="muted small">The job file as submitted for version {job.Version}.</p>
        <CodeView text={source.Source} language="hcl" label="Job definition" />
      </Section>
    );
  }
  return (
    <Section title="Definition">
      <p class="muted small">
        The job as the agent stores it (it was submitted without its job file).
      </p>
      <CodeView text={JSON.stringify(job, null, 2)} language="json" label="Job definition" />
    </Section>
  );
}

/** Every version of the job, newest first, each with its changes from the one before. */
export function VersionsTab(props: { job: Job }): JSX.Element {
  const { job } = props;
  const versions = useQuery<JobVersions>(
    withNamespace(jobPath(job.ID, "/versions?diffs=true"), job.Namespace),
  );
  if (versions.loading) return <Loading what="versions" />;
  if (versions.data === undefined) {
    return versions.error ? <ErrorBox error={versions.error} /> : <Loading />;
  }
  const list = versions.data.Versions ?? [];
  const diffs = versions.data.Diffs ?? [];
  return (
    <Section title="Versions">
      <ol class="versions">
        {list.map((v, i) => {
          const diff = diffs[i];
          const changes = diff === undefined
            ? []
            : diffLines(diff).filter((l) => l.kind !== "None");
          return (
            <li key={v.Version} class="version" data-version={v.Version}>
              <div class="version-head">
                <strong>Version #{v.Version}</strong>
                {v.Stable && <StatusBadge status="running" label="stable" />}
                <span class="muted">
                  submitted <RelTime time={v.SubmitTime} />
                </span>
              </div>
              {diff === undefined
                ? <p class="muted small">The first version.</p>
                : changes.length === 0
                ? <p class="muted small">No changes from the version before.</p>
                : (
                  <details>
                    <summary>
                      {changes.length} changed {changes.length === 1 ? "line" : "lines"}
                    </summary>
                    <DiffView diff={diff} />
                  </details>
                )}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

/** The job's evaluations, newest first. */
export function EvaluationsTab(props: { job: Job }): JSX.Element {
  const { job } = props;
  const evals = useQuery<Evaluation[]>(
    withNamespace(jobPath(job.ID, "/evaluations"), job.Namespace),
  );
  if (evals.loading) return <Loading what="evaluations" />;
  if (evals.data === undefined) return evals.error ? <ErrorBox error={evals.error} /> : <Loading />;
  return (
    <Section title="Evaluations">
      <EvaluationTable evals={evals.data} showJob={false} />
    </Section>
  );
}

/** A table of evaluations. */
export function EvaluationTable(
  props: { evals: readonly Evaluation[]; showJob: boolean },
): JSX.Element {
  if (props.evals.length === 0) {
    return (
      <Empty title="No evaluations">
        Evaluations are created when jobs are submitted or stopped and when nodes change.
      </Empty>
    );
  }
  const rows = [...props.evals].sort((a, b) => b.CreateIndex - a.CreateIndex);
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Evaluations">
        <thead>
          <tr>
            <th scope="col">ID</th>
            {props.showJob && <th scope="col">Job</th>}
            <th scope="col">Priority</th>
            <th scope="col">Triggered By</th>
            <th scope="col">Status</th>
            <th scope="col">Placement Failures</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => {
            const failures = Object.keys(e.FailedTGAllocs ?? {});
            return (
              <tr key={e.ID}>
                <td class="mono" title={e.ID}>{shortId(e.ID)}</td>
                {props.showJob && (
                  <td>
                    {e.JobID === "" ? <span class="muted">-</span> : (
                      <a
                        href={`/ui/jobs/${encodeURIComponent(e.JobID)}@${
                          encodeURIComponent(e.Namespace)
                        }`}
                      >
                        {e.JobID}
                      </a>
                    )}
                  </td>
                )}
                <td>{e.Priority}</td>
                <td>{e.TriggeredBy}</td>
                <td>
                  <StatusBadge status={e.Status} />
                  {e.StatusDescription && <span class="muted small">{e.StatusDescription}</span>}
                </td>
                <td>
                  {failures.length === 0
                    ? <span class="muted">none</span>
                    : <span class="text-failed">{failures.join(", ")}</span>}
                </td>
                <td>
                  <RelTime time={e.CreateTime} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
