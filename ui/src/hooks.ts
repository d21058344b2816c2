/**
 * Preact hooks over the app's one {@link BlockingStore}: live API data, the agent's
 * reachability, a shared clock for relative times, and the page title.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { BlockingStore, type ConnectivityState, type QueryState } from "./store.ts";

/** The store every page reads through. */
export const store: BlockingStore = new BlockingStore();

/**
 * Live data of an API path, kept current with blocking queries while the component is shown.
 * `null` watches nothing (a query that depends on another one's answer).
 */
export function useQuery<T>(path: string | null): QueryState<T> {
  const [state, setState] = useState<{ path: string | null; q: QueryState<T> }>(() => ({
    path,
    q: path === null ? idle() : store.peek<T>(path),
  }));
  useEffect(() => {
    if (path === null) {
      setState({ path, q: idle() });
      return undefined;
    }
    setState({ path, q: store.peek<T>(path) });
    return store.subscribe<T>(path, (q) => setState({ path, q }));
  }, [path]);
  // Until the effect runs for a new path, show that path's state, not the previous one's.
  if (state.path !== path) return path === null ? idle() : store.peek<T>(path);
  return state.q;
}

function idle<T>(): QueryState<T> {
  return { data: undefined, error: undefined, index: 0, loading: false };
}

/** Whether the agent answers. */
export function useConnectivity(): ConnectivityState {
  const [state, setState] = useState(store.connectivity.state);
  useEffect(() => store.connectivity.subscribe(setState), []);
  return state;
}

const tickers = new Set<(now: number) => void>();
let ticker: ReturnType<typeof setInterval> | undefined;

/** The current time, updated every second (one timer shared by every caller). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    tickers.add(setNow);
    ticker ??= setInterval(() => {
      const t = Date.now();
      for (const f of tickers) f(t);
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0 && ticker !== undefined) {
        clearInterval(ticker);
        ticker = undefined;
      }
    };
  }, []);
  return now;
}

/** Sets the document title to `<title> - nomad-ts`. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title === "" ? "nomad-ts" : `${title} - nomad-ts`;
  }, [title]);
}
