import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProblemError, ProblemType } from '@trellis/platform';

import { DefinitionRegistry } from '../definition-registry.js';
import type { ProcessDefinition } from '../deployment.events.js';

export class ListProcessDefinitionsQuery extends Query<ProcessDefinition[]> {
  constructor(
    readonly processId?: string,
    readonly latest?: boolean,
  ) {
    super();
  }
}

export class GetProcessDefinitionQuery extends Query<ProcessDefinition> {
  constructor(readonly id: string) {
    super();
  }
}

export class GetProcessDefinitionXmlQuery extends Query<string> {
  constructor(readonly id: string) {
    super();
  }
}

export class ProcessDefinitionNotFoundError extends ProblemError {
  constructor(id: string) {
    super({
      type: ProblemType.notFound,
      title: 'Process definition not found',
      status: 404,
      detail: `No process definition with id ${id} (ids look like <processId>:<version>, e.g. order-process:1)`,
      details: { processDefinitionId: id },
    });
  }
}

@QueryHandler(ListProcessDefinitionsQuery)
export class ListProcessDefinitionsHandler implements IQueryHandler<ListProcessDefinitionsQuery> {
  constructor(private readonly registry: DefinitionRegistry) {}

  async execute(query: ListProcessDefinitionsQuery): Promise<ProcessDefinition[]> {
    return this.registry.list({ ...(query.processId !== undefined ? { processId: query.processId } : {}), latest: query.latest === true });
  }
}

@QueryHandler(GetProcessDefinitionQuery)
export class GetProcessDefinitionHandler implements IQueryHandler<GetProcessDefinitionQuery> {
  constructor(private readonly registry: DefinitionRegistry) {}

  async execute(query: GetProcessDefinitionQuery): Promise<ProcessDefinition> {
    const definition = this.registry.get(query.id);
    if (!definition) throw new ProcessDefinitionNotFoundError(query.id);
    return definition;
  }
}

@QueryHandler(GetProcessDefinitionXmlQuery)
export class GetProcessDefinitionXmlHandler implements IQueryHandler<GetProcessDefinitionXmlQuery> {
  constructor(private readonly registry: DefinitionRegistry) {}

  async execute(query: GetProcessDefinitionXmlQuery): Promise<string> {
    const xml = this.registry.xml(query.id);
    if (xml === undefined) throw new ProcessDefinitionNotFoundError(query.id);
    return xml;
  }
}
