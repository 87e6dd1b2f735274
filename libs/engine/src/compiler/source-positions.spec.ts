import { describe, expect, it } from '@jest/globals';
import { SourcePositions } from './source-positions.js';

describe('source positions of ids', () => {
  const xml = [
    '<?xml version="1.0"?>',
    '<!-- <bpmn:task id="in-comment" /> -->',
    '<bpmn:definitions id="d">',
    '  <bpmn:task name="a > b" id="after-gt" />',
    "\t<bpmn:task id='single' />",
    '  <bpmn:script><![CDATA[ <x id="in-cdata"/> ]]></bpmn:script>',
    '  <bpmn:task id="a&amp;b" /><bpmn:task id="second-on-line" />',
    '  <bpmn:documentation>id="in-text"</bpmn:documentation>',
    '</bpmn:definitions>',
  ].join('\n');
  const positions = new SourcePositions(xml);

  it('gives the line and column of the start tag that carries an id', () => {
    expect(positions.ofId('d')).toEqual({ line: 3, column: 1 });
    expect(positions.ofId('after-gt')).toEqual({ line: 4, column: 3 });
    expect(positions.ofId('single')).toEqual({ line: 5, column: 2 });
    expect(positions.ofId('a&b')).toEqual({ line: 7, column: 3 });
    expect(positions.ofId('second-on-line')).toEqual({ line: 7, column: 29 });
  });

  it('does not take ids in comments, CDATA or text for elements', () => {
    expect(positions.ofId('in-comment')).toBeUndefined();
    expect(positions.ofId('in-cdata')).toBeUndefined();
    expect(positions.ofId('in-text')).toBeUndefined();
  });

  it('names the element whose tag starts at a position', () => {
    expect(positions.idAt({ line: 4, column: 3 })).toBe('after-gt');
    expect(positions.idAt({ line: 4, column: 4 })).toBeUndefined();
  });
});
