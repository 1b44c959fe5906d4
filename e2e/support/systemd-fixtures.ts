// Fixture systems for systemd test hosts: a switch-to-configuration that does to systemd what
// NixOS's does, in miniature, and the units a system carries.
import { nixString } from '../../packages/nix-fleet-plugin/src/generators/shared/nix-text';
import { ACTIVATION_LOG } from './deploy-fixtures';
import type { FixtureHost } from './fixture-fleet';
import type { TestHost } from './test-hosts';

/** Where the fixture's boot loader points: the system the next boot starts (switch and boot set it). */
export const BOOT_ENTRY = '/boot/nixos-default';
/** The port of the fixture's HTTP service; it serves /version, the system's version. */
export const WEB_PORT = 8080;
export const WEB_UNIT = 'fixture-web.service';
export const webUrl = `http://127.0.0.1:${WEB_PORT}/version`;

/**
 * switch-to-configuration in miniature. switch and test: install the system's units under
 * /etc/systemd/system (those the previous system installed and this one lacks are stopped and
 * removed), point /run/current-system at the system, daemon-reload, restart every unit whose
 * definition changed (drop-ins count for their unit, ssh.service too), and exit 4 when one fails
 * to start, as NixOS's does. switch and boot: point the boot entry at the system. Every run is
 * one line "<mode> <system>" in the activation log, like recordingSwitchScript's.
 */
export const SYSTEMD_SWITCH = `#!/bin/sh
sys=$(cd "$(dirname "$0")/.." && pwd)
mode=$1
mkdir -p /nix/var/nix-fleet
echo "$mode $sys" >> ${ACTIVATION_LOG}
dir=/etc/systemd/system
manifest=$dir/.nix-fleet-units
files() { if [ -d "$1" ]; then (cd "$1" && find . -type f | sed 's|^\\./||' | sort); fi; }
unit_of() { u=\${1%%/*}; echo "\${u%.d}"; }
changed=""; gone=""
for f in $(files "$sys$dir"); do
  cmp -s "$sys$dir/$f" "$dir/$f" || changed="$changed $(unit_of "$f")"
done
# A unit file gone stops its unit; a drop-in gone changes its unit.
for f in $(cat "$manifest" 2>/dev/null); do
  [ -e "$sys$dir/$f" ] && continue
  case "$f" in */*) changed="$changed $(unit_of "$f")" ;; *) gone="$gone $(unit_of "$f")" ;; esac
done
case "$mode" in
  dry-activate) echo "would restart the following units:$changed"; echo "would stop the following units:$gone"; exit 0 ;;
  boot) ln -sfn "$sys" ${BOOT_ENTRY}; echo "activated boot $sys"; exit 0 ;;
  switch|test) ;;
  *) echo "unknown mode $mode" >&2; exit 1 ;;
esac
for u in $gone; do systemctl stop "$u"; done
for f in $(cat "$manifest" 2>/dev/null); do [ -e "$sys$dir/$f" ] || rm -f "$dir/$f"; done
for f in $(files "$sys$dir"); do mkdir -p "$(dirname "$dir/$f")"; cp "$sys$dir/$f" "$dir/$f.tmp" && mv "$dir/$f.tmp" "$dir/$f"; done
files "$sys$dir" > "$manifest"
ln -sfn "$sys" /run/current-system
systemctl daemon-reload
rc=0; failed=""
for u in $(printf '%s\\n' $changed | sort -u); do
  echo "restarting $u"
  systemctl restart "$u" || { failed="$failed $u"; rc=4; }
done
[ "$mode" = switch ] && ln -sfn "$sys" ${BOOT_ENTRY}
if [ -n "$failed" ]; then echo "warning: the following units failed:$failed" >&2; fi
echo "activated $mode $sys"
exit $rc
`;

/** The HTTP service of a system at `version`; `broken` fails to start (ExecStartPre exits 1). */
export function webUnit(version: string, broken = false): string {
  return [
    '[Unit]',
    `Description=fixture web server, version ${version}`,
    '[Service]',
    ...(broken ? ['ExecStartPre=/bin/false'] : []),
    `ExecStartPre=/bin/sh -c 'mkdir -p /run/fixture-web && echo ${version} > /run/fixture-web/version'`,
    `ExecStart=/bin/busybox httpd -f -p ${WEB_PORT} -h /run/fixture-web`,
    '',
  ].join('\n');
}

export interface SystemdSystem {
  /** The web unit: absent, serving this version, or failing to start. */
  web?: 'absent' | 'serving' | 'broken';
  /**
   * A drop-in for ssh.service, so the switch restarts sshd. KillMode=control-group: the restart
   * kills every process in ssh.service's cgroup, which here (pam_systemd left out) is every ssh
   * session and whatever it started with setsid, so only what runs in a unit of its own lives on.
   * The text makes each value a distinct unit definition. TimeoutStopSec: on this machine's
   * cgroup v1 systemd in a container does not learn that a cgroup emptied, so a stop that
   * signalled more than the main process waits out the whole timeout (90 s by default).
   */
  sshdDropIn?: string;
  /** Seconds the switch sleeps after its work (a slow activation). */
  sleepSeconds?: number;
  /**
   * Ignore SIGTERM and wait this long before any work, then log "<mode> <system> complete":
   * an activation only SIGKILL stops, which lands late unless it is killed.
   */
  ignoreTermSeconds?: number;
}

function switchWith(s: SystemdSystem): string {
  let text = SYSTEMD_SWITCH;
  const complete = `echo "$mode $sys complete" >> ${ACTIVATION_LOG}`;
  if (s.sleepSeconds) text = text.replace(/\nexit \$rc\n$/, `\nsleep ${s.sleepSeconds}\n${complete}\nexit $rc\n`);
  if (s.ignoreTermSeconds) text = text.replace('\ndir=/etc/systemd/system\n', `\ntrap '' TERM\nsleep ${s.ignoreTermSeconds}\n${complete}\ndir=/etc/systemd/system\n`);
  return text;
}

/** A fixture host for a systemd test host: the package at `version`, its units and the systemd switch. */
export function systemdHostFixture(host: TestHost, version: string, system: SystemdSystem = {}, deployment: Record<string, unknown> = {}): FixtureHost {
  const units: Record<string, string> = {};
  if ((system.web ?? 'serving') !== 'absent') units[WEB_UNIT] = webUnit(version, system.web === 'broken');
  if (system.sshdDropIn) {
    units['ssh.service.d/nix-fleet-fixture.conf'] = `# ${system.sshdDropIn}\n[Service]\nKillMode=control-group\nTimeoutStopSec=2s\nExecStartPre=/bin/sleep 1\n`;
  }
  const attrs = Object.entries(units)
    .map(([name, text]) => `    ${nixString(name)} = ${nixString(text)};\n`)
    .join('');
  return {
    name: host.name,
    packages: [{ name: `${host.name}-app`, version, size: 65536 }],
    hostJson: { deployment: { targetHost: host.name, ...deployment } },
    extraConfig: `  switchScript = ${nixString(switchWith(system))};\n  units = {\n${attrs}  };\n`,
  };
}

/** What the host's web service answers (empty when nothing listens). */
export async function webVersion(host: TestHost): Promise<string> {
  return (await host.exec(['sh', '-c', `curl -fsS --max-time 2 ${webUrl} 2>/dev/null || true`])).trim();
}
