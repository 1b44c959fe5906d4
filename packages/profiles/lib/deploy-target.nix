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
  # The port deploys connect to; sshd must listen on it.
  port = deployment.port or 22;
  # Who may reach sshd: everyone on a server (with fail2ban), only the fleet on anything else,
  # since a laptop joins networks that are not yours.
  sshOpenTo = if (host.type or null) == "server" then "everyone" else "fleet";
}
