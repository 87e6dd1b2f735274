import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { MessageCorrelator, type PublishedMessage } from '../messages/message-correlator.js';
import { timeToLiveMs } from '../messages/time-to-live.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { CorrelateMessageDto, PublishedMessageDto, PublishMessageDto } from './messages.dto.js';
import { ProcessInstanceDto } from './runtime-views.dto.js';

@ApiTags('Messages')
@Controller('messages')
export class MessagesController {
  constructor(private readonly correlator: MessageCorrelator) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish a message (Camunda 8)',
    description:
      'Correlated to every open subscription with this name and correlation key, one per process instance. With a time to live it is also buffered, and correlated to a matching subscription that opens before it expires (each instance takes it once). A second message with the same messageId, name and key is refused (409) while the first is buffered.',
  })
  @ApiOkResponse({ type: PublishedMessageDto })
  @ApiProblemResponses(400, 409)
  publish(@Body() body: PublishMessageDto): Promise<PublishedMessage> {
    return this.correlator.publish({
      name: body.name,
      correlationKey: body.correlationKey,
      ...(body.variables === undefined ? {} : { variables: body.variables }),
      timeToLiveMs: validTimeToLive(body.timeToLive),
      ...(body.messageId === undefined ? {} : { messageId: body.messageId }),
    });
  }

  @Post('correlate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correlate a message now (Camunda 7)',
    description:
      'Exactly one open subscription must match the name and the given correlation key, business key and process instance: 404 when none does, 409 when several do. Nothing is buffered.',
  })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The process instance that took the message, afterwards' })
  @ApiProblemResponses(400, 404, 409)
  correlate(@Body() body: CorrelateMessageDto): Promise<ProcessInstanceView> {
    return this.correlator.correlateOne(body);
  }
}

/** Milliseconds, or an ISO 8601 duration (`PT10M`); anything else is a 400 naming the field. */
function validTimeToLive(value: unknown): number {
  const ms = timeToLiveMs(value);
  if (ms !== undefined) return ms;
  throw new ProblemError({
    type: ProblemType.validation,
    title: 'Invalid request',
    status: 400,
    detail: `timeToLive must be a whole number of milliseconds (at least 0) or an ISO 8601 duration such as PT10M, not ${JSON.stringify(value)}`,
    errors: [{ field: 'timeToLive', message: 'must be milliseconds or an ISO 8601 duration' }],
  });
}
