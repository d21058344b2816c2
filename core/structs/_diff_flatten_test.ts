import { assertEquals } from "../../tests/assert.ts";
import { flatten, flattenMap, goFloat, hashKey, toServer } from "./_diff_flatten.ts";
import { SDisconnect, SVolumeRequest } from "./_diff_server_parts.ts";
import { SProxy } from "./_diff_server_services.ts";

Deno.test("goFloat() formats numbers as Go's %v formats a float64", () => {
  const cases: Array<[number, string]> = [
    [6379, "6379"],
    [0, "0"],
    [1.5, "1.5"],
    [123456, "123456"],
    [1000000, "1e+06"],
    [1234567, "1.234567e+06"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5e-7, "-2.5e-07"],
    [1e100, "1e+100"],
  ];
  assertEquals(cases.map(([n]) => goFloat(n)), cases.map(([, s]) => s));
});

Deno.test("flatten() with primitiveOnly keeps value fields and map entries, not pointers", () => {
  const vol = toServer(SVolumeRequest, {
    Name: "data",
    Type: "host",
    ReadOnly: null,
    MountOptions: { FSType: "ext4" },
  });
  assertEquals(Object.fromEntries(flatten(SVolumeRequest, vol, true) ?? []), {
    Name: "data",
    Type: "host",
    Source: "",
    ReadOnly: "false",
    Sticky: "false",
    AccessMode: "",
    AttachmentMode: "",
    PerAlloc: "false",
  });
  assertEquals(flatten(SVolumeRequest, null, true), null);
});

Deno.test("flatten() without primitiveOnly follows pointers and shows nil ones", () => {
  const d = toServer(SDisconnect, { LostAfter: 60e9, Replace: true, StopOnClientAfter: null });
  assertEquals(Object.fromEntries(flatten(SDisconnect, d, false) ?? []), {
    LostAfter: "60000000000",
    StopOnClientAfter: "nil",
    Replace: "true",
    Reconcile: "",
  });
});

Deno.test("flattenMap() indexes nested lists and maps like port_map[0][db]", () => {
  const flat = flattenMap({ port_map: [{ db: 6379 }], args: [], labels: null, debug: false });
  assertEquals(Object.fromEntries(flat), {
    "port_map[0][db]": "6379",
    labels: "nil",
    debug: "false",
  });
});

Deno.test("toServer() reads job-file-shaped free-form blocks such as a Connect proxy", () => {
  const proxy = toServer(SProxy, [{
    local_service_port: 8080,
    upstreams: [{ destination_name: "db", local_bind_port: 5432 }],
    expose: [{ path: [{ path: "/health", listener_port: "hc" }] }],
  }]);
  assertEquals(proxy.LocalServicePort, 8080);
  const ups = proxy.Upstreams as Array<Record<string, unknown>>;
  assertEquals([ups[0]?.DestinationName, ups[0]?.LocalBindPort], ["db", 5432]);
  const paths = (proxy.Expose as Record<string, unknown>).Paths as Array<Record<string, unknown>>;
  assertEquals(paths.map((p) => [p.Path, p.ListenerPort]), [["/health", "hc"]]);
});

Deno.test("hashKey() ignores key order", () => {
  assertEquals(hashKey({ a: 1, b: { c: 2, d: 3 } }), hashKey({ b: { d: 3, c: 2 }, a: 1 }));
});
