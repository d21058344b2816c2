/// <reference lib="dom" />
/**
 * The file browser of an allocation (`/ui/allocations/<id>/fs/<path>`) or of one task's
 * directory (`/ui/allocations/<id>/<task>/fs/<path>`): directories as tables, files as text
 * (the first 256 KiB; binary files are described, not shown).
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api.ts";
import { Empty, ErrorBox, Loading, RelTime, Section } from "../components.tsx";
import { formatBytes } from "../format.ts";
import { routePath } from "../router.ts";
import { ApiError } from "../store.ts";
import type { Allocation, FileInfo } from "../types.ts";

const MAX_SHOWN = 256 * 1024;

type Listing =
  | { kind: "dir"; entries: FileInfo[] }
  | { kind: "file"; info: FileInfo; text: string | undefined; truncated: boolean };

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

async function load(alloc: string, path: string): Promise<Listing> {
  const id = encodeURIComponent(alloc);
  const q = encodeURIComponent(`/${path}`);
  const info = await getJson<FileInfo>(`/v1/client/fs/stat/${id}?path=${q}`);
  if (info.IsDir) {
    const entries = await getJson<FileInfo[] | null>(`/v1/client/fs/ls/${id}?path=${q}`);
    return { kind: "dir", entries: entries ?? [] };
  }
  const limit = Math.min(info.Size, MAX_SHOWN);
  const res = await fetch(`/v1/client/fs/readat/${id}?path=${q}&offset=0&limit=${limit}`);
  if (!res.ok) throw new ApiError(res.status, (await res.text()).trim());
  const bytes = new Uint8Array(await res.arrayBuffer());
  const binary = bytes.subarray(0, 8000).includes(0);
  return {
    kind: "file",
    info,
    text: binary ? undefined : new TextDecoder().decode(bytes),
    truncated: info.Size > MAX_SHOWN,
  };
}

/** Browses `path` below `root` (a task's directory, or `""` for the allocation's). */
export function FileBrowser(
  props: { alloc: Allocation; root: string; path: string },
): JSX.Element {
  const { alloc, root, path } = props;
  const [state, setState] = useState<
    { key: string; listing?: Listing; error?: Error } | undefined
  >();
  const key = `${alloc.ID}/${join(root, path)}`;
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    load(alloc.ID, join(root, path)).then(
      (listing) => live && setState({ key, listing }),
      (error) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [key, reload]);

  const href = (p: string) =>
    root === ""
      ? routePath({ page: "allocation", id: alloc.ID, tab: "fs", path: p })
      : routePath({ page: "task", id: alloc.ID, task: root, tab: "fs", path: p });
  const parts = path.split("/").filter((p) => p !== "");
  const crumbs = [
    { label: root === "" ? "alloc dir" : root, href: href("") },
    ...parts.map((p, i) => ({ label: p, href: href(parts.slice(0, i + 1).join("/")) })),
  ];
  const current = state?.key === key ? state : undefined;
  return (
    <Section
      title="Files"
      actions={
        <button type="button" class="btn small" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      }
    >
      <nav class="path" aria-label="Path">
        {crumbs.map((c, i) => (
          <span key={c.href}>
            {i > 0 && <span class="sep">/</span>}
            {i === crumbs.length - 1
              ? <strong aria-current="page">{c.label}</strong>
              : <a href={c.href}>{c.label}</a>}
          </span>
        ))}
      </nav>
      {current === undefined && <Loading what="files" />}
      {current?.error && <ErrorBox error={current.error} />}
      {current?.listing?.kind === "dir" && (
        current.listing.entries.length === 0
          ? <Empty title="This directory is empty" />
          : (
            <div class="table-wrap">
              <table class="table" aria-label="Directory">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Size</th>
                    <th scope="col">Modified</th>
                    <th scope="col">Mode</th>
                  </tr>
                </thead>
                <tbody>
                  {[...current.listing.entries]
                    .sort((a, b) => Number(b.IsDir) - Number(a.IsDir) || (a.Name < b.Name ? -1 : 1))
                    .map((f) => (
                      <tr key={f.Name} data-file={f.Name}>
                        <td>
                          <a href={href(join(path, f.Name))} class={f.IsDir ? "dir" : "file"}>
                            {f.IsDir ? "📁 " : "📄 "}
                            {f.Name}
                            {f.IsDir ? "/" : ""}
                          </a>
                        </td>
                        <td>{f.IsDir ? "-" : formatBytes(f.Size)}</td>
                        <td>
                          <RelTime time={f.ModTime} />
                        </td>
                        <td class="mono">{f.FileMode}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )
      )}
      {current?.listing?.kind === "file" && (
        <div class="file-view">
          <p class="muted small">
            {formatBytes(current.listing.info.Size)}, modified{" "}
            <RelTime time={current.listing.info.ModTime} />
            {current.listing.truncated && `; showing the first ${formatBytes(MAX_SHOWN)}`}
          </p>
          {current.listing.text === undefined
            ? <p>This is a binary file; it is not shown.</p>
            : (
              <pre
                class="file-text"
                tabIndex={0}
                aria-label={`Contents of ${parts.at(-1) ?? ""}`}
              >{current.listing.text}</pre>
            )}
        </div>
      )}
    </Section>
  );
}
