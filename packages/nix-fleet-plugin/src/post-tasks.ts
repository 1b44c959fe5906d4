// After nx run-many: fleet-wide tables for the targets that report per host.
import type { PostTasksExecutionContext } from '@nx/devkit';
import { closureSizeSummary } from './closure/fleet-summary';
import { deploySummary } from './deploy/summary';
import type { NixFleetPluginOptions } from './graph/options';
import { operationSummaries } from './operations/summaries';
import { buildSummary } from './summary/build-summary';

/** One fleet-wide report; gets the results of every task of the run. */
export type FleetSummary = (options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext) => Promise<void> | void;

/** Each target that ends a run with a fleet table adds its summary here. */
const summaries: FleetSummary[] = [buildSummary, closureSizeSummary, deploySummary, ...operationSummaries];

export async function postTasksExecution(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext) {
  for (const summary of summaries) {
    try {
      await summary(options, context);
    } catch (e) {
      // A report must never turn a good run into a failed one.
      console.warn(`nix-fleet: could not print a fleet summary: ${(e as Error).message}`);
    }
  }
}
