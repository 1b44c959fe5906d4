# The fleet library: directory imports, host discovery and the pure helpers the profiles and
# the tests share (firewall, docker, web access, monitoring, backups, secret paths, deploy keys).
{
  importDir = import ./import-dir.nix;
  readHosts = import ./read-hosts.nix;
  hostModule = import ./host-module.nix;
  mkFleet = import ./mk-fleet.nix;
  firewall = import ./firewall.nix;
  deployTarget = import ./deploy-target.nix;
  deployKeys = import ./deploy-keys.nix;
  docker = import ./docker.nix;
  web = import ./web.nix;
  monitoring = import ./monitoring.nix;
  backup = import ./backup.nix;
  secretPath = import ./secret-path.nix;
  jsonCheck = import ./json-check.nix;
}
