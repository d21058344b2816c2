/**
 * DockerApi against a fake dockerd: an HTTP server on a unix socket in a temporary directory.
 * Also checks, in subprocesses, that the manifest's permissions for a socket are exactly what
 * a request through it needs.
 */
import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../../tests/assert.ts";
import { DockerApi, DockerApiError, socketPathOf } from "./_api.ts";
import { dockerManifestFor } from "./manifest.ts";

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** Runs `fn` with a fake dockerd answering with `handler`, and a DockerApi on its socket. */
async function withDaemon(
  handler: (req: Request, seen: Seen) => Response | Promise<Response>,
  fn: (api: DockerApi, seen: Seen[], socket: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "docker-api-test-" });
  const socket = join(dir, "docker.sock");
  const seen: Seen[] = [];
  const server = Deno.serve({ transport: "unix", path: socket, onListen() {} }, async (req) => {
    const s = { method: req.method, url: new URL(req.url), headers: req.headers, body: "" };
    s.body = await req.text();
    seen.push(s);
    return await handler(req, s);
  });
  const api = new DockerApi(socket);
  try {
    await fn(api, seen, socket);
  } finally {
    api.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

Deno.test("DockerApi.call() sends the method, path, query, JSON body and registry auth", async () => {
  await withDaemon(() => json({ Id: "c1" }, 201), async (api, seen) => {
    const res = await api.call<{ Id: string }>("POST", "/images/create", {
      query: { fromImage: "redis", tag: "3.2", force: false, skip: undefined, n: 2 },
      body: { Cmd: ["sh", "-c", "echo é"] },
      auth: { username: "ü", password: "p?>>", serveraddress: "r.example" },
    });
    assertEquals(res, { Id: "c1" });
    const s = seen[0]!;
    assertEquals([s.method, s.url.pathname], ["POST", "/images/create"]);
    assertEquals(Object.fromEntries(s.url.searchParams), {
      fromImage: "redis",
      tag: "3.2",
      force: "false",
      n: "2",
    });
    assertEquals(s.headers.get("content-type"), "application/json");
    assertEquals(JSON.parse(s.body), { Cmd: ["sh", "-c", "echo é"] });
    const auth = s.headers.get("x-registry-auth") ?? "";
    assert(!/[+/]/.test(auth), `base64url, got ${auth}`);
    const bytes = Uint8Array.from(
      atob(auth.replaceAll("-", "+").replaceAll("_", "/")),
      (c) => c.charCodeAt(0),
    );
    assertEquals(JSON.parse(new TextDecoder().decode(bytes)), {
      username: "ü",
      password: "p?>>",
      serveraddress: "r.example",
    });
  });
});

Deno.test("DockerApi.call() resolves null for an empty body and accepts 204 and 304", async () => {
  let status = 204;
  await withDaemon(() => new Response(null, { status }), async (api, seen) => {
    assertEquals(await api.call("POST", "/containers/x/start"), null);
    status = 304;
    assertEquals(await api.call("POST", "/containers/x/stop", { query: { t: 5 } }), null);
    assertEquals(seen.map((s) => [s.url.search, s.headers.get("content-type"), s.body]), [
      ["", null, ""],
      ["?t=5", null, ""],
    ]);
  });
});

Deno.test("DockerApi.call() rejects with the HTTP status and dockerd's message", async () => {
  await withDaemon((req) => {
    if (req.url.endsWith("/gone/json")) return json({ message: "No such container: gone" }, 404);
    return new Response("plain failure\n", { status: 500 });
  }, async (api) => {
    const gone = await assertRejects(() => api.call("GET", "/containers/gone/json"));
    assert(gone instanceof DockerApiError);
    assertEquals([gone.status, gone.unreachable], [404, false]);
    assertEquals(
      gone.message,
      "Docker GET /containers/gone/json failed (HTTP 404): No such container: gone",
    );
    const broken = await assertRejects(() => api.call("GET", "/info"), DockerApiError);
    assertEquals((broken as DockerApiError).status, 500);
    assertStringIncludes(broken.message, "(HTTP 500): plain failure");
  });
});

Deno.test("DockerApi reports a missing socket as unreachable (status 0)", async () => {
  const api = new DockerApi("/nonexistent/docker.sock");
  try {
    const err = await assertRejects(() => api.call("GET", "/_ping"), DockerApiError);
    assertEquals((err as DockerApiError).unreachable, true);
    assertStringIncludes(
      err.message,
      "cannot reach the Docker daemon at /nonexistent/docker.sock (GET /_ping)",
    );
    await assertRejects(() => api.stream("GET", "/events"), DockerApiError);
  } finally {
    api.close();
  }
});

Deno.test("DockerApi.call() times out as unreachable, and an aborted call rejects with its reason", async () => {
  const hang = Promise.withResolvers<void>();
  await withDaemon(async () => {
    await hang.promise;
    return json({});
  }, async (api) => {
    const t0 = performance.now();
    const err = await assertRejects(
      () => api.call("POST", "/containers/x/wait", { timeoutMs: 100 }),
      DockerApiError,
    );
    assert(performance.now() - t0 < 5_000);
    assertEquals((err as DockerApiError).status, 0);
    assertEquals(
      err.message,
      "the Docker daemon did not answer POST /containers/x/wait within 0.1 s",
    );
    const ctl = new AbortController();
    const reason = new Error("task destroyed");
    setTimeout(() => ctl.abort(reason), 50);
    const aborted = await assertRejects(() =>
      api.call("POST", "/containers/x/wait", { timeoutMs: 0, signal: ctl.signal })
    );
    assertEquals(aborted, reason);
    hang.resolve();
  });
});

Deno.test("DockerApi.stream() yields the body as it comes and stops on abort", async () => {
  const more = Promise.withResolvers<void>();
  await withDaemon(() => {
    const enc = new TextEncoder();
    return new Response(
      new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(enc.encode('{"status":"a"}\n'));
          await more.promise;
          c.enqueue(enc.encode('{"status":"b"}\n'));
        },
      }),
    );
  }, async (api) => {
    const ctl = new AbortController();
    const stream = await api.stream("GET", "/events", { signal: ctl.signal });
    const reader = stream.getReader();
    assertEquals(new TextDecoder().decode((await reader.read()).value), '{"status":"a"}\n');
    more.resolve();
    assertEquals(new TextDecoder().decode((await reader.read()).value), '{"status":"b"}\n');
    ctl.abort(new Error("stop"));
    await assertRejects(() => reader.read());
  });
});

