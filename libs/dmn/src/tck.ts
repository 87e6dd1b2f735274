// The DMN TCK runner (https://github.com/dmn-tck/tck): reads the test folders of the compliance levels, compiles each
// folder's model with the other models of the folder as imports, evaluates every test case and compares the results
// as the official runners do (numbers within 1e-8, lists item by item, contexts as maps, `errorResult` as null).
// This entry reads and writes files: it is not part of the pure library (`@trellis/dmn`), only of `@trellis/dmn/tck`.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeelContext, FeelDateTime, FeelNumber, FeelValue, feelEquals, feelToString, isList, isNumber, parseTemporalLiteral } from '@trellis/feel';
import { compileDmn } from './dmn-compiler.js';
import type { DmnProblem } from './dmn-types.js';
import { evaluateDecision, evaluateDecisionService } from './decision-evaluator.js';
import { attr, child, childrenNamed, localName, readXml, XmlElement } from './xml-reader.js';

export const TCK_LEVELS = ['compliance-level-2', 'compliance-level-3'] as const;

export type TckStatus = 'SUCCESS' | 'ERROR' | 'IGNORED';

/** One test case of a test file (all its result nodes). */
export interface TckCaseResult {
  readonly level: string;
  readonly folder: string;
  readonly testFile: string;
  readonly testCaseId: string;
  readonly status: TckStatus;
  /** Result nodes compared, and those that matched. */
  readonly results: number;
  readonly resultsPassed: number;
  /** Why it failed: the result nodes that differ, or the model's problems. */
  readonly comment: string;
}

export interface TckFolderSummary {
  readonly level: string;
  readonly folder: string;
  readonly cases: number;
  readonly casesPassed: number;
  readonly results: number;
  readonly resultsPassed: number;
}

export interface TckRun {
  readonly cases: readonly TckCaseResult[];
  readonly folders: readonly TckFolderSummary[];
  readonly levels: Readonly<Record<string, { cases: number; casesPassed: number; results: number; resultsPassed: number }>>;
}

// ---- the values of the test files -----------------------------------------------------------------------------------

/** A value of a test file (`<value xsi:type=...>`, `<list>`, `<component>`) as a FEEL value. */
export function tckValue(node: XmlElement): FeelValue {
  const value = child(node, 'value');
  const list = child(node, 'list');
  const components = childrenNamed(node, 'component');
  if (list) return childrenNamed(list, 'item').map(tckValue);
  if (components.length) return new FeelContext(new Map(components.map((c) => [attr(c, 'name') ?? '', tckValue(c)])));
  if (!value || attr(value, 'nil') === 'true') return null;
  const type = localName(attr(value, 'type') ?? 'string');
  const text = value.text;
  switch (type) {
    case 'decimal':
    case 'double':
    case 'int':
    case 'integer':
    case 'long':
      return new FeelNumber(text.trim());
    case 'boolean':
      return text.trim() === 'true';
    case 'date':
    case 'dateTime':
    case 'time':
    case 'duration':
      return parseTemporalLiteral(text.trim()) ?? text;
    default:
      return text;
  }
}

/** Whether a result is the expected one, as the official runners compare. */
export function tckSame(actual: FeelValue, expected: FeelValue): boolean {
  if (expected === null) return actual === null;
  if (isNumber(expected)) return isNumber(actual) && actual.minus(expected).abs().lte(1e-8);
  if (isList(expected)) return isList(actual) && actual.length === expected.length && expected.every((e, i) => tckSame(actual[i], e));
  if (expected instanceof FeelContext) {
    return (
      actual instanceof FeelContext &&
      [...expected.entries].every(([k, v]) => actual.entries.has(k) && tckSame(actual.get(k) ?? null, v)) &&
      [...actual.entries.keys()].every((k) => expected.entries.has(k))
    );
  }
  if (typeof expected === 'string' || typeof expected === 'boolean') return actual === expected;
  return actual !== null && typeof actual === 'object' && !isList(actual) && feelToString(actual) === feelToString(expected) && feelEquals(actual, expected) === true;
}

// ---- running ----------------------------------------------------------------------------------------------------------

const readRoot = (path: string): XmlElement | undefined => {
  const read = readXml(readFileSync(path, 'utf8'));
  return read.ok ? read.root : undefined;
};

