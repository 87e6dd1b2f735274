/**
 * DMN decision evaluation (`npm run bench -- --only decisions`): a generated 50-rule decision table evaluated with
 * hit policies FIRST, COLLECT and COLLECT SUM; the TCK model 0004-lending (compliance level 3) evaluated with the
 * inputs of its test cases; a full TCK run (levels 2 and 3) through the runner's API. Every model is compiled once
 * and evaluated many times (compile time reported apart). Prints one JSON line for bench/run-bench.ts.
 *
 * Options: --evaluations <timed evaluations per decision> (default 20000), --warmup <untimed first> (default 2000),
 *          --tck-root <the dmn-tck folder> (default ../shared/conformance/dmn-tck beside the repository),
 *          --tck-runs <full TCK runs timed, after one untimed> (default 1).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileDmn, evaluateDecision, type DmnModel } from '@trellis/dmn';
import { runTck, tckSame, tckValue } from '@trellis/dmn/tck';
import { FeelDateTime, FeelValue, parseTemporalLiteral } from '@trellis/feel';
import { arg, latencySummary, type LatencySummary } from './bench-stats.js';

const evaluations = Number(arg('evaluations', '20000'));
const warmup = Number(arg('warmup', '2000'));
const tckRuns = Number(arg('tck-runs', '1'));
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tckRoot = resolve(repositoryRoot, arg('tck-root', '../shared/conformance/dmn-tck'));
// A fixed instant: the benchmark's models do not use now(), the TCK's few that do get the same one each run.
const now = parseTemporalLiteral('2026-12-01T12:00:00Z') as FeelDateTime;

export interface DecisionBenchRow {
  name: string;
  decision: string;
  rules: number;
  evaluations: number;
  seconds: number;
  evaluationsPerSecond: number;
  /** Per evaluation, in microseconds. */
  latencyUs: LatencySummary;
  /** Rules matched per evaluation, on average (what COLLECT has to gather). */
  meanMatchedRules: number;
  warnings: number;
}

export interface DecisionsBenchResult {
  evaluations: number;
  warmup: number;
  compile: { model: string; ms: number }[];
  rows: DecisionBenchRow[];
  tck: { levels: string[]; cases: number; casesPassed: number; seconds: number[]; casesPerSecond: number } | null;
}

// ---- the generated 50-rule table ----------------------------------------------------------------------------------

/** A small deterministic generator (mulberry32): the same table and inputs on every run and machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const PRODUCTS = ['STANDARD LOAN', 'SPECIAL LOAN', 'MORTGAGE', 'CREDIT CARD'];
const RISKS = ['LOW', 'MEDIUM', 'HIGH', 'DECLINE'];

type TableInputs = {
  'Applicant Age': number;
  'Monthly Income': number;
  'Credit Score': number;
  Region: string;
  Product: string;
};

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A loan-pricing table: five inputs (three numeric ranges and comparisons, two string lists, names with spaces as
 * real models have), two outputs (a risk class and a rate); most cells constrain, some are `-`. The last rule
 * matches everything, so FIRST always finds one and COLLECT gathers several.
 */
function pricingRules(count: number): { cells: string[]; risk: string; rate: string; points: string }[] {
  const next = random(50);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const rules: { cells: string[]; risk: string; rate: string; points: string }[] = [];
  for (let i = 0; i < count - 1; i++) {
    const ageFrom = 18 + Math.floor(next() * 50);
    const age = next() < 0.2 ? '-' : next() < 0.5 ? `[${ageFrom}..${ageFrom + 5 + Math.floor(next() * 20)}]` : `>= ${ageFrom}`;
    const incomeFrom = 1000 + Math.floor(next() * 80) * 100;
    const income = next() < 0.2 ? '-' : next() < 0.5 ? `[${incomeFrom}..${incomeFrom + 2000 + Math.floor(next() * 40) * 100})` : `> ${incomeFrom}`;
    const scoreFrom = 300 + Math.floor(next() * 50) * 10;
    const score = next() < 0.15 ? '-' : next() < 0.5 ? `[${scoreFrom}..${scoreFrom + 100}]` : `< ${scoreFrom + 150}`;
    const regions = REGIONS.filter(() => next() < 0.5);
    const region = regions.length === 0 || regions.length === REGIONS.length ? '-' : regions.map((r) => `"${r}"`).join(',');
    const product = next() < 0.3 ? '-' : next() < 0.3 ? `not("${pick(PRODUCTS)}")` : `"${pick(PRODUCTS)}"`;
    const rate = (0.02 + Math.floor(next() * 80) / 1000).toFixed(3);
    rules.push({ cells: [age, income, score, region, product], risk: `"${pick(RISKS)}"`, rate, points: String(1 + Math.floor(next() * 20)) });
  }
  rules.push({ cells: ['-', '-', '-', '-', '-'], risk: '"MEDIUM"', rate: '0.099', points: '0' });
  return rules;
}

