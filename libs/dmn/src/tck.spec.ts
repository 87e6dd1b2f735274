import { describe, expect, it } from '@jest/globals';
import { FeelContext, FeelNumber, parseTemporalLiteral } from '@trellis/feel';
import { tckResultsCsv, tckSame, tckValue, type TckRun } from './tck.js';
import { readXml } from './xml-reader.js';

const node = (xml: string) => {
  const read = readXml(`<resultNode xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${xml}</resultNode>`);
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.root;
};

describe('the TCK runner compares as the official runners do', () => {
  it('reads the typed values, lists and components of a test file', () => {
    expect(tckValue(node('<value xsi:type="xsd:decimal">1.50</value>'))).toEqual(new FeelNumber('1.5'));
    expect(tckValue(node('<value xsi:nil="true"/>'))).toBeNull();
    expect(tckValue(node('<value xsi:type="xsd:date">2026-12-05</value>'))).toEqual(parseTemporalLiteral('2026-12-05'));
    expect(tckValue(node('<list><item><value xsi:type="xsd:boolean">true</value></item><item><value>a</value></item></list>'))).toEqual([true, 'a']);
    const context = tckValue(node('<component name="n"><value xsi:type="xsd:int">3</value></component>'));
    expect(context).toBeInstanceOf(FeelContext);
  });

  it('numbers within 1e-8, lists item by item, contexts as maps, null only for null', () => {
    expect(tckSame(new FeelNumber('0.333333333333'), new FeelNumber('0.3333333333'))).toBe(true);
    expect(tckSame(new FeelNumber('0.3334'), new FeelNumber('0.3333'))).toBe(false);
    expect(tckSame([new FeelNumber(1), 'a'], [new FeelNumber(1), 'a'])).toBe(true);
    expect(tckSame([new FeelNumber(1)], [new FeelNumber(1), 'a'])).toBe(false);
    expect(tckSame(FeelContext.of({ b: 'x', a: true }), FeelContext.of({ a: true, b: 'x' }))).toBe(true);
    expect(tckSame(FeelContext.of({ a: true, extra: null }), FeelContext.of({ a: true }))).toBe(false);
    expect(tckSame(null, null)).toBe(true);
    expect(tckSame('', null)).toBe(false);
    expect(tckSame(parseTemporalLiteral('2026-12-05'), parseTemporalLiteral('2026-12-05'))).toBe(true);
  });

  it('writes one CSV row per test case in the TCK results format, quoting as CSV does', () => {
    const run: TckRun = {
      cases: [
        { level: 'compliance-level-2', folder: '0001-filter', testFile: '0001-filter-test-01.xml', testCaseId: '001', status: 'SUCCESS', results: 1, resultsPassed: 1, comment: '' },
        { level: 'compliance-level-3', folder: '0002-x', testFile: '0002-x-test-01.xml', testCaseId: '002', status: 'ERROR', results: 1, resultsPassed: 0, comment: 'd: expected "a", got null' },
      ],
      folders: [],
      levels: {},
    };
    expect(tckResultsCsv(run)).toBe(
      '"0001-filter","0001-filter-test-01.xml","001","SUCCESS",""\n"0002-x","0002-x-test-01.xml","002","ERROR","d: expected ""a"", got null"\n',
    );
  });
});
