/**
 * The request bodies of the `/v1` endpoints, declared once each in the schema language so
 * `readBody` decodes them as Go's `encoding/json` would (case-insensitive keys, zero values for
 * missing fields, every type problem reported).
 *
 * @module
 */
import {
  AllocationSpec,
  anyMap,
  bool,
  bytes,
  int,
  JobSpec,
  list,
  NodeSpec,
  optInt,
  ref,
  str,
  strList,
  strMap,
  struct,
} from "../../structs/mod.ts";

/** The region, namespace and token a write body may carry (Nomad's `WriteRequest`). */
const writeRequest = { Region: str(), Namespace: str(), SecretID: str() };

/** `PUT /v1/jobs` and `PUT /v1/job/:id` (Nomad's `api.JobRegisterRequest`). */
export const JobRegisterRequestSpec = struct("JobRegisterRequest", {
  Job: ref(JobSpec),
  EnforceIndex: bool(),
  JobModifyIndex: int(),
  PolicyOverride: bool(),
  PreserveCounts: bool(),
  PreserveResources: bool(),
  EvalPriority: int(),
  Submission: ref(struct("JobSubmission", {
    Source: str(),
    Format: str(),
    VariableFlags: strMap(),
    Variables: str(),
  })),
  ...writeRequest,
});

/** `PUT /v1/job/:id/plan`. */
export const JobPlanRequestSpec = struct("JobPlanRequest", {
  Job: ref(JobSpec),
  Diff: bool(),
  PolicyOverride: bool(),
  ...writeRequest,
});

/** `PUT /v1/validate/job`. */
export const JobValidateRequestSpec = struct("JobValidateRequest", {
  Job: ref(JobSpec),
  ...writeRequest,
});

/** `PUT /v1/jobs/parse`. */
export const JobsParseRequestSpec = struct("JobsParseRequest", {
  JobHCL: str(),
  HCLv1: bool(),
  Variables: str(),
  Canonicalize: bool(),
});

/** `PUT /v1/job/:id/evaluate`. */
export const JobEvaluateRequestSpec = struct("JobEvaluateRequest", {
  JobID: str(),
  EvalOptions: ref(struct("EvalOptions", { ForceReschedule: bool() })),
  ...writeRequest,
});

/** `PUT /v1/job/:id/revert`. */
export const JobRevertRequestSpec = struct("JobRevertRequest", {
  JobID: str(),
  JobVersion: int(),
  EnforcePriorVersion: optInt(),
  ...writeRequest,
});

/** `PUT /v1/job/:id/stable`. */
export const JobStabilityRequestSpec = struct("JobStabilityRequest", {
  JobID: str(),
  JobVersion: int(),
  Stable: bool(),
  ...writeRequest,
});

/** `PUT /v1/job/:id/scale` (Nomad's `api.ScalingRequest`). */
export const ScalingRequestSpec = struct("ScalingRequest", {
  Count: optInt(),
  Target: strMap(),
  Error: bool(),
  Message: str(),
  Meta: anyMap(),
  PolicyOverride: bool(),
  JobModifyIndex: int(),
  ...writeRequest,
});

/** `PUT /v1/job/:id/dispatch` (Nomad's `JobDispatchRequest`; `Payload` is base64). */
export const JobDispatchRequestSpec = struct("JobDispatchRequest", {
  JobID: str(),
  Payload: bytes(),
  Meta: strMap(),
  IdPrefixTemplate: str(),
  Priority: int(),
  IdempotencyToken: str(),
  ...writeRequest,
});

/** `PUT /v1/node/:id/drain` (Nomad's `api.NodeUpdateDrainRequest`). */
export const NodeDrainRequestSpec = struct("NodeUpdateDrainRequest", {
  NodeID: str(),
  DrainSpec: ref(struct("DrainSpec", { Deadline: int(), IgnoreSystemJobs: bool() })),
  MarkEligible: bool(),
  Meta: strMap(),
  ...writeRequest,
});

/** `PUT /v1/node/:id/eligibility`. */
export const NodeEligibilityRequestSpec = struct("NodeUpdateEligibilityRequest", {
  NodeID: str(),
  Eligibility: str(),
  ...writeRequest,
});

/** `DELETE /v1/evaluations`. */
export const EvalDeleteRequestSpec = struct("EvalDeleteRequest", {
  EvalIDs: strList(),
  Filter: str(),
  ...writeRequest,
});

/** `PUT /v1/search`. */
export const SearchRequestSpec = struct("SearchRequest", {
  Prefix: str(),
  Context: str(),
});

/** `PUT /v1/internal/node/register`. */
export const NodeRegisterRequestSpec = struct("NodeRegisterRequest", {
  Node: ref(NodeSpec),
  ...writeRequest,
});

/** `PUT /v1/internal/node/:id/status`. */
export const NodeStatusRequestSpec = struct("NodeUpdateStatusRequest", {
  NodeID: str(),
  Status: str(),
  ...writeRequest,
});

/** `POST /v1/internal/allocs/update`: the client's allocations, only their status used. */
export const AllocUpdateRequestSpec = struct("AllocUpdateRequest", {
  Alloc: list(AllocationSpec),
  ...writeRequest,
});

/** `POST /v1/internal/allocs/get`. */
export const AllocsGetRequestSpec = struct("AllocsGetRequest", {
  AllocIDs: strList(),
});
