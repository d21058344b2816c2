import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "../structs/errors.ts";
import { compileFilter } from "./bexpr.ts";
import { CodedError, errorReply, invalidMethod } from "./errors.ts";
import { testApp } from "./_testing.ts";

Deno.test("errorReply() maps each domain error to Nomad's status", () => {
  assertEquals(errorReply(new CodedError(422, "nope")), { status: 422, message: "nope" });
  assertEquals(errorReply(new ValidationError("Job is invalid", ["count must be >= 0"])), {
    status: 400,
    message: "Job is invalid:\n  * count must be >= 0",
  });
  assertEquals(errorReply(new NotFoundError("job not found")), {
    status: 404,
    message: "job not found",
  });
  assertEquals(errorReply(new ConflictError("index mismatch")), {
    status: 409,
    message: "index mismatch",
  });
  assertEquals(errorReply(new PermissionDeniedError("Permission denied: no submit-job")), {
    status: 403,
    message: "Permission denied",
  });
  assertEquals(errorReply(new Error("rpc error: ACL token not found")), {
    status: 403,
    message: "ACL token not found",
  });
  assertEquals(errorReply(new Error("rpc error: Permission denied")), {
    status: 403,
    message: "Permission denied",
  });
  assertEquals(errorReply(new TypeError("boom")), { status: 500, message: "boom" });
  assertEquals(errorReply("plain"), { status: 500, message: "plain" });
  let bexpr: unknown;
  try {
    compileFilter("a ==");
  } catch (e) {
    bexpr = e;
  }
  assertEquals(errorReply(bexpr).status, 400);
});

Deno.test("CodedError refuses a status that is not an error status", () => {
  assertThrows(() => new CodedError(200, "ok"), RangeError, "use an HTTP error status");
  assertEquals(invalidMethod().status, 405);
  assertEquals(invalidMethod().message, "Invalid method");
});

Deno.test("the app answers thrown errors as text/plain with no envelope or stack", async (t) => {
  const { app, logger } = testApp((app) => {
    app.get("/v1/validation", () => {
      throw new ValidationError("Job validation failed", ["Missing job datacenters"]);
    });
    app.get("/v1/missing", () => {
      throw new NotFoundError("job not found");
    });
    app.get("/v1/conflict", () => {
      throw new ConflictError("job modify index mismatch");
    });
    app.get("/v1/denied", () => {
      throw new PermissionDeniedError("Permission denied: token lacks read-job");
    });
    app.get("/v1/coded", (c) => {
      c.header("X-Nomad-Index", "7");
      throw new CodedError(400, "Job ID must be specified");
    });
    app.get("/v1/crash", () => {
      throw new TypeError("Cannot read properties of undefined (reading 'ID')");
    });
  });
  const cases: Array<[string, number, string]> = [
    ["/v1/validation", 400, "Job validation failed:\n  * Missing job datacenters"],
    ["/v1/missing", 404, "job not found"],
    ["/v1/conflict", 409, "job modify index mismatch"],
    ["/v1/denied", 403, "Permission denied"],
    ["/v1/coded", 400, "Job ID must be specified"],
    ["/v1/crash", 500, "Cannot read properties of undefined (reading 'ID')"],
  ];
  for (const [path, status, body] of cases) {
    await t.step(path, async () => {
      const res = await app.request(path);
      assertEquals(res.status, status);
      assertEquals(res.headers.get("Content-Type"), "text/plain; charset=utf-8");
      const text = await res.text();
      assertEquals(text, body);
      assert(!text.includes("    at "), "no stack trace in the response");
    });
  }
  await t.step("headers set before the error are kept", async () => {
    const res = await app.request("/v1/coded");
    assertEquals(res.headers.get("X-Nomad-Index"), "7");
  });
  await t.step("server errors are logged with their stack, client errors at debug", () => {
    const failures = logger.lines.filter((l) => l.message === "request failed");
    const crash = failures.find((l) => l.fields.path === "/v1/crash")!;
    assertEquals(crash.level, "error");
    assert(String(crash.fields.error).includes("at "), "the stack is logged");
    assertEquals(failures.find((l) => l.fields.path === "/v1/missing")!.level, "debug");
  });
});

Deno.test("the app answers 405 Invalid method for a known path with the wrong verb", async () => {
  const { app } = testApp((app) => {
    app.get("/v1/jobs", (c) => c.json([]));
    app.on(["PUT", "POST"], "/v1/jobs", (c) => c.json({}));
    app.get("/v1/job/:id", (c) => c.json({}));
  });
  const del = await app.request("/v1/jobs", { method: "DELETE" });
  assertEquals(del.status, 405);
  assertEquals(await del.text(), "Invalid method");
  assertEquals(del.headers.get("Content-Type"), "text/plain; charset=utf-8");
  const patch = await app.request("/v1/job/web", { method: "PATCH" });
  assertEquals(patch.status, 405);
  assertEquals((await app.request("/v1/jobs", { method: "POST" })).status, 200);
  assertEquals((await app.request("/v1/jobs", { method: "HEAD" })).status, 200);
});

Deno.test("the app answers unknown paths as Nomad's root fallthrough does", async () => {
  const { app } = testApp((app) => {
    app.get("/v1/jobs", (c) => c.json([]));
  });
  const res = await app.request("/v1/nope");
  assertEquals(res.status, 404);
  assertEquals(await res.text(), "");
  const trailing = await app.request("/v1/jobs/");
  assertEquals(trailing.status, 404);
  const root = await app.request("/?region=global");
  assertEquals(root.status, 307);
  assertEquals(root.headers.get("Location"), "/ui/?region=global");
});

Deno.test("a handler's own 404 is not turned into a 405", async () => {
  const { app } = testApp((app) => {
    app.get("/v1/job/:id", (c) => c.text("job not found", 404));
  });
  const res = await app.request("/v1/job/nope");
  assertEquals(res.status, 404);
  assertEquals(await res.text(), "job not found");
});
