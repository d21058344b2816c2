/// <reference lib="dom" />
/**
 * The servers (`/ui/servers`, `/ui/servers/<name>`): the cluster's members with their status
 * and which one leads.
 *
 * @module
 */
import type { JSX } from "preact";
import {
  Empty,
  ErrorBox,
  Facts,
  KeyValueTable,
  Loading,
  PageHeader,
  Section,
  StatusBadge,
} from "../components.tsx";
import { useQuery, useTitle } from "../hooks.ts";
import { routePath } from "../router.ts";
import type { Member, Members } from "../types.ts";

/** Whether `m` is the leader whose RPC address `/v1/status/leader` gives. */
export function isLeader(m: Member, leader: string | undefined): boolean {
  if (leader === undefined || leader === "") return false;
  const tags = m.Tags ?? {};
  return `${tags["rpc_addr"] ?? m.Addr}:${tags["port"] ?? ""}` === leader;
}

function useServers() {
  const members = useQuery<Members>("/v1/agent/members");
  const leader = useQuery<string>("/v1/status/leader");
  return { members, leader: leader.data };
}

/** The servers page. */
export function ServersPage(): JSX.Element {
  useTitle("Servers");
  const { members, leader } = useServers();
  if (members.loading) return <Loading what="servers" />;
  const list = [...(members.data?.Members ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : 1));
  return (
    <div>
      <PageHeader title="Servers" />
      {members.error && members.data === undefined && <ErrorBox error={members.error} />}
      {members.data !== undefined && list.length === 0 && (
        <Empty title="No servers">This agent knows no server members.</Empty>
      )}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="table" aria-label="Servers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Leader</th>
                <th scope="col">Address</th>
                <th scope="col">Port</th>
                <th scope="col">Datacenter</th>
                <th scope="col">Region</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.Name} data-server={m.Name}>
                  <td>
                    <a class="strong" href={routePath({ page: "server", name: m.Name })}>
                      {m.Name}
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={m.Status} />
                  </td>
                  <td>
                    {isLeader(m, leader) ? <StatusBadge status="running" label="leader" /> : "-"}
                  </td>
                  <td class="mono">{m.Addr}</td>
                  <td>{m.Port}</td>
                  <td>{m.Tags?.["dc"] ?? "-"}</td>
                  <td>{m.Tags?.["region"] ?? "-"}</td>
                  <td>{m.Tags?.["build"] ?? "-"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** One server's page. */
export function ServerPage(props: { name: string }): JSX.Element {
  useTitle(`Server ${props.name}`);
  const { members, leader } = useServers();
  const crumbs = [{ label: "Servers", href: routePath({ page: "servers" }) }];
  if (members.loading) return <Loading what="server" />;
  const m = members.data?.Members?.find((x) => x.Name === props.name);
  if (m === undefined) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={props.name} />
        {members.error
          ? <ErrorBox error={members.error} />
          : <Empty title="Server not found">No server member is named {props.name}.</Empty>}
      </div>
    );
  }
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={m.Name}
        badge={
          <>
            <StatusBadge status={m.Status} />
            {isLeader(m, leader) && <StatusBadge status="running" label="leader" />}
          </>
        }
      />
      <Facts
        items={[
          ["Address", <span key="v" class="mono">{m.Addr}:{m.Port}</span>],
          ["Datacenter", m.Tags?.["dc"] ?? "-"],
          ["Region", m.Tags?.["region"] ?? "-"],
          ["Raft Version", m.Tags?.["raft_vsn"] ?? "-"],
        ]}
      />
      <Section title="Tags">
        <KeyValueTable entries={m.Tags} label="Tags" />
      </Section>
    </div>
  );
}
