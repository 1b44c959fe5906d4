// What to do when ssh refuses a host key: ssh says only that verification failed.

// The host may have dots (web1.lan, 10.0.0.5): only a dot that ends the line ends it.
const UNKNOWN = /No (\S+) host key is known for (\S+?)(?: and |\.?\r?$)/m;
const CHANGED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for (\S+) has changed/;

/** The fix for ssh's host key failure in `text`, or undefined when it is no such failure. */
export function hostKeyHint(text: string): string | undefined {
  if (!/Host key verification failed/.test(text) && !UNKNOWN.test(text) && !CHANGED.test(text)) return undefined;
  const host = UNKNOWN.exec(text)?.[2] ?? /Host key for (\S+) has changed/.exec(text)?.[1] ?? '<host>';
  const fetch = `ssh-keyscan ${host} > /tmp/${host}.key; ssh-keygen -lf /tmp/${host}.key`;
  const compare = `compare the fingerprint with the one the machine itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its console)`;
  if (CHANGED.test(text)) {
    return `The host key of ${host} changed since known_hosts recorded it: a reinstall, or another machine at that address. Check it (${fetch}; ${compare}); only then replace the old line (ssh-keygen -R ${host}).`;
  }
  return (
    `ssh does not know the host key of ${host}. Fetch it and check it (${fetch}; ${compare}), then add it to known_hosts (cat /tmp/${host}.key >> ~/.ssh/known_hosts); ` +
    `or, for a first contact you trust, set "StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path for that host in the ssh config NIX_FLEET_SSH_CONFIG names.`
  );
}
