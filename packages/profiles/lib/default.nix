# The fleet library: directory imports, host discovery and pure firewall/deploy helpers.
{
  importDir = import ./import-dir.nix;
  readHosts = import ./read-hosts.nix;
  hostModule = import ./host-module.nix;
  mkFleet = import ./mk-fleet.nix;
  firewall = import ./firewall.nix;
  deployTarget = import ./deploy-target.nix;
}