/** Runs the test files of one folder. `now` is the instant `now()` and `today()` give. */
export function runTckFolder(level: string, folderPath: string, folder: string, now: FeelDateTime): TckCaseResult[] {
  const results: TckCaseResult[] = [];
  const files = readdirSync(folderPath).sort();
  const models = files.filter((f) => f.endsWith('.dmn')).map((f) => ({ file: f, xml: readFileSync(join(folderPath, f), 'utf8') }));
  for (const testFile of files.filter((f) => /-test-\d+\.xml$/.test(f))) {
    const testCases = readRoot(join(folderPath, testFile));
    const caseResult = (testCaseId: string, status: TckStatus, results: number, resultsPassed: number, comment: string): TckCaseResult => ({
      level,
      folder,
      testFile,
      testCaseId,
      status,
      results,
      resultsPassed,
      comment,
    });
    if (!testCases) continue;
    const modelName = child(testCases, 'modelName')?.text.trim() ?? '';
    const main = models.find((m) => m.file === modelName);
    const compiled = main
      ? compileDmn(main.xml, { imports: models.filter((m) => m !== main).map((m) => ({ xml: m.xml })) })
      : { ok: false as const, problems: [{ code: 'NOT_DMN', message: `model ${modelName} not found` } satisfies DmnProblem] };
    for (const testCase of childrenNamed(testCases, 'testCase')) {
      const id = attr(testCase, 'id') ?? '';
      const resultNodes = childrenNamed(testCase, 'resultNode');
      if (!compiled.ok) {
        const problems = compiled.problems.map((p) => `${p.elementId ?? ''} ${p.message}`.trim()).join('; ');
        results.push(caseResult(id, 'ERROR', resultNodes.length, 0, `the model does not compile: ${problems}`));
        continue;
      }
      const kind = attr(testCase, 'type') ?? 'decision';
      if (kind !== 'decision' && kind !== 'decisionService') {
        results.push(caseResult(id, 'IGNORED', resultNodes.length, 0, `test cases of type ${kind} are not run`));
        continue;
      }
      const inputs = new Map<string, FeelValue>(
        childrenNamed(testCase, 'inputNode').map((node) => [attr(node, 'namespace') ? `${attr(node, 'namespace')}#${attr(node, 'name')}` : (attr(node, 'name') ?? ''), tckValue(node)]),
      );
      const failures: string[] = [];
      let passed = 0;
      try {
        const serviceValue = kind === 'decisionService' ? evaluateDecisionService(compiled.model, attr(testCase, 'invocableName') ?? '', inputs, { now }).value : undefined;
        for (const node of resultNodes) {
          const name = attr(node, 'name') ?? '';
          const expected = attr(node, 'errorResult') === 'true' ? null : tckValue(child(node, 'expected') as XmlElement);
          // A decision service invoked directly: the result node names its output decision.
          let actual: FeelValue;
          if (serviceValue !== undefined) actual = serviceValue instanceof FeelContext && serviceValue.entries.has(name) ? (serviceValue.get(name) ?? null) : serviceValue;
          else actual = evaluateDecision(compiled.model, name, inputs, { now }).value;
          if (tckSame(actual, expected)) passed++;
          else failures.push(`${name}: expected ${feelToString(expected)}, got ${feelToString(actual)}`);
        }
      } catch (error) {
        failures.push(`failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      results.push(caseResult(id, failures.length === 0 ? 'SUCCESS' : 'ERROR', resultNodes.length, passed, failures.join('; ')));
    }
  }
  return results;
}

/** Runs the given levels of the TCK at `root` (the `dmn-tck` folder holding `compliance-level-2` ...). */
export function runTck(root: string, options: { levels?: readonly string[]; now: FeelDateTime; folderFilter?: (folder: string) => boolean }): TckRun {
  const cases: TckCaseResult[] = [];
  for (const level of options.levels ?? TCK_LEVELS) {
    for (const folder of readdirSync(join(root, level)).sort()) {
      if (options.folderFilter && !options.folderFilter(folder)) continue;
      cases.push(...runTckFolder(level, join(root, level, folder), folder, options.now));
    }
  }
  const folders = new Map<string, { level: string; folder: string; cases: number; casesPassed: number; results: number; resultsPassed: number }>();
  const levels: Record<string, { cases: number; casesPassed: number; results: number; resultsPassed: number }> = {};
  for (const c of cases) {
    const key = `${c.level}/${c.folder}`;
    const summary = folders.get(key) ?? { level: c.level, folder: c.folder, cases: 0, casesPassed: 0, results: 0, resultsPassed: 0 };
    const total = (levels[c.level] ??= { cases: 0, casesPassed: 0, results: 0, resultsPassed: 0 });
    for (const s of [summary, total]) {
      s.cases++;
      if (c.status === 'SUCCESS') s.casesPassed++;
      s.results += c.results;
      s.resultsPassed += c.resultsPassed;
    }
    folders.set(key, summary);
  }
  return { cases, folders: [...folders.values()], levels };
}

const csvField = (text: string): string => `"${text.replace(/"/g, '""').replace(/\r?\n/g, ' ')}"`;

/** The results in the TCK's CSV format: `"testCaseFolder","testFile","testCaseId","SUCCESS|ERROR|IGNORED","comment"`. */
export function tckResultsCsv(run: TckRun): string {
  return run.cases.map((c) => [c.folder, c.testFile, c.testCaseId, c.status, c.comment].map(csvField).join(',')).join('\n') + '\n';
}

/** A summary table by folder, then by level. */
export function tckSummaryTable(run: TckRun): string {
  const rows = run.folders.map((f) => `${`${f.level}/${f.folder}`.padEnd(64)} ${`${f.casesPassed}/${f.cases}`.padStart(9)} ${`${f.resultsPassed}/${f.results}`.padStart(9)}`);
  const totals = Object.entries(run.levels).map(([level, t]) => `${level.padEnd(64)} ${`${t.casesPassed}/${t.cases}`.padStart(9)} ${`${t.resultsPassed}/${t.results}`.padStart(9)}`);
  return [`${'folder'.padEnd(64)} ${'cases'.padStart(9)} ${'results'.padStart(9)}`, ...rows, '', ...totals].join('\n');
}

/** Writes `tck_results.csv` and `tck_summary.json` into a directory. */
export function writeTckResults(run: TckRun, directory: string): { csv: string; summary: string } {
  mkdirSync(directory, { recursive: true });
  const csv = join(directory, 'tck_results.csv');
  const summary = join(directory, 'tck_summary.json');
  writeFileSync(csv, tckResultsCsv(run));
  writeFileSync(summary, JSON.stringify({ levels: run.levels, folders: run.folders }, null, 2) + '\n');
  return { csv, summary };
}
