import { parse } from "@cdktf/hcl2json";
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { assertExprError, scopeWith } from "./_expr_testing.ts";
import { EXTENSION_FUNCTIONS, FUNCTIONS, NOMAD_FUNCTIONS } from "./_functions_registry.ts";
import {
  ConversionError,
  convertValue,
  evalExpression,
  evalTemplate,
  ExprError,
  parseTypeExpression,
  type Scope,
  type Value,
} from "./expr.ts";

/** Strings from Nomad's own job files (e2e tests, demos) whose interpolations are all runtime ones. */
const RUNTIME_STRINGS = [
  "${attr.kernel.name}",
  "${attr.unique.platform.aws.public-ipv4}",
  "${attr.os.cgroups.version}",
  "${node.unique.id}",
  "${node.datacenter}",
  "--nodeid=${node.unique.name}",
  "${meta.connect.proxy_concurrency}",
  "${secret.testsecret.key}",
  "${NOMAD_TASK_DIR}/x",
  "http://${NOMAD_IP_http}:${NOMAD_PORT_http}",
  "http://${NOMAD_UPSTREAM_ADDR_count_api-z}",
  "${NOMAD_ALLOC_DIR}/${NOMAD_TASK_NAME}.env",
  "${NOMAD_SECRETS_DIR}/envoy_bootstrap.json",
  "${NOMAD_META_ARTIFACT_DEST_DIR}",
  "${NOMAD_NAMESPACE}-nomad-provider-service-primary",
  "mylittlepony-${NOMAD_ALLOC_INDEX}",
  "r:${NOMAD_TASK_DIR}/daemon.json",
  "./${NOMAD_TASK_DIR}/uid",
  "/tmp/${NOMAD_ALLOC_ID}-alive-2ab",
  "cat ${NOMAD_ALLOC_DIR}/go.mod && sleep 10",
  "echo 'ok' > ${NOMAD_TASK_DIR}/test/${NOMAD_ALLOC_ID}; sleep 3600",
  "/sys/fs/cgroup/nomad.slice/share.slice/${NOMAD_ALLOC_ID}.sleep.scope/memory.max",
  "${NOMAD_UNIX_ADDR}",
  "${token}",
  "provider=aws tag_key=ConsulAutoJoin tag_value=${autojoin_value}",
  "${jwt_auth_backend_path}/",
  "#!/bin/sh\necho ${NOMAD_ALLOC_ID} > /tmp/foo/${NOMAD_ALLOC_ID}\nsleep 3600\n",
  '#!/bin/sh\ntouch ${NOMAD_ALLOC_DIR}/main-ran\nif [ ! -f ${NOMAD_ALLOC_DIR}/init-ran ]; then exit 11; fi\nprintf "%s\\n" "$1"\n',
  'NODE_ID = "${node.unique.name}"\nCSI_ENDPOINT = "unix://csi/csi.sock"\n',
  '{{ with secret "kv/data/x" }}{{ .Data.data.pw }}{{ end }} ${NOMAD_JOB_NAME}',
  "plain text with a $ sign, a % sign, 100% and ${env.HOME}",
  '${meta["rack.name"]}',
];

const scope: Scope = { variables: { var: {}, local: {} }, baseDir: ".", allowFS: false };

Deno.test("evalTemplate() returns strings of literals and runtime interpolations byte-identical", () => {
  for (const s of RUNTIME_STRINGS) assertEquals(evalTemplate(s, scope), s);
});

Deno.test("evalTemplate() unescapes $${ and %%{ and keeps a lone $$", () => {
  assertEquals(
    evalTemplate("$${NOMAD_ALLOC_ID} %%{x} $$ $$$${y}", scope),
    "${NOMAD_ALLOC_ID} %{x} $$ $$${y}",
  );
});

