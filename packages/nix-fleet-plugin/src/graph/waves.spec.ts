// Waves as task dependencies, and how a task Nx added only for wave order is recognised.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addedForWave, previousWave, readWaves, taskAddedForWave, waveDependencies, waveDependency } from './waves';

describe('waves', () => {
  // Inserted out of order (as host folders may be read): the sort is the code's, not the fixture's.
  const waves = new Map([
    ['db', 5],
    ['web2', 1],
    ['canary', 0],
    ['web10', 1],
    ['web1', 1],
  ]);

  it('a host depends on the hosts of the next lower wave present, not on every lower one', () => {
    expect(previousWave('canary', waves)).toEqual([]);
    expect(previousWave('web2', waves)).toEqual(['canary']);
    expect(previousWave('db', waves)).toEqual(['web1', 'web10', 'web2']);
  });

  it('the dependency forwards the dependent\'s options, which name it in waveOf', () => {
    expect(waveDependency('canary', waves, 'deploy')).toEqual({});
    expect(waveDependency('db', waves, 'ship')).toEqual({
      dependsOn: { target: 'ship', projects: ['web1', 'web10', 'web2'], options: 'forward' },
      options: { waveOf: 'db' },
    });
  });

  it('the once-per-graph form gives every host what waveDependency gives it', () => {
    const of = waveDependencies(waves, 'deploy');
    expect(of('db').dependsOn?.projects).toEqual(['web1', 'web10', 'web2']);
    // Each host gets its own list: changing one host's does not change another's.
    (of('web1').dependsOn?.projects as string[]).push('x');
    expect(of('web2').dependsOn?.projects).toEqual(['canary']);
    for (const host of [...waves.keys(), 'db', 'web2', 'unknown']) expect(of(host)).toEqual(waveDependency(host, waves, 'deploy'));
  });

  it('a task whose waveOf names another host was added for order only', () => {
    expect(addedForWave({}, 'canary')).toBe(false);
    expect(addedForWave({ waveOf: 'db' }, 'db')).toBe(false);
    expect(addedForWave({ waveOf: 'db' }, 'web1')).toBe(true);
    // A finished run's task: the forwarded options are its overrides, which it may not have.
    expect(taskAddedForWave({ target: { project: 'web1', target: 'deploy' }, overrides: { waveOf: 'db' } })).toBe(true);
    expect(taskAddedForWave({ target: { project: 'db', target: 'deploy' }, overrides: { waveOf: 'db' } })).toBe(false);
    expect(taskAddedForWave({ target: { project: 'db', target: 'deploy' } } as never)).toBe(false);
  });

  it('reads deployment.wave of each host file; a broken, missing, negative or fractional one is wave 0', () => {
    const root = mkdtempSync(join(tmpdir(), 'nix-fleet-waves-'));
    const write = (host: string, text: string) => {
      mkdirSync(join(root, 'hosts', host), { recursive: true });
      writeFileSync(join(root, 'hosts', host, 'host.json'), text);
    };
    write('a', JSON.stringify({ deployment: { wave: 2 } }));
    write('b', '{ not json');
    write('c', JSON.stringify({ deployment: { wave: 'x' } }));
    write('e', JSON.stringify({ deployment: { wave: -1 } }));
    write('f', JSON.stringify({ deployment: { wave: 1.5 } }));
    const files = ['a', 'b', 'c', 'd', 'e', 'f'].map((h) => `hosts/${h}/host.json`);
    expect([...readWaves(root, files)]).toEqual([['a', 2], ['b', 0], ['c', 0], ['d', 0], ['e', 0], ['f', 0]]);
    rmSync(root, { recursive: true, force: true });
  });
});
