/**
 * The parts of a job file whose HCL form is not the plain schema mapping: constraint and
 * affinity shorthands, `env`/`meta` written as attributes, task scaling blocks, group- and
 * job-level `vault`/`secret`/`task` blocks, and the normalisation Nomad applies after decoding
 * (ID and Name from the label, static ports, template and Vault defaults, default identity).
 *
 * @module
 */
import {
  type Affinity,
  AffinitySpec,
  type Constraint,
  ConstraintSpec,
  type Job,
  JobSpec,
  type NetworkResource,
  type ScalingPolicy,
  ScalingPolicySpec,
  SECOND,
  type Secret,
  SecretSpec,
  type StructSpec,
  type Task,
  type TaskGroup,
  TaskGroupSpec,
  TaskSpec,
  type Template,
  type Vault,
  VaultSpec,
  zero,
} from "../structs/mod.ts";
import {
  type BlockEntry,
  type Body,
  bodyOf,
  checkLabels,
  type Ctx,
  type CustomDecoder,
  decodeStruct,
  entries,
  evalJson,
} from "./_decode.ts";
import { numberToString } from "./_convert.ts";

const CONSTRAINT_SHORTHANDS = [
  "version",
  "semver",
  "regexp",
  "set_contains",
  "set_contains_any",
  "set_contains_all",
  "is_set",
  "is_not_set",
];
const AFFINITY_SHORTHANDS = [
  "version",
  "semver",
  "regexp",
  "set_contains_any",
  "set_contains_all",
  "set_contains",
];

/** Reads the attributes of a constraint-like block as strings (and `distinct_hosts` as bool). */
function attributes(
  body: Body,
  ctx: Ctx,
  allowed: readonly string[],
): Map<string, string | boolean | number> {
  const out = new Map<string, string | boolean | number>();
  for (const e of entries(body, ctx)) {
    if (e.item.kind === "block" || !allowed.includes(e.item.name)) {
      const what = e.item.kind === "block" ? "Unsupported block type" : "Unsupported argument";
      e.ctx.error(e.item.pos, what, `"${e.item.name}" is not expected here.`);
      continue;
    }
    const v = evalJson(e.json, e.ctx, e.item.valuePos);
    if (v === undefined || v === null) continue;
    if (typeof v === "object") {
      e.ctx.error(
        e.item.valuePos,
        "Incorrect attribute value type",
        `Inappropriate value for attribute "${e.item.name}": string required.`,
      );
      continue;
    }
    out.set(e.item.name, typeof v === "number" && e.item.name !== "weight" ? numberToString(v) : v);
  }
  return out;
}

const decodeConstraint: CustomDecoder = (body, ctx) => {
  const attrs = attributes(body, ctx, [
    "attribute",
    "value",
    "operator",
    "distinct_hosts",
    "distinct_property",
    ...CONSTRAINT_SHORTHANDS,
  ]);
  const s = (k: string) => {
    const v = attrs.get(k);
    return v === undefined ? "" : String(v);
  };
  const c: Constraint = { LTarget: s("attribute"), RTarget: s("value"), Operand: s("operator") };
  for (const op of ["version", "semver", "regexp", "set_contains"]) {
    if (s(op) !== "") Object.assign(c, { Operand: op, RTarget: s(op) });
  }
  if (attrs.has("distinct_hosts")) {
    const v = attrs.get("distinct_hosts");
    Object.assign(c, { Operand: "distinct_hosts", RTarget: String(v === true || v === "true") });
  }
  if (s("distinct_property") !== "") {
    Object.assign(c, { Operand: "distinct_property", LTarget: s("distinct_property") });
  }
  for (const op of ["set_contains_any", "set_contains_all"]) {
    if (s(op) !== "") Object.assign(c, { Operand: op, RTarget: s(op) });
  }
  // Nomad accepts these two but ignores them; we apply them the way they read.
  for (const op of ["is_set", "is_not_set"]) {
    if (s(op) !== "") Object.assign(c, { Operand: op, LTarget: s(op) });
  }
  if (c.Operand === "") c.Operand = "=";
  return c;
};

