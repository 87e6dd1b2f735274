import { describe, expect, it } from '@jest/globals';
import { compiledProcess, executableProcess } from './__fixtures__/bpmn-documents.js';

const flow = (id: string, source: string, target: string): string => `    <bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}" />`;

describe('inclusive join: what may still arrive', () => {
  it('lists, per incoming flow, the nodes upstream of it in a structured split and join', async () => {
    const process = await compiledProcess(
      executableProcess(
        [
          '    <bpmn:startEvent id="start" />',
          flow('f0', 'start', 'split'),
          '    <bpmn:inclusiveGateway id="split" />',
          flow('fa', 'split', 'a'),
          flow('fb', 'split', 'b'),
          '    <bpmn:task id="a" />',
          '    <bpmn:task id="b" />',
          '    <bpmn:task id="b2" />',
          flow('fb2', 'b', 'b2'),
          flow('a-in', 'a', 'join'),
          flow('b-in', 'b2', 'join'),
          '    <bpmn:inclusiveGateway id="join" />',
          flow('out', 'join', 'end'),
          '    <bpmn:endEvent id="end" />',
        ].join('\n'),
      ),
    );
    expect(process.inclusiveJoinUpstream).toEqual({
      join: {
        'a-in': ['start', 'split', 'a'],
        'b-in': ['start', 'split', 'b', 'b2'],
      },
    });
  });

  it('stops at the gateway itself on unstructured models with loops', async () => {
    // start -> join <- retry <- check <- join: the flow back from check may still bring a token while work runs.
    const process = await compiledProcess(
      executableProcess(
        [
          '    <bpmn:startEvent id="start" />',
          flow('first', 'start', 'join'),
          '    <bpmn:inclusiveGateway id="join" />',
          flow('to-work', 'join', 'work'),
          '    <bpmn:task id="work" />',
          flow('to-check', 'work', 'check'),
          '    <bpmn:exclusiveGateway id="check" default="done" />',
          flow('again', 'check', 'retry'),
          flow('done', 'check', 'end'),
          '    <bpmn:task id="retry" />',
          flow('back', 'retry', 'join'),
          '    <bpmn:endEvent id="end" />',
        ].join('\n'),
      ),
    );
    expect(process.inclusiveJoinUpstream).toEqual({
      join: {
        first: ['start'],
        back: ['work', 'check', 'retry'],
      },
    });
  });

  it('is computed only for inclusive gateways that join, within their own scope', async () => {
    const process = await compiledProcess(
      executableProcess(
        [
          '    <bpmn:startEvent id="start" />',
          flow('f0', 'start', 'sub'),
          '    <bpmn:subProcess id="sub">',
          '      <bpmn:startEvent id="s" />',
          flow('s1', 's', 'fork'),
          '      <bpmn:parallelGateway id="fork" />',
          flow('x', 'fork', 'merge'),
          flow('y', 'fork', 'merge'),
          '      <bpmn:inclusiveGateway id="merge" />',
          flow('s2', 'merge', 'e'),
          '      <bpmn:endEvent id="e" />',
          '    </bpmn:subProcess>',
          flow('f1', 'sub', 'split'),
          '    <bpmn:inclusiveGateway id="split" />',
          flow('f2', 'split', 'end'),
          '    <bpmn:endEvent id="end" />',
        ].join('\n'),
      ),
    );
    expect(process.inclusiveJoinUpstream).toEqual({ merge: { x: ['s', 'fork'], y: ['s', 'fork'] } });
  });
});
