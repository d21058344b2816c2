import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { type Job, SECOND } from "../structs/mod.ts";
import { JobspecError, parseJob, type ParseOptions } from "./mod.ts";

async function parse(src: string, opts: Partial<ParseOptions> = {}): Promise<Job> {
  return await parseJob(src, { path: "job.nomad.hcl", ...opts });
}

async function problems(src: string, opts: Partial<ParseOptions> = {}): Promise<string[]> {
  const err = await assertRejects(() => parse(src, opts), JobspecError) as JobspecError;
  assert(!err.message.includes("    at "), `no stack trace in: ${err.message}`);
  return err.message.split("\n");
}

const MINIMAL = `job "web" {
  group "g" {
    task "t" {
      driver = "raw_exec"
    }
  }
}
`;

Deno.test("parseJob() takes the job's ID and Name from its label and leaves the rest unset", async () => {
  const job = await parse(MINIMAL);
  assertEquals([job.ID, job.Name, job.Type, job.Priority, job.Datacenters], [
    "web",
    "web",
    null,
    null,
    null,
  ]);
  const group = job.TaskGroups?.[0];
  assertEquals([group?.Name, group?.Count, group?.Tasks?.[0]?.Driver], ["g", null, "raw_exec"]);
});

Deno.test("parseJob() decodes durations, ports and the old network form", async () => {
  const job = await parse(`job "x" {
  group "g" {
    network {
      port "http" { to = 8080 }
      port "admin" { static = 9000 }
    }
    task "t" {
      driver       = "docker"
      kill_timeout = "1m30s"
      config {
        image = "redis:3.2"
        port_map {
          db = 6379
        }
      }
      resources {
        cpu = 500
        network {
          mbits = 10
          port "db" {}
        }
      }
    }
  }
}
`);
  const group = job.TaskGroups![0]!;
  const task = group.Tasks![0]!;
  assertEquals(task.KillTimeout, 90 * SECOND);
  assertEquals(group.Networks![0]!.DynamicPorts!.map((p) => [p.Label, p.To]), [["http", 8080]]);
  assertEquals(group.Networks![0]!.ReservedPorts!.map((p) => [p.Label, p.Value]), [[
    "admin",
    9000,
  ]]);
  assertEquals(task.Config, { image: "redis:3.2", port_map: [{ db: 6379 }] });
  assertEquals(task.Resources!.Networks![0]!.MBits, 10);
  assertEquals(task.Resources!.Networks![0]!.DynamicPorts!.map((p) => p.Label), ["db"]);
});

Deno.test("parseJob() keeps runtime interpolations for the client", async () => {
  const job = await parse(`job "x" {
  constraint {
    attribute = "\${attr.kernel.name}"
    value     = "linux"
  }
  group "g" {
    task "t" {
      driver = "raw_exec"
      config {
        command = "\${NOMAD_TASK_DIR}/run.sh"
        args    = ["--port", "\${NOMAD_PORT_http}", "--node=\${node.unique.name}"]
      }
      env {
        ADDR = "http://\${NOMAD_IP_http}:\${NOMAD_PORT_http}"
        HOME = "\${env.HOME}"
      }
      meta {
        rack = "\${meta.rack}"
      }
    }
  }
}
`);
  assertEquals(job.Constraints, [{
    LTarget: "${attr.kernel.name}",
    RTarget: "linux",
    Operand: "=",
  }]);
  const task = job.TaskGroups![0]!.Tasks![0]!;
  assertEquals(task.Config, {
    args: ["--port", "${NOMAD_PORT_http}", "--node=${node.unique.name}"],
    command: "${NOMAD_TASK_DIR}/run.sh",
  });
  assertEquals(task.Env, {
    ADDR: "http://${NOMAD_IP_http}:${NOMAD_PORT_http}",
    HOME: "${env.HOME}",
  });
  assertEquals(task.Meta, { rack: "${meta.rack}" });
});

