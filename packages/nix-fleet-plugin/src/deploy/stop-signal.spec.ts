// What stops a deploy from outside: signals, the IPC channel closing, a new parent process.
import { EventEmitter } from 'node:events';
import { stopExitCode, watchForStop, type Watched } from './stop-signal';

class FakeProcess extends EventEmitter {
  ppid = 100;
  pid = 200;
  connected = true;
  stdout = new EventEmitter();
  stderr = new EventEmitter();
}
const watch = (p: FakeProcess) => watchForStop(p as unknown as Watched, 10);
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchForStop', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'])('%s aborts with its name', (signal) => {
    const p = new FakeProcess();
    const stop = watch(p);
    p.emit(signal);
    expect(stop.signal.reason).toBe(signal);
    stop.dispose();
  });

  it('the IPC channel closing means nx is gone', () => {
    const p = new FakeProcess();
    const stop = watch(p);
    p.emit('disconnect');
    expect(stop.signal.reason).toBe('nx is gone (its IPC channel closed)');
    stop.dispose();
  });

  it('a new parent process means nx is gone, though no channel told', async () => {
    const p = new FakeProcess();
    p.connected = false;
    const stop = watch(p);
    await later(30);
    expect(stop.signal.aborted).toBe(false);
    p.ppid = 1;
    await later(30);
    expect(stop.signal.reason).toBe('nx is gone (parent process 100 ended)');
    stop.dispose();
  });

  it('the first reason stays; dispose leaves no handler behind', () => {
    const p = new FakeProcess();
    const stop = watch(p);
    p.emit('SIGTERM');
    p.emit('SIGINT');
    expect(stop.signal.reason).toBe('SIGTERM');
    stop.dispose();
    expect(['SIGINT', 'SIGTERM', 'SIGHUP', 'disconnect'].map((e) => p.listenerCount(e))).toEqual([0, 0, 0, 0]);
    expect(p.stdout.listenerCount('error')).toBe(0);
    expect(p.stderr.listenerCount('error')).toBe(0);
  });

  it('with nx gone, a failed write to stdout or stderr (EPIPE) is ignored, not thrown', () => {
    const p = new FakeProcess();
    const stop = watch(p);
    expect(() => p.stdout.emit('error', new Error('write EPIPE'))).not.toThrow();
    expect(() => p.stderr.emit('error', new Error('write EPIPE'))).not.toThrow();
    stop.dispose();
    expect(() => p.stderr.emit('error', new Error('write EPIPE'))).toThrow('EPIPE');
  });

  it('watches a process without stdout and stderr streams', () => {
    const p = new FakeProcess();
    Object.assign(p, { stdout: undefined, stderr: undefined });
    const stop = watch(p);
    p.emit('SIGINT');
    expect(stop.signal.reason).toBe('SIGINT');
    expect(() => stop.dispose()).not.toThrow();
  });

  it('without an IPC channel, only the parent process tells that nx is gone', () => {
    const p = new FakeProcess();
    p.connected = false;
    const stop = watch(p);
    expect(p.listenerCount('disconnect')).toBe(0);
    stop.dispose();
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['nx is gone (its IPC channel closed)', 1],
  ])('exit code after %s: %i', (why, code) => expect(stopExitCode(why)).toBe(code));
});
