/// <reference lib="dom" />
/**
 * The jobs list (`/ui/jobs`): every job with its status, type, groups and allocation summary,
 * filtered by a search box and by type and status (kept in the URL's query).
 *
 * @module
 */
import type { JSX } from "preact";
import {
  Empty,
  ErrorBox,
  FilterSelect,
  Loading,
  PageHeader,
  StatusBadge,
  SummaryBar,
} from "../components.tsx";
import { jobStatus, sumSummary } from "../format.ts";
import { useQuery, useTitle } from "../hooks.ts";
import { setQuery, useLocation } from "../nav.ts";
import { routePath } from "../router.ts";
import type { JobStub } from "../types.ts";

const TYPES = ["service", "batch", "system", "sysbatch"];
const STATUSES = ["pending", "running", "dead"];

function matches(job: JobStub, search: string, type: string, status: string): boolean {
  if (type !== "" && job.Type !== type) return false;
  if (status !== "" && job.Status !== status) return false;
  if (search === "") return true;
  const s = search.toLowerCase();
  return job.ID.toLowerCase().includes(s) || job.Name.toLowerCase().includes(s);
}

/** The jobs page. */
export function JobsPage(): JSX.Element {
  useTitle("Jobs");
  const { search } = useLocation();
  const text = search.get("search") ?? "";
  const type = search.get("type") ?? "";
  const status = search.get("status") ?? "";
  const jobs = useQuery<JobStub[]>("/v1/jobs");
  const all = (jobs.data ?? []).filter((j) => j.ParentID === "");
  const shown = all.filter((j) => matches(j, text, type, status))
    .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  const namespaces = new Set(all.map((j) => j.Namespace));
  const filtered = text !== "" || type !== "" || status !== "";

  return (
    <div>
      <PageHeader
        title="Jobs"
        actions={<a class="btn primary" href={routePath({ page: "job-run" })}>Run Job</a>}
      />
      <div class="toolbar" role="search">
        <input
          class="search"
          type="search"
          placeholder="Search jobs by name"
          aria-label="Search jobs"
          value={text}
          onInput={(e) => setQuery({ search: e.currentTarget.value })}
        />
        <FilterSelect label="Type" param="type" value={type} options={TYPES} />
        <FilterSelect label="Status" param="status" value={status} options={STATUSES} />
      </div>
      {jobs.loading && <Loading what="jobs" />}
      {jobs.error && jobs.data === undefined && <ErrorBox error={jobs.error} />}
      {jobs.data !== undefined && all.length === 0 && (
        <Empty title="No jobs yet">
          <p>Jobs you submit appear here with their allocations as they run.</p>
          <p>
            <a class="btn primary" href={routePath({ page: "job-run" })}>Run a job</a> or use{" "}
            <code>nomad job run &lt;file&gt;</code>.
          </p>
        </Empty>
      )}
      {all.length > 0 && shown.length === 0 && (
        <Empty title="No jobs match">
          <p>No job matches the search and filters.</p>
          <button
            type="button"
            class="btn"
            onClick={() => setQuery({ search: "", type: "", status: "" })}
          >
            Clear filters
          </button>
        </Empty>
      )}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table class="table" aria-label="Jobs">
            <thead>
              <tr>
                <th scope="col">Name</th>
                {namespaces.size > 1 && <th scope="col">Namespace</th>}
                <th scope="col">Status</th>
                <th scope="col">Type</th>
                <th scope="col">Node Pool</th>
                <th scope="col">Priority</th>
                <th scope="col">Groups</th>
                <th scope="col" class="wide">Summary</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((j) => {
                const groups = j.JobSummary?.Summary ?? {};
                const counts = sumSummary(groups);
                return (
                  <tr key={`${j.Namespace}/${j.ID}`} data-job={j.ID}>
                    <td class="nowrap">
                      <a
                        class="strong"
                        href={routePath({
                          page: "job",
                          job: j.ID,
                          namespace: j.Namespace,
                          tab: "overview",
                        })}
                      >
                        {j.Name || j.ID}
                      </a>
                    </td>
                    {namespaces.size > 1 && <td>{j.Namespace}</td>}
                    <td>
                      <StatusBadge status={jobStatus(j)} />
                    </td>
                    <td>{j.Type}</td>
                    <td>{j.NodePool}</td>
                    <td>{j.Priority}</td>
                    <td>{Object.keys(groups).length}</td>
                    <td class="wide">
                      <SummaryBar counts={counts} compact />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {filtered && <p class="muted small">{shown.length} of {all.length} jobs shown.</p>}
        </div>
      )}
    </div>
  );
}