const decodeAffinity: CustomDecoder = (body, ctx) => {
  const attrs = attributes(body, ctx, [
    "attribute",
    "value",
    "operator",
    "weight",
    ...AFFINITY_SHORTHANDS,
  ]);
  const s = (k: string) => {
    const v = attrs.get(k);
    return v === undefined ? "" : String(v);
  };
  const weight = attrs.get("weight");
  const a: Affinity = {
    LTarget: s("attribute"),
    RTarget: s("value"),
    Operand: s("operator"),
    Weight: weight === undefined ? null : Math.trunc(Number(weight)),
  };
  for (const op of AFFINITY_SHORTHANDS) {
    if (s(op) !== "") Object.assign(a, { Operand: op, RTarget: s(op) });
  }
  if (a.Operand === "") a.Operand = "=";
  return a;
};

function blocksNamed(body: Body, ctx: Ctx, name: string): BlockEntry[] {
  return entries(body, ctx).filter((e): e is BlockEntry =>
    e.item.kind === "block" && e.item.name === name
  );
}

function decodeSecrets(body: Body, ctx: Ctx): Secret[] {
  return blocksNamed(body, ctx, "secret").filter((e) => checkLabels(e, 1)).map((e) =>
    decodeStruct(SecretSpec, bodyOf(e), e.ctx, e.item.labels)
  );
}

function decodeVault(body: Body, ctx: Ctx): Vault | null {
  const blocks = blocksNamed(body, ctx, "vault");
  const first = blocks[0];
  return first ? decodeStruct(VaultSpec, bodyOf(first), first.ctx) : null;
}

const decodeTask: CustomDecoder = (body, ctx, labels) => {
  const task = decodeStruct(TaskSpec, body, ctx, labels, {
    plain: true,
    skip: new Set(["scaling"]),
    attributeBlocks: new Set(["env", "meta"]),
  });
  const seen = new Map<string, BlockEntry>();
  for (const e of blocksNamed(body, ctx, "scaling")) {
    if (!checkLabels(e, 1)) continue;
    const label = (e.item.labels[0] ?? "").toLowerCase();
    const type = label === "cpu" ? "vertical_cpu" : label === "mem" ? "vertical_mem" : undefined;
    if (type === undefined) {
      e.ctx.error(
        e.item.pos,
        "Invalid scaling policy name",
        'scaling policy name must be "cpu" or "mem"',
      );
      continue;
    }
    const prev = seen.get(label);
    if (prev) {
      e.ctx.error(
        e.item.pos,
        `Duplicate scaling "${label}" block`,
        `Only one scaling ${label} block is allowed. Another was defined at ${ctx.file}:${prev.item.pos.line},${prev.item.pos.col}.`,
      );
      continue;
    }
    seen.set(label, e);
    const policy: ScalingPolicy = decodeStruct(ScalingPolicySpec, bodyOf(e), e.ctx);
    if (policy.Type === "") policy.Type = type;
    else if (policy.Type !== type) {
      e.ctx.error(
        e.item.pos,
        "Invalid scaling policy type",
        `Invalid policy type, expected "${policy.Type}" but found "${type}"`,
      );
      continue;
    }
    task.ScalingPolicies = [...(task.ScalingPolicies ?? []), policy];
  }
  return task;
};

const decodeTaskGroup: CustomDecoder = (body, ctx, labels) => {
  const group = decodeStruct(TaskGroupSpec, body, ctx, labels, {
    plain: true,
    skip: new Set(["vault", "secret"]),
    attributeBlocks: new Set(["meta"]),
  });
  const vault = decodeVault(body, ctx);
  const secrets = decodeSecrets(body, ctx);
  for (const task of group.Tasks ?? []) {
    if (vault && task.Vault === null) task.Vault = structuredClone(vault);
    if (secrets.length > 0) task.Secrets = [...(task.Secrets ?? []), ...structuredClone(secrets)];
  }
  if (group.Scaling && group.Scaling.Type === "") group.Scaling.Type = "horizontal";
  return group;
};

