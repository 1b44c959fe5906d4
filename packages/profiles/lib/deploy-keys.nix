# Whether a deploy target can be logged into after its first install: the deploy user needs an
# SSH key, or the host must say explicitly that it has none. Builtins only, tested with real Nix.
{
  # Host name, for the message.
  name,
  # host.json deployment.targetUser (null: the deploying machine's user name).
  user,
  # The public keys that user gets (profiles.base.user.sshKeys, and keyFiles).
  keys,
  # profiles.deployTarget.allowNoKey.
  allowNoKey ? false,
}:
if keys != [ ] || allowNoKey then
  null
else
  "${name} is a deploy target but ${
    if user == null then "the deploy user" else user
  } has no SSH key, so after install nobody can log in to deploy. Add your public key (the line in ~/.ssh/id_ed25519.pub) to profiles.base.user.sshKeys in hosts/${name}/configuration.nix, or set profiles.deployTarget.allowNoKey = true if keys reach the host another way."
