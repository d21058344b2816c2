/**
 * How Nomad describes a file of an allocation: Go's `FileMode.String()` and
 * `http.DetectContentType`, for `AllocFileInfo`.
 *
 * @module
 */

const S_IFMT = 0o170000;
const TYPES: Record<number, string> = {
  0o040000: "d",
  0o120000: "L",
  0o060000: "D",
  0o020000: "Dc",
  0o010000: "p",
  0o140000: "S",
};

/**
 * Formats a Unix `st_mode` as Go's `FileMode.String()`: `-rw-r--r--`, `drwxr-xr-x`,
 * `dtrwxrwxrwx` (sticky directory), `Lrwxrwxrwx` (symlink), `ugrwxr-xr-x` (setuid, setgid).
 */
export function goFileMode(mode: number): string {
  let flags = "";
  const type = TYPES[mode & S_IFMT] ?? "";
  if (type.startsWith("d")) flags += "d";
  if (type === "L") flags += "L";
  if (type.startsWith("D")) flags += "D";
  if (type === "p") flags += "p";
  if (type === "S") flags += "S";
  if (mode & 0o4000) flags += "u";
  if (mode & 0o2000) flags += "g";
  if (type === "Dc") flags += "c";
  if (mode & 0o1000) flags += "t";
  if (flags === "") flags = "-";
  const rwx = "rwxrwxrwx";
  let perm = "";
  for (let i = 0; i < 9; i++) perm += mode & (1 << (8 - i)) ? rwx[i] : "-";
  return flags + perm;
}

function startsWith(data: Uint8Array, sig: readonly number[]): boolean {
  if (data.length < sig.length) return false;
  return sig.every((b, i) => data[i] === b);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly [readonly number[], string][] = [
  [ascii("%PDF-"), "application/pdf"],
  [ascii("%!PS-Adobe-"), "application/postscript"],
  [[0xfe, 0xff], "text/plain; charset=utf-16be"],
  [[0xff, 0xfe], "text/plain; charset=utf-16le"],
  [[0xef, 0xbb, 0xbf], "text/plain; charset=utf-8"],
  [ascii("GIF87a"), "image/gif"],
  [ascii("GIF89a"), "image/gif"],
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [ascii("BM"), "image/bmp"],
  [[0x00, 0x00, 0x01, 0x00], "image/x-icon"],
  [[0x1f, 0x8b, 0x08], "application/x-gzip"],
  [ascii("PK\x03\x04"), "application/zip"],
  [ascii("Rar!\x1a\x07\x00"), "application/x-rar-compressed"],
  [ascii("Rar!\x1a\x07\x01\x00"), "application/x-rar-compressed"],
  [[0x00, 0x61, 0x73, 0x6d], "application/wasm"],
  [ascii("OggS\x00"), "application/ogg"],
  [ascii("\x7fELF"), "application/octet-stream"],
];

const HTML_TAGS = [
  "<!DOCTYPE HTML",
  "<HTML",
  "<HEAD",
  "<SCRIPT",
  "<IFRAME",
  "<H1",
  "<DIV",
  "<FONT",
  "<TABLE",
  "<A",
  "<STYLE",
  "<TITLE",
  "<B",
  "<BODY",
  "<BR",
  "<P",
  "<!--",
];

function isWhitespace(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
}

function isBinaryByte(b: number): boolean {
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);
}

/**
 * Sniffs a content type from a file's first bytes the way Go's `http.DetectContentType` does
 * for the common cases: HTML and XML, PDF, images, archives, UTF BOMs, then text (no binary
 * control bytes) or `application/octet-stream`.
 */
export function detectContentType(head: Uint8Array): string {
  const data = head.subarray(0, 512);
  for (const [sig, type] of SIGNATURES) if (startsWith(data, sig)) return type;
  let i = 0;
  while (i < data.length && isWhitespace(data[i]!)) i++;
  const rest = new TextDecoder("latin1").decode(data.subarray(i, i + 16)).toUpperCase();
  for (const tag of HTML_TAGS) {
    if (rest.startsWith(tag)) {
      const next = rest.charCodeAt(tag.length);
      if (tag === "<!--" || next === 0x20 || next === 0x3e) return "text/html; charset=utf-8";
    }
  }
  if (rest.startsWith("<?XML")) return "text/xml; charset=utf-8";
  for (const b of data) if (isBinaryByte(b)) return "application/octet-stream";
  return "text/plain; charset=utf-8";
}
