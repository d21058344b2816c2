/**
 * The agent's listeners: `Deno.serve` for plain HTTP and HTTPS, and `node:https` when the
 * agent must verify client certificates (`tls { http = true, verify_https_client = true }`, and
 * always on the RPC port under `tls { rpc = true }`, as Nomad's RPC verifies its peers), which
 * `Deno.serve` cannot request.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { Readable } from "node:stream";
import type { TLSConfig } from "./config.ts";

/** A request handler (a Hono app's `fetch`). */
export type Handler = (req: Request) => Response | Promise<Response>;

/** An open listener. */
export interface Listener {
  /** `ip:port` it listens on (the real port when 0 was asked for). */
  readonly addr: string;
  /** Stops accepting, ends open requests, and resolves when the socket is closed. */
  close(): Promise<void>;
}

function splitHostPort(addr: string): [string, number] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(addr);
  if (!m) throw new RangeError(`Cannot listen on "${addr}": expected ip:port`);
  return [m[1]!, Number(m[2])];
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The key material of `tls`, read from its files. */
interface Pem {
  cert: string;
  key: string;
  ca?: string;
}

async function readPem(tls: TLSConfig, setting: string): Promise<Pem> {
  const read = async (what: string, path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (err) {
      throw new Error(`Cannot read the TLS ${what} "${path}": ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  if (tls.CertFile === "" || tls.KeyFile === "") {
    throw new Error(
      `${setting} is set but cert_file or key_file is missing: set both in the tls block`,
    );
  }
  const pem: Pem = {
    cert: await read("cert_file", tls.CertFile),
    key: await read("key_file", tls.KeyFile),
  };
  if (tls.CAFile !== "") pem.ca = await read("ca_file", tls.CAFile);
  return pem;
}

/**
 * Gives each request a signal that also aborts when the listener closes, so long polls and
 * event streams end at shutdown instead of holding it up.
 */
function abortable(handler: Handler, closing: AbortSignal): Handler {
  return (req) => handler(new Request(req, { signal: AbortSignal.any([req.signal, closing]) }));
}

function serveDeno(
  host: string,
  port: number,
  handler: Handler,
  pem: Pem | null,
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    try {
      const closing = new AbortController();
      const options = { hostname: host, port, onListen: () => {} };
      const wrapped = abortable(handler, closing.signal);
      const server = pem
        ? Deno.serve({ ...options, cert: pem.cert, key: pem.key }, wrapped)
        : Deno.serve(options, wrapped);
      const bound = (server.addr as Deno.NetAddr).port;
      resolve({
        addr: joinHostPort(host, bound),
        close: async () => {
          closing.abort();
          await server.shutdown();
        },
      });
    } catch (err) {
      reject(err);
    }
  });
}

async function handleNode(
  req: IncomingMessage,
  res: ServerResponse,
  host: string,
  handler: Handler,
) {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (typeof v === "string") headers.set(k, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`https://${req.headers.host ?? host}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    signal: abort.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
  let response: Response;
  try {
    response = await handler(request);
  } catch {
    response = new Response("Internal Server Error", { status: 500 });
  }
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    out[name] = name === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, out);
  if (!response.body) return void res.end();
  try {
    for await (const chunk of response.body) {
      if (abort.signal.aborted) break;
      res.write(chunk);
    }
  } finally {
    res.end();
  }
}

function serveMutualTls(
  host: string,
  port: number,
  handler: Handler,
  pem: Pem,
  setting: string,
): Promise<Listener> {
  if (pem.ca === undefined) {
    return Promise.reject(
      new Error(`${setting} needs ca_file: the CA that signs client certificates`),
    );
  }
  const server = createServer(
    { cert: pem.cert, key: pem.key, ca: pem.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => void handleNode(req, res, joinHostPort(host, port), handler),
  );
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      resolve({
        addr: joinHostPort(host, bound),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * Listens on `addr` (`ip:port`) with the agent's TLS settings for that port: `tls.http` and
 * `verify_https_client` for the HTTP API, `tls.rpc` (client certificates always verified)
 * for the RPC port.
 *
 * @throws when the address is taken or the TLS files cannot be read, with a message that
 * names them.
 */
export async function listen(
  addr: string,
  handler: Handler,
  tls: TLSConfig,
  port: "http" | "rpc" = "http",
): Promise<Listener> {
  const [host, portNumber] = splitHostPort(addr);
  const enabled = port === "rpc" ? tls.EnableRPC : tls.EnableHTTP;
  const verify = port === "rpc" ? true : tls.VerifyHTTPSClient;
  const pem = enabled ? await readPem(tls, `tls.${port}`) : null;
  try {
    if (pem && verify) {
      const setting = port === "rpc" ? "tls.rpc" : "tls.verify_https_client";
      return await serveMutualTls(host, portNumber, handler, pem, setting);
    }
    return await serveDeno(host, portNumber, handler, pem);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`listen tcp ${addr}: ${reason}`, { cause: err });
  }
}
