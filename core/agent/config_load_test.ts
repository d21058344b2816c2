import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { HOUR, SECOND } from "../structs/mod.ts";
import { ConfigError, loadConfigPath, parseConfig } from "./config_load.ts";

const FULL = `
region     = "eu"
datacenter = "fra1"
name       = "node-a"
data_dir   = "/var/lib/nomad"
log_level  = "debug"
log_json   = true
bind_addr  = "10.0.0.5"

ports {
  http = 5646
  rpc  = "5647"
}

addresses {
  http = "0.0.0.0"
}

advertise {
  rpc = "10.0.0.5:9999"
}

server {
  enabled            = true
  bootstrap_expect   = 3
  num_schedulers     = 2
  enabled_schedulers = ["service", "batch"]
  heartbeat_grace    = "30s"
  min_heartbeat_ttl  = "20s"
  job_gc_threshold   = "4h"
  max_heartbeats_per_second = 12.5
  server_join {
    retry_join     = ["10.0.0.6", "10.0.0.7"]
    retry_interval = "15s"
    retry_max      = 3
  }
  default_scheduler_config {
    scheduler_algorithm = "spread"
    preemption_config {
      batch_scheduler_enabled = true
    }
  }
}

client {
  enabled           = true
  servers           = ["10.0.0.5:4647"]
  network_interface = "eth0"
  node_class        = "web"
  node_pool         = "edge"
  meta {
    rack = "r1"
  }
  options = {
    "driver.raw_exec.enable" = "1"
  }
  reserved {
    cpu            = 500
    memory         = 512
    reserved_ports = "22,80"
  }
  host_volume "certs" {
    path      = "/etc/ssl"
    read_only = true
  }
}

acl {
  enabled   = true
  token_ttl = "1h"
}

tls {
  http                = true
  rpc                 = true
  ca_file             = "/etc/nomad/ca.pem"
  cert_file           = "/etc/nomad/cert.pem"
  key_file            = "/etc/nomad/key.pem"
  verify_https_client = true
}

telemetry {
  collection_interval        = "5s"
  prometheus_metrics         = true
  disable_hostname           = true
  publish_allocation_metrics = true
  publish_node_metrics       = true
}

ui {
  enabled = false
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

plugin "docker" {
  args = ["-v"]
  config {
    allow_privileged = false
    volumes {
      enabled = true
    }
  }
}
`;

