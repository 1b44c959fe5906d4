# Server role "web": Nginx with virtual hosts, recommended settings and Let's Encrypt (ACME).
# Unknown names get nothing (a default server that closes), fleet-only sites allow the fleet only.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.web;
  web = import ../../lib/web.nix;
  monitoring = import ../../lib/monitoring.nix;
  inherit (config.profiles.fleet) sources;
  inherit (lib) mkIf mkEnableOption mkOption types;
  usesAcme = lib.any (vhost: vhost.acme) (lib.attrValues cfg.virtualHosts);

  vhostOptions = {
    options = {
      root = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/var/www/example";
        description = "Directory served as static files; created on boot, owned by nginx.";
      };
      proxyPass = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "http://127.0.0.1:3000";
        description = "Backend this virtual host forwards to (instead of `root`).";
      };
      access = mkOption {
        type = types.nullOr (
          types.enum [
            "public"
            "fleet"
          ]
        );
        default = null;
        description = ''
          Who may use this site: `"public"` (everyone) or `"fleet"` (only the fleet's sources,
          {option}`profiles.fleet.subnets` and every host's address; others get 403). `null`:
          `"fleet"` for a `proxyPass` site (a proxied service is as private as its port),
          `"public"` for static files.
        '';
      };
      acme = mkOption {
        type = types.bool;
        default = true;
        description = "Get a Let's Encrypt certificate and redirect HTTP to HTTPS. Needs public DNS.";
      };
    };
  };
in
{
  options.profiles.server.roles.web = {
    enable = mkEnableOption "the web role (Nginx, ACME certificates)";

    virtualHosts = mkOption {
      type = types.attrsOf (types.submodule vhostOptions);
      default = { };
      example = lib.literalExpression ''{ "example.org" = { proxyPass = "http://127.0.0.1:3000"; }; }'';
      description = "Sites this server answers for, keyed by domain name.";
    };

    recommendedSettings = mkOption {
      type = types.bool;
      default = true;
      description = "Nginx's recommended gzip, optimisation, proxy and TLS settings.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = "Open ports 80 and 443 to everyone (the only ports besides SSH a server opens to everyone).";
    };

    acme = {
      email = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "admin@example.org";
        description = "Contact address for Let's Encrypt; required once a virtual host uses ACME.";
      };
      acceptTerms = mkOption {
        type = types.bool;
        default = false;
        description = "Accept the Let's Encrypt terms of service (required to get certificates).";
      };
      staging = mkOption {
        type = types.bool;
        default = false;
        description = "Use Let's Encrypt's staging server while testing, to avoid its rate limits.";
      };
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    assertions = [
      {
        assertion = !(cfg.virtualHosts ? ${web.catchAllName});
        message = "profiles.server.roles.web.virtualHosts: \"${web.catchAllName}\" is the name of the server that refuses unknown names; pick another name.";
      }
      {
        assertion = usesAcme -> (cfg.acme.email != null && cfg.acme.acceptTerms);
        message = "profiles.server.roles.web: a virtual host uses ACME; set roles.web.acme.email and roles.web.acme.acceptTerms = true, or acme = false on that host.";
      }
    ];

    services.nginx = {
      enable = true;
      recommendedGzipSettings = cfg.recommendedSettings;
      recommendedOptimisation = cfg.recommendedSettings;
      recommendedProxySettings = cfg.recommendedSettings;
      recommendedTlsSettings = cfg.recommendedSettings;
      virtualHosts = web.nginxVirtualHosts {
        inherit (cfg) virtualHosts;
        inherit sources;
      };
    };

    security.acme = mkIf usesAcme {
      inherit (cfg.acme) acceptTerms;
      defaults = {
        inherit (cfg.acme) email;
        server = mkIf cfg.acme.staging "https://acme-staging-v02.api.letsencrypt.org/directory";
      };
    };

    # The monitoring role alerts on this (CertificateExpiresSoon, lib/monitoring.nix).
    systemd.services.fleet-certificate-metric = mkIf usesAcme {
      description = "Expiry dates of ACME certificates, for the node exporter";
      path = [
        pkgs.openssl
        pkgs.coreutils
      ];
      serviceConfig.Type = "oneshot";
      script = ''
        out=${monitoring.textfileDir}/fleet-certificates.prom
        for cert in /var/lib/acme/*/cert.pem; do
          [ -s "$cert" ] || continue
          end=$(date -d "$(openssl x509 -enddate -noout -in "$cert" | cut -d= -f2)" +%s)
          printf 'fleet_certificate_expiry_timestamp_seconds{path="%s"} %s\n' "$cert" "$end"
        done > "$out.tmp"
        mv "$out.tmp" "$out"
      '';
    };
    systemd.timers.fleet-certificate-metric = mkIf usesAcme {
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = "hourly";
        Persistent = true;
      };
    };

    systemd.tmpfiles.rules = lib.mapAttrsToList (_: vhost: "d ${vhost.root} 0755 nginx nginx -") (
      lib.filterAttrs (_: vhost: vhost.root != null) cfg.virtualHosts
    );

    profiles.fleet.firewall.publicTCPPorts = lib.optionals cfg.openFirewall [
      80
      443
    ];
  };
}
