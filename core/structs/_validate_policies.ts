/**
 * Validation of placement rules and policies, with Nomad's wording (`nomad/structs`:
 * `Constraint`, `Affinity`, `Spread`, `RestartPolicy`, `ReschedulePolicy`, `UpdateStrategy`,
 * `MigrateStrategy`, `PeriodicConfig`, `ParameterizedJobConfig`, `DisconnectStrategy`).
 *
 * @module
 */
import type { Affinity, Constraint, Spread } from "./constraint.ts";
import { parseCron } from "./cron.ts";
import { resolveTimeZone } from "./_time_zone.ts";
import type { ParameterizedJobConfig, PeriodicConfig } from "./job.ts";
import type {
  DisconnectStrategy,
  MigrateStrategy,
  ReschedulePolicy,
  RestartPolicy,
  UpdateStrategy,
} from "./policies.ts";
import { SECOND } from "./duration.ts";
import {
  dur,
  goList,
  parseUintProblem,
  type Problems,
  quote,
  regexpProblem,
  versionConstraintProblem,
} from "./_validate_util.ts";

const COMPARISONS = ["=", "==", "is", "!=", "not", "<", "<=", ">", ">="];
const SET_CONTAINS = ["set_contains", "set_contains_all", "set_contains_any"];
const EXACT_TARGETS = [
  "${node.unique.id}",
  "${node.datacenter}",
  "${node.unique.name}",
  "${node.class}",
  "${node.pool}",
];

function attributeProblem(target: string): string | null {
  if (!target.startsWith("$")) return null;
  if (!target.startsWith("${")) return `attribute ${quote(target)} is missing an opening brace`;
  if (!target.endsWith("}")) return `attribute ${quote(target)} is missing a closing brace`;
  if (EXACT_TARGETS.includes(target)) return null;
  if (["${attr.", "${device.", "${meta."].some((p) => target.startsWith(p))) return null;
  return `unsupported attribute ${quote(target)}`;
}

/** Checks one constraint (`Constraint.Validate`). */
export function validateConstraint(c: Constraint, p: Problems): void {
  if (c.Operand === "") p.add("Missing constraint operand");
  let requireLTarget = true;
  const op = c.Operand;
  if (op === "distinct_hosts") requireLTarget = false;
  else if (SET_CONTAINS.includes(op)) {
    if (c.RTarget === "") p.add("Set contains constraint requires an RTarget");
  } else if (op === "regexp") {
    const problem = regexpProblem(c.RTarget);
    if (problem) p.add(`Regular expression failed to compile: ${problem}`);
  } else if (op === "version" || op === "semver") {
    const problem = versionConstraintProblem(c.RTarget, op === "semver");
    if (problem) {
      p.add(`${op === "version" ? "Version" : "Semver"} constraint is invalid: ${problem}`);
    }
  } else if (op === "distinct_property") {
    if (c.RTarget !== "") {
      const problem = parseUintProblem(c.RTarget, 10, 64);
      if (problem) p.add(`Failed to convert RTarget ${quote(c.RTarget)} to uint64: ${problem}`);
      else if (BigInt(c.RTarget) < 1n) {
        p.add(`Distinct Property must have an allowed count of 1 or greater: ${c.RTarget} < 1`);
      }
    }
  } else if (op === "is_set" || op === "is_not_set") {
    if (c.RTarget !== "") p.add(`Operator ${quote(op)} does not support an RTarget`);
  } else if (COMPARISONS.includes(op)) {
    if (c.RTarget === "") p.add(`Operator ${quote(op)} requires an RTarget`);
  } else p.add(`Unknown constraint type ${quote(op)}`);
  if (requireLTarget) {
    if (c.LTarget === "") p.add("no attribute provided but is required by operator");
    else {
      const problem = attributeProblem(c.LTarget);
      if (problem) p.add(problem);
    }
  }
}