Deno.test("socketPathOf() takes unix:// endpoints and paths, and names the fix for others", () => {
  assertEquals(socketPathOf("unix:///var/run/docker.sock"), "/var/run/docker.sock");
  assertEquals(socketPathOf("/run/docker.sock"), "/run/docker.sock");
  assertThrows(
    () => socketPathOf("tcp://127.0.0.1:2375"),
    TypeError,
    'use a unix socket ("unix:///var/run/docker.sock")',
  );
});

/** Pings the fake daemon from a subprocess holding `flags`; resolves with its output. */
async function pingWith(socket: string, flags: string[]): Promise<string> {
  const script = join(socket, "..", "ping.ts");
  await Deno.writeTextFile(
    script,
    `import { DockerApi } from ${JSON.stringify(import.meta.resolve("./_api.ts"))};
const api = new DockerApi(${JSON.stringify(socket)});
try { console.log("ok", await api.call("GET", "/_ping")); }
catch (e) { console.log(e.message); } finally { api.close(); }`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-lock", ...flags, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() + new TextDecoder().decode(out.stderr);
}

Deno.test("the manifest's permissions for a socket are what a request needs, none to spare", async () => {
  await withDaemon(() => new Response("OK"), async (_api, _seen, socket) => {
    const p = dockerManifestFor(socket).permissions;
    const only = (kind: "read" | "write" | "net", keep: (v: string) => boolean) =>
      `--allow-${kind}=${(p[kind] as string[]).filter(keep).join(",")}`;
    const isSocket = (v: string) => v === socket || v === `unix:${socket}`;
    const host = (v: string) => !v.startsWith("unix:");
    const flags = {
      read: only("read", isSocket),
      write: only("write", isSocket),
      net: only("net", (v) => isSocket(v) || host(v)),
    };
    assertEquals(await pingWith(socket, Object.values(flags)), "ok OK");
    for (const [drop, needs] of Object.entries({ read: "read", write: "write", net: "net" })) {
      const rest = Object.entries(flags).filter(([k]) => k !== drop).map(([, f]) => f);
      const out = await pingWith(socket, rest);
      assertStringIncludes(out, `Requires ${needs} access`, `without ${drop}: ${out}`);
      assertStringIncludes(out, "give it a manifest that grants this socket");
    }
    const noHost = await pingWith(socket, [flags.read, flags.write, only("net", isSocket)]);
    assertStringIncludes(noHost, 'Requires net access to "docker.invalid:80"');
  });
});
