// The deploy batch: each host's result goes to its own task, with its own output and result
// file; a host behind a failed one is skipped with the reason; a host's failure stops no other.
import type { TaskGraph } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import deployBatch from './batch';

const task = (host: string) => ({ id: `${host}:deploy`, target: { project: host, target: 'deploy' }, overrides: {}, outputs: [], parallelism: true });

describe('deploy batch', () => {
  const { root, context, hostJson } = executorWorkspace('deploy');

  it('hands every host its own result and output; a failed wave keeps the next from starting', async () => {
    // web1 has no target, web2 no build record, web3 a broken host.json; web4 waits for web1.
    hostJson({ type: 'server', system: 'x86_64-linux' }, 'web1');
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web2.lan' } }, 'web2');
    hostJson('{ not json', 'web3');
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web4.lan', wave: 1 } }, 'web4');
    const hosts = ['web3', 'web1', 'web4', 'web2'];
    const graph: TaskGraph = {
      roots: ['web1:deploy', 'web2:deploy', 'web3:deploy'],
      tasks: Object.fromEntries(hosts.map((h) => [`${h}:deploy`, task(h)])),
      dependencies: { 'web1:deploy': [], 'web2:deploy': [], 'web3:deploy': [], 'web4:deploy': ['web1:deploy'] },
      continuousDependencies: {},
    } as unknown as TaskGraph;
    const inputs = Object.fromEntries(hosts.map((h) => [`${h}:deploy`, {}]));
    const results: Record<string, { success: boolean; status?: string; terminalOutput: string }> = {};
    for await (const r of deployBatch(graph, inputs, {}, { ...context, projectName: undefined, targetName: undefined, taskGraph: graph })) {
      expect(results[r.task]).toBeUndefined();
      results[r.task] = r.result;
    }
    expect(Object.keys(results).sort()).toEqual(['web1:deploy', 'web2:deploy', 'web3:deploy', 'web4:deploy']);
    expect(results['web1:deploy'].terminalOutput).toContain('Host "web1" has no deployment.targetHost');
    expect(results['web2:deploy'].terminalOutput).toContain('No build record for host "web2"');
    expect(results['web3:deploy'].terminalOutput).toContain('hosts/web3/host.json');
    for (const h of ['web1', 'web2', 'web3']) {
      expect(results[`${h}:deploy`].success).toBe(false);
      // Each output is that host's alone.
      for (const other of hosts.filter((o) => o !== h)) expect(results[`${h}:deploy`].terminalOutput).not.toContain(`"${other}"`);
    }
    expect(results['web4:deploy']).toMatchObject({ success: false, status: 'skipped', terminalOutput: 'web4: not started: web1 did not deploy\n' });
    const file = (h: string) => JSON.parse(readFileSync(join(root, 'dist/deploy/hosts', `${h}.json`), 'utf-8'));
    expect(file('web1')).toMatchObject({ host: 'web1', status: 'failed', step: 'preflight' });
    expect(file('web2')).toMatchObject({ host: 'web2', status: 'failed' });
    expect(JSON.parse(readFileSync(join(root, 'dist/deploy/batch.json'), 'utf-8'))).toMatchObject({ pid: process.pid, hosts: ['web1', 'web2', 'web3', 'web4'] });
    expect(JSON.parse(readFileSync(join(root, 'dist/deploy/run-tasks.json'), 'utf-8')).hosts).toEqual(['web1', 'web2', 'web3', 'web4']);
  });
});
