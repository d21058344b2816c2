/// <reference lib="dom" />
/**
 * A task's page (`/ui/allocations/<id>/<task>[/logs|/fs]`): its state, resources and events,
 * its logs (stdout/stderr, followed live) and its files.
 *
 * @module
 */
import type { JSX } from "preact";
import { Empty, Facts, PageHeader, RelTime, Section, StatusBadge, Tabs } from "../components.tsx";
import { shortId } from "../format.ts";
import { useTitle } from "../hooks.ts";
import { routePath } from "../router.ts";
import type { Allocation, TaskEvent } from "../types.ts";
import { AllocActions, allocCrumbs, useAllocation, Utilization } from "./alloc.tsx";
import { FileBrowser } from "./files.tsx";
import { LogViewer } from "./logs.tsx";

function Events(props: { events: readonly TaskEvent[] }): JSX.Element {
  if (props.events.length === 0) {
    return <Empty title="No events yet">The client reports events as the task starts.</Empty>;
  }
  const rows = [...props.events].reverse();
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Task events">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e, i) => (
            <tr key={`${e.Time}-${i}`} class={e.FailsTask ? "row-failed" : ""}>
              <td class="nowrap">
                <RelTime time={e.Time} />
              </td>
              <td class="nowrap">{e.Type}</td>
              <td class="wrap">{e.DisplayMessage || e.Message || "-"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TaskOverview(props: { alloc: Allocation; task: string }): JSX.Element {
  const { alloc, task } = props;
  const st = alloc.TaskStates?.[task];
  const spec = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup)?.Tasks?.find((t) =>
    t.Name === task
  );
  return (
    <>
      <Facts
        items={[
          ["Driver", spec?.Driver ?? "-"],
          ["Started", <RelTime key="v" time={st?.StartedAt} />],
          ["Finished", <RelTime key="v" time={st?.FinishedAt} />],
          ["Restarts", st?.Restarts ?? 0],
          ["Last Restart", <RelTime key="v" time={st?.LastRestart} />],
          ["Lifecycle", spec?.Lifecycle ? spec.Lifecycle.Hook : "main"],
        ]}
      />
      <Section title="Resource utilization">
        <Utilization alloc={alloc} task={task} />
      </Section>
      <Section title="Recent events">
        <Events events={st?.Events ?? []} />
      </Section>
    </>
  );
}

/** The task page. */
export function TaskPage(
  props: { id: string; task: string; tab: "overview" | "logs" | "fs"; path: string },
): JSX.Element {
  useTitle(`Task ${props.task}`);
  const suffix = `/${encodeURIComponent(props.task)}${
    props.tab === "overview" ? "" : `/${props.tab}`
  }`;
  const { alloc, fallback } = useAllocation(props.id, suffix);
  if (alloc === undefined) return fallback;
  const a = alloc;
  const st = a.TaskStates?.[props.task];
  const known = st !== undefined ||
    a.Job?.TaskGroups?.some((g) => g.Tasks?.some((t) => t.Name === props.task));
  const href = (tab: "overview" | "logs" | "fs") =>
    routePath({ page: "task", id: a.ID, task: props.task, tab, path: "" });
  const crumbs = [
    ...allocCrumbs(a),
    {
      label: shortId(a.ID),
      href: routePath({ page: "allocation", id: a.ID, tab: "overview", path: "" }),
    },
  ];
  if (!known) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={props.task} />
        <Empty title="Task not found">
          Allocation {shortId(a.ID)} has no task named <code>{props.task}</code>.
        </Empty>
      </div>
    );
  }
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={props.task}
        badge={<StatusBadge status={st?.State ?? "pending"} />}
        actions={<AllocActions alloc={a} />}
      />
      <Tabs
        items={[
          { label: "Overview", href: href("overview"), active: props.tab === "overview" },
          { label: "Logs", href: href("logs"), active: props.tab === "logs" },
          { label: "Files", href: href("fs"), active: props.tab === "fs" },
        ]}
      />
      {props.tab === "overview" && <TaskOverview alloc={a} task={props.task} />}
      {props.tab === "logs" && <LogViewer alloc={a} task={props.task} />}
      {props.tab === "fs" && <FileBrowser alloc={a} root={props.task} path={props.path} />}
    </div>
  );
}
