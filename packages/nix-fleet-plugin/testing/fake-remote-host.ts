// A target host in a temp folder, for specs that run the remote scripts for real in a given shell.
// nix-env and switch-to-configuration are stand-ins (NixOS cannot be activated here, see
// docs/Testing.md): they record their argv and do to the links what the real ones do. `sh` on
// PATH is the shell under test, so what the scripts start with `sh -c` runs in it too.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DeployContext } from '../src/deploy/remote-scripts';

/** The shells a target's /bin/sh may be: Debian's (dash), busybox ash, and NixOS's (bash as sh). */
export const SHELLS = ['sh', 'dash', '/bin/busybox sh', 'bash'];

const which = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf-8' }).stdout.trim();

// Calls are recorded as their arguments, each ended by \x1f, and the call by \x1e: no argument
// (a path with a newline) can be mistaken for another.
const RECORD = `{ for a do printf '%s\\037' "$a"; done; printf '\\036'; }`;

/** nix-env -p PROFILE with --set, --switch-generation, --rollback or --delete-generations, as Nix does them. */
const NIX_ENV = `#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
${RECORD} >> "$here/../nix-env.calls"
[ "$1" = -p ] || { echo "fake nix-env: -p PROFILE comes first" >&2; exit 1; }
p=$2; shift 2
cur() { readlink "$p" | sed -n 's/^.*-\\([0-9][0-9]*\\)-link$/\\1/p'; }
max() {
  m=0
  for l in "$p"-*-link; do
    [ -L "$l" ] || continue
    n=\${l#"$p"-}; n=\${n%-link}
    case $n in ''|*[!0-9]*) continue ;; esac
    [ "$n" -gt "$m" ] && m=$n
  done
  echo "$m"
}
point() { ln -sfn "$(basename "$p")-$1-link" "$p.new" && mv -T "$p.new" "$p"; }
case $1 in
  # Like Nix, --set reuses the newest generation when it already holds the system.
  --set) m=$(max); if [ "$m" -gt 0 ] && [ "$(readlink -f "$p-$m-link")" = "$2" ]; then point "$m"; else ln -s "$2" "$p-$((m + 1))-link" && point $((m + 1)); fi ;;
  --switch-generation) [ -L "$p-$2-link" ] || { echo "error: generation $2 does not exist" >&2; exit 1; }; point "$2" ;;
  --rollback)
    n=$(($(cur) - 1))
    while [ "$n" -gt 0 ] && [ ! -L "$p-$n-link" ]; do n=$((n - 1)); done
    [ "$n" -gt 0 ] || { echo "error: no generation older than the current" >&2; exit 1; }
    point "$n" ;;
  --delete-generations) [ "$2" = "$(cur)" ] && { echo "error: cannot delete the current generation" >&2; exit 1; }; rm -f "$p-$2-link" ;;
  *) echo "fake nix-env: $1 is not faked" >&2; exit 1 ;;
esac
`;

/**
 * Every system's bin/switch-to-configuration links here. Like NixOS: switch and test make the
 * system the running one; switch and boot make the profile's system the boot default.
 */
const SWITCH = `#!/bin/sh
host=$(dirname "$(dirname "$(readlink -f "$0")")")
sys=$(dirname "$(dirname "$0")")
{ printf '%s\\037' "$sys"; ${RECORD}; } >> "$host/switch.calls"
case $1 in
  switch|test) ln -sfn "$sys" "$host/current.new" && mv -T "$host/current.new" "$host/current" ;;
esac
case $1 in
  switch|boot) ln -sfn "$(readlink -f "$host/profile")" "$host/boot.new" && mv -T "$host/boot.new" "$host/boot" ;;
esac
[ ! -e "$sys/fails" ]
`;

export class FakeRemoteHost {
  readonly bin: string;
  readonly profile: string;
  readonly current: string;
  /** Where the scripts run (their cwd): a command substituted from a value would leave files here. */
  readonly cwd: string;

