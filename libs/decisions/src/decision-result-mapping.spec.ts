import { describe, expect, it } from '@jest/globals';

import { mapDecisionResult } from './decision-result-mapping.js';

// Camunda 7's mappings of a decision result (one entry map per matched rule) into a process variable.
describe('mapDecisionResult', () => {
  const none: never[] = [];
  const one = [{ approved: true }];
  const oneTwoOutputs = [{ approved: true, limit: 500 }];
  const two = [{ approved: true }, { approved: false }];

  it('singleEntry: the one value, null when no rule matched; more than one rule or output is a failure', () => {
    expect(mapDecisionResult('singleEntry', one, 'd')).toEqual({ ok: true, value: true });
    expect(mapDecisionResult('singleEntry', none, 'd')).toEqual({ ok: true, value: null });
    expect(mapDecisionResult('singleEntry', two, 'd')).toEqual({ ok: false, message: "decision 'd' matched 2 rules, but mapDecisionResult singleEntry takes at most one" });
    expect(mapDecisionResult('singleEntry', oneTwoOutputs, 'd')).toEqual({ ok: false, message: "decision 'd' gave 2 outputs, but mapDecisionResult singleEntry takes exactly one" });
  });

  it('singleResult: the one entry map, null when no rule matched; more than one rule is a failure', () => {
    expect(mapDecisionResult('singleResult', oneTwoOutputs, 'd')).toEqual({ ok: true, value: { approved: true, limit: 500 } });
    expect(mapDecisionResult('singleResult', none, 'd')).toEqual({ ok: true, value: null });
    expect(mapDecisionResult('singleResult', two, 'd').ok).toBe(false);
  });

  it('collectEntries: the value of each rule; a rule of several outputs is a failure', () => {
    expect(mapDecisionResult('collectEntries', two, 'd')).toEqual({ ok: true, value: [true, false] });
    expect(mapDecisionResult('collectEntries', none, 'd')).toEqual({ ok: true, value: [] });
    expect(mapDecisionResult('collectEntries', oneTwoOutputs, 'd')).toEqual({
      ok: false,
      message: "decision 'd' gave rule results of 2 outputs, but mapDecisionResult collectEntries takes exactly one output per rule",
    });
  });

  it('resultList: every entry map', () => {
    expect(mapDecisionResult('resultList', two, 'd')).toEqual({ ok: true, value: [{ approved: true }, { approved: false }] });
    expect(mapDecisionResult('resultList', none, 'd')).toEqual({ ok: true, value: [] });
  });
});