Deno.test("evalTemplate() returns a lone interpolation's value unconverted", () => {
  const vars = scopeWith({ n: 2, l: [1, "a"], m: { k: true } });
  assertEquals(evalTemplate("${var.n + 1}", vars), 3);
  assertEquals(evalTemplate("${var.l}", vars), [1, "a"]);
  assertEquals(evalTemplate("${var.m}", vars), { k: true });
  assertEquals(evalTemplate("n=${var.n}", vars), "n=2");
  assertEquals(evalTemplate("", vars), "");
});

Deno.test("evalTemplate() and evalExpression() report errors at their offset in the text", () => {
  const vars = scopeWith({ m: { a: 1 } });
  assertExprError(() => evalTemplate("abc ${var.m.b} def", vars), {
    summary: "Unsupported attribute",
    offset: 11,
  });
  assertExprError(() => evalTemplate('x${upper("a", 2)}', vars), {
    summary: "Too many function arguments",
    offset: 14,
  });
  assertExprError(() => evalTemplate("%{ if var.m }x%{ endif }", vars), {
    summary: "Incorrect condition type",
    offset: 6,
  });
  assertExprError(() => evalExpression("[1,\n  foo(2)]", vars), {
    summary: "Call to unknown function",
    offset: 6,
  });
  assertExprError(() => evalExpression("", vars), { summary: "Invalid expression", offset: 0 });
});

Deno.test("evalExpression() reads -var values of complex types", () => {
  assertEquals(evalExpression('["a", "b"]', scope), ["a", "b"]);
  assertEquals(evalExpression('{ port = 80, tags = ["x"] }\n', scope), { port: 80, tags: ["x"] });
  assertEquals(evalExpression('<<EOT\nhello ${upper("x")}\nEOT\n', scope), "hello X\n");
});

Deno.test("evalTemplate() and evalExpression() throw only ExprError, whatever the input", () => {
  const pieces = [
    "${",
    "}",
    "%{",
    "if",
    "for",
    "x",
    "in",
    "endif",
    "endfor",
    "else",
    "[",
    "]",
    "(",
    ")",
    "{",
    '"',
    "\\",
    "~",
    "*",
    ".",
    "1",
    "+",
    "?",
    ":",
    "=>",
    "...",
    ",",
    "=",
    "upper",
    "var",
    " ",
    "\n",
    "$$",
    "%%",
    "null",
    "-",
  ];
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const vars = scopeWith({ x: [1, { a: "b" }] });
  for (let i = 0; i < 3000; i++) {
    const text = Array.from({ length: 1 + rand(12) }, () => pieces[rand(pieces.length)]).join("");
    for (const fn of [evalTemplate, evalExpression]) {
      try {
        fn(text, vars);
      } catch (err) {
        assert(err instanceof ExprError, `${JSON.stringify(text)} threw ${String(err)}`);
        assert(
          err.offset >= 0 && err.offset <= text.length,
          `offset ${err.offset} outside ${JSON.stringify(text)}`,
        );
      }
    }
  }
});

Deno.test("evalExpression() turns runaway nesting into an ExprError", () => {
  assertExprError(() => evalExpression("[".repeat(20000) + "]".repeat(20000), scope), {
    summary: "Expression too complex",
  });
});

Deno.test("convertValue() converts with HCL's rules and says what was expected", () => {
  const t = parseTypeExpression("object({port = number, tags = optional(list(string))})");
  assertEquals(convertValue({ port: "80", extra: 1 }, t), { port: 80, tags: null });
  const err = assertThrows(() => convertValue({ tags: [] }, t), ConversionError);
  assertEquals(err.message, 'attribute "port" is required');
  assertEquals(
    assertThrows(() => convertValue("x", parseTypeExpression("number"))).message,
    "a number is required",
  );
});

Deno.test("the function table has every function of Nomad's jobspec2 and the extensions", () => {
  for (const name of [...NOMAD_FUNCTIONS, ...EXTENSION_FUNCTIONS]) {
    assert(FUNCTIONS.has(name), `missing ${name}`);
  }
  assertEquals(FUNCTIONS.size, NOMAD_FUNCTIONS.length + EXTENSION_FUNCTIONS.length);
});

