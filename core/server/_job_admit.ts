/**
 * What the server does to a submitted job before it stores or plans it (Nomad's admission
 * controllers): canonicalize, the server-side defaults (namespace, region, `Datacenters: ["*"]`,
 * node pool `default`, port host networks `default`), the implied constraints (Nomad service
 * discovery, Consul, Vault), validation, and the checks of an update against the stored job.
 *
 * @module
 */
import {
  canonicalize,
  type Constraint,
  type Job,
  type NetworkResource,
  type Service,
  type TaskGroup,
  validateJob,
  ValidationError,
} from "../structs/mod.ts";

/** Where the job is submitted: the request's namespace and the server's region. */
export interface AdmitContext {
  readonly namespace: string;
  readonly region: string;
  /** Collects what the register and plan answers report as `Warnings`. */
  readonly warnings?: string[];
}

const NOMAD_SD: Constraint = {
  LTarget: "${attr.nomad.service_discovery}",
  RTarget: "true",
  Operand: "=",
};
const NOMAD_SD_CHECKS: Constraint = {
  LTarget: "${attr.nomad.version}",
  RTarget: ">= 1.4.0",
  Operand: "semver",
};
const VAULT: Constraint = {
  LTarget: "${attr.vault.version}",
  RTarget: ">= 0.6.1",
  Operand: "semver",
};

function consulConstraint(cluster: string): Constraint {
  return {
    LTarget: cluster === "" || cluster === "default"
      ? "${attr.consul.version}"
      : `\${attr.consul.${cluster}.version}`,
    RTarget: ">= 1.8.0",
    Operand: "semver",
  };
}

function vaultConstraint(cluster: string): Constraint {
  if (cluster === "" || cluster === "default") return VAULT;
  return { LTarget: `\${attr.vault.${cluster}.version}`, RTarget: ">= 1.11.0", Operand: "semver" };
}

/** Adds a constraint unless an equal one (`full`) or one on the same target (`left`) exists. */
function addConstraint(
  owner: { Constraints: Constraint[] | null },
  c: Constraint,
  match: "full" | "left",
): void {
  const list = owner.Constraints ?? [];
  const found = list.some((x) =>
    x.LTarget === c.LTarget &&
    (match === "left" || (x.RTarget === c.RTarget && x.Operand === c.Operand))
  );
  if (!found) owner.Constraints = [...list, { ...c }];
}

function isConsul(s: Service): boolean {
  return s.Provider === "" || s.Provider === "consul";
}

/**
 * Departure from Nomad: nomad-ts has no Consul integration, so a service meant for Consul (the
 * default provider) is registered in Nomad's own service catalog instead, with a warning. Nomad
 * would add a `${attr.consul.version}` constraint that no nomad-ts node satisfies, and the
 * seeds' example jobs (a `service` without `provider`) could never be placed.
 */
function consulToNomad(tg: TaskGroup, warnings: string[] | undefined): void {
  const services = [...(tg.Services ?? []), ...(tg.Tasks ?? []).flatMap((t) => t.Services ?? [])];
  for (const s of services) {
    if (!isConsul(s) || s.Connect !== null) continue;
    warnings?.push(
      `Service "${s.Name}" uses the Consul provider; nomad-ts has no Consul integration, so it is registered in Nomad's service catalog (provider "nomad") instead.`,
    );
    s.Provider = "nomad";
  }
}

function impliedConstraints(tg: TaskGroup): void {
  const services = [...(tg.Services ?? []), ...(tg.Tasks ?? []).flatMap((t) => t.Services ?? [])];
  for (const t of tg.Tasks ?? []) {
    if (t.Vault !== null) addConstraint(tg, vaultConstraint(t.Vault.Cluster), "left");
  }
  const nomad = services.filter((s) => s.Provider === "nomad");
  if (nomad.length > 0) addConstraint(tg, NOMAD_SD, "full");
  if (nomad.some((s) => (s.Checks ?? []).length > 0)) addConstraint(tg, NOMAD_SD_CHECKS, "full");
  for (const s of tg.Services ?? []) {
    if (isConsul(s)) addConstraint(tg, consulConstraint(s.Cluster), "left");
  }
  for (const t of tg.Tasks ?? []) {
    for (const s of t.Services ?? []) {
      if (isConsul(s)) addConstraint(t, consulConstraint(s.Cluster), "left");
    }
  }
}

