// A stand-in agent for the kill -9 test: a client (raw_exec enabled) on a data directory,
// talking to a server over HTTP. Prints "ready <node id>" once started, then runs until killed.
import { BUILTIN_DRIVERS } from "../../../drivers/mod.ts";
import { HttpServerRpc } from "../../rpc/mod.ts";
import { Client } from "../client.ts";
import { testClientConfig, testLogger } from "../client_testing.ts";

const [server = "", dataDir = ""] = Deno.args;
const client = await Client.start({
  config: testClientConfig({ options: { "driver.raw_exec.enable": "1" } }),
  rpc: new HttpServerRpc({ servers: [server], backoffMs: 100 }),
  driverManifests: BUILTIN_DRIVERS,
  dataDir,
  logger: testLogger("agent"),
});
console.log(`ready ${client.nodeId}`);
await new Promise(() => {});
