import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { type ConditionalEvaluation, EvaluateConditionalStartsCommand } from '../commands/evaluate-conditional-starts.command.js';
import { ConditionalEvaluationDto, EvaluateConditionalsDto } from './conditionals.dto.js';

@ApiTags('Conditionals')
@Controller('conditionals')
export class ConditionalsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('evaluation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Evaluate conditional start events',
    description:
      'Evaluates the condition of every conditional start event of the latest version of each process (or of one definition) with the variables, and starts an instance with them at each one that holds. A condition that cannot be evaluated (a missing variable, say) does not hold.',
  })
  @ApiOkResponse({ type: ConditionalEvaluationDto })
  @ApiProblemResponses(400, 404)
  evaluate(@Body() body: EvaluateConditionalsDto): Promise<ConditionalEvaluation> {
    return this.commandBus.execute(new EvaluateConditionalStartsCommand(body.variables, body.processDefinitionId, body.businessKey));
  }
}
