/**
 * Pure scheduling: (snapshot, evaluation, now, random) -> plan, for service, batch, system and sysbatch jobs.
 *
 * Not built yet: issue #3.
 *
 * @module
 */
export {};
