/**
 * The agent configuration: Nomad's `Config` struct and its blocks, declared once with the
 * schema language of core/structs. Each field carries its Go name (the key `GET /v1/agent/self`
 * shows under `config`) and its HCL name (the key a configuration file uses), so the same
 * declaration drives the file decoder, the zero values, merging and the API view.
 *
 * Blocks nomad-ts reads but does not act on yet (the client, Consul, Vault, ...) are accepted
 * and kept, so a Nomad configuration loads unchanged.
 *
 * @module
 */
import {
  anyValue,
  bool,
  dur,
  float,
  type Infer,
  inline,
  int,
  list,
  optBool,
  optInt,
  optStr,
  str,
  strList,
  strMap,
  struct,
} from "../structs/schema.ts";

const block = (name: string) => ({ name, block: true });

/** `ports { http rpc serf }`. */
export const PortsSpec = struct("Ports", {
  HTTP: int("http"),
  RPC: int("rpc"),
  Serf: int("serf"),
});

/** `addresses { http rpc serf }` and `advertise { http rpc serf }`: addresses or templates. */
export const AddressesSpec = struct("Addresses", {
  HTTP: str("http"),
  RPC: str("rpc"),
  Serf: str("serf"),
});

/** `server_join { ... }` inside `server` or `client`. */
export const ServerJoinSpec = struct("ServerJoin", {
  StartJoin: strList("start_join"),
  RetryJoin: strList("retry_join"),
  RetryMaxAttempts: int("retry_max"),
  RetryInterval: dur("retry_interval"),
});

/**
 * `server { etcd { ... } }`: nomad-ts's shared state for several servers (Nomad uses its own
 * Raft there). Without it a server keeps its state in Deno KV under its data_dir.
 */
export const EtcdConfigSpec = struct("EtcdConfig", {
  Endpoints: strList("endpoints"),
  Prefix: str("prefix"),
  CAFile: str("ca_file"),
  CertFile: str("cert_file"),
  KeyFile: str("key_file"),
});

/** `server { default_scheduler_config { ... } }`: the cluster's first scheduler configuration. */
export const DefaultSchedulerConfigSpec = struct("SchedulerConfiguration", {
  SchedulerAlgorithm: str("scheduler_algorithm"),
  PreemptionConfig: inline(
    struct("PreemptionConfig", {
      SystemSchedulerEnabled: optBool("system_scheduler_enabled"),
      SysBatchSchedulerEnabled: optBool("sysbatch_scheduler_enabled"),
      BatchSchedulerEnabled: optBool("batch_scheduler_enabled"),
      ServiceSchedulerEnabled: optBool("service_scheduler_enabled"),
    }),
    block("preemption_config"),
  ),
  MemoryOversubscriptionEnabled: bool("memory_oversubscription_enabled"),
  RejectJobRegistration: bool("reject_job_registration"),
  PauseEvalBroker: bool("pause_eval_broker"),
});

