/// <reference lib="dom" />
/**
 * The application shell: the top bar, the navigation (Jobs, Clients, Servers, Topology,
 * Evaluations; a sidebar on wide screens, a row of tabs on phones), the banner shown while the
 * agent cannot be reached, and the page of the current URL.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Empty } from "./components.tsx";
import { relativeTime } from "./time.ts";
import { store, useConnectivity, useNow } from "./hooks.ts";
import { useLocation } from "./nav.ts";
import { parseRoute, type Route, routePath, sectionOf } from "./router.ts";
import { AllocationPage } from "./pages/alloc.tsx";
import { ClientPage } from "./pages/client.tsx";
import { ClientsPage } from "./pages/clients.tsx";
import { EvaluationsPage } from "./pages/evaluations.tsx";
import { JobPage } from "./pages/job.tsx";
import { JobsPage } from "./pages/jobs.tsx";
import { RunJobPage } from "./pages/run.tsx";
import { ServerPage, ServersPage } from "./pages/servers.tsx";
import { TaskPage } from "./pages/task.tsx";
import { TaskGroupPage } from "./pages/task_group.tsx";
import { TopologyPage } from "./pages/topology.tsx";

const NAV: ReadonlyArray<readonly [string, string, Route]> = [
  ["jobs", "Jobs", { page: "jobs" }],
  ["clients", "Clients", { page: "clients" }],
  ["servers", "Servers", { page: "servers" }],
  ["topology", "Topology", { page: "topology" }],
  ["evaluations", "Evaluations", { page: "evaluations" }],
];

function Page(props: { route: Route }): JSX.Element {
  const r = props.route;
  switch (r.page) {
    case "jobs":
      return <JobsPage />;
    case "job-run":
      return <RunJobPage />;
    case "job":
      return (
        <JobPage key={`${r.namespace}/${r.job}`} job={r.job} namespace={r.namespace} tab={r.tab} />
      );
    case "task-group":
      return <TaskGroupPage job={r.job} namespace={r.namespace} group={r.group} />;
    case "allocation":
      return <AllocationPage id={r.id} tab={r.tab} path={r.path} />;
    case "task":
      return <TaskPage id={r.id} task={r.task} tab={r.tab} path={r.path} />;
    case "clients":
      return <ClientsPage />;
    case "client":
      return <ClientPage id={r.id} />;
    case "servers":
      return <ServersPage />;
    case "server":
      return <ServerPage name={r.name} />;
    case "topology":
      return <TopologyPage />;
    case "evaluations":
      return <EvaluationsPage />;
    case "not-found":
      return (
        <Empty title="Page not found">
          <p>
            There is no page at <code>{r.path}</code>.
          </p>
          <a class="btn" href={routePath({ page: "jobs" })}>Go to jobs</a>
        </Empty>
      );
  }
}

/** The banner shown while the agent does not answer. */
function Unreachable(): JSX.Element | null {
  const c = useConnectivity();
  const now = useNow();
  if (c.online) return null;
  const retry = c.retryAt === undefined || c.retryAt <= now
    ? "Retrying now…"
    : `Retrying ${relativeTime(c.retryAt, now)}.`;
  return (
    <div class="banner" role="alert" data-testid="unreachable">
      <strong>Cannot reach the Nomad agent at {location.host}.</strong>{" "}
      <span>The data below may be out of date. {retry}</span>
      <button type="button" class="btn small" onClick={() => store.wakeAll()}>Retry now</button>
    </div>
  );
}

/** The whole UI. */
export function App(): JSX.Element {
  const { pathname } = useLocation();
  const route = parseRoute(pathname);
  const section = sectionOf(route);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // After client-side navigation, move focus to the new page for keyboard and reader users.
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <div class="app">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href={routePath({ page: "jobs" })} aria-label="nomad-ts home">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2.5" />
            <circle cx="12" cy="12" r="3.5" fill="currentColor" />
          </svg>
          <span>nomad-ts</span>
        </a>
      </header>
      <div class="layout">
        <nav class="sidebar" aria-label="Main">
          <ul>
            {NAV.map(([key, label, r]) => (
              <li key={key}>
                <a href={routePath(r)} aria-current={section === key ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          <Unreachable />
          <Page route={route} />
        </main>
      </div>
    </div>
  );
}
