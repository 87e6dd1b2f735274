/**
 * `npm run tck`: runs the DMN TCK (compliance levels 2 and 3) against `@trellis/dmn` and writes the results in the
 * TCK's CSV format (`tck_results.csv`: "folder","test file","test case id","SUCCESS|ERROR|IGNORED","comment") and a
 * summary by folder (`tck_summary.json`), printing the summary table.
 *
 * Options: --root <the dmn-tck folder> (default ../shared/conformance/dmn-tck beside the repository),
 *          --out <results directory> (default tck-results/, ignored by git),
 *          --levels <comma-separated> (default compliance-level-2,compliance-level-3),
 *          --folder <text a test folder's name must contain> (default all).
 * Exits with 1 when a test case fails.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TCK_LEVELS, runTck, tckSummaryTable, writeTckResults } from '@trellis/dmn/tck';
import { FeelDateTime, parseTemporalLiteral } from '@trellis/feel';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}

const root = resolve(repositoryRoot, arg('root', '../shared/conformance/dmn-tck'));
const out = resolve(repositoryRoot, arg('out', 'tck-results'));
const levels = arg('levels', TCK_LEVELS.join(',')).split(',');
const folder = arg('folder', '');

if (!existsSync(root)) {
  console.error(`The DMN TCK was not found at ${root}: give --root, or put the shared folder beside the repository (<dir>/main and <dir>/shared).`);
  process.exit(2);
}

// The runner, unlike the library, may read the clock: `now()` and `today()` give the time of the run.
const now = parseTemporalLiteral(new Date().toISOString()) as FeelDateTime;
const started = process.hrtime.bigint();
const run = runTck(root, { levels, now, ...(folder ? { folderFilter: (name: string) => name.includes(folder) } : {}) });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const files = writeTckResults(run, out);

console.log(tckSummaryTable(run));
const failed = run.cases.filter((c) => c.status !== 'SUCCESS');
if (failed.length) {
  console.log('\nNot passed:');
  for (const c of failed) console.log(`  ${c.level}/${c.folder} ${c.testFile} ${c.testCaseId} ${c.status}: ${c.comment}`);
}
console.log(`\n${run.cases.length - failed.length}/${run.cases.length} test cases pass in ${seconds.toFixed(1)} s; results in ${files.csv} and ${files.summary}`);
process.exit(failed.length ? 1 : 0);
