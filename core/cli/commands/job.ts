/**
 * `nomad-ts job`: the group of job subcommands. Run alone it prints its help and the list of
 * subcommands (exit 1), as Nomad does.
 *
 * @module
 */
import { type Command, PROGRAM, RUN_RESULT_HELP } from "../command.ts";

/** The `job` command group. */
const job: Command = {
  name: "job",
  help: () =>
    `Usage: ${PROGRAM} job <subcommand> [options] [args]

  Groups the subcommands that work with jobs.

  Write an example job file to start from:

      $ ${PROGRAM} job init

  Check a job file for mistakes:

      $ ${PROGRAM} job validate <path>

  Submit a job, or print the JSON that would be submitted:

      $ ${PROGRAM} job run <path>
      $ ${PROGRAM} job run -output <path>

  Please see the individual subcommand help for detailed usage information.`,
  run: () => Promise.resolve(RUN_RESULT_HELP),
};
export default job;
