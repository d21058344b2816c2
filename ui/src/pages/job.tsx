/// <reference lib="dom" />
/**
 * A job's page (`/ui/jobs/<job>@<namespace>[/<tab>]`): its status and actions (Stop, Start,
 * Purge), and the tabs Overview (facts, allocation summary, task groups, recent allocations),
 * Definition, Versions, Allocations and Evaluations.
 *
 * @module
 */
import type { JSX } from "preact";
import { AllocationTable } from "../alloc_table.tsx";
import { deleteJson, getJson, jobPath, putJson, withNamespace } from "../api.ts";
import {
  ActionButton,
  Empty,
  ErrorBox,
  Facts,
  Loading,
  PageHeader,
  RelTime,
  Section,
  StatusBadge,
  SummaryBar,
  Tabs,
  TwoStepButton,
} from "../components.tsx";
import {
  formatMB,
  formatMHz,
  jobStatus,
  SUMMARY_KEYS,
  type SummaryKey,
  sumSummary,
} from "../format.ts";
import { store, useQuery, useTitle } from "../hooks.ts";
import { navigate } from "../nav.ts";
import { type JobTab, routePath } from "../router.ts";
import type { AllocStub, Job, JobSummary } from "../types.ts";
import { DefinitionTab, EvaluationsTab, VersionsTab } from "./job_tabs.tsx";

const TAB_LABELS: ReadonlyArray<readonly [JobTab, string]> = [
  ["overview", "Overview"],
  ["definition", "Definition"],
  ["versions", "Versions"],
  ["allocations", "Allocations"],
  ["evaluations", "Evaluations"],
];

/** The actions on a job: Stop while it runs, Start and Purge once stopped. */
function JobActions(props: { job: Job }): JSX.Element {
  const { job } = props;
  const path = (suffix = "") => withNamespace(jobPath(job.ID, suffix), job.Namespace);
  const start = async () => {
    const current = await getJson<Job>(path());
    await putJson(jobPath(job.ID), { Job: { ...current, Stop: false } });
    store.wakeAll();
  };
  return (
    <>
      {!job.Stop && (
        <TwoStepButton
          label="Stop Job"
          confirm="Yes, stop job"
          question={`Stop job ${job.ID}?`}
          danger
          onConfirm={async () => {
            await deleteJson(path());
            store.wakeAll();
          }}
        />
      )}
      {job.Stop && <ActionButton label="Start Job" primary onClick={start} />}
      {job.Stop && (
        <TwoStepButton
          label="Purge"
          confirm="Yes, purge job"
          question={`Purge job ${job.ID} and its history?`}
          danger
          onConfirm={async () => {
            await deleteJson(`${path()}&purge=true`);
            navigate(routePath({ page: "jobs" }));
          }}
        />
      )}
    </>
  );
}

function groupResources(job: Job, group: string): { cpu: number; mem: number } {
  const tg = job.TaskGroups?.find((g) => g.Name === group);
  let cpu = 0;
  let mem = 0;
  for (const t of tg?.Tasks ?? []) {
    cpu += t.Resources?.CPU ?? 0;
    mem += t.Resources?.MemoryMB ?? 0;
  }
  return { cpu, mem };
}

