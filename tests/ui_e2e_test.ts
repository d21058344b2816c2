/**
 * The web UI in a real browser (Debian's Chromium, driven by playwright-core) against a real
 * dev agent: what a person does and sees — the empty jobs list, a job file with a mistake
 * shown next to its line, Plan with the diff and the dry run, Run, the allocation coming up
 * without a reload, its task, log lines arriving live, a file of the task, the clients,
 * servers, topology and evaluations pages, a phone-width layout, stopping the job from the
 * keyboard, starting it again, restarting and stopping its allocation, purging it, and the
 * banner when the agent goes away.
 *
 * Screenshots of every page go to `.artifacts/ui/` (not committed). Without Chromium the test
 * is skipped with a message, except under `CI=true`, where it fails.
 *
 * @module
 */
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { buildUi } from "../ui/build.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { AgentProcess, ALL_PERMISSIONS, api, ROOT, taskPids } from "./e2e_testing.ts";
import { freePort } from "../core/agent/run_testing.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, ".artifacts", "ui");
const CI = Deno.env.get("CI") === "true";
/** The whole scenario's bound; each browser action has its own (15 s). */
const DEADLINE_MS = 240_000;

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const HAVE_CHROMIUM = chromiumPresent();
if (!HAVE_CHROMIUM && !CI) {
  console.warn(
    `ui_e2e_test: skipped: no Chromium at ${CHROMIUM} (apt-get install chromium); ` +
      "under CI=true this test fails instead",
  );
}

const JOB = (extra: string) =>
  `job "hello-ui" {
  datacenters = ["*"]

  group "web" {${extra}
    task "server" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args = ["-c", "echo 'greetings from the ui test' > local/greeting.txt; echo \\"hello from nomad-ts ui on port $NOMAD_PORT_http\\"; echo 'an error line' >&2; i=0; while true; do echo \\"tick $i\\"; i=$((i+1)); sleep 1; done"]
      }

      resources {
        cpu    = 100
        memory = 64

        network {
          port "http" {}
        }
      }
    }
  }
}
`;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

interface AllocStub {
  ID: string;
  ClientStatus: string;
}

