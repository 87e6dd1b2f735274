import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { compiledProcess } from '../../testing/bpmn.js';
import { scenario } from '../../testing/decider-spec.js';

// The examples of the complex gateway, the ad-hoc sub-process and multi-instance behavior events (examples/), run in
// the engine: which elements ran, in which order, with which variables.
const example = (file: string) => compiledProcess(readFileSync(new URL(`../../../../../examples/${file}`, import.meta.url), 'utf8'));

describe('the complex gateway example (examples/complex-gateway.bpmn)', () => {
  it('decides once two of three reviews are in; the third is swallowed; the split informs board and press', async () => {
    const run = scenario(await example('complex-gateway.bpmn')).start({ budget: 250000, public: true });
    run.completeJob('finance-review', { finance: 'ok' });
    expect(run.active()).toEqual(['legal-review', 'tech-review']);
    run.completeJob('tech-review', { tech: 'ok' });
    expect(run.active()).toEqual(['decide', 'legal-review']);
    run.completeJob('legal-review', { legal: 'late' });
    expect(run.active()).toEqual(['decide']);
    run.completeUserTask('decide', { approved: true });
    expect(run.active()).toEqual(['inform-board', 'inform-press']);
    run.completeJob('inform-board').completeJob('inform-press');
    expect(run.state.status).toBe('completed');
    expect(run.completed()).toEqual([
      'proposal-submitted', 'ask-reviewers', 'finance-review', 'tech-review', 'two-reviews-in', 'legal-review', 'decide', 'route',
      'inform-board', 'decided', 'inform-press', 'decided',
    ]);
    expect(run.variables).toEqual({ budget: 250000, public: true, finance: 'ok', tech: 'ok', legal: 'late', approved: true });
  });

  it('a small private proposal only tells the author (the default flow)', async () => {
    const run = scenario(await example('complex-gateway.bpmn')).start({ budget: 5000, public: false });
    run.completeJob('legal-review').completeJob('finance-review').completeUserTask('decide');
    expect(run.active()).toEqual(['inform-author', 'tech-review']);
  });
});

describe('the ad-hoc sub-process example (examples/ad-hoc-sub-process.bpmn)', () => {
  it('starts the first steps, more on request, and ends the investigation when a step solves the case', async () => {
    const run = scenario(await example('ad-hoc-sub-process.bpmn')).start({ firstSteps: ['check-logs', 'search-known-issues'], solved: false });
    expect(run.active()).toEqual(['check-logs', 'investigate', 'search-known-issues']);
    run.completeJob('check-logs', { logs: 'nothing odd' });
    run.send({ type: 'ActivateAdHocElements', elementInstanceId: run.instance('investigate').id, elementIds: ['call-customer'] });
    expect(run.active()).toEqual(['call-customer', 'investigate', 'search-known-issues']);
    run.completeUserTask('call-customer');
    expect(run.active()).toEqual(['investigate', 'search-known-issues', 'write-notes']);
    run.completeUserTask('write-notes', { solved: true, cause: 'expired licence' });
    expect(run.active()).toEqual(['answer-customer']);
    expect(run.terminated()).toEqual(['search-known-issues']);
    expect(run.completed()).toEqual(['case-opened', 'check-logs', 'call-customer', 'write-notes', 'investigate']);
    expect(run.variables).toMatchObject({ logs: 'nothing odd', solved: true, cause: 'expired licence' });
  });
});

describe('the multi-instance behavior example (examples/multi-instance-behavior.bpmn)', () => {
  it('a refused signature throws the escalation: legal talks to that party while the others sign', async () => {
    const run = scenario(await example('multi-instance-behavior.bpmn')).start({ parties: ['acme', 'globex', 'initech'] });
    const taskOf = (party: string) => Object.values(run.state.userTasks).find((task) => task.assignee === party);
    run.send({ type: 'CompleteUserTask', userTaskId: taskOf('globex')?.id ?? '', variables: { signed: false } });
    expect(run.active()).toEqual(['sign', 'sign', 'sign#body', 'talk-to-party']);
    run.send({ type: 'CompleteUserTask', userTaskId: taskOf('acme')?.id ?? '', variables: { signed: true } });
    run.send({ type: 'CompleteUserTask', userTaskId: taskOf('initech')?.id ?? '', variables: { signed: true } });
    expect(run.active()).toEqual(['file-contract', 'talk-to-party']);
    expect(run.variables).toMatchObject({ signatures: [true, false, true] });
    expect(run.completed().filter((id) => id === 'signature-refused')).toHaveLength(1);
  });
});
