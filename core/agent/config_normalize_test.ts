import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { defaultConfig, devConfig } from "./config_defaults.ts";
import { ConfigError } from "./config_load.ts";
import { normalizeAddrs, validateConfig } from "./config_normalize.ts";
import type { SockaddrEnv } from "./sockaddr.ts";

const ENV: SockaddrEnv = {
  interfaces: [
    { name: "lo", address: "127.0.0.1", family: "IPv4", cidr: "127.0.0.1/8" },
    { name: "eth0", address: "10.1.2.3", family: "IPv4", cidr: "10.1.2.3/16" },
  ],
  defaultInterface: "eth0",
};

Deno.test("normalizeAddrs() resolves -dev to loopback on every port", async () => {
  const { config, bind } = await normalizeAddrs(devConfig(), ENV);
  assertEquals(bind, { HTTP: ["127.0.0.1:4646"], RPC: "127.0.0.1:4647", Serf: "127.0.0.1:4648" });
  assertEquals(config.AdvertiseAddrs, {
    HTTP: "127.0.0.1:4646",
    RPC: "127.0.0.1:4647",
    Serf: "127.0.0.1:4648",
  });
});

Deno.test("normalizeAddrs() advertises the private IP when bound to 0.0.0.0", async () => {
  const c = defaultConfig();
  c.Server.Enabled = true;
  const { config, bind } = await normalizeAddrs(c, ENV);
  assertEquals(bind.HTTP, ["0.0.0.0:4646"]);
  assertEquals(config.AdvertiseAddrs, {
    HTTP: "10.1.2.3:4646",
    RPC: "10.1.2.3:4647",
    Serf: "10.1.2.3:4648",
  });
});

Deno.test("normalizeAddrs() evaluates templates in bind, addresses and advertise", async () => {
  const c = defaultConfig();
  c.Server.Enabled = true;
  c.BindAddr = '{{ GetInterfaceIP "eth0" }}';
  c.Addresses.HTTP = "{{ GetPrivateIP }} 127.0.0.1";
  c.AdvertiseAddrs.RPC = "{{ GetPrivateIP }}:9000";
  const { config, bind } = await normalizeAddrs(c, ENV);
  assertEquals(bind.HTTP, ["10.1.2.3:4646", "127.0.0.1:4646"]);
  assertEquals(bind.RPC, "10.1.2.3:4647");
  assertEquals(config.AdvertiseAddrs, {
    HTTP: "10.1.2.3:4646",
    RPC: "10.1.2.3:9000",
    Serf: "10.1.2.3:4648",
  });
});

Deno.test("normalizeAddrs() refuses to advertise loopback outside -dev, as Nomad", async () => {
  const c = defaultConfig();
  c.Server.Enabled = true;
  c.BindAddr = "127.0.0.1";
  await assertRejects(
    () => normalizeAddrs(c, ENV),
    ConfigError,
    "Failed to parse HTTP advertise address: Defaulting advertise to localhost is unsafe, please set advertise manually",
  );
});

Deno.test("normalizeAddrs() names a missing interface of an advertise template", async () => {
  const c = defaultConfig();
  c.Server.Enabled = true;
  c.AdvertiseAddrs.RPC = '{{ GetInterfaceIP "wlan7" }}';
  await assertRejects(
    () => normalizeAddrs(c, ENV),
    ConfigError,
    'Failed to parse RPC advertise address: Error parsing advertise address template: unable to parse address template "{{ GetInterfaceIP "wlan7" }}": no network interface named "wlan7"',
  );
});

Deno.test("validateConfig() needs a server, a client or -dev", () => {
  assertEquals(validateConfig(defaultConfig()), [
    {
      text: "Must specify either server, client or dev mode for the agent.",
      fatal: true,
      stream: "error",
    },
  ]);
});

