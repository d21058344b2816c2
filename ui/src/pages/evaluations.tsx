/// <reference lib="dom" />
/**
 * The evaluations (`/ui/evaluations`): the newest evaluations of the cluster, filterable by
 * status.
 *
 * @module
 */
import type { JSX } from "preact";
import { ErrorBox, FilterSelect, Loading, PageHeader } from "../components.tsx";
import { useQuery, useTitle } from "../hooks.ts";
import { useLocation } from "../nav.ts";
import type { Evaluation } from "../types.ts";
import { EvaluationTable } from "./job_tabs.tsx";

const STATUSES = ["blocked", "pending", "complete", "failed", "canceled"];
const SHOWN = 100;

/** The evaluations page. */
export function EvaluationsPage(): JSX.Element {
  useTitle("Evaluations");
  const { search } = useLocation();
  const status = search.get("status") ?? "";
  const evals = useQuery<Evaluation[]>("/v1/evaluations");
  const all = evals.data ?? [];
  const shown = all.filter((e) => status === "" || e.Status === status)
    .sort((a, b) => b.CreateIndex - a.CreateIndex).slice(0, SHOWN);
  return (
    <div>
      <PageHeader title="Evaluations" />
      <div class="toolbar">
        <FilterSelect label="Status" param="status" value={status} options={STATUSES} />
        {all.length > SHOWN && <span class="muted small">The newest {SHOWN} are shown.</span>}
      </div>
      {evals.loading && <Loading what="evaluations" />}
      {evals.error && evals.data === undefined && <ErrorBox error={evals.error} />}
      {evals.data !== undefined && <EvaluationTable evals={shown} showJob />}
    </div>
  );
}