/** Checks one affinity (`Affinity.Validate`). */
export function validateAffinity(a: Affinity, p: Problems): void {
  const op = a.Operand;
  if (op === "") p.add("Missing affinity operand");
  if (SET_CONTAINS.includes(op)) {
    if (a.RTarget === "") p.add("Set contains operators require an RTarget");
  } else if (op === "regexp") {
    const problem = regexpProblem(a.RTarget);
    if (problem) p.add(`Regular expression failed to compile: ${problem}`);
  } else if (op === "version" || op === "semver") {
    const problem = versionConstraintProblem(a.RTarget, op === "semver");
    if (problem) {
      p.add(`${op === "version" ? "Version" : "Semver"} affinity is invalid: ${problem}`);
    }
  } else if (COMPARISONS.includes(op)) {
    if (a.RTarget === "") p.add(`Operator ${quote(op)} requires an RTarget`);
  } else p.add(`Unknown affinity operator ${quote(op)}`);
  if (a.LTarget === "") p.add("No LTarget provided but is required");
  const weight = a.Weight ?? 0;
  if (weight === 0) p.add("Affinity weight cannot be zero");
  if (weight > 100 || weight < -100) p.add("Affinity weight must be within the range [-100,100]");
}

/** Checks one spread (`Spread.Validate`). */
export function validateSpread(s: Spread, p: Problems): void {
  if (s.Attribute === "") p.add("Missing spread attribute");
  const weight = s.Weight ?? 0;
  if (weight <= 0 || weight > 100) p.add("Spread block must have a positive weight from 0 to 100");
  const seen = new Set<string>();
  let sum = 0;
  for (const target of s.SpreadTarget ?? []) {
    if (seen.has(target.Value)) p.add(`Spread target value ${quote(target.Value)} already defined`);
    seen.add(target.Value);
    if (target.Percent > 100) {
      p.add(`Spread target percentage for value ${quote(target.Value)} must be between 0 and 100`);
    }
    sum += target.Percent;
  }
  if (sum > 100) {
    p.add(`Sum of spread target percentages must not be greater than 100%; got ${sum}%`);
  }
}

/**
 * Checks each item of a list, prefixing its problems with `<Kind> <n> validation failed: `.
 */
export function eachValidated<T>(
  items: readonly T[] | null,
  kind: string,
  p: Problems,
  check: (item: T, p: Problems) => void,
): void {
  (items ?? []).forEach((item, i) => check(item, p.at(`${kind} ${i + 1} validation failed: `)));
}

/** Checks a group's restart policy (`RestartPolicy.Validate`). */
export function validateRestart(r: RestartPolicy, p: Problems): void {
  const mode = r.Mode ?? "", attempts = r.Attempts ?? 0;
  const interval = r.Interval ?? 0, delay = r.Delay ?? 0;
  if (mode !== "delay" && mode !== "fail") p.add(`Unsupported restart mode: ${quote(mode)}`);
  if (attempts === 0 && mode !== "fail") {
    p.add(`Restart policy ${quote(mode)} with ${attempts} attempts is ambiguous`);
  }
  if (interval < 5 * SECOND) p.add(`Interval can not be less than 5s (got ${dur(interval)})`);
  if (attempts * delay > interval) {
    p.add(
      `Nomad can't restart the TaskGroup ${attempts} times in an interval of ${dur(interval)} ` +
        `with a delay of ${dur(delay)}`,
    );
  }
}

const DELAY_FUNCTIONS = ["constant", "exponential", "fibonacci"];
const MIN_DELAY = 5 * SECOND;

