# Server role "database": PostgreSQL with nightly dumps, and an optional Redis instance.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.database;
  pg = cfg.postgresql;
  inherit (lib) mkIf mkEnableOption mkMerge mkOption types;
in
{
  options.profiles.server.roles.database = {
    enable = mkEnableOption "the database role (PostgreSQL, optional Redis)";

    postgresql = {
      enable = mkEnableOption "PostgreSQL" // {
        default = true;
      };
      # Pinned: a major upgrade needs a dump and restore, so it must be a deliberate change.
      package = lib.mkPackageOption pkgs "postgresql_17" { };
      databases = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "gitea" ];
        description = "Databases to create, each with an owner role of the same name.";
      };
      allowedNetworks = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "10.0.10.0/24" ];
        description = "Networks whose clients may log in with a password (scram-sha-256); non-empty opens port 5432.";
      };
      backup = {
        enable = mkEnableOption "nightly pg_dump of every database" // {
          default = true;
        };
        location = mkOption {
          type = types.str;
          default = "/var/backup/postgresql";
          description = "Directory for the compressed dumps; copy it off the machine.";
        };
      };
    };

    redis = {
      enable = mkEnableOption "a Redis instance named \"main\"";
      port = mkOption {
        type = types.port;
        default = 6379;
        description = "Redis port.";
      };
      bind = mkOption {
        type = types.nullOr types.str;
        default = "127.0.0.1";
        description = "Address Redis listens on; `null` means every interface.";
      };
      maxMemory = mkOption {
        type = types.str;
        default = "256mb";
        description = "Memory cap; least-recently-used keys are evicted beyond it.";
      };
      openFirewall = mkOption {
        type = types.bool;
        default = false;
        description = "Open the Redis port; set a password (requirePassFile via sops) first.";
      };
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) (mkMerge [
    (mkIf pg.enable {
      services.postgresql = {
        enable = true;
        package = pg.package;
        enableTCPIP = pg.allowedNetworks != [ ];
        ensureDatabases = pg.databases;
        ensureUsers = map (db: {
          name = db;
          ensureDBOwnership = true;
        }) pg.databases;
        authentication = lib.concatMapStrings (net: ''
          host all all ${net} scram-sha-256
        '') pg.allowedNetworks;
      };

      services.postgresqlBackup = mkIf pg.backup.enable {
        enable = true;
        inherit (pg.backup) location;
        compression = "zstd";
      };

      networking.firewall.allowedTCPPorts = lib.optionals (pg.allowedNetworks != [ ]) [ 5432 ];
    })
    (mkIf cfg.redis.enable {
      services.redis.servers.main = {
        enable = true;
        inherit (cfg.redis) port bind openFirewall;
        settings = {
          maxmemory = cfg.redis.maxMemory;
          maxmemory-policy = "allkeys-lru";
        };
      };
    })
  ]);
}