/** `server { ... }`. */
export const ServerConfigSpec = struct("ServerConfig", {
  Enabled: bool("enabled"),
  AuthoritativeRegion: str("authoritative_region"),
  BootstrapExpect: int("bootstrap_expect"),
  DataDir: str("data_dir"),
  RaftProtocol: int("raft_protocol"),
  RaftMultiplier: optInt("raft_multiplier"),
  NumSchedulers: optInt("num_schedulers"),
  EnabledSchedulers: strList("enabled_schedulers"),
  NodeGCThreshold: str("node_gc_threshold"),
  JobGCInterval: str("job_gc_interval"),
  JobGCThreshold: str("job_gc_threshold"),
  EvalGCThreshold: str("eval_gc_threshold"),
  BatchEvalGCThreshold: str("batch_eval_gc_threshold"),
  DeploymentGCThreshold: str("deployment_gc_threshold"),
  CSIVolumeClaimGCInterval: str("csi_volume_claim_gc_interval"),
  CSIVolumeClaimGCThreshold: str("csi_volume_claim_gc_threshold"),
  CSIPluginGCThreshold: str("csi_plugin_gc_threshold"),
  ACLTokenGCThreshold: str("acl_token_gc_threshold"),
  RootKeyGCInterval: str("root_key_gc_interval"),
  RootKeyGCThreshold: str("root_key_gc_threshold"),
  RootKeyRotationThreshold: str("root_key_rotation_threshold"),
  HeartbeatGrace: dur("heartbeat_grace"),
  MinHeartbeatTTL: dur("min_heartbeat_ttl"),
  MaxHeartbeatsPerSecond: float("max_heartbeats_per_second"),
  FailoverHeartbeatTTL: dur("failover_heartbeat_ttl"),
  StartJoin: strList("start_join"),
  RetryJoin: strList("retry_join"),
  RetryMaxAttempts: int("retry_max"),
  RetryInterval: dur("retry_interval"),
  RejoinAfterLeave: bool("rejoin_after_leave"),
  NonVotingServer: bool("non_voting_server"),
  RedundancyZone: str("redundancy_zone"),
  UpgradeVersion: str("upgrade_version"),
  EncryptKey: str("encrypt"),
  ServerJoin: inline(ServerJoinSpec, block("server_join")),
  Etcd: inline(EtcdConfigSpec, block("etcd")),
  DefaultSchedulerConfig: inline(DefaultSchedulerConfigSpec, block("default_scheduler_config")),
  EnableEventBroker: optBool("enable_event_broker"),
  EventBufferSize: optInt("event_buffer_size"),
  LicensePath: str("license_path"),
  DeploymentQueryRateLimit: float("deploy_query_rate_limit"),
  RaftSnapshotThreshold: optInt("raft_snapshot_threshold"),
  RaftSnapshotInterval: optStr("raft_snapshot_interval"),
  RaftTrailingLogs: optInt("raft_trailing_logs"),
  JobDefaultPriority: optInt("job_default_priority"),
  JobMaxPriority: optInt("job_max_priority"),
  JobMaxCount: optInt("job_max_count"),
  JobMaxSourceSize: optStr("job_max_source_size"),
  JobTrackedVersions: optInt("job_tracked_versions"),
  OIDCIssuer: str("oidc_issuer"),
  StartTimeout: str("start_timeout"),
  LogFile: str("log_file"),
  NonProduction: bool("non_production"),
  PlanRejectionTracker: anyValue(block("plan_rejection_tracker")),
  Search: anyValue(block("search")),
  ClientIntroduction: anyValue(block("client_introduction")),
  RaftLogStoreConfig: anyValue(block("raft_logstore")),
  RaftBoltConfig: anyValue(block("raft_boltdb")),
});

/** `client { reserved { ... } }`. */
export const ReservedSpec = struct("Resources", {
  CPU: int("cpu"),
  Cores: str("cores"),
  MemoryMB: int("memory"),
  DiskMB: int("disk"),
  ReservedPorts: str("reserved_ports"),
});

/** `client { host_volume "name" { ... } }`. */
export const HostVolumeSpec = struct("ClientHostVolumeConfig", {
  Name: str({ name: "name", label: true }),
  Path: str("path"),
  ReadOnly: bool("read_only"),
});

/** `client { host_network "name" { ... } }`. */
export const HostNetworkSpec = struct("ClientHostNetworkConfig", {
  Name: str({ name: "name", label: true }),
  CIDR: str("cidr"),
  Interface: str("interface"),
  ReservedPorts: str("reserved_ports"),
});

/** `client { ... }`: read and kept; clients run in a later version of nomad-ts. */
export const ClientConfigSpec = struct("ClientConfig", {
  Enabled: bool("enabled"),
  StateDir: str("state_dir"),
  AllocDir: str("alloc_dir"),
  AllocMountsDir: str("alloc_mounts_dir"),
  HostVolumesDir: str("host_volumes_dir"),
  HostVolumePluginDir: str("host_volume_plugin_dir"),
  CommonPluginDir: str("common_plugin_dir"),
  Servers: strList("servers"),
  NodeClass: str("node_class"),
  NodePool: str("node_pool"),
  Options: strMap(block("options")),
  Meta: strMap(block("meta")),
  ChrootEnv: strMap(block("chroot_env")),
  NetworkInterface: str("network_interface"),
  PreferredAddressFamily: str("preferred_address_family"),
  NetworkSpeed: int("network_speed"),
  CpuDisableDmidecode: bool("cpu_disable_dmidecode"),
  CpuCompute: int("cpu_total_compute"),
  MemoryMB: int("memory_total_mb"),
  DiskTotalMB: int("disk_total_mb"),
  DiskFreeMB: int("disk_free_mb"),
  ReservableCores: str("reservable_cores"),
  MaxKillTimeout: str("max_kill_timeout"),
  ClientMaxPort: int("client_max_port"),
  ClientMinPort: int("client_min_port"),
  MaxDynamicPort: int("max_dynamic_port"),
  MinDynamicPort: int("min_dynamic_port"),
  Reserved: inline(ReservedSpec, block("reserved")),
  GCInterval: dur("gc_interval"),
  GCParallelDestroys: int("gc_parallel_destroys"),
  GCDiskUsageThreshold: float("gc_disk_usage_threshold"),
  GCInodeUsageThreshold: float("gc_inode_usage_threshold"),
  GCMaxAllocs: int("gc_max_allocs"),
  GCVolumesOnNodeGC: bool("gc_volumes_on_node_gc"),
  NoHostUUID: optBool("no_host_uuid"),
  DisableRemoteExec: bool("disable_remote_exec"),
  ServerJoin: inline(ServerJoinSpec, block("server_join")),
  HostVolumes: list(HostVolumeSpec, block("host_volume")),
  CNIPath: str("cni_path"),
  CNIConfigDir: str("cni_config_dir"),
  BridgeNetworkName: str("bridge_network_name"),
  BridgeNetworkSubnet: str("bridge_network_subnet"),
  BridgeNetworkSubnetIPv6: str("bridge_network_subnet_ipv6"),
  BridgeNetworkHairpinMode: bool("bridge_network_hairpin_mode"),
  HostNetworks: list(HostNetworkSpec, block("host_network")),
  BindWildcardDefaultHostNetwork: bool("bind_wildcard_default_host_network"),
  CgroupParent: str("cgroup_parent"),
  NomadServiceDiscovery: optBool("nomad_service_discovery"),
  NodeMaxAllocs: int("node_max_allocs"),
  LogFile: str("log_file"),
  DefaultIneligible: bool("default_ineligible"),
  TemplateConfig: anyValue(block("template")),
  Artifact: anyValue(block("artifact")),
  Drain: anyValue(block("drain_on_shutdown")),
  Users: anyValue(block("users")),
  Fingerprinters: anyValue(block("fingerprint")),
  Stats: anyValue(block("stats")),
});

