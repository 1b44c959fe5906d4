# Who watches whom, from the inventory: which hosts Prometheus scrapes, where they ship their
# journal, and the alert rules. Builtins only, so tests evaluate it on the real host.json files.
let
  inherit (builtins)
    attrNames
    elem
    filter
    head
    map
    toJSON
    toString
    ;
  fw = import ./firewall.nix;
  address = host: host.deployment.targetHost or null;
in
rec {
  # Directory the node exporter's textfile collector reads (backup and certificate metrics).
  textfileDir = "/var/lib/prometheus-node-exporter-text";

  # "address:port" as URLs and Prometheus targets need it: an IPv6 address goes in brackets
  # ("fd00::1:9100" is no address at all; Alloy refuses such a URL and does not start).
  hostPort =
    address: port:
    let
      bare = fw.unbracket address;
    in
    "${if fw.isIPv6 bare then "[${bare}]" else bare}:${toString port}";

  # The Prometheus target (and so the `instance` label) of a host's node exporter.
  scrapeTarget = hosts: port: name: hostPort (address hosts.${name}) port;

  # Servers with an address: the monitoring role scrapes their node exporters.
  scrapedHosts = hosts: filter (name: hosts.${name}.type == "server" && address hosts.${name} != null) (attrNames hosts);

  # Hosts with the monitoring role and an IP address, in name order; the first one receives logs.
  monitoringHosts =
    hosts:
    filter (
      name:
      elem "monitoring" (hosts.${name}.roles or [ ])
      && fw.parseAddress (fw.unbracket (toString (address hosts.${name}))) != null
    ) (attrNames hosts);

  # Loki's push URL on the fleet's monitoring host, or null when the fleet has none.
  lokiPushUrl =
    { hosts, port }:
    let
      found = monitoringHosts hosts;
    in
    if found == [ ] then null else "http://${hostPort (address hosts.${head found}) port}/loki/api/v1/push";

  # Grafana Alloy configuration: read this host's journal and push it to Loki.
  alloyConfig =
    { host, url }:
    ''
      loki.relabel "journal" {
        forward_to = []
        rule {
          source_labels = ["__journal__systemd_unit"]
          target_label  = "unit"
        }
        rule {
          source_labels = ["__journal_priority_keyword"]
          target_label  = "level"
        }
      }

      loki.source.journal "read" {
        forward_to    = [loki.write.fleet.receiver]
        relabel_rules = loki.relabel.journal.rules
        labels        = { host = ${toJSON host}, job = "systemd-journal" }
      }

      loki.write "fleet" {
        endpoint {
          url = ${toJSON url}
        }
      }
    '';

  # Prometheus alert rules for a homelab (JSON is YAML, so this is a rules file as it stands).
  alertRules =
    {
      diskPercent ? 85,
      certificateDays ? 14,
      backupMaxAgeHours ? 36,
      # "address:port" of every node exporter that must report a backup.
      backupInstances ? [ ],
    }:
    let
      realDisks = ''fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs"'';
      rule = alert: expr: for: summary: {
        inherit alert expr for;
        labels.severity = "critical";
        annotations.summary = summary;
      };
    in
    {
      groups = [
        {
          name = "fleet";
          rules = [
            (rule "HostDown" ''up{job="node"} == 0'' "5m" "{{ $labels.instance }} has not answered Prometheus for 5 minutes.")
            (rule "DiskAlmostFull"
              "(1 - node_filesystem_avail_bytes{${realDisks}} / node_filesystem_size_bytes{${realDisks}}) * 100 > ${toString diskPercent}"
              "10m"
              "{{ $labels.mountpoint }} on {{ $labels.instance }} is over ${toString diskPercent} % full."
            )
            (rule "SystemdUnitFailed" ''node_systemd_unit_state{state="failed"} == 1'' "5m" "{{ $labels.name }} failed on {{ $labels.instance }}.")
            (rule "CertificateExpiresSoon"
              "fleet_certificate_expiry_timestamp_seconds - time() < ${toString (certificateDays * 86400)}"
              "1h"
              "The certificate {{ $labels.path }} on {{ $labels.instance }} expires in less than ${toString certificateDays} days."
            )
            (rule "BackupTooOld"
              "time() - fleet_backup_last_success_timestamp_seconds > ${toString (backupMaxAgeHours * 3600)}"
              "1h"
              "The last backup of {{ $labels.instance }} is older than ${toString backupMaxAgeHours} hours."
            )
          ]
          ++ map (
            instance:
            rule "BackupMissing" ''absent(fleet_backup_last_success_timestamp_seconds{instance="${instance}"})'' "${toString backupMaxAgeHours}h" "${instance} has the backup role but has never reported a successful backup."
          ) backupInstances;
        }
      ];
    };
}
