/// <reference lib="dom" />
/**
 * The browser entry point of the web UI (bundled by ui/build.ts).
 *
 * @module
 */
import { render } from "preact";
import { App } from "./app.tsx";
import { interceptLinks } from "./nav.ts";

// As in Nomad's UI, the UI's root shows the jobs list under its own URL.
if (location.pathname === "/ui" || location.pathname === "/ui/") {
  history.replaceState(null, "", `/ui/jobs${location.search}`);
}
interceptLinks();
render(<App />, document.getElementById("app")!);