Deno.test("parseConfig() reads Nomad's keys into the fields of Nomad's Config", async () => {
  const { config: c, warnings } = await parseConfig(FULL, "agent.hcl");
  assertEquals(warnings, []);
  assertEquals([c.Region, c.Datacenter, c.NodeName, c.DataDir], [
    "eu",
    "fra1",
    "node-a",
    "/var/lib/nomad",
  ]);
  assertEquals([c.LogLevel, c.LogJson, c.BindAddr], ["debug", true, "10.0.0.5"]);
  assertEquals(c.Ports, { HTTP: 5646, RPC: 5647, Serf: 0 });
  assertEquals(c.Addresses, { HTTP: "0.0.0.0", RPC: "", Serf: "" });
  assertEquals(c.AdvertiseAddrs.RPC, "10.0.0.5:9999");
  const s = c.Server;
  assertEquals([s.Enabled, s.BootstrapExpect, s.NumSchedulers], [true, 3, 2]);
  assertEquals(s.EnabledSchedulers, ["service", "batch"]);
  assertEquals([s.HeartbeatGrace, s.MinHeartbeatTTL], [30 * SECOND, 20 * SECOND]);
  assertEquals([s.JobGCThreshold, s.MaxHeartbeatsPerSecond], ["4h", 12.5]);
  assertEquals(s.ServerJoin, {
    StartJoin: null,
    RetryJoin: ["10.0.0.6", "10.0.0.7"],
    RetryMaxAttempts: 3,
    RetryInterval: 15 * SECOND,
  });
  assertEquals(s.DefaultSchedulerConfig.SchedulerAlgorithm, "spread");
  assertEquals(s.DefaultSchedulerConfig.PreemptionConfig.BatchSchedulerEnabled, true);
  assertEquals(s.DefaultSchedulerConfig.PreemptionConfig.SystemSchedulerEnabled, null);
  const cl = c.Client;
  assertEquals([cl.Enabled, cl.NetworkInterface, cl.NodeClass, cl.NodePool], [
    true,
    "eth0",
    "web",
    "edge",
  ]);
  assertEquals(cl.Servers, ["10.0.0.5:4647"]);
  assertEquals(cl.Meta, { rack: "r1" });
  assertEquals(cl.Options, { "driver.raw_exec.enable": "1" });
  assertEquals(cl.Reserved, {
    CPU: 500,
    Cores: "",
    MemoryMB: 512,
    DiskMB: 0,
    ReservedPorts: "22,80",
  });
  assertEquals(cl.HostVolumes, [{ Name: "certs", Path: "/etc/ssl", ReadOnly: true }]);
  assertEquals([c.ACL.Enabled, c.ACL.TokenTTL], [true, HOUR]);
  assertEquals(c.TLSConfig, {
    EnableHTTP: true,
    EnableRPC: true,
    VerifyServerHostname: false,
    CAFile: "/etc/nomad/ca.pem",
    CertFile: "/etc/nomad/cert.pem",
    KeyFile: "/etc/nomad/key.pem",
    RPCUpgradeMode: false,
    VerifyHTTPSClient: true,
    TLSCipherSuites: "",
    TLSMinVersion: "",
  });
  assertEquals(c.Telemetry.CollectionInterval, "5s");
  assertEquals([c.Telemetry.PrometheusMetrics, c.Telemetry.PublishNodeMetrics], [true, true]);
  assertEquals(c.UI.Enabled, false);
  assertEquals(c.Plugins, [
    { Name: "raw_exec", Args: null, Config: { enabled: true } },
    {
      Name: "docker",
      Args: ["-v"],
      Config: { allow_privileged: false, volumes: { enabled: true } },
    },
  ]);
});

Deno.test("parseConfig() reads the JSON form like the HCL one, blocks as objects or arrays", async () => {
  const json = JSON.stringify({
    region: "eu",
    server: [{ enabled: true, bootstrap_expect: 3, server_join: { retry_join: ["a"] } }],
    client: { enabled: true, meta: [{ rack: "r1" }], options: { "driver.raw_exec.enable": "1" } },
    plugin: [{ raw_exec: [{ config: [{ enabled: true }] }] }],
    ports: { http: 5646 },
  });
  const { config: c } = await parseConfig(json, "agent.json");
  assertEquals([c.Region, c.Server.Enabled, c.Server.BootstrapExpect], ["eu", true, 3]);
  assertEquals(c.Server.ServerJoin.RetryJoin, ["a"]);
  assertEquals([c.Client.Meta, c.Client.Options], [{ rack: "r1" }, {
    "driver.raw_exec.enable": "1",
  }]);
  assertEquals(c.Plugins, [{ Name: "raw_exec", Args: null, Config: [{ enabled: true }] }]);
  assertEquals(c.Ports.HTTP, 5646);
});

Deno.test("parseConfig() lists every unknown key and wrong value at file:line:col", async () => {
  const src =
    'server {\n  enabled = true\n  bootstrap_expected = 3\n  bootstrap_expect = "three"\n}\n' +
    'telemetry {\n  prometheus_metrics = "maybe"\n}\nbogus = 1\nacl {\n  token_ttl = "1 hour"\n}\n';
  const err = await assertRejects(() => parseConfig(src, "bad.hcl"), ConfigError);
  assertEquals((err as ConfigError).problems, [
    'bad.hcl:3:3: unexpected key "bootstrap_expected" in the server block; did you mean "bootstrap_expect"?',
    'bad.hcl:4:22: server.bootstrap_expect must be a whole number, got "three"',
    'bad.hcl:7:24: telemetry.prometheus_metrics must be true or false, got "maybe"',
    'bad.hcl:9:1: unexpected key "bogus"',
    'bad.hcl:11:15: acl.token_ttl must be a duration such as "30s": time: invalid duration "1 hour"',
  ]);
});

