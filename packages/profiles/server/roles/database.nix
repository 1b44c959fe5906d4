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
  psql = "${pg.package}/bin/psql";
  # Role names go into SQL unquoted by the shell; keep them plain identifiers.
  plainName = name: builtins.match "[a-z_][a-z0-9_]*" name != null;
  secretPath = import ../../lib/secret-path.nix;
  passwordFile = secretPath.option {
    inherit types;
    name = "profiles.server.roles.database.postgresql.passwordFiles.<role>";
  };
  # A certificate made on the machine on first start: clients get TLS (sslmode=require) at once.
  tlsDir = "/var/lib/postgresql/tls";
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
        description = ''
          Networks whose clients may log in over TLS with a password (scram-sha-256), each
          role only to its own database (`hostssl <db> <db> <network>`); plain TCP is refused.
          Non-empty makes PostgreSQL listen on TCP, with a self-signed certificate made on the
          machine (in ${tlsDir}), and opens port 5432 to the fleet only
          ({option}`profiles.fleet.firewall.fleetTCPPorts`; add a LAN to
          {option}`profiles.fleet.subnets`).
        '';
      };
      passwordFiles = mkOption {
        type = types.attrsOf passwordFile.type;
        apply = lib.mapAttrs (_: passwordFile.apply);
        default = { };
        example = lib.literalExpression ''{ app = config.sops.secrets.postgresql-app-password.path; }'';
        description = ''
          Password of each database role, read from a file (readable by `postgres`, e.g. a
          sops-nix secret with `owner = "postgres"`) and set with `ALTER ROLE` after every
          start, so rotating the secret rotates the password. A role without a file has no
          password and can only log in locally as the Unix user of the same name.
        '';
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
        description = "Open the Redis port to the fleet only; set a password (`services.redis.servers.main.requirePassFile`, via sops) first.";
      };
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) (mkMerge [
    (mkIf pg.enable {
      assertions = [
        {
          assertion = lib.all (role: lib.elem role pg.databases && plainName role) (
            lib.attrNames pg.passwordFiles
          );
          message = "profiles.server.roles.database.postgresql.passwordFiles: each name must be one of postgresql.databases (lowercase letters, digits, _); got ${toString (lib.attrNames pg.passwordFiles)}.";
        }
      ];

      services.postgresql = {
        enable = true;
        package = pg.package;
        enableTCPIP = pg.allowedNetworks != [ ];
        ensureDatabases = pg.databases;
        ensureUsers = map (db: {
          name = db;
          ensureDBOwnership = true;
        }) pg.databases;
        # One line per database and network: a role reaches only its own database, only over TLS.
        authentication = lib.concatMapStrings (
          net: lib.concatMapStrings (db: "hostssl ${db} ${db} ${net} scram-sha-256\n") pg.databases
        ) pg.allowedNetworks;
        settings = mkIf (pg.allowedNetworks != [ ]) {
          ssl = true;
          ssl_cert_file = "${tlsDir}/server.crt";
          ssl_key_file = "${tlsDir}/server.key";
        };
      };

      systemd.services.postgresql-tls = mkIf (pg.allowedNetworks != [ ]) {
        description = "Self-signed TLS certificate for PostgreSQL";
        before = [ "postgresql.service" ];
        requiredBy = [ "postgresql.service" ];
        serviceConfig = {
          Type = "oneshot";
          User = "postgres";
          RemainAfterExit = true;
          # Runs before postgresql.service has made /var/lib/postgresql on a first boot.
          StateDirectory = "postgresql";
        };
        script = ''
          if [ ! -s ${tlsDir}/server.key ]; then
            mkdir -p ${tlsDir}
            (umask 077; ${pkgs.openssl}/bin/openssl req -x509 -newkey rsa:3072 -nodes -days 3650 \
              -subj "/CN=${config.networking.hostName}" \
              -keyout ${tlsDir}/server.key -out ${tlsDir}/server.crt)
          fi
        '';
      };

      services.postgresqlBackup = mkIf pg.backup.enable {
        enable = true;
        inherit (pg.backup) location;
        compression = "zstd";
      };

      profiles.fleet.firewall.fleetTCPPorts = lib.optionals (pg.allowedNetworks != [ ]) [ 5432 ];

      # psql reads the file itself (\set with backquotes), so the password is never in argv.
      systemd.services.postgresql-passwords = mkIf (pg.passwordFiles != { }) {
        description = "Set PostgreSQL role passwords from their files";
        after = [
          "postgresql.service"
          "postgresql-setup.service"
        ];
        # The roles exist only once postgresql-setup (ensureUsers) has run.
        requires = [
          "postgresql.service"
          "postgresql-setup.service"
        ];
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          Type = "oneshot";
          User = "postgres";
          RemainAfterExit = true;
        };
        script = lib.concatStrings (
          lib.mapAttrsToList (role: file: ''
            ${psql} -X -v ON_ERROR_STOP=1 -d postgres <<'SQL'
            \set password `cat ${lib.escapeShellArg file}`
            ALTER ROLE "${role}" WITH PASSWORD :'password';
            SQL
          '') pg.passwordFiles
        );
      };
    })
    (mkIf cfg.redis.enable {
      services.redis.servers.main = {
        enable = true;
        inherit (cfg.redis) port bind;
        # Redis's own openFirewall would open the port to everyone.
        openFirewall = false;
        settings = {
          maxmemory = cfg.redis.maxMemory;
          maxmemory-policy = "allkeys-lru";
        };
      };

      profiles.fleet.firewall.fleetTCPPorts = lib.optional cfg.redis.openFirewall cfg.redis.port;
    })
  ]);
}
