/** One problem found in a BPMN resource. `compile` reports all of them at once. */
export interface ModelError {
  /** Machine-readable kind of problem. */
  readonly code:
    | 'NOT_WELL_FORMED'
    | 'PARSE_WARNING'
    | 'NO_EXECUTABLE_PROCESS'
    | 'NO_START_EVENT'
    | 'MISSING_FLOW_SOURCE'
    | 'MISSING_FLOW_TARGET'
    | 'DUPLICATE_ID'
    | 'GATEWAY_WITHOUT_OUTGOING'
    | 'INVALID_EXPRESSION'
    | 'NOT_SUPPORTED'
    | 'INVALID_ATTRIBUTE'
    | 'MISSING_ATTRIBUTE';
  readonly message: string;
  /** The id of the element the problem is on, where there is one. */
  readonly elementId?: string;
  /** The attribute or extension element concerned, e.g. `conditionExpression`, `zeebe:taskDefinition`. */
  readonly field?: string;
  /** 1-based line and column in the XML, where the parser gives them. */
  readonly line?: number;
  readonly column?: number;
}
