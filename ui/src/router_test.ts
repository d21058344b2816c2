import { assertEquals } from "../../tests/assert.ts";
import { parseJobSlug, parseRoute, type Route, routePath } from "./router.ts";

Deno.test("parseRoute() reads the links the CLI prints", () => {
  assertEquals(parseRoute("/ui/jobs/example@default"), {
    page: "job",
    job: "example",
    namespace: "default",
    tab: "overview",
  });
  assertEquals(parseRoute("/ui/allocations/5f2c2e4c-2a8b-4c32-9b4c-0c1d2e3f4a5b"), {
    page: "allocation",
    id: "5f2c2e4c-2a8b-4c32-9b4c-0c1d2e3f4a5b",
    tab: "overview",
    path: "",
  });
});

Deno.test("parseRoute() gives /ui and /ui/ the jobs list, and unknown paths a not-found page", () => {
  assertEquals(parseRoute("/ui"), { page: "jobs" });
  assertEquals(parseRoute("/ui/"), { page: "jobs" });
  assertEquals(parseRoute("/ui/nope"), { page: "not-found", path: "/ui/nope" });
  assertEquals(parseRoute("/ui/clients/a/b"), { page: "not-found", path: "/ui/clients/a/b" });
});

Deno.test("parseRoute() tells job tabs from task groups", () => {
  assertEquals(parseRoute("/ui/jobs/web@prod/versions"), {
    page: "job",
    job: "web",
    namespace: "prod",
    tab: "versions",
  });
  assertEquals(parseRoute("/ui/jobs/web@prod/cache"), {
    page: "task-group",
    job: "web",
    namespace: "prod",
    group: "cache",
  });
  assertEquals(parseRoute("/ui/jobs/run"), { page: "job-run" });
});

Deno.test("parseJobSlug() splits at the last @ and defaults the namespace", () => {
  assertEquals(parseJobSlug("a@b@ns"), { job: "a@b", namespace: "ns" });
  assertEquals(parseJobSlug("plain"), { job: "plain", namespace: "default" });
  assertEquals(parseJobSlug("sp%20ace@default"), { job: "sp ace", namespace: "default" });
});

Deno.test("parseRoute() reads task pages, logs and file paths", () => {
  assertEquals(parseRoute("/ui/allocations/abc/redis/logs"), {
    page: "task",
    id: "abc",
    task: "redis",
    tab: "logs",
    path: "",
  });
  assertEquals(parseRoute("/ui/allocations/abc/redis/fs/local/my%20file.txt"), {
    page: "task",
    id: "abc",
    task: "redis",
    tab: "fs",
    path: "local/my file.txt",
  });
  assertEquals(parseRoute("/ui/allocations/abc/fs/alloc/logs"), {
    page: "allocation",
    id: "abc",
    tab: "fs",
    path: "alloc/logs",
  });
});

Deno.test("routePath() and parseRoute() round-trip every page", () => {
  const routes: Route[] = [
    { page: "jobs" },
    { page: "job-run" },
    { page: "job", job: "we b", namespace: "default", tab: "overview" },
    { page: "job", job: "web", namespace: "ops", tab: "evaluations" },
    { page: "task-group", job: "web", namespace: "default", group: "cache/1" },
    { page: "allocation", id: "abc", tab: "overview", path: "" },
    { page: "allocation", id: "abc", tab: "fs", path: "" },
    { page: "allocation", id: "abc", tab: "fs", path: "alloc/data" },
    { page: "task", id: "abc", task: "t", tab: "overview", path: "" },
    { page: "task", id: "abc", task: "t", tab: "logs", path: "" },
    { page: "task", id: "abc", task: "t", tab: "fs", path: "local/a b" },
    { page: "clients" },
    { page: "client", id: "n1" },
    { page: "servers" },
    { page: "server", name: "vm.global" },
    { page: "topology" },
    { page: "evaluations" },
  ];
  for (const r of routes) assertEquals(parseRoute(routePath(r)), r, routePath(r));
});
