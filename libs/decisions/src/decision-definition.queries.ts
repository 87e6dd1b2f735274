import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProblemError, ProblemType } from '@trellis/platform';

import { DECISION_CATALOG, type DecisionCatalog, type DecisionDefinitionFilter, type DecisionDefinitionPage, type DecisionDefinitionView } from './decision-catalog.js';

export class ListDecisionDefinitionsQuery extends Query<DecisionDefinitionPage> {
  constructor(readonly filter: DecisionDefinitionFilter) {
    super();
  }
}

export class GetDecisionDefinitionQuery extends Query<DecisionDefinitionView> {
  constructor(readonly id: string) {
    super();
  }
}

export class GetDecisionDefinitionXmlQuery extends Query<string> {
  constructor(readonly id: string) {
    super();
  }
}

export class DecisionDefinitionNotFoundError extends ProblemError {
  constructor(id: string) {
    super({
      type: ProblemType.notFound,
      title: 'Decision definition not found',
      status: 404,
      detail: `No decision definition with id ${id} (ids look like <decisionId>:<version>, e.g. risk-check:1)`,
      details: { decisionDefinitionId: id },
    });
  }
}

@QueryHandler(ListDecisionDefinitionsQuery)
export class ListDecisionDefinitionsHandler implements IQueryHandler<ListDecisionDefinitionsQuery> {
  constructor(@Inject(DECISION_CATALOG) private readonly catalog: DecisionCatalog) {}

  execute(query: ListDecisionDefinitionsQuery): Promise<DecisionDefinitionPage> {
    return this.catalog.list(query.filter);
  }
}

@QueryHandler(GetDecisionDefinitionQuery)
export class GetDecisionDefinitionHandler implements IQueryHandler<GetDecisionDefinitionQuery> {
  constructor(@Inject(DECISION_CATALOG) private readonly catalog: DecisionCatalog) {}

  async execute(query: GetDecisionDefinitionQuery): Promise<DecisionDefinitionView> {
    const definition = await this.catalog.get(query.id);
    if (!definition) throw new DecisionDefinitionNotFoundError(query.id);
    return definition;
  }
}

@QueryHandler(GetDecisionDefinitionXmlQuery)
export class GetDecisionDefinitionXmlHandler implements IQueryHandler<GetDecisionDefinitionXmlQuery> {
  constructor(@Inject(DECISION_CATALOG) private readonly catalog: DecisionCatalog) {}

  async execute(query: GetDecisionDefinitionXmlQuery): Promise<string> {
    const xml = await this.catalog.xml(query.id);
    if (xml === undefined) throw new DecisionDefinitionNotFoundError(query.id);
    return xml;
  }
}

/** The queries of the decision-definitions API, for a module's providers. */
export const DECISION_QUERY_HANDLERS = [ListDecisionDefinitionsHandler, GetDecisionDefinitionHandler, GetDecisionDefinitionXmlHandler];