  constructor(readonly dir: string, readonly shell: string) {
    this.bin = join(dir, 'bin');
    this.profile = join(dir, 'profile');
    this.current = join(dir, 'current');
    this.cwd = join(dir, 'cwd');
    mkdirSync(this.bin, { recursive: true });
    mkdirSync(this.cwd);
    const [cmd] = shell.split(' ');
    const path = cmd.startsWith('/') ? cmd : which(cmd);
    if (!path) throw new Error(`${cmd} is not installed: tools/install-system-deps.sh installs the shells these specs run`);
    // busybox runs its sh applet when called by the name sh; bash called sh is in POSIX mode, as on NixOS.
    symlinkSync(path, join(this.bin, 'sh'));
    writeFileSync(join(this.bin, 'nix-env'), NIX_ENV);
    writeFileSync(join(this.bin, 'switch-to-configuration'), SWITCH);
    chmodSync(join(this.bin, 'nix-env'), 0o755);
    chmodSync(join(this.bin, 'switch-to-configuration'), 0o755);
  }

  /** A system whose activation succeeds, or exits 1 (after doing its work, as a half-failed switch does). */
  system(name: string, fails = false): string {
    const sys = join(this.dir, 'systems', name);
    mkdirSync(join(sys, 'bin'), { recursive: true });
    symlinkSync(join(this.bin, 'switch-to-configuration'), join(sys, 'bin', 'switch-to-configuration'));
    if (fails) writeFileSync(join(sys, 'fails'), '');
    return sys;
  }

  /** Generation links 1..n of the profile to `systems`, the profile (and boot default) at `at`, the running system `running`. */
  install(systems: string[], at: number, running: string): void {
    systems.forEach((sys, i) => symlinkSync(sys, `${this.profile}-${i + 1}-link`));
    symlinkSync(`${basename(this.profile)}-${at}-link`, this.profile);
    symlinkSync(systems[at - 1], join(this.dir, 'boot'));
    symlinkSync(running, this.current);
  }

  /** A deploy context on this host with the state the lock script reads from it. */
  context(outPath: string, mode: string, over: Partial<DeployContext> = {}): DeployContext {
    const state = this.state();
    return {
      profile: this.profile,
      outPath,
      mode,
      runDir: join(this.dir, 'state', 'dmi1aaaa0a1b2c3d1'),
      windowSeconds: 0,
      activationSeconds: 30,
      previousCurrent: state.current,
      lockDir: join(this.dir, 'state', 'deploy.lock'),
      setProfile: mode !== 'test' && mode !== 'dry-activate',
      previousProfile: state.system,
      previousProfileLink: state.link,
      currentSystemPath: this.current,
      switchGeneration: '',
      maxGeneration: String(Math.max(0, ...Object.keys(state.generations).map(Number))),
      ...over,
    };
  }

  /** Runs a remote argv (`sh -c SCRIPT NAME ARG...`) in the shell under test, on this host. */
  run(argv: string[], input?: string): { code: number | null; out: string; err: string } {
    const r = spawnSync(join(this.bin, 'sh'), argv.slice(1), { cwd: this.cwd, input, encoding: 'utf-8', env: { ...process.env, PATH: `${this.bin}:${process.env.PATH}` } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  /** nix-env's argv (after -p PROFILE) in call order. */
  nixEnvCalls(): string[][] {
    return this.calls('nix-env.calls').map((args) => args.slice(2));
  }

  /** [system, mode] of each switch-to-configuration, in call order. */
  switchCalls(): string[][] {
    return this.calls('switch.calls');
  }

  /** The running system, the profile's link and system, its generations, the boot default. */
  state() {
    const target = (link: string) => (existsSync(link) ? realpathSync(link) : '');
    const generations: Record<string, string> = {};
    for (const name of readdirSync(this.dir)) {
      const n = /^profile-(\d+)-link$/.exec(name)?.[1];
      if (n) generations[n] = readlinkSync(join(this.dir, name));
    }
    const isLink = lstatSync(this.profile, { throwIfNoEntry: false })?.isSymbolicLink();
    return { current: target(this.current), link: isLink ? readlinkSync(this.profile) : '', system: target(this.profile), generations, boot: target(join(this.dir, 'boot')) };
  }

  private calls(file: string): string[][] {
    const path = join(this.dir, file);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf-8').split('\x1e').filter(Boolean).map((call) => call.split('\x1f').slice(0, -1));
  }
}
