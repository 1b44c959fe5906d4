# What a host.json "deployment" asks of the host itself: sshd for the deploy user. Builtins only.
# host-module.nix sets profiles.deployTarget from it; tests evaluate it on every host.json.
host:
let
  deployment = host.deployment or { };
in
{
  # A host with an address to deploy to must keep sshd; one without is never deployed to.
  enable = deployment ? targetHost;
  # null: host.json names no user, so ssh logs in with the deploying machine's user name.
  user = deployment.targetUser or null;
}
