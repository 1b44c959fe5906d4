import { existsSync, readFileSync } from 'node:fs';
import { cpus, freemem } from 'node:os';
import { availableMemoryMiB, currentBudget, describePlan, evalPlan } from './eval-workers';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const GiB = 1024;

describe('evalPlan', () => {
  it('spreads 10 hosts over one process per core when memory allows, in even chunks', () => {
    const plan = evalPlan(hosts(10), { availableMiB: 20 * GiB, memoryPerHostMiB: 2 * GiB, cores: 2 });
    expect(plan.hostsAtOnce).toBe(9);
    expect(plan.workers).toBe(2);
    expect(plan.chunks.map((c) => c.length)).toEqual([4, 3, 3]);
    expect(plan.chunks.flat()).toEqual(hosts(10));
  });

  it('never holds more hosts at once than memory allows: a 4 GiB laptop evaluates one host at a time', () => {
    const plan = evalPlan(hosts(5), { availableMiB: 4 * GiB, memoryPerHostMiB: 2 * GiB, cores: 8 });
    expect(plan.hostsAtOnce).toBe(1);
    expect(plan.workers).toBe(1);
    expect(plan.chunks).toEqual(hosts(5).map((h) => [h]));
  });

  it.each([
    [200, 64 * GiB, 2 * GiB, 16],
    [37, 12 * GiB, 2 * GiB, 4],
    [3, 100 * GiB, 2 * GiB, 32],
    [1, 0, 2 * GiB, 1],
  ])('%d hosts, %d MiB, %d MiB per host, %d cores: every host once, workers x chunk within memory', (n, availableMiB, memoryPerHostMiB, cores) => {
    const plan = evalPlan(hosts(n), { availableMiB, memoryPerHostMiB, cores });
    expect(plan.chunks.flat()).toEqual(hosts(n));
    expect(plan.workers).toBeLessThanOrEqual(cores);
    expect(plan.workers * Math.max(...plan.chunks.map((c) => c.length))).toBeLessThanOrEqual(Math.max(plan.hostsAtOnce, 1));
  });

  it('gives few hosts one process each, not one process for all', () => {
    expect(evalPlan(hosts(2), { availableMiB: 64 * GiB, memoryPerHostMiB: 2 * GiB, cores: 4 }).chunks).toEqual([['h1'], ['h2']]);
  });

  it('refuses a memory per host that is not positive', () => {
    expect(() => evalPlan(hosts(2), { availableMiB: GiB, memoryPerHostMiB: 0, cores: 1 })).toThrow('must be positive');
  });

  it('says what it will do', () => {
    const budget = { availableMiB: 20 * GiB, memoryPerHostMiB: 2 * GiB, cores: 2 };
    expect(describePlan(evalPlan(hosts(10), budget), budget)).toBe('evaluating 10 hosts in 3 Nix processes, 2 at a time (2 GiB per host, 20 GiB available)');
    const one = { availableMiB: 6000, memoryPerHostMiB: 1536, cores: 1 };
    expect(describePlan(evalPlan(hosts(1), one), one)).toBe('evaluating 1 host in 1 Nix process, 1 at a time (1.5 GiB per host, 5.9 GiB available)');
  });
});

describe('currentBudget', () => {
  it('uses every core of this machine (at least one) and the memory per host asked for', () => {
    expect(currentBudget(4096)).toMatchObject({ memoryPerHostMiB: 4096, cores: Math.max(1, cpus().length) });
    expect(currentBudget().availableMiB).toBeGreaterThan(0);
  });
});

describe('availableMemoryMiB', () => {
  it('reads MemAvailable, not MemFree (page cache can be given back)', () => {
    expect(availableMemoryMiB('MemTotal:       24576000 kB\nMemFree:          512000 kB\nMemAvailable:   20480000 kB\n')).toBe(20000);
  });

  (existsSync('/proc/meminfo') ? it : it.skip)('reads this machine\'s /proc/meminfo when given none', () => {
    // Give or take 256 MiB that other processes take or give back meanwhile.
    expect(Math.abs(availableMemoryMiB() - availableMemoryMiB(readFileSync('/proc/meminfo', 'utf-8')))).toBeLessThan(256);
  });

  it('falls back to free memory without MemAvailable', () => {
    // In MiB, as freemem() is a moment later (give or take 256 MiB of other processes).
    expect(Math.abs(availableMemoryMiB('MemTotal: 1 kB\n') - freemem() / 1024 / 1024)).toBeLessThan(256);
  });
});
