// What `generations` keeps per host in dist/generations/hosts/<host>.json.
import type { HostGenerations } from './generations';

export interface GenerationsResult extends HostGenerations {
  host: string;
  status: 'ok' | 'failed';
  message?: string;
  profile: string;
  local: boolean;
  durationMs: number;
  finishedAt: number;
}
