/**
 * The built-in task drivers (raw_exec, exec, docker, java, qemu), each a plugin module.
 *
 * Not built yet: issues #4 and #5.
 *
 * @module
 */
export {};