function Overview(
  props: { job: Job; summary: JobSummary | undefined; allocs: readonly AllocStub[] | undefined },
): JSX.Element {
  const { job, summary, allocs } = props;
  const groups = summary?.Summary ?? {};
  const counts = sumSummary(groups);
  return (
    <>
      <Section title="Allocation status">
        <SummaryBar counts={counts} legend />
      </Section>
      <Section title="Task groups">
        {(job.TaskGroups ?? []).length === 0
          ? <p class="muted">This job has no task groups.</p>
          : (
            <div class="table-wrap">
              <table class="table" aria-label="Task groups">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Count</th>
                    {SUMMARY_KEYS.slice(0, 6).map((k) => <th key={k} scope="col">{k}</th>)}
                    <th scope="col">Reserved CPU</th>
                    <th scope="col">Reserved Memory</th>
                  </tr>
                </thead>
                <tbody>
                  {(job.TaskGroups ?? []).map((g) => {
                    const c: Partial<Record<SummaryKey, number>> = groups[g.Name] ?? {};
                    const r = groupResources(job, g.Name);
                    return (
                      <tr key={g.Name} data-group={g.Name}>
                        <td>
                          <a
                            href={routePath({
                              page: "task-group",
                              job: job.ID,
                              namespace: job.Namespace,
                              group: g.Name,
                            })}
                          >
                            {g.Name}
                          </a>
                        </td>
                        <td>{g.Count}</td>
                        {SUMMARY_KEYS.slice(0, 6).map((k) => <td key={k}>{c[k] ?? 0}</td>)}
                        <td>{formatMHz(r.cpu)}</td>
                        <td>{formatMB(r.mem)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
      </Section>
      <Section
        title="Recent allocations"
        actions={
          <a
            href={routePath({
              page: "job",
              job: job.ID,
              namespace: job.Namespace,
              tab: "allocations",
            })}
          >
            View all
          </a>
        }
      >
        {allocs === undefined ? <Loading what="allocations" /> : (
          <AllocationTable
            allocs={allocs}
            limit={5}
            empty={job.Stop
              ? "The job is stopped. Start it to place allocations again."
              : "The scheduler has not placed any allocation for this job yet."}
          />
        )}
      </Section>
    </>
  );
}

/** The job page. */
export function JobPage(props: { job: string; namespace: string; tab: JobTab }): JSX.Element {
  const { namespace, tab } = props;
  useTitle(`Job ${props.job}`);
  const job = useQuery<Job>(withNamespace(jobPath(props.job), namespace));
  const summary = useQuery<JobSummary>(
    tab === "overview" ? withNamespace(jobPath(props.job, "/summary"), namespace) : null,
  );
  const allocs = useQuery<AllocStub[]>(
    tab === "overview" || tab === "allocations"
      ? withNamespace(jobPath(props.job, "/allocations"), namespace)
      : null,
  );
  const crumbs = [{ label: "Jobs", href: routePath({ page: "jobs" }) }];
  if (job.loading) return <Loading what="job" />;
  if (job.data === undefined || job.error?.status === 404) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={props.job} />
        {job.error?.status === 404
          ? (
            <Empty title="Job not found">
              <p>
                No job <code>{props.job}</code> in namespace{" "}
                <code>{namespace}</code>. It may have been purged.
              </p>
              <a class="btn" href={routePath({ page: "jobs" })}>Back to jobs</a>
            </Empty>
          )
          : job.error && <ErrorBox error={job.error} />}
      </div>
    );
  }
  const j = job.data;
  const href = (t: JobTab) => routePath({ page: "job", job: j.ID, namespace: j.Namespace, tab: t });
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={j.Name || j.ID}
        badge={<StatusBadge status={jobStatus(j)} />}
        actions={<JobActions job={j} />}
      />
      <Tabs items={TAB_LABELS.map(([t, label]) => ({ label, href: href(t), active: t === tab }))} />
      <Facts
        items={[
          ["Type", j.Type],
          ["Priority", j.Priority],
          ["Namespace", j.Namespace],
          ["Node Pool", j.NodePool],
          ["Datacenters", (j.Datacenters ?? []).join(", ")],
          ["Version", j.Version],
          ["Submitted", <RelTime key="v" time={j.SubmitTime} />],
        ]}
      />
      {j.StatusDescription && <p class="muted">{j.StatusDescription}</p>}
      {tab === "overview" && <Overview job={j} summary={summary.data} allocs={allocs.data} />}
      {tab === "allocations" && (
        <Section title="Allocations">
          {allocs.data === undefined
            ? <Loading what="allocations" />
            : <AllocationTable allocs={allocs.data} />}
        </Section>
      )}
      {tab === "definition" && <DefinitionTab job={j} />}
      {tab === "versions" && <VersionsTab job={j} />}
      {tab === "evaluations" && <EvaluationsTab job={j} />}
    </div>
  );
}
