import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { parseFlags } from "./flags.ts";
import {
  CLIENT_FLAGS,
  clientConfig,
  DEFAULT_ADDRESS,
  envClientConfig,
  generalOptionsUsage,
  useColor,
} from "./meta.ts";

const noFlags = () => parseFlags(CLIENT_FLAGS, []).flags;

Deno.test("envClientConfig() defaults to the local agent with nothing set", () => {
  assertEquals(envClientConfig({}), {
    address: DEFAULT_ADDRESS,
    region: "",
    namespace: "",
    token: "",
    httpAuth: null,
    tls: {
      caCert: "",
      caPath: "",
      clientCert: "",
      clientKey: "",
      serverName: "",
      insecure: false,
    },
  });
  assertEquals(DEFAULT_ADDRESS, "http://127.0.0.1:4646");
});

Deno.test("envClientConfig() reads every NOMAD_* connection variable", () => {
  const config = envClientConfig({
    NOMAD_ADDR: "https://nomad.example:4646",
    NOMAD_REGION: "eu",
    NOMAD_NAMESPACE: "web",
    NOMAD_TOKEN: "secret",
    NOMAD_HTTP_AUTH: "alice:pa:ss",
    NOMAD_CACERT: "/ca.pem",
    NOMAD_CAPATH: "/cas",
    NOMAD_CLIENT_CERT: "/cli.pem",
    NOMAD_CLIENT_KEY: "/cli-key.pem",
    NOMAD_TLS_SERVER_NAME: "server.global.nomad",
    NOMAD_SKIP_VERIFY: "1",
  });
  assertEquals(config, {
    address: "https://nomad.example:4646",
    region: "eu",
    namespace: "web",
    token: "secret",
    httpAuth: { username: "alice", password: "pa:ss" },
    tls: {
      caCert: "/ca.pem",
      caPath: "/cas",
      clientCert: "/cli.pem",
      clientKey: "/cli-key.pem",
      serverName: "server.global.nomad",
      insecure: true,
    },
  });
});

Deno.test("envClientConfig() takes NOMAD_HTTP_AUTH without a colon as a user name", () => {
  assertEquals(envClientConfig({ NOMAD_HTTP_AUTH: "bob" }).httpAuth, {
    username: "bob",
    password: "",
  });
});

Deno.test("envClientConfig() treats empty or unreadable variables as unset", () => {
  const config = envClientConfig({ NOMAD_ADDR: "", NOMAD_SKIP_VERIFY: "sure" });
  assertEquals(config.address, DEFAULT_ADDRESS);
  assertEquals(config.tls.insecure, false);
  assertEquals(envClientConfig({ NOMAD_SKIP_VERIFY: "false" }).tls.insecure, false);
});

Deno.test("clientConfig() lets flags win over the environment", () => {
  const { flags } = parseFlags(CLIENT_FLAGS, [
    "-address=http://10.0.0.9:4646",
    "-region",
    "us",
    "-namespace=*",
    "-token",
    "flag-token",
    "-ca-cert=/f/ca.pem",
    "-ca-path=/f/cas",
    "-client-cert=/f/c.pem",
    "-client-key=/f/k.pem",
    "-tls-server-name=flag.name",
    "-tls-skip-verify",
  ]);
  const config = clientConfig(flags, {
    NOMAD_ADDR: "http://env:4646",
    NOMAD_REGION: "eu",
    NOMAD_NAMESPACE: "web",
    NOMAD_TOKEN: "env-token",
    NOMAD_CACERT: "/e/ca.pem",
    NOMAD_CAPATH: "/e/cas",
    NOMAD_CLIENT_CERT: "/e/c.pem",
    NOMAD_CLIENT_KEY: "/e/k.pem",
    NOMAD_TLS_SERVER_NAME: "env.name",
    NOMAD_HTTP_AUTH: "u:p",
  });
  assertEquals(config, {
    address: "http://10.0.0.9:4646",
    region: "us",
    namespace: "*",
    token: "flag-token",
    httpAuth: { username: "u", password: "p" },
    tls: {
      caCert: "/f/ca.pem",
      caPath: "/f/cas",
      clientCert: "/f/c.pem",
      clientKey: "/f/k.pem",
      serverName: "flag.name",
      insecure: true,
    },
  });
});

Deno.test("clientConfig() keeps the environment for flags left empty", () => {
  const config = clientConfig(noFlags(), { NOMAD_REGION: "eu", NOMAD_TOKEN: "t" });
  assertEquals(config.region, "eu");
  assertEquals(config.token, "t");
  assertEquals(config.address, DEFAULT_ADDRESS);
  const blank = parseFlags(CLIENT_FLAGS, ["-region="]).flags;
  assertEquals(clientConfig(blank, { NOMAD_REGION: "eu" }).region, "eu");
});

Deno.test("clientConfig() accepts -insecure as -tls-skip-verify", () => {
  const { flags } = parseFlags(CLIENT_FLAGS, ["-insecure"]);
  assertEquals(clientConfig(flags, {}).tls.insecure, true);
  assertEquals(clientConfig(noFlags(), {}).tls.insecure, false);
});

Deno.test("clientConfig() cannot turn verification back on once NOMAD_SKIP_VERIFY is set", () => {
  const { flags } = parseFlags(CLIENT_FLAGS, ["-tls-skip-verify=false"]);
  assertEquals(clientConfig(flags, { NOMAD_SKIP_VERIFY: "true" }).tls.insecure, true);
});

Deno.test("useColor() follows the terminal unless told otherwise", () => {
  assertEquals(useColor([], {}, true), true);
  assertEquals(useColor([], {}, false), false);
  assertEquals(useColor(["job", "run", "-force-color"], {}, false), true);
  assertEquals(useColor([], { NOMAD_CLI_FORCE_COLOR: "1" }, false), true);
  assertEquals(useColor(["--no-color"], {}, true), false);
  assertEquals(useColor([], { NOMAD_CLI_NO_COLOR: "1" }, true), false);
  assertEquals(useColor(["-no-color", "-force-color"], {}, true), false);
});

Deno.test("generalOptionsUsage() documents every connection flag", () => {
  const text = generalOptionsUsage();
  for (const name of Object.keys(CLIENT_FLAGS)) {
    if (name === "insecure") continue; // the old spelling stays undocumented, as in Nomad
    assertMatch(text, new RegExp(`(^|\\n  )-${name}(=|\\n)`));
  }
  assert(text.startsWith("-address=<addr>"));
  assert(!generalOptionsUsage({ namespace: false }).includes("-namespace"));
});