const JOB = `
job "web" {
  group "g" {
    count = var.count + 1
    task "t" {
      driver = "docker"
      config {
        image   = "nginx:\${var.tag}"
        args    = [for p in var.ports : "--port=\${p}"]
        command = "\${NOMAD_TASK_DIR}/run.sh"
        labels  = { (local.key) = "x", static = true }
      }
      env {
        NODE    = "\${node.unique.name}"
        LIST    = join(",", var.ports)
        ESCAPED = "$\${HOME} and %%{x}"
        QUOTE   = "a\\"b\\n\\u00e9"
        COND    = var.count > 1 ? "many" : "one"
      }
      template {
        data = <<EOT
%{ for p in var.ports ~}
listen \${p}
%{ endfor ~}
{{ env "NOMAD_ALLOC_ID" }} \${attr.unique.hostname}
EOT
        destination = "local/x"
      }
      resources {
        cpu = var.count * 100
      }
    }
  }
}
`;

/** The value at a path of keys and indexes. */
function at(v: Value, ...path: (string | number)[]): Value {
  for (const k of path) {
    const next: Value | undefined = typeof k === "number"
      ? (Array.isArray(v) ? v[k] : undefined)
      : (v && typeof v === "object" && !Array.isArray(v) ? v[k] : undefined);
    if (next === undefined) throw new Error(`no ${k} in ${JSON.stringify(v)}`);
    v = next;
  }
  return v;
}

function evaluateAll(json: unknown, s: Scope): Value {
  if (typeof json === "string") return evalTemplate(json, s);
  if (Array.isArray(json)) return json.map((x) => evaluateAll(x, s));
  if (json && typeof json === "object") {
    return Object.fromEntries(
      Object.entries(json).map(([k, v]) => {
        const key = evaluateAll(k, s);
        return [typeof key === "string" ? key : String(key), evaluateAll(v, s)];
      }),
    );
  }
  return json as Value;
}

Deno.test("a job file parsed by hcl2json evaluates to Nomad's values", async () => {
  const json = await parse("web.nomad.hcl", JOB);
  const s: Scope = {
    variables: { var: { count: 2, tag: "1.25", ports: [80, 443] }, local: { key: "team" } },
    baseDir: ".",
    allowFS: false,
  };
  const job = evaluateAll(json, s);
  const group = at(job, "job", "web", 0, "group", "g", 0);
  assertEquals(at(group, "count"), 3);
  const task = at(group, "task", "t", 0);
  assertEquals(at(task, "config", 0), {
    image: "nginx:1.25",
    args: ["--port=80", "--port=443"],
    command: "${NOMAD_TASK_DIR}/run.sh",
    labels: { team: "x", static: true },
  });
  assertEquals(at(task, "env", 0), {
    NODE: "${node.unique.name}",
    LIST: "80,443",
    ESCAPED: "${HOME} and %{x}",
    QUOTE: 'a"b\né',
    COND: "many",
  });
  assertEquals(
    at(task, "template", 0, "data"),
    'listen 80\nlisten 443\n{{ env "NOMAD_ALLOC_ID" }} ${attr.unique.hostname}\n',
  );
  assertEquals(at(task, "resources", 0, "cpu"), 200);
});

Deno.test("hcl2json's strings for runtime interpolations come back as Nomad keeps them", async () => {
  // Quotes inside an interpolation are HCL source, not escaped: leave those strings out here.
  const strings = RUNTIME_STRINGS.filter((s) => !/\$\{[^}]*"/.test(s));
  const src = strings.map((s, i) => `a${i} = ${JSON.stringify(s)}`).join("\n");
  const json = (await parse("x.hcl", src)) as Record<string, string>;
  for (const [i, s] of strings.entries()) assertEquals(evalTemplate(json[`a${i}`]!, scope), s);
});