/** `acl { ... }`. */
export const ACLConfigSpec = struct("ACLConfig", {
  Enabled: bool("enabled"),
  TokenTTL: dur("token_ttl"),
  PolicyTTL: dur("policy_ttl"),
  RoleTTL: dur("role_ttl"),
  ReplicationToken: str("replication_token"),
  TokenMinExpirationTTL: dur("token_min_expiration_ttl"),
  TokenMaxExpirationTTL: dur("token_max_expiration_ttl"),
});

/** `tls { ... }`. */
export const TLSConfigSpec = struct("TLSConfig", {
  EnableHTTP: bool("http"),
  EnableRPC: bool("rpc"),
  VerifyServerHostname: bool("verify_server_hostname"),
  CAFile: str("ca_file"),
  CertFile: str("cert_file"),
  KeyFile: str("key_file"),
  RPCUpgradeMode: bool("rpc_upgrade_mode"),
  VerifyHTTPSClient: bool("verify_https_client"),
  TLSCipherSuites: str("tls_cipher_suites"),
  TLSMinVersion: str("tls_min_version"),
});

/** `telemetry { ... }`. Intervals stay Go duration strings, as Nomad keeps them. */
export const TelemetrySpec = struct("Telemetry", {
  InMemoryCollectionInterval: str("in_memory_collection_interval"),
  InMemoryRetentionPeriod: str("in_memory_retention_period"),
  StatsiteAddr: str("statsite_address"),
  StatsdAddr: str("statsd_address"),
  DataDogAddr: str("datadog_address"),
  DataDogTags: strList("datadog_tags"),
  PrometheusMetrics: bool("prometheus_metrics"),
  DisableHostname: bool("disable_hostname"),
  UseNodeName: bool("use_node_name"),
  CollectionInterval: str("collection_interval"),
  PublishAllocationMetrics: bool("publish_allocation_metrics"),
  PublishNodeMetrics: bool("publish_node_metrics"),
  IncludeAllocMetadataInMetrics: bool("include_alloc_metadata_in_metrics"),
  AllowedMetadataKeysInMetrics: strList("allowed_metadata_keys_in_metrics"),
  PrefixFilter: strList("prefix_filter"),
  FilterDefault: optBool("filter_default"),
  DisableDispatchedJobSummaryMetrics: bool("disable_dispatched_job_summary_metrics"),
  DisableQuotaUtilizationMetrics: bool("disable_quota_utilization_metrics"),
  DisableRPCRateMetricsLabels: bool("disable_rpc_rate_metrics_labels"),
  DisableAllocationHookMetrics: optBool("disable_allocation_hook_metrics"),
  CirconusAPIToken: str("circonus_api_token"),
  CirconusAPIApp: str("circonus_api_app"),
  CirconusAPIURL: str("circonus_api_url"),
  CirconusSubmissionInterval: str("circonus_submission_interval"),
  CirconusCheckSubmissionURL: str("circonus_submission_url"),
  CirconusCheckID: str("circonus_check_id"),
  CirconusCheckForceMetricActivation: str("circonus_check_force_metric_activation"),
  CirconusCheckInstanceID: str("circonus_check_instance_id"),
  CirconusCheckSearchTag: str("circonus_check_search_tag"),
  CirconusCheckTags: str("circonus_check_tags"),
  CirconusCheckDisplayName: str("circonus_check_display_name"),
  CirconusBrokerID: str("circonus_broker_id"),
  CirconusBrokerSelectTag: str("circonus_broker_select_tag"),
});