function defaultHostNetworks(networks: readonly NetworkResource[] | null): void {
  for (const n of networks ?? []) {
    for (const p of [...(n.DynamicPorts ?? []), ...(n.ReservedPorts ?? [])]) {
      if (p.HostNetwork === "") p.HostNetwork = "default";
    }
  }
}

/**
 * A copy of the job as the server stores it: canonical, with the server-side defaults and the
 * implied constraints. Not validated (see {@link assertAdmissible}).
 */
export function admitJob(job: Job, ctx: AdmitContext): Job {
  const j = canonicalize(job);
  if (!j.Namespace) j.Namespace = ctx.namespace || "default";
  if (!j.Region) j.Region = ctx.region;
  if (j.Datacenters === null || j.Datacenters.length === 0) j.Datacenters = ["*"];
  if (!j.NodePool) j.NodePool = "default";
  if (!j.Priority) j.Priority = 50;
  for (const tg of j.TaskGroups ?? []) {
    defaultHostNetworks(tg.Networks);
    for (const t of tg.Tasks ?? []) defaultHostNetworks(t.Resources?.Networks ?? null);
    consulToNomad(tg, ctx.warnings);
    impliedConstraints(tg);
  }
  return j;
}

/**
 * Throws when the admitted job is invalid.
 *
 * @throws {ValidationError} listing every problem.
 */
export function assertAdmissible(job: Job): void {
  const problems = validateJob(job);
  if (problems.length > 0) {
    throw new ValidationError(`Job ${JSON.stringify(job.ID ?? "")} is invalid`, problems);
  }
}

/** Go's multierror text for a list of problems (the `Error` of `Job.Validate`'s answer). */
export function multiErrorText(problems: readonly string[]): string {
  if (problems.length === 1) return `1 error occurred:\n\t* ${problems[0]}\n\n`;
  return `${problems.length} errors occurred:\n\t${problems.map((p) => `* ${p}`).join("\n\t")}\n\n`;
}

/** Whether a job has a periodic block (Nomad's `IsPeriodic`, enabled or not). */
export function isPeriodic(job: Job): boolean {
  return job.Periodic !== null;
}

/** Whether a job is a parameterized (dispatch) template. */
export function isParameterized(job: Job): boolean {
  return job.ParameterizedJob !== null && !job.Dispatched;
}

/**
 * What may not change between two versions of a job (Nomad's `validateJobUpdate`).
 *
 * @throws {ValidationError} naming the field and the fix.
 */
export function assertValidUpdate(old: Job | undefined, next: Job): void {
  const fail = (msg: string) => {
    throw new ValidationError(msg, []);
  };
  if (old === undefined) {
    if (next.Dispatched) fail("job can't be submitted with 'Dispatched' set");
    return;
  }
  if (old.Type !== next.Type) {
    fail(`cannot update job from type "${old.Type}" to "${next.Type}"`);
  }
  if (isPeriodic(old) && !isPeriodic(next)) {
    fail("cannot update periodic job to being non-periodic");
  }
  if (!isPeriodic(old) && isPeriodic(next)) {
    fail("cannot update non-periodic job to being periodic");
  }
  if (isParameterized(old) && !isParameterized(next)) {
    fail("cannot update parameterized job to being non-parameterized");
  }
  if (!isParameterized(old) && isParameterized(next)) {
    fail("cannot update non-parameterized job to being parameterized");
  }
  if (old.Dispatched !== next.Dispatched) fail("field 'Dispatched' is read-only");
}
