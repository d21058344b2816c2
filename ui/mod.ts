/**
 * The web UI served at /ui and embedded in the binary.
 *
 * Not built yet: issue #6.
 *
 * @module
 */
export {};
