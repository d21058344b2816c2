/// <reference lib="dom" />
/**
 * A task group's page (`/ui/jobs/<job>@<namespace>/<group>`): its count and allocation
 * summary, its tasks with their drivers and resources, and its allocations.
 *
 * @module
 */
import type { JSX } from "preact";
import { AllocationTable } from "../alloc_table.tsx";
import { jobPath, withNamespace } from "../api.ts";
import {
  Empty,
  ErrorBox,
  Facts,
  Loading,
  PageHeader,
  Section,
  SummaryBar,
} from "../components.tsx";
import { formatMB, formatMHz, sumSummary } from "../format.ts";
import { useQuery, useTitle } from "../hooks.ts";
import { routePath } from "../router.ts";
import type { AllocStub, Job, JobSummary } from "../types.ts";

/** The task group page. */
export function TaskGroupPage(
  props: { job: string; namespace: string; group: string },
): JSX.Element {
  useTitle(`${props.job} / ${props.group}`);
  const job = useQuery<Job>(withNamespace(jobPath(props.job), props.namespace));
  const summary = useQuery<JobSummary>(
    withNamespace(jobPath(props.job, "/summary"), props.namespace),
  );
  const allocs = useQuery<AllocStub[]>(
    withNamespace(jobPath(props.job, "/allocations"), props.namespace),
  );
  const jobHref = routePath({
    page: "job",
    job: props.job,
    namespace: props.namespace,
    tab: "overview",
  });
  const crumbs = [
    { label: "Jobs", href: routePath({ page: "jobs" }) },
    { label: props.job, href: jobHref },
  ];
  if (job.loading) return <Loading what="task group" />;
  if (job.data === undefined) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={props.group} />
        {job.error && <ErrorBox error={job.error} />}
      </div>
    );
  }
  const tg = job.data.TaskGroups?.find((g) => g.Name === props.group);
  if (tg === undefined) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={props.group} />
        <Empty title="Task group not found">
          Job <a href={jobHref}>{props.job}</a> has no task group <code>{props.group}</code>.
        </Empty>
      </div>
    );
  }
  const counts = sumSummary({ [tg.Name]: summary.data?.Summary?.[tg.Name] ?? {} });
  const mine = (allocs.data ?? []).filter((a) => a.TaskGroup === tg.Name);
  const cpu = (tg.Tasks ?? []).reduce((n, t) => n + (t.Resources?.CPU ?? 0), 0);
  const mem = (tg.Tasks ?? []).reduce((n, t) => n + (t.Resources?.MemoryMB ?? 0), 0);
  return (
    <div>
      <PageHeader crumbs={crumbs} title={tg.Name} />
      <Facts
        items={[
          ["Count", tg.Count],
          ["Reserved CPU", formatMHz(cpu)],
          ["Reserved Memory", formatMB(mem)],
          ["Ephemeral Disk", formatMB(tg.EphemeralDisk?.SizeMB ?? 0)],
        ]}
      />
      <Section title="Allocation status">
        <SummaryBar counts={counts} legend />
      </Section>
      <Section title="Tasks">
        <div class="table-wrap">
          <table class="table" aria-label="Tasks">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Driver</th>
                <th scope="col">Lifecycle</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
              </tr>
            </thead>
            <tbody>
              {(tg.Tasks ?? []).map((t) => (
                <tr key={t.Name}>
                  <td>{t.Name}</td>
                  <td>{t.Driver}</td>
                  <td>{t.Lifecycle?.Hook ?? "main"}</td>
                  <td>{formatMHz(t.Resources?.CPU ?? 0)}</td>
                  <td>{formatMB(t.Resources?.MemoryMB ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Allocations">
        {allocs.data === undefined
          ? <Loading what="allocations" />
          : <AllocationTable allocs={mine} />}
      </Section>
    </div>
  );
}
