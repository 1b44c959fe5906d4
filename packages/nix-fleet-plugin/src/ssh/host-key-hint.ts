// What to do when ssh refuses a host key: ssh says only that verification failed.

// The host may have dots (web1.lan, 10.0.0.5): only a dot that ends the line ends it.
const UNKNOWN = /No (\S+) host key is known for (\S+?)(?: and |\.?\r?$)/m;
const CHANGED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for (\S+) has changed/;
// The text is a remote command's whole stderr, which the target writes too: a host that is not a
// plain name or address (`$(...)`, `;`, a leading `-`) is never pasted into a command.
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9._%:-]*$/;
// ssh writes a host on another port than 22 as [host]:port, which ssh-keyscan does not read.
const WITH_PORT = /^\[([A-Za-z0-9_][A-Za-z0-9._%:-]*)\]:(\d{1,5})$/;

interface Named {
  name: string;
  scan: string;
  file: string;
  known: string;
}

function named(found: string | undefined): Named {
  const port = found === undefined ? null : WITH_PORT.exec(found);
  if (port) {
    const [, host, number] = port;
    return { name: found!, scan: `-p ${number} ${host}`, file: `/tmp/${host}_${number}.key`, known: `'${found}'` };
  }
  const host = found !== undefined && PLAIN.test(found) ? found : '<host>';
  return { name: host, scan: host, file: `/tmp/${host}.key`, known: host };
}

/** The fix for ssh's host key failure in `text`, or undefined when it is no such failure. */
export function hostKeyHint(text: string): string | undefined {
  if (!/Host key verification failed/.test(text) && !UNKNOWN.test(text) && !CHANGED.test(text)) return undefined;
  const host = named(UNKNOWN.exec(text)?.[2] ?? /Host key for (\S+) has changed/.exec(text)?.[1]);
  const fetch = `ssh-keyscan ${host.scan} > ${host.file}; ssh-keygen -lf ${host.file}`;
  const compare = `compare the fingerprint with the one the machine itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its console)`;
  if (CHANGED.test(text)) {
    return `The host key of ${host.name} changed since known_hosts recorded it: a reinstall, or another machine at that address. Check it (${fetch}; ${compare}); only then replace the old line (ssh-keygen -R ${host.known}).`;
  }
  return (
    `ssh does not know the host key of ${host.name}. Fetch it and check it (${fetch}; ${compare}), then add it to known_hosts (cat ${host.file} >> ~/.ssh/known_hosts); ` +
    `or, for a first contact you trust, set "StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path for that host in the ssh config NIX_FLEET_SSH_CONFIG names.`
  );
}
