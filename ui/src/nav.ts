/**
 * Client-side navigation: links are plain `<a href="/ui/...">` (so they open in new tabs, can
 * be copied and work from the keyboard); a click on one without modifier keys is handled here
 * with the History API instead of a page load.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { BASE } from "./router.ts";

const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

/** Shows `to` (a path under `/ui`, with an optional query). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  notify();
  if (!options.replace) globalThis.scrollTo(0, 0);
}

/** Changes the query string of the current page without a history entry. */
export function setQuery(params: Record<string, string>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === "") url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  navigate(url.pathname + url.search, { replace: true });
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return { pathname: location.pathname, search: new URLSearchParams(location.search) };
}

/** Routes clicks on same-origin `/ui` links through {@link navigate}. */
export function interceptLinks(): void {
  globalThis.addEventListener("popstate", notify);
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target.closest("a") : null;
    if (target === null || target.target !== "" || target.hasAttribute("download")) return;
    const url = new URL(target.href, location.href);
    if (url.origin !== location.origin) return;
    if (url.pathname !== BASE && !url.pathname.startsWith(`${BASE}/`)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