function pricingModelXml(ruleCount: number): string {
  const rules = pricingRules(ruleCount);
  const inputs: [string, string][] = [
    ['Applicant Age', 'number'],
    ['Monthly Income', 'number'],
    ['Credit Score', 'number'],
    ['Region', 'string'],
    ['Product', 'string'],
  ];
  const inputData = inputs
    .map(([name, type], i) => `  <inputData id="input_${i}" name="${name}"><variable name="${name}" typeRef="${type}"/></inputData>`)
    .join('\n');
  const requirements = inputs.map((_, i) => `<informationRequirement><requiredInput href="#input_${i}"/></informationRequirement>`).join('');
  const tableInputs = inputs
    .map(([name, type], i) => `<input id="{{t}}_in_${i}" label="${name}"><inputExpression typeRef="${type}"><text>${name}</text></inputExpression></input>`)
    .join('');
  const table = (id: string, hitPolicy: string, aggregation: string | null, outputs: 'two' | 'points'): string => {
    const outputXml =
      outputs === 'two'
        ? `<output id="${id}_risk" name="Risk" typeRef="string"/><output id="${id}_rate" name="Rate" typeRef="number"/>`
        : `<output id="${id}_points" typeRef="number"/>`;
    const ruleXml = rules
      .map((rule, r) => {
        const entries = rule.cells.map((cell) => `<inputEntry><text>${escapeXml(cell)}</text></inputEntry>`).join('');
        const outs = outputs === 'two' ? [rule.risk, rule.rate] : [rule.points];
        return `<rule id="${id}_r${r}">${entries}${outs.map((o) => `<outputEntry><text>${escapeXml(o)}</text></outputEntry>`).join('')}</rule>`;
      })
      .join('\n');
    return `<decisionTable id="${id}" hitPolicy="${hitPolicy}"${aggregation ? ` aggregation="${aggregation}"` : ''}>${tableInputs.replace(/\{\{t\}\}/g, id)}${outputXml}\n${ruleXml}</decisionTable>`;
  };
  const decision = (id: string, name: string, body: string): string => `  <decision id="${id}" name="${name}">${requirements}\n${body}</decision>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="pricing" name="Pricing" namespace="https://trellis.dev/bench/pricing">
${inputData}
${decision('pricing_first', 'Pricing first', table('t_first', 'FIRST', null, 'two'))}
${decision('pricing_collect', 'Pricing collect', table('t_collect', 'COLLECT', null, 'two'))}
${decision('pricing_points', 'Pricing points', table('t_points', 'COLLECT', 'SUM', 'points'))}
</definitions>
`;
}

/** Varied applicants: ages, incomes and scores over the ranges the rules use, every region and product. */
function applicants(count: number): TableInputs[] {
  const next = random(8);
  return Array.from({ length: count }, () => ({
    'Applicant Age': 18 + Math.floor(next() * 60),
    'Monthly Income': 800 + Math.floor(next() * 12000),
    'Credit Score': 300 + Math.floor(next() * 550),
    Region: REGIONS[Math.floor(next() * REGIONS.length)],
    Product: PRODUCTS[Math.floor(next() * PRODUCTS.length)],
  }));
}

// ---- timing -------------------------------------------------------------------------------------------------------

function compileTimed(name: string, xml: string, imports: string[], compile: DecisionsBenchResult['compile']): DmnModel {
  const started = process.hrtime.bigint();
  const compiled = compileDmn(xml, { imports: imports.map((x) => ({ xml: x })) });
  compile.push({ model: name, ms: Number(process.hrtime.bigint() - started) / 1e6 });
  if (!compiled.ok) throw new Error(`${name} does not compile: ${compiled.problems.map((p) => p.message).join('; ')}`);
  return compiled.model;
}

/** Evaluates `decision` over the inputs in turn: `warmup` untimed, then `evaluations` timed one by one. */
function timeDecision(
  name: string,
  model: DmnModel,
  decision: string,
  rules: number,
  inputs: readonly (Record<string, unknown> | ReadonlyMap<string, FeelValue>)[],
  check: (value: FeelValue, index: number) => void,
): DecisionBenchRow {
  for (let i = 0; i < warmup; i++) evaluateDecision(model, decision, inputs[i % inputs.length], { now });
  (globalThis as { gc?: () => void }).gc?.();
  const latencies = new Array<number>(evaluations);
  let matched = 0;
  let warnings = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < evaluations; i++) {
    const t0 = process.hrtime.bigint();
    const result = evaluateDecision(model, decision, inputs[i % inputs.length], { now });
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    matched += result.matchedRules.length;
    warnings += result.warnings.length;
    // Outside the evaluation's latency, inside the throughput's window: a check is cheap beside an evaluation.
    check(result.value, i % inputs.length);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name, decision, rules, evaluations, seconds, evaluationsPerSecond: evaluations / seconds, latencyUs: latencySummary(latencies), meanMatchedRules: matched / evaluations, warnings };
}

