// Turns nix's `--log-format internal-json` stderr into short per-host progress lines.
//
// Nix 2.8 writes one `@nix {json}` line per event: activities start and stop, and report
// results (progress counts, build log lines). We print what a person follows in a plain CI
// log or an Nx terminal pane: which host is at which step, N of M derivations, copies, and
// the build logs themselves (what -L shows), each line prefixed by the host.

// From Nix's logging.hh: activity and result types.
const ACT = { copyPath: 100, fileTransfer: 101, realise: 102, copyPaths: 103, builds: 104, build: 105, substitute: 108, postBuildHook: 110 };
const RES = { buildLogLine: 101, progress: 105, postBuildLogLine: 107 };
const LVL_INFO = 3;

interface NixEvent {
  action: 'start' | 'stop' | 'result' | 'msg' | 'setPhase';
  id?: number;
  type?: number;
  level?: number;
  text?: string;
  msg?: string;
  raw_msg?: string;
  fields?: Array<string | number>;
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const nameOf = (storePath: unknown) => String(storePath).replace(/^.*\/[0-9a-z]{32}-/, '').replace(/\.drv$/, '');

export class ProgressReporter {
  private builds = { done: 0, expected: 0, running: 0, failed: 0 };
  private buildsId?: number;
  private copies = { done: 0, expected: 0 };
  private copyPathsId?: number;
  /** Nix's first error message, without colours: the cause, before the "dependencies failed" echoes. */
  firstError?: string;

  constructor(
    private readonly host: string,
    private readonly write: (line: string) => void,
  ) {}

  step(what: string): void {
    this.write(`${this.host}: ${what}`);
  }

  /** Feed one stderr line of nix. */
  line(raw: string): void {
    if (!raw.startsWith('@nix ')) {
      if (raw.trim()) this.write(`${this.host}: ${raw.replace(ANSI, '')}`);
      return;
    }
    let e: NixEvent;
    try {
      e = JSON.parse(raw.slice(5)) as NixEvent;
    } catch {
      this.write(`${this.host}: ${raw}`);
      return;
    }
    if (e.action === 'msg') this.message(e);
    else if (e.action === 'start') this.start(e);
    else if (e.action === 'result') this.result(e);
    else if (e.action === 'stop' && e.id === this.buildsId && this.builds.expected > 0) {
      const { done, expected, failed } = this.builds;
      this.step(`built ${done} of ${expected} derivation${expected === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}`);
      this.buildsId = undefined;
    }
  }

  private message(e: NixEvent): void {
    const text = (e.msg ?? '').replace(ANSI, '');
    if ((e.level ?? 0) === 0) this.firstError ??= (e.raw_msg ?? text).replace(ANSI, '').replace(/^error: /, '').split('\n')[0];
    // Nix's errors span lines (position, code excerpt); each keeps the host prefix in a shared log.
    if ((e.level ?? 0) <= LVL_INFO && text.trim()) text.trimEnd().split('\n').forEach((l) => this.write(`${this.host}: ${l}`));
  }

  private start(e: NixEvent): void {
    const f = e.fields ?? [];
    switch (e.type) {
      case ACT.builds:
        this.buildsId = e.id;
        return;
      case ACT.build: {
        const { done, running, expected } = this.builds;
        const n = Math.max(done + running + 1, 1);
        const of = expected ? ` (${Math.min(n, expected)} of ${expected})` : '';
        this.step(`building ${nameOf(f[0])}${f[1] ? ` on ${f[1]}` : ''}${of}`);
        return;
      }
      case ACT.copyPaths:
        this.copyPathsId = e.id;
        if (e.text) this.step(e.text.replace(ANSI, ''));
        return;
      case ACT.copyPath:
        this.copies.done++;
        this.step(`copying ${nameOf(f[0])}${f[2] ? ` to ${f[2]}` : ''}${this.copies.expected ? ` (${this.copies.done} of ${this.copies.expected})` : ''}`);
        return;
      case ACT.substitute:
        this.step(`fetching ${nameOf(f[0])} from ${f[1]}`);
        return;
      default:
        if ((e.level ?? LVL_INFO + 1) <= LVL_INFO && e.text) this.step(e.text.replace(ANSI, ''));
    }
  }

  private result(e: NixEvent): void {
    const f = e.fields ?? [];
    if (e.type === RES.buildLogLine || e.type === RES.postBuildLogLine) {
      this.write(`${this.host}> ${String(f[0]).replace(ANSI, '')}`);
    } else if (e.type === RES.progress && e.id === this.buildsId) {
      const [done, expected, running, failed] = f.map(Number);
      this.builds = { done, expected, running, failed };
    } else if (e.type === RES.progress && e.id === this.copyPathsId) {
      this.copies.expected = Number(f[1]);
    }
  }
}