const WITH_VARS = `variable "count" {
  type    = number
  default = 1
}
variable "image" {
  type    = string
  default = "redis:7"
}
variable "dcs" {
  type    = list(string)
  default = ["dc1"]
}
job "x" {
  datacenters = var.dcs
  group "g" {
    count = var.count
    task "t" {
      driver = "docker"
      config {
        image = var.image
      }
    }
  }
}
`;

Deno.test("parseJob() takes variable values from defaults, env, var files and -var, later winning", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "jobspec_vars_" });
  try {
    const varFile = `${dir}/prod.vars.hcl`;
    await Deno.writeTextFile(varFile, 'count = 4\nimage = "redis:file"\n');
    const pick = (job: Job) => [
      job.TaskGroups![0]!.Count,
      job.TaskGroups![0]!.Tasks![0]!.Config!.image,
      job.Datacenters,
    ];
    await t.step("defaults", async () => {
      assertEquals(pick(await parse(WITH_VARS)), [1, "redis:7", ["dc1"]]);
    });
    await t.step("environment over defaults", async () => {
      const env = { NOMAD_VAR_count: "2", NOMAD_VAR_dcs: '["dc2", "dc3"]' };
      assertEquals(pick(await parse(WITH_VARS, { env })), [2, "redis:7", ["dc2", "dc3"]]);
    });
    await t.step("var files over the environment", async () => {
      const job = await parse(WITH_VARS, { env: { NOMAD_VAR_count: "2" }, varFiles: [varFile] });
      assertEquals(pick(job), [4, "redis:file", ["dc1"]]);
    });
    await t.step("-var over everything", async () => {
      const job = await parse(WITH_VARS, {
        env: { NOMAD_VAR_count: "2" },
        varFiles: [varFile],
        vars: ["count=5", 'dcs=["a"]'],
      });
      assertEquals(pick(job), [5, "redis:file", ["a"]]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseJob() reports bad variable values clearly", async () => {
  const undefinedVar = await problems(WITH_VARS, { vars: ["nope=1"] });
  assertStringIncludes(undefinedVar[0]!, 'Undefined -var variable; A "nope" variable was passed');
  const wrongType = await problems(WITH_VARS, { vars: ["count=many"] });
  assertStringIncludes(wrongType[0]!, "Invalid argument value for -var variable");
  const unset = await problems('variable "x" {}\n' + MINIMAL);
  assertEquals(unset[0]!.startsWith('job.nomad.hcl:1:1: Unset variable "x"'), true);
});

Deno.test("parseJob() runs variable validation rules", async () => {
  const src = `variable "port" {
  type    = number
  default = 80
  validation {
    condition     = var.port > 1024
    error_message = "The port must be above 1024."
  }
}
${MINIMAL}`;
  const lines = await problems(src);
  assertStringIncludes(
    lines[0]!,
    "job.nomad.hcl:4:3: Invalid value for default variable; The port must be above 1024.",
  );
  const ok = await parse(src, { vars: ["port=8080"] });
  assertEquals(ok.ID, "web");
});

Deno.test("parseJob() evaluates locals in dependency order, with functions", async () => {
  const job = await parse(`locals {
  full   = "\${local.prefix}-\${upper(local.suffix)}"
  prefix = lower("WEB")
  suffix = "api"
  tags   = [for s in ["a", "b"] : format("tag-%s", s)]
  extra  = merge({ a = "1" }, { b = "2" })
  n      = length(local.tags) > 1 ? 3 : 1
}
job "x" {
  meta = local.extra
  group "g" {
    count = local.n
    task "t" {
      driver = "raw_exec"
      config {
        command = local.full
        args    = local.tags
      }
      env {
        JOINED = join(",", local.tags)
        MAYBE  = try(local.missing, "fallback")
        FIRST  = coalesce(null, "second")
      }
    }
  }
}
`);
  assertEquals(job.Meta, { a: "1", b: "2" });
  const task = job.TaskGroups![0]!.Tasks![0]!;
  assertEquals(job.TaskGroups![0]!.Count, 3);
  assertEquals(task.Config, { args: ["tag-a", "tag-b"], command: "web-API" });
  assertEquals(task.Env, { FIRST: "second", JOINED: "tag-a,tag-b", MAYBE: "fallback" });
});

Deno.test("parseJob() expands dynamic blocks and decodes constraint shorthands", async () => {
  const job = await parse(`job "x" {
  group "g" {
    constraint {
      distinct_hosts = true
    }
    constraint {
      attribute = "\${attr.os.version}"
      version   = ">= 22.04"
    }
    dynamic "task" {
      for_each = ["a", "b"]
      labels   = [task.value]
      content {
        driver = "raw_exec"
        config {
          command = "/bin/\${task.value}"
        }
      }
    }
  }
}
`);
  const group = job.TaskGroups![0]!;
  assertEquals(group.Constraints, [
    { LTarget: "", RTarget: "true", Operand: "distinct_hosts" },
    { LTarget: "${attr.os.version}", RTarget: ">= 22.04", Operand: "version" },
  ]);
  assertEquals(group.Tasks!.map((t) => [t.Name, t.Config!.command]), [["a", "/bin/a"], [
    "b",
    "/bin/b",
  ]]);
});

Deno.test("parseJob() applies Nomad's parse-time normalisation", async () => {
  const job = await parse(`job "x" {
  periodic {
    crons = ["@daily"]
  }
  task "solo" {
    driver = "raw_exec"
    identity {
      env = true
    }
    identity {
      name = "vault"
      aud  = ["vault.io"]
    }
    template {
      data        = "hello"
      destination = "local/x"
    }
  }
}
`);
  assertEquals(job.Periodic!.SpecType, "cron");
  const group = job.TaskGroups![0]!;
  assertEquals(group.Name, "solo");
  const task = group.Tasks![0]!;
  assertEquals(task.Identity?.Env, true);
  assertEquals(task.Identities!.map((i) => i.Name), ["vault"]);
  const tmpl = task.Templates![0]!;
  assertEquals([tmpl.ChangeMode, tmpl.Perms, tmpl.Splay, tmpl.ErrMissingKey], [
    "restart",
    "0644",
    5 * SECOND,
    false,
  ]);
});

Deno.test("parseJob() reports a syntax error at its position", async () => {
  const lines = await problems('job "x" {\n  group "g" {\n    count = \n  }\n}\n');
  assertEquals(lines, [
    "job.nomad.hcl:3:13: Invalid expression; Expected the start of an expression, but found an invalid expression token.",
  ]);
});

Deno.test("parseJob() reports every decoding problem at once, each with its position", async () => {
  const lines = await problems(`job "x" {
  groupp "g" {}
  group {
    count = "many"
  }
  group "ok" {
    task "t" {
      driver       = "raw_exec"
      kill_timeout = "5 minutes"
      lifecycle {
        sidecar = true
      }
      bogus = 1
    }
  }
}
`);
  assertEquals(lines, [
    'job.nomad.hcl:2:3: Unsupported block type; Blocks of type "groupp" are not expected here.',
    "job.nomad.hcl:3:3: Missing name for group; All group blocks must have 1 labels (name).",
    'job.nomad.hcl:9:22: Unsuitable value type; Unsuitable duration value: time: invalid duration "5 minutes"',
    'job.nomad.hcl:10:7: Missing required argument; The argument "hook" is required, but no definition was found.',
    'job.nomad.hcl:13:7: Unsupported argument; An argument named "bogus" is not expected here.',
  ]);
  const typeErr = await problems('job "x" {\n  group "g" {\n    count = "many"\n  }\n}\n');
  assertEquals(typeErr, [
    'job.nomad.hcl:3:13: Incorrect attribute value type; Inappropriate value for attribute "count": a number is required.',
  ]);
});

Deno.test("parseJob() rejects a file without a job and an unknown function", async () => {
  assertEquals(await problems('variable "x" {\n  default = 1\n}\n'), [
    "Missing job block; A job block is required",
  ]);
  const fn = await problems('job "x" {\n  region = nosuch("a")\n}\n');
  assertEquals(fn, [
    'job.nomad.hcl:2:12: Call to unknown function; There is no function named "nosuch".',
  ]);
});
