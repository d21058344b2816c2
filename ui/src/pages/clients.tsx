/// <reference lib="dom" />
/**
 * The clients list (`/ui/clients`): every node with its status, eligibility, drain state,
 * address, datacenter, pool and drivers; filtered by a search box.
 *
 * @module
 */
import type { JSX } from "preact";
import { Empty, ErrorBox, Loading, PageHeader, StatusBadge } from "../components.tsx";
import { shortId } from "../format.ts";
import { useQuery, useTitle } from "../hooks.ts";
import { setQuery, useLocation } from "../nav.ts";
import { routePath } from "../router.ts";
import type { NodeStub } from "../types.ts";

/** The drivers of a node that are detected and healthy. */
export function healthyDrivers(n: Pick<NodeStub, "Drivers">): string[] {
  return Object.entries(n.Drivers ?? {}).filter(([, d]) => d.Detected && d.Healthy)
    .map(([name]) => name).sort();
}

/** The clients page. */
export function ClientsPage(): JSX.Element {
  useTitle("Clients");
  const { search } = useLocation();
  const text = (search.get("search") ?? "").toLowerCase();
  const nodes = useQuery<NodeStub[]>("/v1/nodes");
  const all = nodes.data ?? [];
  const shown = all.filter((n) =>
    text === "" || n.Name.toLowerCase().includes(text) || n.ID.startsWith(text) ||
    n.Address.includes(text) || n.Datacenter.toLowerCase().includes(text)
  ).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return (
    <div>
      <PageHeader title="Clients" />
      <div class="toolbar" role="search">
        <input
          class="search"
          type="search"
          placeholder="Search clients by name, ID, address or datacenter"
          aria-label="Search clients"
          value={search.get("search") ?? ""}
          onInput={(e) => setQuery({ search: e.currentTarget.value })}
        />
      </div>
      {nodes.loading && <Loading what="clients" />}
      {nodes.error && nodes.data === undefined && <ErrorBox error={nodes.error} />}
      {nodes.data !== undefined && all.length === 0 && (
        <Empty title="No clients">
          No client has registered with this cluster. Start an agent with{" "}
          <code>client {"{ enabled = true }"}</code> (or <code>agent -dev</code>) to run jobs.
        </Empty>
      )}
      {all.length > 0 && shown.length === 0 && (
        <Empty title="No clients match">
          <button type="button" class="btn" onClick={() => setQuery({ search: "" })}>
            Clear search
          </button>
        </Empty>
      )}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table class="table" aria-label="Clients">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Eligibility</th>
                <th scope="col">Address</th>
                <th scope="col">Datacenter</th>
                <th scope="col">Node Pool</th>
                <th scope="col">Version</th>
                <th scope="col">Drivers</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((n) => (
                <tr key={n.ID} data-node={n.ID}>
                  <td class="mono">
                    <a href={routePath({ page: "client", id: n.ID })}>{shortId(n.ID)}</a>
                  </td>
                  <td>
                    <a class="strong" href={routePath({ page: "client", id: n.ID })}>{n.Name}</a>
                  </td>
                  <td>
                    <StatusBadge status={n.Status} />
                    {n.Drain && <StatusBadge status="draining" />}
                  </td>
                  <td>
                    <StatusBadge status={n.SchedulingEligibility} />
                  </td>
                  <td class="mono">{n.Address}</td>
                  <td>{n.Datacenter}</td>
                  <td>{n.NodePool}</td>
                  <td>{n.Version}</td>
                  <td>{healthyDrivers(n).join(", ") || "-"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