/** The custom decoders of job files, by struct. */
export const DECODERS: ReadonlyMap<StructSpec<unknown>, CustomDecoder> = new Map<
  StructSpec<unknown>,
  CustomDecoder
>([
  [ConstraintSpec as StructSpec<unknown>, decodeConstraint],
  [AffinitySpec as StructSpec<unknown>, decodeAffinity],
  [TaskSpec as StructSpec<unknown>, decodeTask],
  [TaskGroupSpec as StructSpec<unknown>, decodeTaskGroup],
]);

/** Decodes the body of the `job "<id>"` block into a job as written, then normalises it. */
export function decodeJob(id: string, body: Body, ctx: Ctx): Job {
  const job = decodeStruct(JobSpec, body, ctx, [], {
    plain: true,
    skip: new Set(["vault", "secret", "task"]),
    attributeBlocks: new Set(["meta"]),
  });
  const vault = decodeVault(body, ctx);
  const secrets = decodeSecrets(body, ctx);
  const alone: TaskGroup[] = blocksNamed(body, ctx, "task").filter((e) => checkLabels(e, 1)).map(
    (e) => {
      const task = decodeStruct(TaskSpec, bodyOf(e), e.ctx, e.item.labels);
      return { ...zero(TaskGroupSpec), Name: task.Name, Tasks: [task] };
    },
  );
  if (alone.length > 0) job.TaskGroups = [...alone, ...(job.TaskGroups ?? [])];
  normalizeJob(job, id, vault, secrets);
  return job;
}

function normalizeJob(job: Job, id: string, vault: Vault | null, secrets: Secret[]): void {
  job.Name ??= id;
  job.ID ??= id;
  if (job.Periodic && (job.Periodic.Spec !== null || job.Periodic.Specs !== null)) {
    job.Periodic.SpecType = "cron";
  }
  if (vault) normalizeVault(vault);
  for (const group of job.TaskGroups ?? []) {
    normalizePorts(group.Networks);
    for (const task of group.Tasks ?? []) normalizeTask(task, vault, secrets);
  }
}

function normalizeTask(task: Task, vault: Vault | null, secrets: Secret[]): void {
  normalizePorts(task.Resources?.Networks ?? null);
  for (const t of task.Templates ?? []) normalizeTemplate(t);
  if (task.Vault) normalizeVault(task.Vault);
  else if (vault) task.Vault = structuredClone(vault);
  if (secrets.length > 0) task.Secrets = [...(task.Secrets ?? []), ...structuredClone(secrets)];
  const identities = task.Identities ?? [];
  const i = identities.findIndex((w) => w.Name === "" || w.Name === "default");
  if (i >= 0) {
    task.Identity = identities[i] ?? null;
    task.Identities = identities.filter((_, j) => j !== i);
  }
}

function normalizeVault(v: Vault): void {
  v.Env ??= true;
  v.DisableFile ??= false;
  v.ChangeMode ??= "restart";
}

function normalizeTemplate(t: Template): void {
  t.ChangeMode ??= "restart";
  t.Perms ??= "0644";
  t.Splay ??= 5 * SECOND;
  t.ErrMissingKey ??= false;
  if (t.ChangeScript) {
    t.ChangeScript.Args ??= [];
    t.ChangeScript.Timeout ??= 5 * SECOND;
    t.ChangeScript.FailOnError ??= false;
    t.ChangeScript.RunOnFirstRender ??= false;
  }
}

/** Nomad moves ports with a static value from the dynamic list to the reserved one. */
function normalizePorts(networks: NetworkResource[] | null): void {
  for (const n of networks ?? []) {
    if (!n.DynamicPorts || n.DynamicPorts.length === 0) continue;
    const dynamic = n.DynamicPorts.filter((p) => p.Value <= 0);
    const reserved = n.DynamicPorts.filter((p) => p.Value > 0);
    n.DynamicPorts = dynamic.length > 0 ? dynamic : null;
    n.ReservedPorts = reserved.length > 0 ? reserved : null;
  }
}
