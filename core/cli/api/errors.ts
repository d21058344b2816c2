/**
 * The errors of the API client, worded like Nomad's Go client so that commands print what
 * Nomad prints: an HTTP answer other than 200 is an {@link UnexpectedResponseError}
 * (`Unexpected response code: 404 (job not found)`); a request that never got an answer is a
 * {@link RequestError} (`Get "http://127.0.0.1:4646/v1/jobs": dial tcp 127.0.0.1:4646: connect:
 * connection refused`).
 *
 * @module
 */

/** The agent answered with a status code other than the one expected (200). */
export class UnexpectedResponseError extends Error {
  override readonly name = "UnexpectedResponseError";
  /** The HTTP status code, e.g. 404. */
  readonly statusCode: number;
  /** The status text, e.g. `Not Found`. */
  readonly statusText: string;
  /** The response body with surrounding white space removed: Nomad's error text. */
  readonly body: string;

  constructor(statusCode: number, statusText: string, body: string, options?: ErrorOptions) {
    const trimmed = body.trim();
    let message = "Unexpected response code";
    if (trimmed !== "" || statusCode !== 0) message += ": ";
    if (statusCode !== 0) message += String(statusCode) + (trimmed !== "" ? " " : "");
    if (trimmed !== "") message += `(${trimmed})`;
    super(message, options);
    this.statusCode = statusCode;
    this.statusText = statusText;
    this.body = trimmed;
  }
}

/** A request that got no HTTP answer: connection refused, unknown host, TLS failure, ... */
export class RequestError extends Error {
  override readonly name = "RequestError";
}

/** Whether `err` is an answer with status `code` (e.g. 404 for "not found"). */
export function isStatus(err: unknown, code: number): boolean {
  return err instanceof UnexpectedResponseError && err.statusCode === code;
}

/** Go's `url.Error` operation name for a method: `Get`, `Put`, `Delete`, ... */
function opName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

function innermostMessage(err: unknown): string {
  let e: unknown = err;
  let message = e instanceof Error ? e.message : String(e);
  while (e instanceof Error && e.cause !== undefined) {
    e = e.cause;
    if (e instanceof Error) message = e.message;
  }
  return message;
}

/**
 * Describes a transport failure the way Go's HTTP client does, from the message Deno or Node
 * gives: connection refused, unknown host and certificate problems get Go's wording; anything
 * else keeps the runtime's text after the "error sending request" preamble.
 */
export function describeRequestFailure(method: string, url: URL, err: unknown): string {
  const raw = innermostMessage(err);
  const host = url.hostname;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  let detail = raw.replace(/^error sending request for url \([^)]*\):\s*/, "");
  if (/connection refused|ECONNREFUSED/i.test(raw)) {
    detail = `dial tcp ${host}:${port}: connect: connection refused`;
  } else if (/dns error|failed to lookup address|ENOTFOUND|Name or service not known/i.test(raw)) {
    detail = `dial tcp: lookup ${host}: no such host`;
  } else if (/UnknownIssuer|unable to verify|self[- ]signed|unknown authority/i.test(raw)) {
    detail = "tls: failed to verify certificate: x509: certificate signed by unknown authority";
  } else if (/NotValidForName|Hostname\/IP does not match|altnames/i.test(raw)) {
    detail = `tls: failed to verify certificate: x509: certificate is not valid for ${host}`;
  }
  return `${opName(method)} "${url.href}": ${detail}`;
}
