/// <reference lib="dom" />
/**
 * An allocation's page (`/ui/allocations/<id>`, and `/fs` for its files): status and actions
 * (Restart, Stop), where it runs, its resources with live usage, its tasks with their states
 * and latest events, and its addresses. Short IDs (`/ui/allocations/5f2c2e4c`) are looked up.
 *
 * @module
 */
import type { JSX } from "preact";
import { putJson } from "../api.ts";
import {
  Empty,
  ErrorBox,
  Facts,
  Loading,
  Meter,
  PageHeader,
  RelTime,
  Section,
  StatusBadge,
  Tabs,
  TwoStepButton,
} from "../components.tsx";
import { formatBytes, formatMB, formatMHz, shortId } from "../format.ts";
import { store, useQuery, useTitle } from "../hooks.ts";
import { navigate } from "../nav.ts";
import { routePath } from "../router.ts";
import type { Allocation, AllocStats, AllocStub, Port } from "../types.ts";
import { FileBrowser } from "./files.tsx";

/** Whether an allocation has finished for good. */
export function terminal(a: Pick<AllocStub, "ClientStatus">): boolean {
  return ["complete", "failed", "lost"].includes(a.ClientStatus);
}

/** The allocation's reserved CPU (MHz) and memory (MiB), summed over its tasks. */
export function reserved(a: Allocation): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) {
    cpu += t.Cpu?.CpuShares ?? 0;
    mem += t.Memory?.MemoryMB ?? 0;
  }
  return { cpu, mem };
}

/** Every port of the allocation with its host address, as `alloc status` lists them. */
export function allocPorts(a: Allocation): { label: string; address: string; to: number }[] {
  const out: { label: string; address: string; to: number }[] = [];
  const add = (ip: string, p: Port) =>
    out.push({ label: p.Label, address: `${p.HostIP || ip}:${p.Value}`, to: p.To });
  for (const p of a.AllocatedResources?.Shared?.Ports ?? []) add("", p);
  for (const n of a.AllocatedResources?.Shared?.Networks ?? []) {
    for (const p of [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])]) add(n.IP, p);
  }
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) {
    for (const n of t.Networks ?? []) {
      for (const p of [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])]) add(n.IP, p);
    }
  }
  const seen = new Set<string>();
  return out.filter((p) =>
    !seen.has(`${p.label}/${p.address}`) && seen.add(`${p.label}/${p.address}`)
  );
}

/** Live CPU and memory of a running allocation against what it reserved. */
export function Utilization(
  props: { alloc: Allocation; task?: string },
): JSX.Element {
  const { alloc } = props;
  const running = alloc.ClientStatus === "running";
  const stats = useQuery<AllocStats>(
    running ? `/v1/client/allocation/${encodeURIComponent(alloc.ID)}/stats` : null,
  );
  let { cpu, mem } = reserved(alloc);
  let usage = stats.data?.ResourceUsage;
  if (props.task !== undefined) {
    const t = alloc.AllocatedResources?.Tasks?.[props.task];
    cpu = t?.Cpu?.CpuShares ?? 0;
    mem = t?.Memory?.MemoryMB ?? 0;
    usage = stats.data?.Tasks?.[props.task]?.ResourceUsage;
  }
  if (!running) {
    return <p class="muted">Resource usage is shown while the allocation runs.</p>;
  }
  const rss = usage?.MemoryStats?.RSS ?? 0;
  const cpuPct = usage?.CpuStats?.Percent ?? 0;
  // TotalTicks is the MHz used (Nomad's measure); Percent is of one core.
  const usedMHz = usage?.CpuStats?.TotalTicks ?? 0;
  return (
    <div class="meters">
      <Meter
        label="CPU"
        used={usedMHz}
        total={cpu}
        text={stats.data === undefined
          ? `${formatMHz(cpu)} reserved`
          : `${cpuPct.toFixed(1)}% of a core · ${formatMHz(cpu)} reserved`}
      />
      <Meter
        label="Memory"
        used={rss}
        total={mem * 1024 * 1024}
        text={stats.data === undefined
          ? `${formatMB(mem)} reserved`
          : `${formatBytes(rss)} / ${formatMB(mem)}`}
      />
      {stats.error && stats.data === undefined && (
        <p class="muted small">Live statistics unavailable: {stats.error.message}</p>
      )}
    </div>
  );
}

