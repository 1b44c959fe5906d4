// One vocabulary for package changes in every report (plan, deploy, closure-size): a code per
// kind of change, the legend under every table that uses them, and a short list for tables.
import type { PackageChange } from './diff';
import { directionOf, type ChangeDirection } from './version';

export const CHANGE_CODE: Record<ChangeDirection, string> = { upgraded: '↑', downgraded: '↓', changed: '~', added: '+', removed: '-' };

/** Under a table of single changes. */
export const CHANGE_KEY = '↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed';
/** Under every table with a `packages ↑↓~+-` column of counts. */
export const CHANGE_LEGEND = `packages ↑↓~+-: how many ${CHANGE_KEY}`;

const versions = (list: string[]) => list.filter(Boolean).join(',');

/** "↑app 1.0→1.1", "+blob 2.0", "-old 0.9": one change as a table cell shows it. */
export function changeText(c: PackageChange): string {
  const code = CHANGE_CODE[directionOf(c)];
  const text = c.kind === 'added' ? versions(c.after) : c.kind === 'removed' ? versions(c.before) : `${versions(c.before) || '?'}→${versions(c.after) || '?'}`;
  return `${code}${c.pname}${text ? ` ${text}` : ''}`;
}

/** The first `max` changes, then "+N more": what a fleet table names per host. */
export function changeList(changes: PackageChange[], max = 3): string {
  const shown = changes.slice(0, max).map(changeText);
  const more = changes.length - shown.length;
  return [...shown, ...(more > 0 ? [`+${more} more`] : [])].join(', ');
}
