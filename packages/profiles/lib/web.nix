# Nginx's side of the fleet firewall: who may reach each virtual host, and what answers a name no
# virtual host has. Port 80/443 is public, so access is decided per site. Builtins only, tested.
let
  inherit (builtins)
    attrNames
    concatStringsSep
    filter
    head
    map
    ;
in
rec {
  # Name of the server block that answers unknown Host headers and bare IP addresses.
  catchAllName = "_unknown-host";

  # nginx closes the connection without a response (444); on 443 it refuses the TLS handshake,
  # so no other site's certificate is shown either.
  catchAll = {
    default = true;
    rejectSSL = true;
    locations."/".return = "444";
  };

  # "public" or "fleet": a proxied service is fleet-only unless it says otherwise.
  accessOf = vhost: if vhost.access != null then vhost.access else if vhost.proxyPass != null then "fleet" else "public";

  # nginx directives for a site's "/" location (ACME's challenge location stays reachable).
  accessRules =
    { access, sources }:
    if access == "public" then
      ""
    else
      concatStringsSep "\n" (map (s: "allow ${s};") (sources.ipv4 ++ sources.ipv6) ++ [ "deny all;" ]);

  # services.nginx.virtualHosts from the role's sites: each with its access rules, plus the
  # catch-all default server.
  nginxVirtualHosts =
    { virtualHosts, sources }:
    builtins.mapAttrs (_: vhost: {
      enableACME = vhost.acme;
      forceSSL = vhost.acme;
      root = vhost.root;
      locations."/" = {
        inherit (vhost) proxyPass;
        extraConfig = accessRules {
          access = accessOf vhost;
          inherit sources;
        };
      };
    }) virtualHosts
    // {
      ${catchAllName} = catchAll;
    };

  # What nginx does with a request, as nginx picks a server block: the exact name, else the
  # default server, else the first block. { server; status; } (status 444: closed, 403: denied).
  answer =
    {
      # services.nginx.virtualHosts as the web role writes them.
      virtualHosts,
      host,
      # Client address, checked against the "allow" lines of the chosen site.
      source,
    }:
    let
      names = attrNames virtualHosts;
      defaults = filter (n: virtualHosts.${n}.default or false) names;
      server =
        if virtualHosts ? ${host} then
          host
        else if defaults != [ ] then
          head defaults
        else
          head names;
      location = virtualHosts.${server}.locations."/" or { };
      rules = location.extraConfig or "";
      allowed = rules == "" || builtins.match ".*allow ${source};.*" (builtins.replaceStrings [ "\n" ] [ " " ] rules) != null;
    in
    {
      inherit server;
      status =
        if (location.return or null) == "444" then
          444
        else if !allowed then
          403
        else
          200;
    };
}