/** `ui { ... }`. */
export const UIConfigSpec = struct("UIConfig", {
  Enabled: optBool("enabled"),
  ShowCLIHints: optBool("show_cli_hints"),
  ContentSecurityPolicy: anyValue(block("content_security_policy")),
  Consul: anyValue(block("consul")),
  Vault: anyValue(block("vault")),
  Label: anyValue(block("label")),
});

/** `plugin "name" { args config }`: a task driver's configuration. */
export const PluginConfigSpec = struct("PluginConfig", {
  Name: str({ name: "name", label: true }),
  Args: strList("args"),
  Config: anyValue(block("config")),
});

/** The whole agent configuration (Nomad's `command/agent.Config`). */
export const ConfigSpec = struct("Config", {
  Region: str("region"),
  Datacenter: str("datacenter"),
  NodeName: str("name"),
  DataDir: str("data_dir"),
  PluginDir: str("plugin_dir"),
  LogLevel: str("log_level"),
  LogJson: bool("log_json"),
  LogFile: str("log_file"),
  LogIncludeLocation: bool("log_include_location"),
  LogRotateDuration: str("log_rotate_duration"),
  LogRotateBytes: int("log_rotate_bytes"),
  LogRotateMaxFiles: int("log_rotate_max_files"),
  BindAddr: str("bind_addr"),
  EnableDebug: bool("enable_debug"),
  Ports: inline(PortsSpec, block("ports")),
  Addresses: inline(AddressesSpec, block("addresses")),
  AdvertiseAddrs: inline(AddressesSpec, block("advertise")),
  Client: inline(ClientConfigSpec, block("client")),
  Server: inline(ServerConfigSpec, block("server")),
  ACL: inline(ACLConfigSpec, block("acl")),
  Telemetry: inline(TelemetrySpec, block("telemetry")),
  LeaveOnInt: bool("leave_on_interrupt"),
  LeaveOnTerm: bool("leave_on_terminate"),
  EnableSyslog: bool("enable_syslog"),
  SyslogFacility: str("syslog_facility"),
  DisableUpdateCheck: optBool("disable_update_check"),
  DisableAnonymousSignature: bool("disable_anonymous_signature"),
  UI: inline(UIConfigSpec, block("ui")),
  TLSConfig: inline(TLSConfigSpec, block("tls")),
  HTTPAPIResponseHeaders: strMap(block("http_api_response_headers")),
  Plugins: list(PluginConfigSpec, block("plugin")),
  /** `-dev`: set by the command line only. */
  DevMode: bool(),
  /** The configuration files loaded, in order: set by the loader only. */
  Files: strList(),
  Consul: anyValue(block("consul")),
  Vault: anyValue(block("vault")),
  RPC: anyValue(block("rpc")),
  Autopilot: anyValue(block("autopilot")),
  Limits: anyValue(block("limits")),
  Audit: anyValue(block("audit")),
  Sentinel: anyValue(block("sentinel")),
  Reporting: anyValue(block("reporting")),
  KEKProviders: anyValue(block("keyring")),
  Eventlog: anyValue(block("eventlog")),
});

/** The agent configuration. */
export type Config = Infer<typeof ConfigSpec>;
/** `server { ... }`. */
export type ServerConfig = Infer<typeof ServerConfigSpec>;
/** `client { ... }`. */
export type ClientConfig = Infer<typeof ClientConfigSpec>;
/** `tls { ... }`. */
export type TLSConfig = Infer<typeof TLSConfigSpec>;
/** `plugin "name" { ... }`. */
export type PluginConfig = Infer<typeof PluginConfigSpec>;
/** `ports { ... }`. */
export type Ports = Infer<typeof PortsSpec>;
/** `addresses { ... }` / `advertise { ... }`. */
export type Addresses = Infer<typeof AddressesSpec>;

/**
 * Blocks nomad-ts accepts but does not act on: loading a file that sets one warns once, so
 * nobody believes an integration is on when it is not.
 */
export const IGNORED_BLOCKS: Readonly<Record<string, string>> = {
  consul: "nomad-ts does not integrate with Consul",
  vault: "nomad-ts does not integrate with Vault",
  audit: "audit logging is a Nomad Enterprise feature",
  sentinel: "Sentinel policies are a Nomad Enterprise feature",
  reporting: "license reporting is a Nomad Enterprise feature",
  eventlog: "the Windows event log is not supported",
};

/** Fields whose lists are concatenated by a merge rather than replaced (as Nomad does). */
export const APPENDED_LISTS: ReadonlySet<string> = new Set([
  "Files",
  "Client.Servers",
  "Server.EnabledSchedulers",
  "Server.StartJoin",
  "Server.RetryJoin",
]);
