/// <reference lib="dom" />
/**
 * The topology (`/ui/topology`): the cluster's clients by datacenter, each with its memory and
 * CPU split among the allocations placed on it (coloured by status, each linking to its
 * allocation), and totals for the cluster.
 *
 * @module
 */
import type { JSX } from "preact";
import { Empty, ErrorBox, Facts, Loading, PageHeader, StatusBadge } from "../components.tsx";
import { formatMB, formatMHz, plural, shortId, statusClass } from "../format.ts";
import { useQuery, useTitle } from "../hooks.ts";
import { routePath } from "../router.ts";
import type { AllocStub, NodeStub } from "../types.ts";

interface Usage {
  alloc: AllocStub;
  cpu: number;
  mem: number;
}

function usageOf(a: AllocStub): Usage {
  let cpu = 0;
  let mem = 0;
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) {
    cpu += t.Cpu?.CpuShares ?? 0;
    mem += t.Memory?.MemoryMB ?? 0;
  }
  return { alloc: a, cpu, mem };
}

function Bar(
  props: { label: string; total: number; parts: Usage[]; key_: "cpu" | "mem"; text: string },
): JSX.Element {
  return (
    <div class="topo-bar">
      <div class="meter-head">
        <span>{props.label}</span>
        <span class="muted">{props.text}</span>
      </div>
      <div class="topo-track" role="img" aria-label={`${props.label}: ${props.text}`}>
        {props.parts.map((p) => (
          <a
            key={p.alloc.ID}
            class={`topo-seg st-${statusClass(p.alloc.ClientStatus)}`}
            style={{ width: `${props.total > 0 ? (100 * p[props.key_]) / props.total : 0}%` }}
            href={routePath({ page: "allocation", id: p.alloc.ID, tab: "overview", path: "" })}
            title={`${p.alloc.Name} (${shortId(p.alloc.ID)}): ${
              props.key_ === "cpu" ? formatMHz(p.cpu) : formatMB(p.mem)
            }`}
            aria-label={`Allocation ${p.alloc.Name}`}
          />
        ))}
      </div>
    </div>
  );
}

function NodeCard(props: { node: NodeStub; allocs: Usage[] }): JSX.Element {
  const { node, allocs } = props;
  const cpuTotal = node.NodeResources?.Cpu?.CpuShares ?? 0;
  const memTotal = node.NodeResources?.Memory?.MemoryMB ?? 0;
  const cpu = allocs.reduce((n, a) => n + a.cpu, 0);
  const mem = allocs.reduce((n, a) => n + a.mem, 0);
  return (
    <article class="topo-node" aria-label={`Client ${node.Name}`}>
      <header>
        <a class="strong" href={routePath({ page: "client", id: node.ID })}>{node.Name}</a>
        <StatusBadge status={node.Status} />
        <span class="muted small">{plural(allocs.length, "allocation")}</span>
      </header>
      <Bar
        label="Memory"
        total={memTotal}
        parts={allocs}
        key_="mem"
        text={`${formatMB(mem)} / ${formatMB(memTotal)}`}
      />
      <Bar
        label="CPU"
        total={cpuTotal}
        parts={allocs}
        key_="cpu"
        text={`${formatMHz(cpu)} / ${formatMHz(cpuTotal)}`}
      />
    </article>
  );
}

/** The topology page. */
export function TopologyPage(): JSX.Element {
  useTitle("Topology");
  const nodes = useQuery<NodeStub[]>("/v1/nodes?resources=true");
  const allocs = useQuery<AllocStub[]>("/v1/allocations?resources=true");
  if (nodes.loading || allocs.loading) return <Loading what="topology" />;
  const error = nodes.error ?? allocs.error;
  if (nodes.data === undefined || allocs.data === undefined) {
    return error ? <ErrorBox error={error} /> : <Loading />;
  }
  const live = allocs.data.filter((a) =>
    a.ClientStatus === "running" || a.ClientStatus === "pending"
  );
  const byNode = new Map<string, Usage[]>();
  for (const a of live) byNode.set(a.NodeID, [...(byNode.get(a.NodeID) ?? []), usageOf(a)]);
  const byDc = new Map<string, NodeStub[]>();
  for (const n of nodes.data) byDc.set(n.Datacenter, [...(byDc.get(n.Datacenter) ?? []), n]);
  const totalMem = nodes.data.reduce((s, n) => s + (n.NodeResources?.Memory?.MemoryMB ?? 0), 0);
  const totalCpu = nodes.data.reduce((s, n) => s + (n.NodeResources?.Cpu?.CpuShares ?? 0), 0);
  const usedMem = [...byNode.values()].flat().reduce((s, u) => s + u.mem, 0);
  const usedCpu = [...byNode.values()].flat().reduce((s, u) => s + u.cpu, 0);
  return (
    <div>
      <PageHeader title="Topology" />
      {nodes.data.length === 0
        ? (
          <Empty title="No clients">
            The topology shows clients and what runs on them. No client has registered yet.
          </Empty>
        )
        : (
          <>
            <Facts
              items={[
                ["Clients", nodes.data.length],
                ["Running allocations", live.length],
                ["Memory reserved", `${formatMB(usedMem)} of ${formatMB(totalMem)}`],
                ["CPU reserved", `${formatMHz(usedCpu)} of ${formatMHz(totalCpu)}`],
              ]}
            />
            {[...byDc.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([dc, list]) => (
              <section key={dc} class="box" aria-label={`Datacenter ${dc}`}>
                <header class="box-head">
                  <h2>{dc}</h2>
                  <span class="muted small">{plural(list.length, "client")}</span>
                </header>
                <div class="topo-grid">
                  {list.map((n) => (
                    <NodeCard
                      key={n.ID}
                      node={n}
                      allocs={byNode.get(n.ID) ?? []}
                    />
                  ))}
                </div>
              </section>
            ))}
          </>
        )}
    </div>
  );
}