/** Checks a group's reschedule policy (`ReschedulePolicy.Validate`). */
export function validateReschedule(r: ReschedulePolicy, p: Problems): void {
  const attempts = r.Attempts ?? 0, interval = r.Interval ?? 0, delay = r.Delay ?? 0;
  const fn = r.DelayFunction ?? "", maxDelay = r.MaxDelay ?? 0, unlimited = r.Unlimited ?? false;
  if (!(attempts > 0 || unlimited)) return;
  if (attempts > 0) {
    if (interval <= 0) p.add("Interval must be a non zero value if Attempts > 0");
    if (unlimited) {
      p.add(
        `Reschedule Policy with Attempts = ${attempts}, Interval = ${dur(interval)}, and ` +
          `Unlimited = ${unlimited} is ambiguous`,
      );
      p.add("If Attempts >0, Unlimited cannot also be set to true");
    }
  }
  let delayOk = true;
  if (delay < MIN_DELAY) {
    p.add(`Delay cannot be less than 5s (got ${dur(delay)})`);
    delayOk = false;
  }
  if (!DELAY_FUNCTIONS.includes(fn)) {
    p.add(
      `Invalid delay function ${quote(fn)}, must be one of ${
        goList(DELAY_FUNCTIONS.map((f) => quote(f)))
      }`,
    );
    delayOk = false;
  }
  if (fn !== "constant") {
    if (maxDelay < MIN_DELAY) {
      p.add(`Max Delay cannot be less than 5s (got ${dur(delay)})`);
      delayOk = false;
    }
    if (maxDelay < delay) {
      p.add(`Max Delay cannot be less than Delay ${dur(delay)} (got ${dur(maxDelay)})`);
      delayOk = false;
    }
  }
  if (unlimited) return;
  if (interval < 15 * SECOND) p.add(`Interval cannot be less than 15s (got ${dur(interval)})`);
  if (!delayOk) return;
  const { ok, possible, recommended } = viableAttempts(attempts, interval, delay, fn, maxDelay);
  if (ok) return;
  if (fn === "constant") {
    p.add(
      `Nomad can only make ${possible} attempts in ${dur(interval)} with initial delay ` +
        `${dur(delay)} and delay function ${quote(fn)}`,
    );
  } else {
    p.add(
      `Nomad can only make ${possible} attempts in ${dur(interval)} with initial delay ` +
        `${dur(delay)}, delay function ${quote(fn)}, and delay ceiling ${dur(maxDelay)}`,
    );
  }
  const rounded = Math.round(recommended / SECOND) * SECOND;
  p.add(`Set the interval to at least ${dur(rounded)} to accommodate ${attempts} attempts`);
}

function viableAttempts(
  attempts: number,
  interval: number,
  delay: number,
  fn: string,
  maxDelay: number,
): { ok: boolean; possible: number; recommended: number } {
  let possible = 0, recommended = 0, ok = true;
  if (fn === "constant") {
    recommended = attempts * delay;
    if (interval < recommended) {
      possible = Math.trunc(interval / delay);
      ok = false;
    }
  } else if (fn === "exponential") {
    for (let i = 0; i < attempts; i++) {
      let next = 2 ** i * delay;
      if (next > maxDelay) {
        next = maxDelay;
        recommended += next;
      } else recommended = next;
      if (recommended < interval) possible++;
    }
    if (possible < attempts) ok = false;
  } else {
    const slots = [delay, delay];
    let ceiling = false;
    for (let i = 2; i < attempts; i++) {
      const prev = slots[i - 1] as number;
      let next = ceiling ? prev + maxDelay : prev + (slots[i - 2] as number);
      if (!ceiling && next > maxDelay) {
        next = maxDelay;
        ceiling = true;
      }
      slots.push(next);
    }
    recommended = slots[slots.length - 1] as number;
    if (interval < recommended) {
      ok = false;
      const beyond = slots.findIndex((s) => s > interval);
      if (beyond >= 0) possible = beyond;
    }
  }
  return { ok, possible: Math.max(possible, 0), recommended };
}

/** Checks a group's update strategy (`UpdateStrategy.Validate`). */
export function validateUpdate(u: UpdateStrategy, p: Problems): void {
  const hc = u.HealthCheck ?? "", maxParallel = u.MaxParallel ?? 0, canary = u.Canary ?? 0;
  const minHealthy = u.MinHealthyTime ?? 0, healthy = u.HealthyDeadline ?? 0;
  const progress = u.ProgressDeadline ?? 0, stagger = u.Stagger ?? 0;
  if (!["checks", "task_states", "manual"].includes(hc)) {
    p.add(`Invalid health check given: ${quote(hc)}`);
  }
  if (maxParallel < 0) p.add(`Max parallel can not be less than zero: ${maxParallel} < 0`);
  if (canary < 0) p.add(`Canary count can not be less than zero: ${canary} < 0`);
  if (canary === 0 && u.AutoPromote === true) {
    p.add("Auto Promote requires a Canary count greater than zero");
  }
  if (minHealthy < 0) p.add(`Minimum healthy time may not be less than zero: ${dur(minHealthy)}`);
  if (healthy <= 0) p.add(`Healthy deadline must be greater than zero: ${dur(healthy)}`);
  if (progress < 0) p.add(`Progress deadline must be zero or greater: ${dur(progress)}`);
  if (minHealthy >= healthy) {
    p.add(
      `Minimum healthy time must be less than healthy deadline: ${dur(minHealthy)} > ${
        dur(healthy)
      }`,
    );
  }
  if (progress !== 0 && healthy >= progress) {
    p.add(
      `Healthy deadline must be less than progress deadline: ${dur(healthy)} > ${dur(progress)}`,
    );
  }
  if (stagger <= 0) p.add(`Stagger must be greater than zero: ${dur(stagger)}`);
}

