// The deploy batch: each host's result goes to its own task, with its own output and result
// file; a host behind a failed one is skipped with the reason; a host's failure stops no other.
import type { TaskGraph } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import { readPlanResult } from '../../deploy/plan';
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

  it('once stopped (SIGINT), starts no more hosts: each reports it was not started, with a result file', async () => {
    for (const h of ['st1', 'st2', 'st3']) hostJson({ type: 'server', system: 'x86_64-linux' }, h);
    const hosts = ['st3', 'st1', 'st2'];
    const graph = { roots: hosts.map((h) => `${h}:deploy`), tasks: Object.fromEntries(hosts.map((h) => [`${h}:deploy`, task(h)])), dependencies: {}, continuousDependencies: {} } as unknown as TaskGraph;
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    // One host at a time (nx.json's parallel), whatever the environment says.
    const nxParallel = process.env.NX_PARALLEL;
    delete process.env.NX_PARALLEL;
    const results: Record<string, { success: boolean; terminalOutput: string }> = {};
    // st3 was to be planned (--mode=plan): its row in the plan table needs a plan result.
    const batch = deployBatch(graph, Object.fromEntries(hosts.map((h) => [`${h}:deploy`, h === 'st3' ? { mode: 'plan' as const } : {}])), {}, {
      ...context,
      projectName: undefined,
      targetName: undefined,
      taskGraph: graph,
      nxJsonConfiguration: { parallel: 1 },
    });
    for await (const r of batch) {
      results[r.task] = r.result;
      // Ctrl-C while the first host's result is being shown.
      if (Object.keys(results).length === 1) process.emit('SIGINT');
    }
    // The batch ends as a process stopped by SIGINT would, once its results went out (waited for first: a failed
    // expectation must not leave its exit timer to end jest).
    await new Promise((r) => setTimeout(r, 600));
    if (nxParallel !== undefined) process.env.NX_PARALLEL = nxParallel;
    expect(exit).toHaveBeenCalledWith(130);
    expect(Object.keys(results).sort()).toEqual(['st1:deploy', 'st2:deploy', 'st3:deploy']);
    // st1 ran (and failed: no targetHost); st2 and st3 never started.
    expect(results['st1:deploy'].terminalOutput).toContain('Host "st1" has no deployment.targetHost');
    for (const h of ['st2', 'st3']) {
      expect(results[`${h}:deploy`]).toMatchObject({ success: false, terminalOutput: `Deploy of ${h} was not started: the batch was stopped by SIGINT; nothing was done on this host\n` });
    }
    expect(JSON.parse(readFileSync(join(root, 'dist/deploy/hosts', 'st2.json'), 'utf-8'))).toMatchObject({ host: 'st2', status: 'failed', step: 'interrupted' });
    expect(readPlanResult(root, 'st3')).toMatchObject({ host: 'st3', status: 'failed', message: expect.stringContaining('stopped by SIGINT') });
  });
});
