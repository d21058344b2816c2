/**
 * A stand-in agent for raw_exec's restart test: loads raw_exec in a PluginHost, starts the
 * tasks in `<root>/tasks.json` (a list of TaskConfig), writes their handles to
 * `<root>/handles.json` the way a client persists them, prints "ready", and waits to be killed.
 *
 * Usage: deno run -A --config deno.json agent.ts <root>
 *
 * @module
 */
import { join } from "node:path";
import { PluginHost } from "../../../plugins/host.ts";
import type { TaskConfig } from "../../../plugins/sdk.ts";
import { rawExecManifest } from "../manifest.ts";

const root = Deno.args[0];
if (!root) throw new Error("usage: agent.ts <root>");
const host = new PluginHost({ dataDir: join(root, "data"), allocDir: join(root, "alloc") });
const driver = await host.load(rawExecManifest, { config: { enabled: true } });
const tasks = JSON.parse(await Deno.readTextFile(join(root, "tasks.json"))) as TaskConfig[];
const handles = [];
for (const task of tasks) handles.push((await driver.startTask(task)).handle);
await Deno.writeTextFile(join(root, "handles.json.tmp"), JSON.stringify(handles));
await Deno.rename(join(root, "handles.json.tmp"), join(root, "handles.json"));
console.log("ready");
setInterval(() => {}, 60_000); // keep running until killed
