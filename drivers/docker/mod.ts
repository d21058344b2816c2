/**
 * The docker driver: tasks in Docker containers, through the Docker Engine API on the
 * daemon's unix socket.
 *
 * @module
 */
export { DockerDriver } from "./driver.ts";
export { default as createDockerDriver } from "./driver.ts";
export {
  CONFIG_SCHEMA as DOCKER_CONFIG_SCHEMA,
  DOCKER_NAME,
  TASK_SCHEMA as DOCKER_TASK_SCHEMA,
} from "./_config.ts";
export { dockerManifest, dockerManifestFor } from "./manifest.ts";
export type { DockerDriverState } from "./_task.ts";
