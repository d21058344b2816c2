/**
 * The plugin host (Deno Workers with scoped permissions) and the SDK a task driver implements.
 *
 * Not built yet: issue #4.
 *
 * @module
 */
export {};
