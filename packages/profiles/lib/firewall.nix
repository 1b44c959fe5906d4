# Firewall plan from plain data: which ports everyone may reach and which only the fleet may.
# Builtins only, so tests evaluate it with `nix-instantiate --eval` where nixpkgs is missing.
let
  inherit (builtins)
    all
    attrNames
    concatLists
    concatStringsSep
    elem
    elemAt
    filter
    foldl'
    length
    map
    match
    split
    toString
    ;

  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  # "[fd00::1]" (the ssh form of an IPv6 address) -> "fd00::1".
  unbracket =
    s:
    let
      m = match "[[](.*)[]]" s;
    in
    if m == null then s else builtins.head m;

  # Exact decimal ranges, so 256 or a leading zero never passes for an octet or prefix.
  octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  v4Prefix = "(3[0-2]|[12]?[0-9])";
  v6Prefix = "(12[0-8]|1[01][0-9]|[1-9]?[0-9])";
  v4Text = "${octet}(\\.${octet}){3}";
  hexGroup = s: match "[0-9A-Fa-f]{1,4}" s != null;
  # Groups of one side of "::" ("" is none); the last may be dotted IPv4, which counts as two.
  v6Side =
    s:
    if s == "" then
      0
    else
      let
        groups = filter builtins.isString (split ":" s);
        last = elemAt groups (length groups - 1);
        init = builtins.genList (i: elemAt groups i) (length groups - 1);
        lastCount =
          if hexGroup last then
            1
          else if match v4Text last != null then
            2
          else
            null;
      in
      if lastCount == null || !(all hexGroup init) then null else length init + lastCount;
  isV6Text =
    s:
    let
      halves = filter builtins.isString (split "::" s);
      counts = map v6Side halves;
      total = foldl' (a: b: a + b) 0 counts;
    in
    match "[0-9A-Fa-f:.]+" s != null
    && length halves <= 2
    && !(elem null counts)
    && (if length halves == 2 then total <= 7 else total == 8);
  hostName = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*";
