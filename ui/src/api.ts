/**
 * Writes to the agent's API from the pages (reads go through the blocking store): JSON in,
 * JSON out, the agent's text error as the error message.
 *
 * @module
 */
import { ApiError } from "./store.ts";

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiError(0, `Cannot reach the agent: ${reason}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, text.trim() || res.statusText);
  if (text === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

/** `GET path` once, without blocking. */
export function getJson<T>(path: string): Promise<T> {
  return request<T>("GET", path);
}

/** `PUT path` with a JSON body. */
export function putJson<T>(path: string, body?: unknown): Promise<T> {
  return request<T>("PUT", path, body);
}

/** `POST path` with a JSON body. */
export function postJson<T>(path: string, body?: unknown): Promise<T> {
  return request<T>("POST", path, body);
}

/** `DELETE path`. */
export function deleteJson<T>(path: string): Promise<T> {
  return request<T>("DELETE", path);
}

/** `?namespace=<ns>` (with `&` when `path` already has a query). */
export function withNamespace(path: string, namespace: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}namespace=${encodeURIComponent(namespace)}`;
}

/** The API path of a job, escaped. */
export function jobPath(job: string, suffix = ""): string {
  return `/v1/job/${encodeURIComponent(job)}${suffix}`;
}