function lastEvent(a: Allocation, task: string) {
  return a.TaskStates?.[task]?.Events?.at(-1);
}

/** The tasks of an allocation with their state and latest event. */
function TaskTable(props: { alloc: Allocation }): JSX.Element {
  const { alloc } = props;
  const group = alloc.Job?.TaskGroups?.find((g) => g.Name === alloc.TaskGroup);
  const names = [
    ...new Set([
      ...(group?.Tasks ?? []).map((t) => t.Name),
      ...Object.keys(alloc.TaskStates ?? {}),
    ]),
  ];
  if (names.length === 0) return <Empty title="No tasks">The allocation has no task yet.</Empty>;
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Tasks">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Last Event</th>
            <th scope="col">Time</th>
            <th scope="col">Restarts</th>
            <th scope="col">Driver</th>
            <th scope="col">
              <span class="sr-only">Links</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const st = alloc.TaskStates?.[name];
            const ev = lastEvent(alloc, name);
            const task = group?.Tasks?.find((t) => t.Name === name);
            const r = (tab: "overview" | "logs" | "fs") =>
              routePath({ page: "task", id: alloc.ID, task: name, tab, path: "" });
            return (
              <tr key={name} data-task={name}>
                <td>
                  <a class="strong" href={r("overview")}>{name}</a>
                  {task?.Lifecycle && <span class="tag">{task.Lifecycle.Hook}</span>}
                </td>
                <td>
                  <StatusBadge status={st?.State ?? "pending"} />
                  {st?.Failed && <StatusBadge status="failed" />}
                </td>
                <td>{ev ? `${ev.Type}: ${ev.DisplayMessage || ev.Message}` : "-"}</td>
                <td>
                  <RelTime time={ev?.Time} />
                </td>
                <td>{st?.Restarts ?? 0}</td>
                <td>{task?.Driver ?? "-"}</td>
                <td class="links">
                  <a href={r("logs")}>Logs</a> <a href={r("fs")}>Files</a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The addresses of an allocation. */
function Ports(props: { alloc: Allocation }): JSX.Element {
  const ports = allocPorts(props.alloc);
  if (ports.length === 0) return <p class="muted">This allocation has no ports.</p>;
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Ports">
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col">Host Address</th>
            <th scope="col">Mapped Port</th>
          </tr>
        </thead>
        <tbody>
          {ports.map((p) => (
            <tr key={`${p.label}/${p.address}`}>
              <td>{p.label}</td>
              <td class="mono">{p.address}</td>
              <td>{p.to > 0 ? p.to : "-"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Restart and Stop, while the allocation is not finished. */
export function AllocActions(props: { alloc: Allocation }): JSX.Element | null {
  const { alloc } = props;
  if (terminal(alloc) || alloc.DesiredStatus !== "run") return null;
  const id = encodeURIComponent(alloc.ID);
  return (
    <>
      <TwoStepButton
        label="Restart"
        confirm="Yes, restart"
        question="Restart every task of this allocation?"
        onConfirm={async () => {
          await putJson(`/v1/client/allocation/${id}/restart`, {});
          store.wakeAll();
        }}
      />
      <TwoStepButton
        label="Stop"
        confirm="Yes, stop"
        question="Stop this allocation? The scheduler places a replacement."
        danger
        onConfirm={async () => {
          await putJson(`/v1/allocation/${id}/stop`, {});
          store.wakeAll();
        }}
      />
    </>
  );
}

/** The header and tabs every allocation and task page starts with. */
export function allocCrumbs(a: Allocation): { label: string; href: string }[] {
  return [
    { label: "Jobs", href: routePath({ page: "jobs" }) },
    {
      label: a.JobID,
      href: routePath({ page: "job", job: a.JobID, namespace: a.Namespace, tab: "overview" }),
    },
    {
      label: a.TaskGroup,
      href: routePath({
        page: "task-group",
        job: a.JobID,
        namespace: a.Namespace,
        group: a.TaskGroup,
      }),
    },
  ];
}

/** Finds the allocation of a short ID and shows its page under the full ID. */
function PrefixLookup(props: { prefix: string; suffix: string }): JSX.Element {
  const found = useQuery<AllocStub[]>(`/v1/allocations?prefix=${encodeURIComponent(props.prefix)}`);
  const matches = found.data ?? [];
  if (matches.length === 1) {
    queueMicrotask(() =>
      navigate(`/ui/allocations/${matches[0]!.ID}${props.suffix}`, { replace: true })
    );
    return <Loading what="allocation" />;
  }
  return (
    <Empty title="Allocation not found">
      {matches.length > 1
        ? `${matches.length} allocations start with ${props.prefix}; use more of the ID.`
        : `No allocation has the ID ${props.prefix}.`} <a href="/ui/jobs">Back to jobs</a>
    </Empty>
  );
}

/** Loads an allocation for a page, handling short IDs and missing allocations. */
export function useAllocation(id: string, suffix: string):
  | { alloc: Allocation; fallback?: undefined }
  | { alloc?: undefined; fallback: JSX.Element } {
  const q = useQuery<Allocation>(`/v1/allocation/${encodeURIComponent(id)}`);
  if (q.data !== undefined && q.error?.status !== 404) return { alloc: q.data };
  if (q.loading) return { fallback: <Loading what="allocation" /> };
  if (q.error?.status === 404 || q.error?.status === 400) {
    if (id.length < 36) return { fallback: <PrefixLookup prefix={id} suffix={suffix} /> };
    return {
      fallback: (
        <Empty title="Allocation not found">
          No allocation has the ID <code>{id}</code>; it may have been garbage collected.{" "}
          <a href="/ui/jobs">Back to jobs</a>
        </Empty>
      ),
    };
  }
  return { fallback: q.error ? <ErrorBox error={q.error} /> : <Loading /> };
}

/** The allocation page. */
export function AllocationPage(
  props: { id: string; tab: "overview" | "fs"; path: string },
): JSX.Element {
  useTitle(`Allocation ${shortId(props.id)}`);
  const { alloc, fallback } = useAllocation(props.id, props.tab === "fs" ? "/fs" : "");
  if (alloc === undefined) return fallback;
  const a = alloc;
  const tabHref = (tab: "overview" | "fs") =>
    routePath({ page: "allocation", id: a.ID, tab, path: "" });
  return (
    <div>
      <PageHeader
        crumbs={allocCrumbs(a)}
        title={
          <>
            {a.Name} <span class="muted mono">{shortId(a.ID)}</span>
          </>
        }
        badge={<StatusBadge status={a.ClientStatus} />}
        actions={<AllocActions alloc={a} />}
      />
      <Tabs
        items={[
          { label: "Overview", href: tabHref("overview"), active: props.tab === "overview" },
          { label: "Files", href: tabHref("fs"), active: props.tab === "fs" },
        ]}
      />
      <Facts
        items={[
          ["Job", <a key="v" href={allocCrumbs(a)[1]!.href}>{a.JobID}</a>],
          [
            "Client",
            <a key="v" href={routePath({ page: "client", id: a.NodeID })}>
              {a.NodeName || shortId(a.NodeID)}
            </a>,
          ],
          ["Created", <RelTime key="v" time={a.CreateTime} />],
          ["Modified", <RelTime key="v" time={a.ModifyTime} />],
          ["Desired", a.DesiredStatus],
          ["Job Version", a.Job?.Version ?? a.JobVersion],
        ]}
      />
      {a.ClientDescription && <p class="muted">{a.ClientDescription}</p>}
      {a.NextAllocation && (
        <p class="notice info">
          Replaced by{" "}
          <a
            href={routePath({
              page: "allocation",
              id: a.NextAllocation,
              tab: "overview",
              path: "",
            })}
          >
            {shortId(a.NextAllocation)}
          </a>
        </p>
      )}
      {props.tab === "fs" ? <FileBrowser alloc={a} root="" path={props.path} /> : (
        <>
          <Section title="Resource utilization">
            <Utilization alloc={a} />
          </Section>
          <Section title="Tasks">
            <TaskTable alloc={a} />
          </Section>
          <Section title="Ports">
            <Ports alloc={a} />
          </Section>
        </>
      )}
    </div>
  );
}
