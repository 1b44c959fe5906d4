# What a host's backup holds, from its roles, and what it must never hold in clear: the SSH host
# key is the host's sops (age) key, so a copy of it decrypts every secret of the host.
# Builtins only, so tests evaluate it on the real host.json files.
let
  inherit (builtins)
    attrNames
    concatLists
    elem
    filter
    foldl'
    map
    substring
    stringLength
    ;
  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  under = dir: path: dir == "/" || path == dir || substring 0 (stringLength dir + 1) path == "${dir}/";
in
rec {
  # Paths each role's data lives in. The database role's dumps (postgresqlBackup), not the live
  # cluster files, which a copy taken while PostgreSQL runs may leave inconsistent.
  roleDefaults = {
    database = [ "/var/backup/postgresql" ];
    docker = [ "/srv" ];
    storage = [ "/srv" ];
    web = [ "/var/www" ];
    monitoring = [ "/var/lib/grafana" ];
  };

  # Never backed up: the host's identity and the keys that decrypt its secrets.
  forbidden = [
    "/etc/ssh"
    "/var/lib/sops-nix"
    "/run/secrets"
    "/root/.config/sops"
  ];

  # The default set for a host.json record (its roles), with the database dump location given.
  defaultPaths =
    {
      host,
      databaseDumps ? "/var/backup/postgresql",
    }:
    unique (
      concatLists (
        map (
          role: if role == "database" then [ databaseDumps ] else roleDefaults.${role} or [ ]
        ) (host.roles or [ ])
      )
    );

  # Messages for paths that would copy a forbidden directory (or "/", which holds them all).
  problems =
    paths:
    map (
      p:
      "profiles.server.roles.backup.paths: ${p} holds ${
        builtins.head (filter (f: under p f || under f p) forbidden)
      }, the host's identity and the key to its secrets; leave it out (docs/Server-Deployment.md, Backups and restore)."
    ) (filter (p: builtins.any (f: under f p || under p f) forbidden) paths);

  # Host names whose host.json lists the backup role.
  backedUp = hosts: filter (name: elem "backup" (hosts.${name}.roles or [ ])) (attrNames hosts);
}