Deno.test("validateConfig() needs a data_dir for a server outside -dev and warns like Nomad", () => {
  const c = defaultConfig();
  c.Server.Enabled = true;
  c.TLSConfig.EnableHTTP = c.TLSConfig.EnableRPC = true;
  assertEquals(validateConfig(c).map((f) => f.text), [
    `Must specify "data_dir" config option or "data-dir" CLI flag`,
  ]);
  c.DataDir = "/var/lib/nomad";
  c.Server.BootstrapExpect = 1;
  assertEquals(validateConfig(c).map((f) => [f.text, f.fatal]), [
    ["WARNING: Bootstrap mode enabled! Potentially unsafe operation.", false],
  ]);
  c.Server.BootstrapExpect = 2;
  c.Server.Etcd.Endpoints = ["http://127.0.0.1:2379"];
  assertEquals(validateConfig(c).map((f) => f.text), [
    "WARNING: Number of bootstrap servers should ideally be set to an odd number.",
  ]);
  c.TLSConfig.EnableRPC = false;
  assertEquals(
    validateConfig(c)[0]?.text,
    "WARNING: mTLS is not configured - Nomad is not secure without mTLS!",
  );
});

Deno.test("validateConfig() checks paths, log level, ports, meta and bootstrap flags", () => {
  const base = () => {
    const c = defaultConfig();
    c.Server.Enabled = true;
    c.DevMode = true;
    return c;
  };
  const first = (edit: (c: ReturnType<typeof defaultConfig>) => void, flag = 0) => {
    const c = base();
    edit(c);
    return validateConfig(c, flag).find((f) => f.fatal)?.text;
  };
  assertEquals(
    first((c) => (c.DataDir = "data")),
    "data-dir must be given as an absolute path: got data",
  );
  assertEquals(
    first((c) => (c.LogLevel = "loud")),
    "Invalid log level: LOUD. Valid log levels are: [TRACE DEBUG INFO WARN ERROR OFF]",
  );
  assertEquals(
    first((c) => (c.Client.MinDynamicPort = 40000)),
    "Invalid dynamic port range: min_dynamic_port=40000 and max_dynamic_port=32000",
  );
  assertEquals(
    first((c) => (c.Datacenter = "dc*")),
    "Datacenter contains invalid characters (null or '*')",
  );
  assertEquals(
    first((c) => (c.Server.DefaultSchedulerConfig.SchedulerAlgorithm = "random")),
    'invalid scheduler algorithm "random": use "binpack" or "spread"',
  );
  assertEquals(
    first((c) => {
      c.Client.Enabled = true;
      c.Client.Meta = { "bad key": "x" };
    }),
    "Invalid Client.Meta key: bad key",
  );
  assertEquals(
    first((c) => (c.ACL.Enabled = true))?.startsWith(
      "ACLs are enabled (acl.enabled or -acl-enabled) but nomad-ts does not enforce ACLs yet",
    ),
    true,
  );
  assertEquals(validateConfig(devConfig()), []);
});

Deno.test("validateConfig() wants server.etcd for several servers and checks its settings", () => {
  const c = defaultConfig();
  Object.assign(c, { DataDir: "/var/lib/nomad" });
  c.Server.Enabled = true;
  c.Server.BootstrapExpect = 3;
  const fatal = () => validateConfig(c).find((f) => f.fatal)?.text;
  assertEquals(
    fatal()?.startsWith("bootstrap_expect = 3 needs server.etcd: nomad-ts servers share"),
    true,
  );
  c.Server.Etcd.Endpoints = ["127.0.0.1:2379"];
  assertEquals(
    fatal(),
    'Invalid server.etcd endpoint "127.0.0.1:2379": use a URL such as "http://127.0.0.1:2379"',
  );
  c.Server.Etcd.Endpoints = ["http://127.0.0.1:2379", "https://10.0.0.2:2379"];
  assertEquals(fatal(), undefined);
  c.Server.Etcd.CertFile = "/etc/etcd/client.pem";
  assertEquals(fatal(), "server.etcd needs both cert_file and key_file, or neither");
  c.Server.Etcd.KeyFile = "/etc/etcd/client.key";
  c.Server.Etcd.Prefix = "nomad";
  assertEquals(fatal(), 'Invalid server.etcd prefix "nomad": it must start with "/"');
  assertEquals(validateConfig(c, 0).length > 0, true);
  // bootstrap_expect from the command line counts too.
  c.Server.Etcd = { Endpoints: null, Prefix: "", CAFile: "", CertFile: "", KeyFile: "" };
  c.Server.BootstrapExpect = 0;
  assertEquals(fatal(), undefined);
  assertEquals(
    validateConfig(c, 3).find((f) => f.fatal)?.text?.slice(0, 35),
    "bootstrap_expect = 3 needs server.e",
  );
});
