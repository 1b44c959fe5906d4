# Loki's own configuration (not a module): single binary, filesystem storage, tsdb v13, retention.
# Kept out of roles/ because roles/default.nix imports every .nix file there as a role.
{
  port,
  # The fleet address Loki listens on; pushes come from the fleet's Alloy agents only.
  listenAddress,
  dataDir,
  retentionPeriod,
}:
{
  auth_enabled = false;
  server = {
    http_listen_address = listenAddress;
    http_listen_port = port;
    grpc_listen_address = "127.0.0.1";
  };
  common = {
    instance_addr = "127.0.0.1";
    path_prefix = dataDir;
    replication_factor = 1;
    ring.kvstore.store = "inmemory";
    storage.filesystem = {
      chunks_directory = "${dataDir}/chunks";
      rules_directory = "${dataDir}/rules";
    };
  };
  schema_config.configs = [
    {
      from = "2024-01-01";
      store = "tsdb";
      object_store = "filesystem";
      schema = "v13";
      index = {
        prefix = "index_";
        period = "24h";
      };
    }
  ];
  # Retention is done by the compactor; without it logs grow until the disk is full.
  compactor = {
    working_directory = "${dataDir}/compactor";
    retention_enabled = true;
    delete_request_store = "filesystem";
  };
  limits_config.retention_period = retentionPeriod;
  analytics.reporting_enabled = false;
}
