/**
 * The description of a task event in `alloc status`'s "Recent Events": the event's
 * `DisplayMessage` when the client set one, otherwise built from its type and fields as Nomad's
 * CLI does (`Task started by client`, `Exit Code: 1, Exit Message: "boom"`, ...).
 *
 * @module
 */
import { formatDuration, type TaskEvent } from "../../structs/mod.ts";
import { goQuote } from "../format/quote.ts";

/** Nomad's task event types, as `TaskEvent.Type` carries them. */
export const TaskEventType = {
  Setup: "Task Setup",
  SetupFailure: "Setup Failure",
  DriverFailure: "Driver Failure",
  DriverMessage: "Driver",
  Received: "Received",
  FailedValidation: "Failed Validation",
  Started: "Started",
  Terminated: "Terminated",
  Killing: "Killing",
  Killed: "Killed",
  Restarting: "Restarting",
  NotRestarting: "Not Restarting",
  DownloadingArtifacts: "Downloading Artifacts",
  ArtifactDownloadFailed: "Failed Artifact Download",
  SiblingFailed: "Sibling Task Failed",
  Signaling: "Signaling",
  RestartSignal: "Restart Signaled",
  LeaderDead: "Leader Task Dead",
  ClientReconnected: "Reconnected",
} as const;

/** The restart reason that goes without saying. */
const WITHIN_POLICY = "Restart within policy";

const or = (value: string | null | undefined, fallback: string) => value ? value : fallback;

function killingText(e: TaskEvent): string {
  if (e.KillReason) return `Killing task: ${e.KillReason}`;
  if (e.KillTimeout) {
    return `Sent interrupt. Waiting ${formatDuration(e.KillTimeout)} before force killing`;
  }
  return "Sent interrupt";
}

function terminatedText(e: TaskEvent): string {
  const parts = [`Exit Code: ${e.ExitCode ?? 0}`];
  if (e.Signal) parts.push(`Signal: ${e.Signal}`);
  if (e.Message) parts.push(`Exit Message: ${goQuote(e.Message)}`);
  return parts.join(", ");
}

function signalingText(e: TaskEvent): string {
  const sig = e.TaskSignal ?? "";
  const reason = e.TaskSignalReason ?? "";
  if (sig === "" && reason === "") return "Task being sent a signal";
  if (sig === "") return reason;
  if (reason === "") return `Task being sent signal ${sig}`;
  return `Task being sent signal ${sig}: ${reason}`;
}

/** What "Recent Events" says about `e`. */
export function eventDescription(e: TaskEvent): string {
  if (e.DisplayMessage) return e.DisplayMessage;
  const T = TaskEventType;
  switch (e.Type) {
    case T.Setup:
      return e.Message ?? "";
    case T.Started:
      return "Task started by client";
    case T.Received:
      return "Task received by client";
    case T.FailedValidation:
      return or(e.ValidationError, "Validation of task failed");
    case T.SetupFailure:
      return or(e.SetupError, "Task setup failed");
    case T.DriverFailure:
      return or(e.DriverError, "Failed to start task");
    case T.DownloadingArtifacts:
      return "Client is downloading artifacts";
    case T.ArtifactDownloadFailed:
      return or(e.DownloadError, "Failed to download artifacts");
    case T.Killing:
      return killingText(e);
    case T.Killed:
      return or(e.KillError, "Task successfully killed");
    case T.Terminated:
      return terminatedText(e);
    case T.Restarting: {
      const delay = `Task restarting in ${formatDuration(e.StartDelay ?? 0)}`;
      const reason = e.RestartReason ?? "";
      return reason !== "" && reason !== WITHIN_POLICY ? `${reason} - ${delay}` : delay;
    }
    case T.NotRestarting:
      return or(e.RestartReason, "Task exceeded restart policy");
    case T.SiblingFailed:
      return e.FailedSibling
        ? `Task's sibling ${goQuote(e.FailedSibling)} failed`
        : "Task's sibling failed";
    case T.Signaling:
      return signalingText(e);
    case T.RestartSignal:
      return or(e.RestartReason, "Task signaled to restart");
    case T.DriverMessage:
      return e.DriverMessage ?? "";
    case T.LeaderDead:
      return "Leader Task in Group dead";
    case T.ClientReconnected:
      return "Client reconnected";
    default:
      return e.Message ?? "";
  }
}
