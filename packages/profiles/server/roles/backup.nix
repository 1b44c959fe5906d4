# Server role "backup": restic to a repository off the host, from sops secrets, on a schedule,
# with retention, `restic check`, and a metric the monitoring role alerts on when it gets old.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.backup;
  backup = import ../../lib/backup.nix;
  monitoring = import ../../lib/monitoring.nix;
  secretPath = import ../../lib/secret-path.nix;
  secretOption = name: secretPath.option {
    inherit types name;
    nullable = true;
  };
  host = config.profiles.fleet.hosts.${config.networking.hostName} or { };
  pg = config.profiles.server.roles.database.postgresql;
  configured = cfg.repositoryFile != null && cfg.passwordFile != null;
  metric = "${monitoring.textfileDir}/fleet-backup.prom";
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.backup = {
    enable = mkEnableOption "the backup role (restic: schedule, retention, check, age alert)";

    repositoryFile = mkOption {
      inherit (secretOption "profiles.server.roles.backup.repositoryFile") type apply;
      default = null;
      example = lib.literalExpression "config.sops.secrets.restic-repository.path";
      description = ''
        File holding the restic repository, e.g. `sftp:backup@nas:/backups/web-server` or
        `s3:https://…/bucket/web-server`: somewhere off this host's disk. A sops-nix secret.
      '';
    };

    passwordFile = mkOption {
      inherit (secretOption "profiles.server.roles.backup.passwordFile") type apply;
      default = null;
      example = lib.literalExpression "config.sops.secrets.restic-password.path";
      description = ''
        File holding the repository password (a sops-nix secret). Keep a copy off the fleet:
        without it the backups cannot be read.
      '';
    };

    environmentFile = mkOption {
      inherit (secretOption "profiles.server.roles.backup.environmentFile") type apply;
      default = null;
      example = lib.literalExpression "config.sops.secrets.restic-s3-credentials.path";
      description = "Credentials for the repository as `KEY=value` lines (e.g. `AWS_ACCESS_KEY_ID`), a sops-nix secret.";
    };

    paths = mkOption {
      type = types.listOf types.str;
      default = backup.defaultPaths {
        inherit host;
        databaseDumps = pg.backup.location;
      };
      defaultText = lib.literalMD "by role: database dumps, `/srv` (docker, storage), `/var/www` (web), `/var/lib/grafana` (monitoring)";
      description = ''
        What is backed up. Never the SSH host key or sops-nix's keys (refused): they are the
        host's identity and decrypt its secrets; they are made anew when a host is rebuilt.
      '';
    };

    schedule = mkOption {
      type = types.str;
      # After the nightly database dump (services.postgresqlBackup.startAt, 01:15): at midnight
      # every snapshot would hold the day-old dump of the night before.
      default = "*-*-* 02:30:00";
      example = "daily";
      description = "When the backup runs, as a systemd calendar event (missed runs catch up at boot); after the 01:15 database dump by default.";
    };

    keep = mkOption {
      type = types.listOf types.str;
      default = [
        "--keep-daily 7"
        "--keep-weekly 5"
        "--keep-monthly 12"
      ];
      description = "Retention: the options of `restic forget --prune` run after each backup.";
    };

    checkOpts = mkOption {
      type = types.listOf types.str;
      default = [ "--read-data-subset=5%" ];
      description = "Options of the `restic check` run after each backup (reads 5 % of the data each time).";
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    assertions = [
      {
        assertion = backup.problems cfg.paths == [ ];
        message = builtins.concatStringsSep "\n" (backup.problems cfg.paths);
      }
      {
        assertion = cfg.paths != [ ];
        message = "profiles.server.roles.backup.paths is empty: no role of ${config.networking.hostName} has a default set; list what to back up.";
      }
    ];

    warnings = lib.optional (!configured) "${config.networking.hostName}: the backup role has no repositoryFile and passwordFile yet, so nothing is backed up (the BackupMissing alert says so too). Add the sops secrets (docs/Server-Deployment.md, Backups and restore).";

    services.restic.backups.fleet = mkIf configured {
      inherit (cfg) repositoryFile passwordFile environmentFile paths;
      exclude = backup.forbidden;
      initialize = true;
      timerConfig = {
        OnCalendar = cfg.schedule;
        Persistent = true;
        RandomizedDelaySec = "30m";
      };
      pruneOpts = cfg.keep;
      runCheck = true;
      inherit (cfg) checkOpts;
    };

    # Only after backup, prune and check all succeeded: the alert measures the last good run.
    systemd.services = mkIf configured {
      restic-backups-fleet.serviceConfig.ExecStartPost = [
        (pkgs.writeShellScript "fleet-backup-metric" ''
          printf 'fleet_backup_last_success_timestamp_seconds %s\n' "$(date +%s)" > ${metric}.tmp
          mv ${metric}.tmp ${metric}
        '')
      ];
    };
  };
}
