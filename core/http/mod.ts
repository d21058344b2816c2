/**
 * The HTTP API on port 4646 (Nomad's /v1 paths and JSON shapes) and the web UI assets.
 *
 * Not built yet: issue #3.
 *
 * @module
 */
export {};
