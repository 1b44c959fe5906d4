// What the deploy-host specs share: three systems of one host, its plan, and the answers its
// fake target gives for the lock, the activation and a dropped connection.
import type { Answer } from './fake-target';
import { deployPlan, type DeployPlan } from '../src/deploy/options';

export const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
export const OLD = '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-web1';
export const OTHER = '/nix/store/zhz6kk8inmyhpklvnqhhipn1if2gqvig-nixos-system-web1';

/** web1 at web1.lan, confirmed within 2s, with `over` on top. */
export const hostPlan = (over: Partial<DeployPlan> = {}): DeployPlan => ({
  ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { confirmTimeout: 2 }, {}),
  ...over,
});
/** The lock's answer for a host that runs `system` from its profile's generation 3. */
export const running = (system: string): Answer => ({ stdout: `current=${system}\nprofile=${system}\nprofile-link=system-3-link\n` });
/** The follower's answer for an activation that ended with exit `rc`. */
export const activation = (rc: string): Answer => ({ stdout: `activating\n\nnix-fleet-activation=${rc}\n` });
export const lost: Answer = { fail: 255, stderr: 'Connection to web1.lan closed by remote host.' };