in
rec {
  # The only TCP ports a server may open to everyone: SSH and the web.
  publicTCPPorts = [
    22
    80
    443
  ];

  # { family = "ipv4" | "ipv6"; address; prefix (string or null); } or null when `s` is not one.
  parseAddress =
    s:
    let
      m = match "([^/]*)(/([0-9]+))?" s;
      address = elemAt m 0;
      prefix = elemAt m 2;
      prefixOk = re: prefix == null || match re prefix != null;
    in
    if m == null then
      null
    else if match v4Text address != null && prefixOk v4Prefix then
      {
        family = "ipv4";
        inherit address prefix;
      }
    else if isV6Text address && prefixOk v6Prefix then
      {
        family = "ipv6";
        inherit address prefix;
      }
    else
      null;

  # "[fd00::1]" (how ssh and URLs write an IPv6 address) -> "fd00::1".
  inherit unbracket;
  isIPv4 = s: (parseAddress s).family or null == "ipv4";
  isIPv6 = s: (parseAddress s).family or null == "ipv6";
  # A network that matches every address (0.0.0.0/0, ::/0, 0::/0, ::0/0, any "/0") would make
  # fleet-only ports public.
  isEverywhere = s: (parseAddress s).prefix or null == "0";
  # Text that means to be an address (digits and dots, or a colon) but is not a valid one.
  looksNumeric = s: match "[0-9.]+(/.*)?" s != null || match ".*:.*" s != null;
  isHostName = s: match hostName s != null && !(looksNumeric s);

  # The fleet's source addresses: every host.json deployment.targetHost that is an IP address,
  # plus `subnets` (addresses or CIDRs). Host names cannot be matched by a firewall: they are
  # listed in `unmatched`. Anything else is in `errors`, one message naming the file and field.
  fleetSources =
    {
      # Parsed host.json records keyed by host name (profiles.fleet.hosts).
      hosts,
      # Extra networks or addresses of the fleet (profiles.fleet.subnets).
      subnets ? [ ],
    }:
    let
      withTarget = filter (name: hosts.${name} ? deployment.targetHost) (attrNames hosts);
      targets = map (name: {
        inherit name;
        raw = hosts.${name}.deployment.targetHost;
        address = unbracket hosts.${name}.deployment.targetHost;
      }) withTarget;
      # A host is one address: a prefix in targetHost is a mistake, not a network.
      isHostAddress = s: parseAddress s != null && (parseAddress s).prefix == null;
      badTargets = filter (t: !(isHostAddress t.address) && !(isHostName t.address)) targets;
      badSubnets = filter (s: parseAddress s == null) subnets;
      all' = unique (
        map (t: t.address) (filter (t: isHostAddress t.address) targets)
        ++ filter (s: parseAddress s != null) subnets
      );
      usable = filter (s: !(isEverywhere s)) all';
    in
    {
      ipv4 = filter isIPv4 usable;
      ipv6 = filter isIPv6 usable;
      unmatched = map (t: t.name) (filter (t: isHostName t.address) targets);
      everywhere = filter isEverywhere all';
      errors =
        map (
          t:
          "hosts/${t.name}/host.json: deployment.targetHost \"${t.raw}\" is neither an IP address (octets 0-255, no prefix) nor a host name; fix it, every server's firewall reads it."
        ) badTargets
        ++ map (
          s:
          if isHostName s then
            "profiles.fleet.subnets: \"${s}\" is a name; a firewall matches addresses only. List its address or network, e.g. \"10.0.10.0/24\"."
          else
            "profiles.fleet.subnets: \"${s}\" is not an IP address or network (octets 0-255, prefix up to /32 for IPv4 and /128 for IPv6)."
        ) badSubnets;
    };

  # What a host opens to everyone beyond `allowed`, as "TCP 3000" / "UDP 53" / "TCP 8000-8010".
  worldViolations =
    {
      tcp ? [ ],
      udp ? [ ],
      tcpRanges ? [ ],
      udpRanges ? [ ],
      allowed ? publicTCPPorts,
    }:
    map (p: "TCP ${toString p}") (filter (p: !(elem p allowed)) tcp)
    ++ map (p: "UDP ${toString p}") udp
    ++ map (r: "TCP ${toString r.from}-${toString r.to}") tcpRanges
    ++ map (r: "UDP ${toString r.from}-${toString r.to}") udpRanges;

  # What a host opens on single interfaces (networking.firewall.interfaces, trustedInterfaces), as
  # "TCP 3000 on eth0" / "every port on eth1": open to everyone on that network, not to the fleet's
  # sources only, and not in the top-level lists worldViolations reads.
  interfaceViolations =
    {
      # networking.firewall.interfaces: { <name> = { allowedTCPPorts; ... }; }
      interfaces ? { },
      trustedInterfaces ? [ ],
      allowed ? publicTCPPorts,
    }:
    concatLists (
      map (
        name:
        let
          i = interfaces.${name};
        in
        map (v: "${v} on ${name}") (worldViolations {
          tcp = i.allowedTCPPorts or [ ];
          udp = i.allowedUDPPorts or [ ];
          tcpRanges = i.allowedTCPPortRanges or [ ];
          udpRanges = i.allowedUDPPortRanges or [ ];
          inherit allowed;
        })
      ) (attrNames interfaces)
    )
    ++ map (name: "every port on ${name}") (filter (name: name != "lo") trustedInterfaces);

  # iptables commands for networking.firewall.extraCommands: accept `tcp` ports from the sources.
  # They run before the firewall's final refuse rule, in its own nixos-fw chain (flushed on reload).
  iptablesRules =
    { sources, tcp }:
    let
      rule =
        cmd: src: port:
        "${cmd} -w -A nixos-fw -p tcp -s ${src} --dport ${toString port} -j nixos-fw-accept";
      rules = cmd: srcs: concatLists (map (src: map (rule cmd src) tcp) srcs);
    in
    concatStringsSep "\n" (rules "iptables" sources.ipv4 ++ rules "ip6tables" sources.ipv6);

  # nftables rules for networking.firewall.extraInputRules (the input-allow chain). One rule per
  # source: an address inside a listed subnet would make a set of sources overlap, which nft refuses.
  nftablesRules =
    { sources, tcp }:
    let
      ports = "{ ${concatStringsSep ", " (map toString tcp)} }";
      rule = family: src: "${family} saddr ${src} tcp dport ${ports} accept";
    in
    if tcp == [ ] then
      ""
    else
      concatStringsSep "\n" (map (rule "ip") sources.ipv4 ++ map (rule "ip6") sources.ipv6);

  # The rules for networking.firewall.backend: { extraCommands; extraInputRules; } (one empty),
  # or null for a backend (firewalld) whose rules this library cannot write.
  rulesFor =
    {
      backend,
      sources,
      tcp,
    }:
    if backend == "nftables" then
      {
        extraCommands = "";
        extraInputRules = nftablesRules { inherit sources tcp; };
      }
    else if backend == "iptables" then
      {
        extraCommands = iptablesRules { inherit sources tcp; };
        extraInputRules = "";
      }
    else
      null;
}
