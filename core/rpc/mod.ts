/**
 * Client-to-server and server-to-server transport on port 4647 (HTTP/JSON, mutual TLS).
 *
 * Not built yet: issues #4 and #7.
 *
 * @module
 */
export {};
