/**
 * The agent: configuration files, -dev defaults, and the wiring of server, client and HTTP in one process.
 *
 * Not built yet: issue #4.
 *
 * @module
 */
export {};