// ---- the TCK's 0004-lending ---------------------------------------------------------------------------------------

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
  line: number;
}

/** Just enough XML for a TCK test file (elements, attributes, text): the library's reader is internal to it. */
function readTestFile(xml: string): Element {
  const root: Element = { name: '#root', attributes: {}, children: [], text: '', line: 0 };
  const stack = [root];
  const decode = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  for (const m of xml.matchAll(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/[^>]+>|<([^\s/>!?]+)([^>]*?)(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1];
    if (m[0].startsWith('</')) stack.pop();
    else if (m[1] !== undefined) {
      const attributes: Record<string, string> = {};
      for (const a of m[2].matchAll(/([^\s=]+)\s*=\s*"([^"]*)"/g)) attributes[a[1]] = decode(a[2]);
      const element: Element = { name: m[1].slice(m[1].indexOf(':') + 1), attributes, children: [], text: '', line: 0 };
      top.children.push(element);
      if (!m[3]) stack.push(element);
    } else if (m[4] !== undefined) top.text += decode(m[4]);
  }
  return root.children[0];
}

const attribute = (e: Element, name: string): string | undefined => e.attributes[name] ?? Object.entries(e.attributes).find(([k]) => k.endsWith(`:${name}`))?.[1];

function lendingCases(folder: string): { inputs: Map<string, FeelValue>; expected: { name: string; value: FeelValue }[] }[] {
  return readdirSync(folder)
    .filter((file) => /-test-\d+\.xml$/.test(file))
    .sort()
    .flatMap((file) => readTestFile(readFileSync(join(folder, file), 'utf8')).children)
    .filter((c) => c.name === 'testCase')
    .map((testCase) => ({
      inputs: new Map(testCase.children.filter((c) => c.name === 'inputNode').map((node) => [attribute(node, 'name') ?? '', tckValue(node)])),
      expected: testCase.children
        .filter((c) => c.name === 'resultNode')
        .map((node) => ({ name: attribute(node, 'name') ?? '', value: tckValue(node.children.find((c) => c.name === 'expected') as Element) })),
    }));
}

// ---- run ----------------------------------------------------------------------------------------------------------

const compile: DecisionsBenchResult['compile'] = [];
const rows: DecisionBenchRow[] = [];

const RULES = 50;
const pricing = compileTimed(`pricing (${RULES} rules x 3 tables)`, pricingModelXml(RULES), [], compile);
const people = applicants(1000);
const expectValue = (value: FeelValue): void => {
  if (value === null) throw new Error('FIRST gave null');
};
const expectList = (value: FeelValue): void => {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`COLLECT gave ${String(value)}`);
};
rows.push(timeDecision('50-rule table, FIRST (2 outputs)', pricing, 'Pricing first', RULES, people, expectValue));
rows.push(timeDecision('50-rule table, COLLECT (2 outputs)', pricing, 'Pricing collect', RULES, people, expectList));
rows.push(
  timeDecision('50-rule table, COLLECT SUM', pricing, 'Pricing points', RULES, people, (value) => {
    if (value === null) throw new Error('COLLECT SUM gave null');
  }),
);

const lendingFolder = join(tckRoot, 'compliance-level-3', '0004-lending');
let tck: DecisionsBenchResult['tck'] = null;
if (existsSync(lendingFolder)) {
  const lending = compileTimed('TCK 0004-lending', readFileSync(join(lendingFolder, '0004-lending.dmn'), 'utf8'), [], compile);
  const cases = lendingCases(lendingFolder);
  // The two decisions at the top of the requirement graph: between them they evaluate every other decision but
  // Adjudication (a literal on its own), each once per evaluation.
  for (const decision of ['Strategy', 'Routing']) {
    const expected = cases.map((c) => c.expected.find((e) => e.name === decision)?.value ?? null);
    rows.push(
      timeDecision(`0004-lending, ${decision}`, lending, decision, 0, cases.map((c) => c.inputs), (value, index) => {
        if (!tckSame(value, expected[index])) throw new Error(`0004-lending ${decision}, case ${index + 1}: an unexpected result`);
      }),
    );
  }
  const levels = ['compliance-level-2', 'compliance-level-3'];
  const seconds: number[] = [];
  let run = runTck(tckRoot, { levels, now }); // untimed: loads the code paths
  for (let i = 0; i < tckRuns; i++) {
    const started = process.hrtime.bigint();
    run = runTck(tckRoot, { levels, now });
    seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  const casesPassed = run.cases.filter((c) => c.status === 'SUCCESS').length;
  const best = Math.min(...seconds);
  tck = { levels, cases: run.cases.length, casesPassed, seconds, casesPerSecond: run.cases.length / best };
} else {
  console.error(`the DMN TCK is not at ${tckRoot}: the lending model and the TCK run are skipped (give --tck-root)`);
}

const result: DecisionsBenchResult = { evaluations, warmup, compile, rows, tck };
console.log(JSON.stringify(result));
