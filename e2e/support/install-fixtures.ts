// Fixtures of the install tests: a fixture flake whose hosts also have the attributes install
// and vm read (disko.devices.disk from the host's real disko.nix, system.build.diskoScript,
// system.build.vm), and a STAND-IN for nixos-anywhere, which cannot be downloaded here.
//
// The stand-in is no installer: it records its argv, checks what nix-fleet hands it (store
// paths that exist, a host key of mode 0600 in --extra-files), and leaves behind on a test host
// what nixos-anywhere's install phase would: the system in the host's store and system profile,
// /run/current-system (as after the reboot), and the extra files under the host's root. A test
// host shares / with this machine, so its "root" for extra files is /nix/var/installed-root in
// its private /nix. On a machine with network, a pinned nixos-anywhere from the fleet's flake
// inputs runs in its place through the same executor and argv.
import { FIXTURE_FLAKE } from './fixture-fleet';
import { sshConfigBlock } from './test-hosts';

export const INSTALLED_ROOT = '/nix/var/installed-root';

const HOST_ATTRS = `config.system.build.toplevel = builtins.seq shared lib.toplevel {`;

/** FIXTURE_FLAKE, with each host's disks, disko script and VM beside its toplevel. */
export function installFixtureFlake(): string {
  if (!FIXTURE_FLAKE.includes(HOST_ATTRS)) throw new Error('FIXTURE_FLAKE changed: update installFixtureFlake.');
  const extra = `config.disko.devices.disk =
          let
            layout = ./hosts + "/\${name}/disko.nix";
          in
          if builtins.pathExists layout then (import layout { }).disko.devices.disk else { };
        # Stand-ins: a disko script that does nothing, a VM whose run script stands in for QEMU.
        config.system.build.diskoScript = builtins.derivation {
          system = "x86_64-linux";
          name = "disko-\${name}";
          builder = "/bin/busybox";
          args = [ "sh" "-c" "echo 'echo disko stand-in' > $out" ];
        };
        config.system.build.vm = builtins.derivation {
          system = "x86_64-linux";
          name = "nixos-vm-\${name}";
          builder = "/bin/busybox";
          args = [
            "sh"
            "-c"
            "mkdir -p $out/bin && printf '#!/bin/sh\\\\necho \\"QEMU stand-in for \${name}: QEMU_NET_OPTS=$QEMU_NET_OPTS\\"\\\\n' > $out/bin/run-\${name}-vm && chmod +x $out/bin/run-\${name}-vm"
          ];
        };
        `;
  return FIXTURE_FLAKE.replace(HOST_ATTRS, `${extra}${HOST_ATTRS}`);
}

/** The nixos-anywhere stand-in (see the header). Its environment names the log and the installer's ssh config. */
export const NIXOS_ANYWHERE_STAND_IN = `#!/bin/sh
# STAND-IN for nixos-anywhere in nix-fleet's e2e tests (e2e/support/install-fixtures.ts).
set -eu
printf '%s\\n' "$@" > "$STAND_IN_LOG.$(date +%s%N)"
case "$1" in
  --store-paths)
    # Ctrl-C in the terminal while nixos-anywhere runs: SIGINT to the whole process group.
    if [ -n "\${STAND_IN_INTERRUPT:-}" ]; then kill -INT 0; sleep 30; fi
    # nixos-anywhere failing before it reached the machine (no kexec: no ssh, wrong password...).
    if [ -n "\${STAND_IN_FAIL:-}" ]; then echo "stand-in: failed as asked" >&2; exit 1; fi ;;
  --flake)
    [ "$3" = --no-use-machine-substituters ] && [ "$4" = --phases ] && [ "$5" = kexec ] && [ "$6" = --generate-hardware-config ] && [ "$7" = nixos-generate-config ] || { echo "stand-in: unexpected $*" >&2; exit 2; }
    printf '# detected by the nixos-anywhere stand-in\\n{ ... }:\\n{\\n  boot.initrd.availableKernelModules = [ "virtio_pci" ];\\n}\\n' > "$8"
    exit 0 ;;
  *) echo "stand-in: unexpected $*" >&2; exit 2 ;;
esac
disko=$2 system=$3
[ "$4" = --extra-files ] || { echo "stand-in: no --extra-files" >&2; exit 2; }
extra=$5
[ "$6" = --target-host ] && [ "$#" -eq 7 ] || { echo "stand-in: unexpected $*" >&2; exit 2; }
for p in "$disko" "$system"; do
  case "$p" in /nix/store/*) [ -e "$p" ] || { echo "stand-in: $p is not in the store" >&2; exit 2; } ;; *) echo "stand-in: $p is no store path" >&2; exit 2 ;; esac
done
key="$extra/etc/ssh/ssh_host_ed25519_key"
[ "$(stat -c %a "$key")" = 600 ] || { echo "stand-in: $key is not mode 0600" >&2; exit 2; }
# The installer is the test host as it runs now, reached with the network's ssh config.
NIX_SSHOPTS="-F $STAND_IN_SSH_CONFIG" nix copy --no-check-sigs --to "ssh-ng://$STAND_IN_HOST" "$system"
tar -C "$extra" -cf - . | ssh -F "$STAND_IN_SSH_CONFIG" "$STAND_IN_HOST" "mkdir -p ${INSTALLED_ROOT} && tar -C ${INSTALLED_ROOT} -xpf - && nix-env -p /nix/var/nix/profiles/system --set $system && ln -sfn $system /run/current-system"
echo "stand-in: installed $system"
`;

/**
 * The operator's ssh config for the installed host: the test network's block (its own known_hosts,
 * strict checking, HostKeyAlias) with an empty known_hosts, matching the address too (install's
 * probe goes to root@<address>), so only the fleet's pinned key (GlobalKnownHostsFile, which
 * nix-fleet passes on the command line, above the block's /dev/null) can let ssh in.
 */
export function operatorSshConfig(name: string, address: string, identityFile: string, emptyKnownHosts: string): string {
  return sshConfigBlock(name, address, identityFile, emptyKnownHosts).replace(`Host ${name}\n`, `Host ${name} ${address}\n`);
}