async function withDeadline<T>(ms: number, what: string, f: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([f(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "web UI: run a job from the browser, watch it run, read its logs and files, stop it",
  ignore: !HAVE_CHROMIUM && !CI,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!HAVE_CHROMIUM) {
      throw new Error(
        `CI=true and no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`,
      );
    }
    await buildUi();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const dir = await Deno.makeTempDir({ prefix: "ui_e2e_" });
    const port = freePort();
    await Deno.writeTextFile(
      join(dir, "ports.hcl"),
      `ports {\n  http = ${port}\n  rpc  = ${freePort()}\n  serf = ${freePort()}\n}\n`,
    );
    const agent = new AgentProcess(["-dev", `-config=${join(dir, "ports.hcl")}`], ALL_PERMISSIONS);
    const addr = `http://127.0.0.1:${port}`;
    let browser: Browser | undefined;
    const allocIds = new Set<string>();
    try {
      await withDeadline(DEADLINE_MS, "the browser scenario", async () => {
        await agent.waitFor("==> Nomad agent started!");
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ["--headless", "--no-sandbox"],
        });
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        page.setDefaultTimeout(15_000);
        const pageErrors: string[] = [];
        page.on("pageerror", (e) => pageErrors.push(e.message));

        await t.step(
          "/ redirects to the jobs list, which says how to run a first job",
          async () => {
            await page.goto(`${addr}/`);
            assertEquals(new URL(page.url()).pathname, "/ui/jobs");
            await page.getByRole("heading", { name: "No jobs yet" }).waitFor();
            assertEquals(await page.title(), "Jobs - nomad-ts");
            await shot(page, "01-jobs-empty");
          },
        );

        await t.step("Run Job shows a parse error next to its line", async () => {
          await page.getByRole("link", { name: "Run Job" }).click();
          assertEquals(new URL(page.url()).pathname, "/ui/jobs/run");
          await page.getByLabel("Job definition (HCL)").fill(JOB("\n    cont = 1\n"));
          await page.getByRole("button", { name: "Plan" }).click();
          const inline = page.locator('.err-inline[data-line="5"]');
          await inline.waitFor();
          assertStringIncludes(
            await inline.innerText(),
            'An argument named "cont" is not expected',
          );
          const alert = page.locator("#editor-errors");
          assertStringIncludes(await alert.innerText(), "Line 5, column 5");
          // The highlighted copy marks block types and strings.
          assertEquals(
            await page.locator(".editor-highlight .tk-block").first().innerText(),
            "job",
          );
          await shot(page, "02-run-parse-error");
        });

        await t.step("Plan shows the diff and the scheduler's dry run", async () => {
          await page.getByLabel("Job definition (HCL)").fill(JOB("\n    count = 1\n"));
          await page.getByRole("button", { name: "Plan" }).click();
          const diff = page.getByLabel("Job diff");
          await diff.waitFor();
          assertStringIncludes(await diff.innerText(), '+ Job: "hello-ui"');
          assertStringIncludes(await diff.innerText(), '+ Task Group: "web" (1 create)');
          assertStringIncludes(
            await page.locator(".dry-run").innerText(),
            "- All tasks successfully allocated.",
          );
          assertEquals(await page.locator("#editor-errors").count(), 0, "the error is gone");
          await shot(page, "03-run-plan");
        });

        let allocId = "";
        await t.step("Run opens the job page, where the allocation comes up running", async () => {
          await page.getByRole("button", { name: "Run", exact: true }).click();
          await page.waitForURL(`${addr}/ui/jobs/hello-ui@default`);
          const row = page.locator("tr[data-alloc]").first();
          await row.locator('.badge[data-status="running"]').waitFor({ timeout: 60_000 });
          allocId = (await row.getAttribute("data-alloc")) ?? "";
          assertMatch(allocId, /^[0-9a-f-]{36}$/);
          allocIds.add(allocId);
          assertEquals(
            await page.locator('tr[data-group="web"] td').nth(1).innerText(),
            "1",
            "the group's count",
          );
          await page.getByRole("img", { name: "1 running" }).first().waitFor();
          await shot(page, "04-job-running");
        });

        await t.step("the allocation page shows the task running and its port", async () => {
          await page.locator(`tr[data-alloc="${allocId}"] a`).first().click();
          await page.waitForURL(`${addr}/ui/allocations/${allocId}`);
          const task = page.locator('tr[data-task="server"]');
          await task.locator('.badge[data-status="running"]').waitFor();
          assertStringIncludes(
            await page.getByRole("table", { name: "Ports" }).innerText(),
            "http",
          );
          await page.getByRole("meter", { name: "Memory" }).waitFor();
          await shot(page, "05-allocation");
        });

        await t.step("the logs show the task's lines, new ones arriving live", async () => {
          await page.locator('tr[data-task="server"]').getByRole("link", { name: "Logs" }).click();
          await page.waitForURL(`${addr}/ui/allocations/${allocId}/server/logs`);
          const logs = page.locator('pre.logs[data-stream="stdout"]');
          await page.waitForFunction(
            () =>
              document.querySelector("pre.logs")?.textContent?.includes("hello from nomad-ts ui"),
          );
          const ticks = async () => ((await logs.innerText()).match(/tick \d+/g) ?? []).length;
          const before = await ticks();
          await page.waitForFunction(
            (n) =>
              (document.querySelector("pre.logs")?.textContent?.match(/tick \d+/g) ?? []).length >
                n + 1,
            before,
          );
          await shot(page, "06-logs-stdout");
          await page.getByRole("button", { name: "stderr" }).click();
          await page.waitForFunction(
            () =>
              document.querySelector('pre.logs[data-stream="stderr"]')?.textContent?.includes(
                "an error line",
              ),
          );
          await shot(page, "07-logs-stderr");
        });

        await t.step("the file browser opens the file the task wrote", async () => {
          await page.getByRole("link", { name: "Files" }).click();
          await page.waitForURL(`${addr}/ui/allocations/${allocId}/server/fs`);
          await page.locator('tr[data-file="local"] a').click();
          await page.locator('tr[data-file="greeting.txt"] a').click();
          await page.waitForURL(`${addr}/ui/allocations/${allocId}/server/fs/local/greeting.txt`);
          const text = page.locator("pre.file-text");
          assertStringIncludes(await text.innerText(), "greetings from the ui test");
          await shot(page, "08-file");
        });

        await t.step("links the CLI prints resolve, short allocation IDs too", async () => {
          await page.goto(`${addr}/ui/allocations/${allocId.slice(0, 8)}`);
          await page.waitForURL(`${addr}/ui/allocations/${allocId}`);
          await page.goto(`${addr}/ui/jobs/hello-ui@default/web`);
          await page.getByRole("table", { name: "Tasks" }).waitFor();
          assertStringIncludes(await page.locator("h1").innerText(), "web");
          await shot(page, "09-task-group");
        });

        await t.step("the jobs list updates without a reload, and one query per list", async () => {
          await page.goto(`${addr}/ui/jobs`);
          await page.locator('tr[data-job="hello-ui"] .badge[data-status="running"]').waitFor();
          const started: string[] = [];
          page.on("request", (r) => {
            if (new URL(r.url()).pathname.startsWith("/v1/")) started.push(r.url());
          });
          const parsed = await api<Record<string, unknown>>(addr, "/v1/jobs/parse", {
            method: "POST",
            body: JSON.stringify({
              JobHCL: 'job "second" {\n  type = "batch"\n  group "g" {\n    task "t" {\n' +
                '      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n' +
                "      }\n    }\n  }\n}\n",
              Canonicalize: true,
            }),
          });
          await api(addr, "/v1/jobs", { method: "PUT", body: JSON.stringify({ Job: parsed }) });
          await page.locator('tr[data-job="second"]').waitFor();
          await page.waitForTimeout(3000);
          assert(
            started.length <= 4,
            `a quiet page sends no stream of requests; sent: ${started.join(", ")}`,
          );
          await shot(page, "10-jobs");
          await page.getByLabel("Search jobs").fill("hello");
          await page.waitForURL(`${addr}/ui/jobs?search=hello`);
          assertEquals(await page.locator("tr[data-job]").count(), 1);
        });

        await t.step("clients, servers, topology and evaluations", async () => {
          await page.getByRole("link", { name: "Clients" }).click();
          const node = page.locator("tr[data-node]").first();
          await node.locator('.badge[data-status="ready"]').waitFor();
          assertStringIncludes(await node.innerText(), "raw_exec");
          await shot(page, "11-clients");
          await node.getByRole("link").first().click();
          await page.getByRole("table", { name: "Drivers" }).waitFor();
          await page.locator(`tr[data-alloc="${allocId}"]`).waitFor();
          assertStringIncludes(
            await page.getByRole("table", { name: "Attributes" }).innerText(),
            "kernel.name\tlinux",
          );
          await shot(page, "12-client");
          await page.getByRole("link", { name: "Servers" }).click();
          await page.locator("tr[data-server]").getByText("leader").waitFor();
          await shot(page, "13-servers");
          await page.getByRole("link", { name: "Topology" }).click();
          await page.getByRole("article").first().waitFor();
          assertEquals(await page.locator(".topo-seg").count() >= 1, true);
          await shot(page, "14-topology");
          await page.getByRole("link", { name: "Evaluations" }).click();
          await page.getByRole("table", { name: "Evaluations" }).getByText("job-register").first()
            .waitFor();
          await shot(page, "15-evaluations");
        });

        await t.step("the job's versions and definition tabs", async () => {
          await page.goto(`${addr}/ui/jobs/hello-ui@default/definition`);
          const def = page.getByRole("region", { name: "Job definition" });
          await def.waitFor();
          assertStringIncludes(await def.innerText(), 'job "hello-ui"');
          await shot(page, "16-job-definition");
          await page.getByRole("link", { name: "Versions" }).click();
          await page.locator('li[data-version="0"]').waitFor();
          await shot(page, "17-job-versions");
        });

        await t.step("a phone-width window keeps the page within the screen", async () => {
          await page.setViewportSize({ width: 390, height: 844 });
          await page.goto(`${addr}/ui/jobs`);
          await page.locator('tr[data-job="hello-ui"]').waitFor();
          const overflow = await page.evaluate(() =>
            document.documentElement.scrollWidth - document.documentElement.clientWidth
          );
          assertEquals(overflow, 0, "no sideways scrolling of the page itself");
          await page.getByRole("navigation", { name: "Main" }).getByRole("link", {
            name: "Clients",
          })
            .waitFor();
          await shot(page, "18-jobs-phone");
          await page.setViewportSize({ width: 1280, height: 900 });
        });

        await t.step("Stop Job from the keyboard stops the job and its allocation", async () => {
          await page.goto(`${addr}/ui/jobs/hello-ui@default`);
          await page.getByRole("button", { name: "Stop Job" }).focus();
          await page.keyboard.press("Enter");
          // The confirmation takes the focus, so Enter confirms.
          await page.getByRole("button", { name: "Yes, stop job" }).waitFor();
          await page.waitForFunction(() => document.activeElement?.textContent === "Yes, stop job");
          await page.keyboard.press("Enter");
          await page.locator('.title-row .badge[data-status="stopped"]').waitFor({
            timeout: 30_000,
          });
          await page.locator(`tr[data-alloc="${allocId}"] .badge[data-status="complete"]`)
            .waitFor({ timeout: 30_000 });
          await page.getByRole("button", { name: "Start Job" }).waitFor();
          await shot(page, "19-job-stopped");
          const allocs = await api<AllocStub[]>(addr, "/v1/job/hello-ui/allocations");
          assertEquals(allocs.map((a) => a.ClientStatus), ["complete"]);
        });

        await t.step("Start Job runs it again; its allocation restarts, then stops", async () => {
          await page.getByRole("button", { name: "Start Job" }).click();
          await page.locator('.title-row .badge[data-status="running"]').waitFor({
            timeout: 30_000,
          });
          const running = page.locator("tr[data-alloc]").filter({
            has: page.locator('.badge[data-status="running"]'),
          }).first();
          await running.waitFor({ timeout: 60_000 });
          const id = (await running.getAttribute("data-alloc")) ?? "";
          allocIds.add(id);
          await page.goto(`${addr}/ui/allocations/${id}`);
          await page.locator('tr[data-task="server"] .badge[data-status="running"]').waitFor();
          await page.getByRole("button", { name: "Restart" }).click();
          await page.getByRole("button", { name: "Yes, restart" }).click();
          const restarts = page.locator('tr[data-task="server"] td').nth(4);
          await page.waitForFunction(
            () => document.querySelectorAll('tr[data-task="server"] td')[4]?.textContent === "1",
            undefined,
            { timeout: 30_000 },
          );
          assertEquals(await restarts.innerText(), "1");
          await page.getByRole("button", { name: "Stop", exact: true }).click();
          await page.getByRole("button", { name: "Yes, stop" }).click();
          const next = page.getByRole("link", { name: /^[0-9a-f]{8}$/ }).last();
          await page.getByText("Replaced by").waitFor({ timeout: 30_000 });
          await shot(page, "20-allocation-replaced");
          const stopped = await api<AllocStub & { NextAllocation: string }>(
            addr,
            `/v1/allocation/${id}`,
          );
          assert(stopped.NextAllocation !== "", "the stopped allocation has a replacement");
          allocIds.add(stopped.NextAllocation);
          assertEquals(await next.innerText(), stopped.NextAllocation.slice(0, 8));
        });

        await t.step("Purge removes a stopped job and goes back to the list", async () => {
          await page.goto(`${addr}/ui/jobs/hello-ui@default`);
          await page.getByRole("button", { name: "Stop Job" }).click();
          await page.getByRole("button", { name: "Yes, stop job" }).click();
          await page.getByRole("button", { name: "Purge" }).click();
          await page.getByRole("button", { name: "Yes, purge job" }).click();
          await page.waitForURL(`${addr}/ui/jobs`);
          await page.locator('tr[data-job="second"]').waitFor();
          await page.locator('tr[data-job="hello-ui"]').waitFor({ state: "detached" });
          for (const a of await api<AllocStub[]>(addr, "/v1/allocations")) allocIds.add(a.ID);
        });

        await t.step("when the agent goes away, the page says so", async () => {
          await page.goto(`${addr}/ui/jobs`);
          await page.locator('tr[data-job="second"]').waitFor();
          const status = await agent.stop("SIGTERM");
          assertEquals(status.success || status.signal === "SIGTERM", true);
          const banner = page.getByTestId("unreachable");
          await banner.waitFor({ timeout: 30_000 });
          assertStringIncludes(await banner.innerText(), "Cannot reach the Nomad agent");
          assert(await page.locator('tr[data-job="second"]').isVisible(), "the last data stays");
          await shot(page, "21-agent-unreachable");
        });

        assertEquals(pageErrors, [], "no script errors in the page");
      });
    } finally {
      await browser?.close().catch(() => {});
      await agent.cleanup();
      for (const id of allocIds) {
        for (const pid of await taskPids(id)) {
          try {
            Deno.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
