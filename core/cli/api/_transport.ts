/**
 * How the API client's requests reach the agent. The usual transport is `fetch`, with a
 * `Deno.HttpClient` carrying the CA certificates and client certificate of `-ca-cert`,
 * `-ca-path`, `-client-cert` and `-client-key` (mutual TLS), or a Unix socket for `unix://`
 * addresses. Deno's `fetch` can neither skip certificate verification per request nor send
 * another SNI name, so `-tls-skip-verify` and `-tls-server-name` switch to `node:https`, which
 * can.
 *
 * @module
 */
import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { TlsConfig } from "../meta.ts";

/** One HTTP request as the client builds it. */
export interface TransportRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** The answer to a {@link TransportRequest}. */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body as text; read once (either this or {@link body}). */
  text(): Promise<string>;
  /** The body as a stream of bytes as they arrive (file and log streams); read once. */
  body(): ReadableStream<Uint8Array>;
}

/** Sends requests; {@link close} releases its connections. */
export interface Transport {
  send(req: TransportRequest): Promise<TransportResponse>;
  close(): void;
}

/** The TLS material read from the files a {@link TlsConfig} names. */
export interface TlsMaterial {
  readonly caCerts: string[];
  readonly cert?: string;
  readonly key?: string;
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file or directory"
      : (err as Error).message;
    throw new Error(`${what}: open ${path}: ${why}`, { cause: err });
  }
}

/**
 * Reads the CA and client certificates a TLS configuration names: `caCert` wins over `caPath`
 * (every file in that directory), as in Nomad; a client certificate needs its key and the
 * other way round.
 *
 * @throws {Error} When a file cannot be read, or only one of certificate and key is given.
 */
export async function loadTlsMaterial(tls: TlsConfig): Promise<TlsMaterial> {
  const caCerts: string[] = [];
  if (tls.caCert !== "") {
    caCerts.push(await readPem(tls.caCert, "Error loading CA File"));
  } else if (tls.caPath !== "") {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(tls.caPath)) if (entry.isFile) names.push(entry.name);
    } catch (err) {
      throw new Error(`Error loading CA Path: ${(err as Error).message}`, { cause: err });
    }
    for (const name of names.sort()) {
      caCerts.push(await readPem(join(tls.caPath, name), "Error loading CA Path"));
    }
  }
  if ((tls.clientCert === "") !== (tls.clientKey === "")) {
    throw new Error("Both client cert and client key must be provided");
  }
  if (tls.clientCert === "") return { caCerts };
  return {
    caCerts,
    cert: await readPem(tls.clientCert, "Error loading client certificate"),
    key: await readPem(tls.clientKey, "Error loading client key"),
  };
}

/** A transport over `fetch`, optionally with a `Deno.HttpClient` for TLS or a Unix socket. */
export function fetchTransport(material: TlsMaterial, socketPath?: string): Transport {
  const needsClient = material.caCerts.length > 0 || material.cert !== undefined ||
    socketPath !== undefined;
  const client = needsClient
    ? Deno.createHttpClient({
      ...(material.caCerts.length > 0 ? { caCerts: material.caCerts } : {}),
      ...(material.cert !== undefined && material.key !== undefined
        ? { cert: material.cert, key: material.key }
        : {}),
      ...(socketPath !== undefined ? { proxy: { transport: "unix", path: socketPath } } : {}),
    })
    : undefined;
  return {
    async send(req) {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(client ? { client } : {}),
      });
      return {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
        text: () => res.text(),
        body: () => res.body ?? new ReadableStream({ start: (c) => c.close() }),
      };
    },
    close() {
      client?.close();
    },
  };
}

/**
 * A transport over `node:https` for what `fetch` cannot do: skipping certificate verification
 * (`insecure`) and sending another SNI name (`serverName`).
 */
export function nodeTlsTransport(
  material: TlsMaterial,
  opts: { insecure: boolean; serverName: string },
): Transport {
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = {};
        req.headers.forEach((v, k) => {
          if (k !== "accept-encoding") headers[k] = v;
        });
        const r = httpsRequest({
          method: req.method,
          host: req.url.hostname.replace(/^\[|\]$/g, ""),
          port: req.url.port || 443,
          path: req.url.pathname + req.url.search,
          headers,
          rejectUnauthorized: !opts.insecure,
          ...(opts.serverName !== "" ? { servername: opts.serverName } : {}),
          ...(material.caCerts.length > 0 ? { ca: material.caCerts } : {}),
          ...(material.cert !== undefined ? { cert: material.cert, key: material.key } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        }, (res: IncomingMessage) => {
          const resHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (typeof v === "string") resHeaders.set(k, v);
            else if (Array.isArray(v)) resHeaders.set(k, v.join(", "));
          }
          const body = incomingStream(res);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: resHeaders,
            text: () => new Response(body).text(),
            body: () => body,
          });
        });
        r.on("error", reject);
        if (req.body !== undefined) r.write(req.body);
        r.end();
      });
    },
    close() {},
  };
}

/** The body of a `node:http` response as a web stream; cancelling it destroys the response. */
function incomingStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on("data", (c: Uint8Array) => {
        if (!done) controller.enqueue(new Uint8Array(c));
      });
      res.on("end", () => {
        if (done) return;
        done = true;
        controller.close();
      });
      res.on("error", (err: Error) => {
        if (done) return;
        done = true;
        controller.error(err);
      });
    },
    cancel() {
      done = true;
      res.destroy();
    },
  });
}
