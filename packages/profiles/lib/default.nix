# The fleet library: directory imports and host discovery, shared by every fleet's flake.nix.
{
  importDir = import ./import-dir.nix;
  readHosts = import ./read-hosts.nix;
  hostModule = import ./host-module.nix;
  mkFleet = import ./mk-fleet.nix;
}