/** Checks a group's migrate strategy (`MigrateStrategy.Validate`). */
export function validateMigrate(m: MigrateStrategy, p: Problems): void {
  const maxParallel = m.MaxParallel ?? 0, hc = m.HealthCheck ?? "";
  const minHealthy = m.MinHealthyTime ?? 0, healthy = m.HealthyDeadline ?? 0;
  if (maxParallel < 0) p.add(`MaxParallel must be >= 0 but found ${maxParallel}`);
  if (hc === "") {
    if (maxParallel > 0) p.add("Missing HealthCheck");
  } else if (hc !== "checks" && hc !== "task_states") p.add(`Invalid HealthCheck: ${quote(hc)}`);
  if (minHealthy < 0) p.add(`MinHealthyTime is ${dur(minHealthy)} and must be >= 0`);
  if (healthy < 0) p.add(`HealthyDeadline is ${dur(healthy)} and must be >= 0`);
  if (minHealthy > healthy) p.add("MinHealthyTime must be less than HealthyDeadline");
}

/** Checks an enabled periodic block (`PeriodicConfig.Validate`), cron specs included. */
export function validatePeriodic(c: PeriodicConfig, p: Problems): void {
  const spec = c.Spec ?? "", specs = c.Specs ?? [];
  if (spec !== "" && specs.length !== 0) p.add("Only cron or crons may be used");
  if (spec === "" && specs.length === 0) p.add("Must specify a spec");
  const zone = c.TimeZone ?? "";
  if (zone !== "") {
    try {
      resolveTimeZone(zone);
    } catch (e) {
      p.add(`Invalid time zone ${quote(zone)}: ${(e as Error).message}`);
    }
  }
  const type = c.SpecType ?? "";
  if (type === "cron") {
    for (const s of spec === "" ? specs : [spec, ...specs]) {
      try {
        parseCron(s);
      } catch (e) {
        p.add((e as Error).message);
      }
    }
  } else if (type !== "_internal_test") {
    p.add(`Unknown periodic specification type ${quote(type)}`);
  }
}

/** Checks a parameterized block (`ParameterizedJobConfig.Validate`). */
export function validateParameterized(c: ParameterizedJobConfig, p: Problems): void {
  if (!["", "optional", "required", "forbidden"].includes(c.Payload)) {
    p.add(`Unknown payload requirement: ${quote(c.Payload)}`);
  }
  const optional = new Set(c.MetaOptional ?? []);
  const both = [...new Set(c.MetaRequired ?? [])].filter((k) => optional.has(k)).sort();
  if (both.length > 0) {
    p.add(
      `Required and optional meta keys should be disjoint. Following keys exist in both: ${
        goList(both)
      }`,
    );
  }
}

/** Checks a group's disconnect block (`DisconnectStrategy.Validate`). */
export function validateDisconnect(d: DisconnectStrategy, jobType: string, p: Problems): void {
  if (d.StopOnClientAfter !== null) {
    if (d.StopOnClientAfter < 0) p.add("stop_after cannot be a negative duration");
    if (jobType !== "service" && jobType !== "batch") {
      p.add("stop_after can only be used with service or batch job types");
    }
  }
  const lostAfter = d.LostAfter ?? 0;
  if (lostAfter < 0) p.add("lost_after cannot be a negative duration");
  if (d.StopOnClientAfter !== null && lostAfter !== 0) {
    p.add("Disconnect cannot be configured with both lost_after and stop_after");
  }
  const reconcile = d.Reconcile ?? "";
  const options = ["", "best_score", "longest_running", "keep_original", "keep_replacement"];
  if (!options.includes(reconcile)) p.add(`reconcile option is invalid: ${reconcile}`);
}
