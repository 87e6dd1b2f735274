import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeelDateTime, parseTemporalLiteral } from '@trellis/feel';
import { runTck } from './tck.js';

// The DMN TCK, compliance levels 2 and 3, through the library's public entry points (compileDmn with the folder's
// other models as imports, evaluateDecision, evaluateDecisionService), compared as the official runners compare.

/** The test cases passing at the last recorded run (`npm run tck`, docs/dmn.md): the suite must not fall below them. */
const PASSING_AT_LEAST = { 'compliance-level-2': 116, 'compliance-level-3': 2654 } as const;

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tckRoot = resolve(repositoryRoot, '../shared/conformance/dmn-tck');

describe('the DMN TCK (compliance levels 2 and 3)', () => {
  it('passes at least the recorded number of test cases of each level', () => {
    if (!existsSync(tckRoot)) {
      throw new Error(`The DMN TCK was not found at ${tckRoot}: clone the shared folder beside the repository (<dir>/main and <dir>/shared).`);
    }
    // A fixed instant: the library reads no clock, and the suite does not depend on the day it runs.
    const run = runTck(tckRoot, { now: parseTemporalLiteral('2026-12-05T12:00:00Z') as FeelDateTime });
    const failures = run.cases.filter((c) => c.status !== 'SUCCESS').map((c) => `${c.level}/${c.folder} ${c.testFile} ${c.testCaseId}: ${c.comment}`);
    if (failures.length) console.log(`DMN TCK: ${failures.length} test cases not passed\n${failures.join('\n')}`);
    expect(run.levels['compliance-level-2'].casesPassed).toBeGreaterThanOrEqual(PASSING_AT_LEAST['compliance-level-2']);
    expect(run.levels['compliance-level-3'].casesPassed).toBeGreaterThanOrEqual(PASSING_AT_LEAST['compliance-level-3']);
  }, 180_000);
});
