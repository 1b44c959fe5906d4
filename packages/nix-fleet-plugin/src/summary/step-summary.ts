// On GitHub Actions a fleet table also goes to the job's summary page, the file $GITHUB_STEP_SUMMARY names.
import { appendFileSync } from 'node:fs';

/** Appends `table` under a heading, as preformatted text; does nothing outside GitHub Actions. */
export function appendStepSummary(title: string, table: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, `### ${title}\n\n\`\`\`\n${table}\n\`\`\`\n\n`);
  return true;
}
