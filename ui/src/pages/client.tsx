/// <reference lib="dom" />
/**
 * A client's page (`/ui/clients/<id>`): status, eligibility and drain (with their actions),
 * resources in use, allocations, drivers, events, attributes and meta.
 *
 * @module
 */
import type { JSX } from "preact";
import { AllocationTable } from "../alloc_table.tsx";
import { putJson } from "../api.ts";
import {
  ActionButton,
  Empty,
  ErrorBox,
  Facts,
  KeyValueTable,
  Loading,
  Meter,
  PageHeader,
  RelTime,
  Section,
  StatusBadge,
  TwoStepButton,
} from "../components.tsx";
import { formatMB, formatMHz, shortId } from "../format.ts";
import { store, useQuery, useTitle } from "../hooks.ts";
import { routePath } from "../router.ts";
import type { AllocStub, Node } from "../types.ts";

const HOUR_NS = 3600 * 1e9;

function Actions(props: { node: Node }): JSX.Element {
  const { node } = props;
  const id = encodeURIComponent(node.ID);
  const eligible = node.SchedulingEligibility === "eligible";
  return (
    <>
      <ActionButton
        label={eligible ? "Mark ineligible" : "Mark eligible"}
        onClick={async () => {
          await putJson(`/v1/node/${id}/eligibility`, {
            NodeID: node.ID,
            Eligibility: eligible ? "ineligible" : "eligible",
          });
          store.wakeAll();
        }}
      />
      {node.DrainStrategy === null
        ? (
          <TwoStepButton
            label="Drain"
            confirm="Yes, drain"
            question="Move every allocation off this client (deadline 1h)?"
            danger
            onConfirm={async () => {
              await putJson(`/v1/node/${id}/drain`, {
                NodeID: node.ID,
                DrainSpec: { Deadline: HOUR_NS, IgnoreSystemJobs: false },
                MarkEligible: false,
              });
              store.wakeAll();
            }}
          />
        )
        : (
          <ActionButton
            label="Stop drain"
            onClick={async () => {
              await putJson(`/v1/node/${id}/drain`, {
                NodeID: node.ID,
                DrainSpec: null,
                MarkEligible: false,
              });
              store.wakeAll();
            }}
          />
        )}
    </>
  );
}

function Resources(props: { node: Node; allocs: readonly AllocStub[] }): JSX.Element {
  const { node } = props;
  const cpuTotal = (node.NodeResources?.Cpu?.CpuShares ?? 0) -
    (node.ReservedResources?.Cpu?.CpuShares ?? 0);
  const memTotal = (node.NodeResources?.Memory?.MemoryMB ?? 0) -
    (node.ReservedResources?.Memory?.MemoryMB ?? 0);
  let cpu = 0;
  let mem = 0;
  for (const a of props.allocs) {
    if (a.ClientStatus !== "running" && a.ClientStatus !== "pending") continue;
    for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) {
      cpu += t.Cpu?.CpuShares ?? 0;
      mem += t.Memory?.MemoryMB ?? 0;
    }
  }
  return (
    <div class="meters">
      <Meter
        label="CPU reserved"
        used={cpu}
        total={cpuTotal}
        text={`${formatMHz(cpu)} / ${formatMHz(cpuTotal)}`}
      />
      <Meter
        label="Memory reserved"
        used={mem}
        total={memTotal}
        text={`${formatMB(mem)} / ${formatMB(memTotal)}`}
      />
    </div>
  );
}

/** The client page. */
export function ClientPage(props: { id: string }): JSX.Element {
  const node = useQuery<Node>(`/v1/node/${encodeURIComponent(props.id)}`);
  const allocs = useQuery<AllocStub[]>(
    `/v1/node/${encodeURIComponent(props.id)}/allocations`,
  );
  useTitle(`Client ${node.data?.Name ?? shortId(props.id)}`);
  const crumbs = [{ label: "Clients", href: routePath({ page: "clients" }) }];
  if (node.loading) return <Loading what="client" />;
  if (node.data === undefined) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={shortId(props.id)} />
        {node.error?.status === 404
          ? (
            <Empty title="Client not found">
              No client has the ID <code>{props.id}</code>.
            </Empty>
          )
          : node.error && <ErrorBox error={node.error} />}
      </div>
    );
  }
  const n = node.data;
  const drivers = Object.entries(n.Drivers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {n.Name} <span class="muted mono">{shortId(n.ID)}</span>
          </>
        }
        badge={
          <>
            <StatusBadge status={n.Status} />
            <StatusBadge status={n.SchedulingEligibility} />
            {n.DrainStrategy !== null && <StatusBadge status="draining" />}
          </>
        }
        actions={<Actions node={n} />}
      />
      <Facts
        items={[
          ["Address", <span key="v" class="mono">{n.HTTPAddr || n.Address}</span>],
          ["Datacenter", n.Datacenter],
          ["Node Pool", n.NodePool],
          ["Class", n.NodeClass || "-"],
          ["Version", n.Attributes?.["nomad.version"] ?? n.Version],
          ["Status Updated", <RelTime key="v" time={n.StatusUpdatedAt * 1e9} />],
        ]}
      />
      {n.DrainStrategy !== null && (
        <p class="notice warning">
          Draining: allocations are moving to other clients.
        </p>
      )}
      <Section title="Resources">
        <Resources node={n} allocs={allocs.data ?? []} />
      </Section>
      <Section title="Allocations">
        {allocs.data === undefined ? <Loading what="allocations" /> : (
          <AllocationTable
            allocs={allocs.data}
            showJob
            showClient={false}
            empty="No allocation has been placed on this client."
          />
        )}
      </Section>
      <Section title="Drivers">
        <div class="table-wrap">
          <table class="table" aria-label="Drivers">
            <thead>
              <tr>
                <th scope="col">Driver</th>
                <th scope="col">Detected</th>
                <th scope="col">Health</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {drivers.map(([name, d]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{d.Detected ? "yes" : "no"}</td>
                  <td>
                    <StatusBadge
                      status={d.Healthy ? "healthy" : "unhealthy"}
                      label={d.HealthDescription || (d.Healthy ? "Healthy" : "Unhealthy")}
                    />
                  </td>
                  <td>
                    <RelTime time={d.UpdateTime} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Events">
        {(n.Events ?? []).length === 0 ? <p class="muted">No events.</p> : (
          <div class="table-wrap">
            <table class="table" aria-label="Client events">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Subsystem</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {[...(n.Events ?? [])].reverse().map((e, i) => (
                  <tr key={i}>
                    <td class="nowrap">
                      <RelTime time={e.Timestamp} />
                    </td>
                    <td>{e.Subsystem}</td>
                    <td class="wrap">{e.Message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Attributes">
        <KeyValueTable entries={n.Attributes} label="Attributes" />
      </Section>
      <Section title="Meta">
        <KeyValueTable entries={n.Meta} label="Meta" />
      </Section>
    </div>
  );
}
