// One host's generations as a table a person reads (`nx run web1:generations`).
import { renderTable } from '../summary/table';
import type { GenerationsResult } from './generations-result';

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function renderGenerations(r: GenerationsResult): string {
  const rows = r.generations.map((g) => [
    String(g.number),
    when(g.date),
    g.running ? 'yes' : '',
    g.boots ? 'yes' : '',
    g.system,
    [g.failed ? 'failed deploy' : '', g.activatable ? '' : 'not a NixOS system'].filter(Boolean).join(', '),
  ]);
  const table = renderTable(['gen', 'date', 'running', 'boots', 'system', 'note'], rows, [0]);
  const runsOther = r.running && !r.generations.some((g) => g.running) ? `\n${r.host} runs ${r.running}, which is no generation of ${r.profile}.` : '';
  return `${r.host}: ${r.generations.length} generation${r.generations.length === 1 ? '' : 's'} of ${r.profile}\n${table}${runsOther}`;
}
