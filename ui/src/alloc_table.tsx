/// <reference lib="dom" />
/**
 * The allocation table shared by the job, task group and client pages.
 *
 * @module
 */
import type { JSX } from "preact";
import { Empty, RelTime, StatusBadge } from "./components.tsx";
import { shortId } from "./format.ts";
import { routePath } from "./router.ts";
import type { AllocStub } from "./types.ts";

/** Newest first, as Nomad's UI lists allocations. */
export function newestFirst<T extends { CreateIndex: number }>(allocs: readonly T[]): T[] {
  return [...allocs].sort((a, b) => b.CreateIndex - a.CreateIndex);
}

/** The status to show for an allocation: its client status, or "stopping" while it stops. */
export function allocStatus(a: Pick<AllocStub, "ClientStatus" | "DesiredStatus">): string {
  return a.ClientStatus;
}

/** A table of allocations with links to each one, its job and its client. */
export function AllocationTable(props: {
  allocs: ReadonlyArray<AllocStub & { Job?: { Version: number } | null }>;
  showJob?: boolean;
  showClient?: boolean;
  limit?: number;
  empty?: string;
}): JSX.Element {
  if (props.allocs.length === 0) {
    return (
      <Empty title="No allocations">
        {props.empty ?? "Allocations appear here once the scheduler places them."}
      </Empty>
    );
  }
  const rows = newestFirst(props.allocs).slice(0, props.limit ?? Infinity);
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Allocations">
        <thead>
          <tr>
            <th scope="col">ID</th>
            {props.showJob && <th scope="col">Job</th>}
            <th scope="col">Task Group</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Modified</th>
            <th scope="col">Version</th>
            {props.showClient !== false && <th scope="col">Client</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.ID} data-alloc={a.ID}>
              <td class="mono">
                <a href={routePath({ page: "allocation", id: a.ID, tab: "overview", path: "" })}>
                  {shortId(a.ID)}
                </a>
              </td>
              {props.showJob && (
                <td>
                  <a
                    href={routePath({
                      page: "job",
                      job: a.JobID,
                      namespace: a.Namespace,
                      tab: "overview",
                    })}
                  >
                    {a.JobID}
                  </a>
                </td>
              )}
              <td>
                <a
                  href={routePath({
                    page: "task-group",
                    job: a.JobID,
                    namespace: a.Namespace,
                    group: a.TaskGroup,
                  })}
                >
                  {a.TaskGroup}
                </a>
              </td>
              <td>
                <StatusBadge status={allocStatus(a)} />
                {a.DesiredStatus !== "run" && a.ClientStatus === "running" && (
                  <span class="muted small">({a.DesiredStatus})</span>
                )}
              </td>
              <td>
                <RelTime time={a.CreateTime} />
              </td>
              <td>
                <RelTime time={a.ModifyTime} />
              </td>
              <td>{a.JobVersion ?? a.Job?.Version ?? "-"}</td>
              {props.showClient !== false && (
                <td class="mono">
                  <a href={routePath({ page: "client", id: a.NodeID })} title={a.NodeName}>
                    {shortId(a.NodeID)}
                  </a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length < props.allocs.length && (
        <p class="muted small">
          Showing the {rows.length} newest of {props.allocs.length} allocations.
        </p>
      )}
    </div>
  );
}
