import type { ComplexGatewayNode } from '../model/executable-model.js';
import type { NodeLinks } from './build-flow-node.js';
import { elementProperty, expressionBody } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

/**
 * A complex gateway: its `activationCondition` (FEEL `=...` or JUEL `${...}`), which a join needs: without it the
 * gateway could not tell when to fire. A gateway without outgoing flows is refused, as the other gateways are.
 */
export function readComplexGateway(context: ReadContext, links: NodeLinks): Pick<ComplexGatewayNode, 'activationCondition'> {
  const { elementId, errors } = context;
  const text = expressionBody(elementProperty(context.element, 'activationCondition'));
  const activationCondition = expressionValue(context, text, 'activationCondition', 'condition')?.value;
  if (links.incoming.length > 1 && (text === undefined || text.trim() === '')) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message:
        `complex gateway '${elementId}' joins ${links.incoming.length} flows but has no activationCondition: ` +
        'it fires when the condition holds on the tokens arrived (read their number as activationCount)',
      elementId,
      field: 'activationCondition',
    });
  }
  if (links.outgoing.length === 0) {
    errors.add({
      code: 'GATEWAY_WITHOUT_OUTGOING',
      message: `complex gateway '${elementId}' has no outgoing sequence flow: a token reaching it could go nowhere`,
      elementId,
    });
  }
  return activationCondition === undefined ? {} : { activationCondition };
}
