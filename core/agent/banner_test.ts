import { assertEquals } from "../../tests/assert.ts";
import { bannerInfo, infoLines } from "./banner.ts";
import { devConfig } from "./config_defaults.ts";

Deno.test("infoLines() reproduces the banner block of seed 001 (nomad agent -dev -log-level=INFO)", () => {
  const info = {
    "advertise addrs": "HTTP: 127.0.0.1:4646; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
    "bind addrs": "HTTP: [127.0.0.1:4646]; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
    client: "true",
    "log level": "INFO",
    "node id": "1845c6b5-d670-6518-2ca1-a1a4ec8e2088",
    region: "global (DC: dc1)",
    server: "true",
    version: "1.9.3",
  };
  assertEquals(
    infoLines(info).join("\n"),
    [
      "       Advertise Addrs: HTTP: 127.0.0.1:4646; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
      "            Bind Addrs: HTTP: [127.0.0.1:4646]; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
      "                Client: true",
      "             Log Level: INFO",
      "               Node Id: 1845c6b5-d670-6518-2ca1-a1a4ec8e2088",
      "                Region: global (DC: dc1)",
      "                Server: true",
      "               Version: 1.9.3",
    ].join("\n"),
  );
});

Deno.test("bannerInfo() lists a -dev agent's facts as Nomad does", () => {
  const config = devConfig();
  config.AdvertiseAddrs = { HTTP: "127.0.0.1:4646", RPC: "127.0.0.1:4647", Serf: "127.0.0.1:4648" };
  config.LogLevel = "INFO";
  const info = bannerInfo({
    config,
    bind: { HTTP: ["127.0.0.1:4646"], RPC: "127.0.0.1:4647", Serf: "127.0.0.1:4648" },
    version: "0.1.0",
    nodeId: "n-1",
  });
  assertEquals(info, {
    "advertise addrs": "HTTP: 127.0.0.1:4646; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
    "bind addrs": "HTTP: [127.0.0.1:4646]; RPC: 127.0.0.1:4647; Serf: 127.0.0.1:4648",
    client: "true",
    "log level": "INFO",
    "node id": "n-1",
    region: "global (DC: dc1)",
    server: "true",
    version: "0.1.0",
  });
});

Deno.test("bannerInfo() leaves RPC and Serf out for an agent that is not a server", () => {
  const config = devConfig();
  config.Server.Enabled = false;
  config.AdvertiseAddrs.HTTP = "127.0.0.1:5641";
  const info = bannerInfo({
    config,
    bind: { HTTP: ["127.0.0.1:5641"], RPC: "x", Serf: "y" },
    version: "0.1.0",
    nodeId: "",
  });
  assertEquals([info["advertise addrs"], info["bind addrs"], info["node id"]], [
    "HTTP: 127.0.0.1:5641",
    "HTTP: [127.0.0.1:5641]",
    undefined,
  ]);
  const client = bannerInfo({
    config,
    bind: { HTTP: [], RPC: "", Serf: "" },
    version: "",
    nodeId: "c",
  });
  assertEquals([client.client, client.server, client["node id"]], ["true", "false", "c"]);
});