Deno.test("parseConfig() positions JSON problems and syntax errors", async () => {
  const json = '{\n  "server": {\n    "enabled": true,\n    "bootstrap_expect": "x"\n  }\n}\n';
  const err = await assertRejects(() => parseConfig(json, "bad.json"), ConfigError);
  assertEquals((err as ConfigError).problems, [
    'bad.json:4:25: server.bootstrap_expect must be a whole number, got "x"',
  ]);
  await assertRejects(
    () => parseConfig('{"a": }', "broken.json"),
    ConfigError,
    "broken.json:1:7: invalid JSON",
  );
  await assertRejects(
    () => parseConfig("server {\n  enabled =\n}\n", "broken.hcl"),
    ConfigError,
    "broken.hcl:2:12",
  );
});

Deno.test("parseConfig() reads HCL 1's quoted keys in an options block", async () => {
  const src =
    'client {\n  options {\n    "driver.raw_exec.enable" = "1"\n    "driver.whitelist" = "raw_exec"\n  }\n}\n';
  const { config } = await parseConfig(src, "hcl1.hcl");
  assertEquals(config.Client.Options, {
    "driver.raw_exec.enable": "1",
    "driver.whitelist": "raw_exec",
  });
});

Deno.test("parseConfig() warns about blocks it accepts but ignores", async () => {
  const src =
    'consul {\n  address = "127.0.0.1:8500"\n}\nvault {\n  enabled = false\n}\nserver_join {\n  retry_join = ["x"]\n}\n';
  const { config, warnings } = await parseConfig(src, "w.hcl");
  assertEquals(warnings.length, 3);
  assert(
    warnings[0]!.startsWith("w.hcl:1:1: the consul block is accepted but ignored"),
    warnings[0],
  );
  assert(
    warnings[1]!.startsWith("w.hcl:4:1: the vault block is accepted but ignored"),
    warnings[1],
  );
  assert(
    warnings[2]!.startsWith("w.hcl:7:1: a server_join block at the top level is ignored"),
    warnings[2],
  );
  assertEquals(config.Server.ServerJoin.RetryJoin, null);
});

Deno.test("loadConfigPath() loads a directory's .hcl and .json files in lexical order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_config_" });
  try {
    await Deno.writeTextFile(join(dir, "b.hcl"), 'region = "b"\nclient {\n  servers = ["s2"]\n}\n');
    await Deno.writeTextFile(
      join(dir, "a.json"),
      '{"region": "a", "datacenter": "dc-a", "client": {"servers": ["s1"]}}',
    );
    await Deno.writeTextFile(join(dir, "c.hcl~"), 'region = "editor backup"\n');
    await Deno.writeTextFile(join(dir, "notes.txt"), "not a config");
    await Deno.mkdir(join(dir, "sub.hcl"));
    const { config } = await loadConfigPath(dir);
    assertEquals(config.Files, [join(dir, "a.json"), join(dir, "b.hcl")]);
    assertEquals([config.Region, config.Datacenter], ["b", "dc-a"]);
    assertEquals(config.Client.Servers, ["s1", "s2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfigPath() gives an empty configuration for an empty directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agent_config_" });
  try {
    const { config } = await loadConfigPath(dir);
    assertEquals([config.Files, config.Region], [null, ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfigPath() names a path that does not exist", async () => {
  await assertRejects(
    () => loadConfigPath("/nonexistent/agent.hcl"),
    ConfigError,
    "Cannot load /nonexistent/agent.hcl",
  );
});

Deno.test("parseConfig() reads the server's etcd block", async () => {
  const src = `server {
  enabled          = true
  bootstrap_expect = 3
  etcd {
    endpoints = ["http://127.0.0.1:2379", "http://127.0.0.1:22379"]
    prefix    = "/nomad-ts/global"
    ca_file   = "/etc/etcd/ca.pem"
  }
}
`;
  const { config } = await parseConfig(src, "etcd.hcl");
  assertEquals(config.Server.Etcd, {
    Endpoints: ["http://127.0.0.1:2379", "http://127.0.0.1:22379"],
    Prefix: "/nomad-ts/global",
    CAFile: "/etc/etcd/ca.pem",
    CertFile: "",
    KeyFile: "",
  });
});
