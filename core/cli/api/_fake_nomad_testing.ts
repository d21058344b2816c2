/**
 * A stand-in for a Nomad agent in CLI tests: a `Deno.serve` on 127.0.0.1 (port 0) that answers
 * canned, Nomad-shaped JSON per `"METHOD /path"` and records every request. It is a boundary
 * fake for a server that is built separately; end-to-end tests against the real agent live
 * elsewhere.
 *
 * @module
 */

/** A request the fake received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  /** The JSON body, or `undefined` without one. */
  readonly body: unknown;
}

/** An answer: a `Response` as is, or any other value sent as JSON with status 200. */
export type Answer = Response | object | string | number | boolean | null;

/** Answers a request; a function lets a route change its answer (sequences, prefixes). */
export type Handler = (req: RecordedRequest) => Answer | Promise<Answer>;

/** What a route answers: a fixed value or a {@link Handler}. */
export type Route = Handler | Answer;

/** A text answer with a status, the way Nomad reports errors (`404`, `job not found`). */
export function errorAnswer(status: number, text: string): Response {
  return new Response(text, { status, headers: { "Content-Type": "text/plain" } });
}

/** A fake Nomad agent; close it at the end of the test. */
export class FakeNomad {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #routes = new Map<string, Route>();
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The value of `X-Nomad-Index` on every answer. */
  index = 100;

  constructor(routes: Readonly<Record<string, Route>> = {}) {
    for (const [k, v] of Object.entries(routes)) this.#routes.set(k, v);
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
  }

  /** `http://127.0.0.1:<port>`. */
  get address(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Sets what `"METHOD /path"` answers. */
  route(key: string, route: Route): void {
    this.#routes.set(key, route);
  }

  /** The requests to `"METHOD /path"`. */
  requestsTo(key: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === key);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    const recorded: RecordedRequest = {
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text === "" ? undefined : JSON.parse(text),
    };
    this.requests.push(recorded);
    const key = `${req.method} ${url.pathname}`;
    if (!this.#routes.has(key)) return errorAnswer(404, "404 page not found");
    const route = this.#routes.get(key);
    const answer = typeof route === "function" ? await (route as Handler)(recorded) : route;
    if (answer instanceof Response) return answer;
    return new Response(JSON.stringify(answer), {
      headers: { "Content-Type": "application/json", "X-Nomad-Index": String(this.index) },
    });
  }
}

/**
 * Runs `fn` with `Date.now()` fixed at `ms`, so that "ago" ages and monitor timestamps are
 * stable; restores the clock afterwards.
 */
export async function withFixedNow<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}
