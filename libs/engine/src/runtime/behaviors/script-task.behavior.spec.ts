import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, scriptTask, sequence, startEvent, subProcess } from '../../testing/process-builder.js';

const withScript = (options: Parameters<typeof scriptTask>[1]) =>
  buildProcess('script', [startEvent('start'), scriptTask('compute', options), endEvent('end')], sequence('start', 'compute', 'end'));

describe('script task (FEEL)', () => {
  it('evaluates the expression, stores the result variable and completes at once', () => {
    const run = scenario(withScript({ script: '=sum(items) * 2', resultVariable: 'total' })).start({ items: [1, 2, 3] });
    expect(run.variables).toEqual({ items: [1, 2, 3], total: 12 });
    expect(run.completed()).toEqual(['start', 'compute', 'end']);
  });

  it('with output mappings, the result is local to the task and the mappings decide what leaves it', () => {
    const run = scenario(
      withScript({ script: '={net: amount, gross: amount * 1.2}', resultVariable: 'price', outputs: [['=price.gross', 'gross']] }),
    ).start({ amount: 100 });
    expect(run.variables).toEqual({ amount: 100, gross: 120 });
  });

  it('sets the result in the nearest scope that already has the variable', () => {
    const process = buildProcess(
      'nested',
      [
        startEvent('start'),
        subProcess(
          'inner',
          { elements: [startEvent('inner-start'), scriptTask('compute', { script: '=counter + 1', resultVariable: 'counter' }), endEvent('inner-end')], flows: sequence('inner-start', 'compute', 'inner-end') },
          { inputs: [['=0', 'counter']], outputs: [['=counter', 'innerCounter']] },
        ),
        endEvent('end'),
      ],
      sequence('start', 'inner', 'end'),
    );
    const run = scenario(process).start({ counter: 10 });
    expect(run.variables).toEqual({ counter: 10, innerCounter: 1 });
  });

  it('a FEEL result that is null (FEEL yields null rather than failing) is stored as null, as in Zeebe', () => {
    const run = scenario(withScript({ script: '=amount * 2', resultVariable: 'double' })).start({ amount: 'lots' });
    expect(run.variables).toEqual({ amount: 'lots', double: null });
  });

  it('a failing script raises an incident and the instance waits; fixed data and resolving continue', () => {
    // FEEL hardly ever fails (it yields null); a value that cannot be stored does, and so does JUEL.
    const feel = scenario(withScript({ script: '=[1..amount]', resultVariable: 'range' })).start({ amount: 3 });
    expect(feel.incident('compute')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: "Expression '=[1..amount]' returned a range, which cannot be stored as a variable",
    });
    const run = scenario(withScript({ script: '${amount * 2}', resultVariable: 'double' })).start({ amount: 'lots' });
    expect(run.incident('compute')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: "Cannot coerce 'lots' to a number in expression '${amount * 2}'",
    });
    expect(run.state.status).toBe('active');
    expect(run.variables).toEqual({ amount: 'lots' });
    run.setVariables({ amount: 21 }).resolveIncident('compute');
    expect(run.variables).toEqual({ amount: 21, double: 42 });
    expect(run.state.status).toBe('completed');
  });
});
