/**
 * The UI's URLs, the same as Nomad's UI so that links printed by the CLI and bookmarks keep
 * working: `/ui/jobs`, `/ui/jobs/run`, `/ui/jobs/<job>@<namespace>[/<tab>]`,
 * `/ui/jobs/<job>@<namespace>/<group>`, `/ui/allocations/<id>[/fs[/<path>]]`,
 * `/ui/allocations/<id>/<task>[/logs|/fs[/<path>]]`, `/ui/clients[/<id>]`,
 * `/ui/servers[/<name>]`, `/ui/topology`, `/ui/evaluations`. A job without `@<namespace>` is in
 * the `default` namespace.
 *
 * @module
 */

/** The tabs of a job's page; a group named like one of these is reached by its tab instead. */
export const JOB_TABS = ["definition", "versions", "allocations", "evaluations"] as const;
/** A tab of a job's page (`overview` has no path segment). */
export type JobTab = "overview" | typeof JOB_TABS[number];

/** A page of the UI and its parameters. */
export type Route =
  | { readonly page: "jobs" }
  | { readonly page: "job-run" }
  | { readonly page: "job"; readonly job: string; readonly namespace: string; readonly tab: JobTab }
  | {
    readonly page: "task-group";
    readonly job: string;
    readonly namespace: string;
    readonly group: string;
  }
  | {
    readonly page: "allocation";
    readonly id: string;
    readonly tab: "overview" | "fs";
    readonly path: string;
  }
  | {
    readonly page: "task";
    readonly id: string;
    readonly task: string;
    readonly tab: "overview" | "logs" | "fs";
    readonly path: string;
  }
  | { readonly page: "clients" }
  | { readonly page: "client"; readonly id: string }
  | { readonly page: "servers" }
  | { readonly page: "server"; readonly name: string }
  | { readonly page: "topology" }
  | { readonly page: "evaluations" }
  | { readonly page: "not-found"; readonly path: string };

/** The path every UI URL starts with. */
export const BASE = "/ui";

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Splits `<job>@<namespace>` at its last `@`. */
export function parseJobSlug(slug: string): { job: string; namespace: string } {
  const decoded = decode(slug);
  const at = decoded.lastIndexOf("@");
  if (at <= 0) return { job: decoded, namespace: "default" };
  return { job: decoded.slice(0, at), namespace: decoded.slice(at + 1) || "default" };
}

/** `<job>@<namespace>` for a URL, each part escaped. */
export function jobSlug(job: string, namespace = "default"): string {
  return `${encodeURIComponent(job)}@${encodeURIComponent(namespace)}`;
}

function encodePath(path: string): string {
  return path.split("/").filter((p) => p !== "").map(encodeURIComponent).join("/");
}

/**
 * The page a URL path shows.
 *
 * @example
 * ```ts
 * parseRoute("/ui/jobs/example@default"); // { page: "job", job: "example", namespace: "default", tab: "overview" }
 * ```
 */
export function parseRoute(pathname: string): Route {
  let rest = pathname;
  if (rest === BASE || rest.startsWith(`${BASE}/`)) rest = rest.slice(BASE.length);
  const parts = rest.split("/").filter((p) => p !== "");
  const [section, a, b, c] = parts;
  const tail = (from: number) => parts.slice(from).map(decode).join("/");
  switch (section) {
    case undefined:
      return { page: "jobs" };
    case "jobs": {
      if (a === undefined) return { page: "jobs" };
      if (a === "run" && b === undefined) return { page: "job-run" };
      const { job, namespace } = parseJobSlug(a);
      if (b === undefined) return { page: "job", job, namespace, tab: "overview" };
      if ((JOB_TABS as readonly string[]).includes(b) && c === undefined) {
        return { page: "job", job, namespace, tab: b as JobTab };
      }
      if (c === undefined) return { page: "task-group", job, namespace, group: decode(b) };
      break;
    }
    case "allocations": {
      if (a === undefined) break;
      const id = decode(a);
      if (b === undefined) return { page: "allocation", id, tab: "overview", path: "" };
      if (b === "fs") return { page: "allocation", id, tab: "fs", path: tail(3) };
      const task = decode(b);
      if (c === undefined) return { page: "task", id, task, tab: "overview", path: "" };
      if (c === "logs" && parts.length === 4) {
        return { page: "task", id, task, tab: "logs", path: "" };
      }
      if (c === "fs") return { page: "task", id, task, tab: "fs", path: tail(4) };
      break;
    }
    case "clients":
      if (a === undefined) return { page: "clients" };
      if (b === undefined) return { page: "client", id: decode(a) };
      break;
    case "servers":
      if (a === undefined) return { page: "servers" };
      if (b === undefined) return { page: "server", name: decode(a) };
      break;
    case "topology":
      if (a === undefined) return { page: "topology" };
      break;
    case "evaluations":
      if (a === undefined) return { page: "evaluations" };
      break;
  }
  return { page: "not-found", path: pathname };
}

/**
 * The URL path of a page.
 *
 * @example
 * ```ts
 * routePath({ page: "task", id: "5f2c...", task: "redis", tab: "logs", path: "" });
 * // "/ui/allocations/5f2c.../redis/logs"
 * ```
 */
export function routePath(route: Route): string {
  switch (route.page) {
    case "jobs":
      return `${BASE}/jobs`;
    case "job-run":
      return `${BASE}/jobs/run`;
    case "job": {
      const base = `${BASE}/jobs/${jobSlug(route.job, route.namespace)}`;
      return route.tab === "overview" ? base : `${base}/${route.tab}`;
    }
    case "task-group":
      return `${BASE}/jobs/${jobSlug(route.job, route.namespace)}/${
        encodeURIComponent(route.group)
      }`;
    case "allocation": {
      const base = `${BASE}/allocations/${encodeURIComponent(route.id)}`;
      if (route.tab === "overview") return base;
      const path = encodePath(route.path);
      return path === "" ? `${base}/fs` : `${base}/fs/${path}`;
    }
    case "task": {
      const base = `${BASE}/allocations/${encodeURIComponent(route.id)}/${
        encodeURIComponent(route.task)
      }`;
      if (route.tab === "overview") return base;
      if (route.tab === "logs") return `${base}/logs`;
      const path = encodePath(route.path);
      return path === "" ? `${base}/fs` : `${base}/fs/${path}`;
    }
    case "clients":
      return `${BASE}/clients`;
    case "client":
      return `${BASE}/clients/${encodeURIComponent(route.id)}`;
    case "servers":
      return `${BASE}/servers`;
    case "server":
      return `${BASE}/servers/${encodeURIComponent(route.name)}`;
    case "topology":
      return `${BASE}/topology`;
    case "evaluations":
      return `${BASE}/evaluations`;
    case "not-found":
      return route.path;
  }
}

/** The top-level section a page belongs to, for the navigation's current item. */
export function sectionOf(route: Route): string {
  switch (route.page) {
    case "jobs":
    case "job-run":
    case "job":
    case "task-group":
    case "allocation":
    case "task":
      return "jobs";
    case "clients":
    case "client":
      return "clients";
    case "servers":
    case "server":
      return "servers";
    case "topology":
      return "topology";
    case "evaluations":
      return "evaluations";
    case "not-found":
      return "";
  }
}
