import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { type BroadcastedSignal, SignalBroadcaster } from '../signals/signal-broadcaster.js';
import { BroadcastedSignalDto, BroadcastSignalDto } from './signals.dto.js';

@ApiTags('Signals')
@Controller('signals')
export class SignalsController {
  constructor(private readonly broadcaster: SignalBroadcaster) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Broadcast a signal',
    description:
      'Reaches every signal catch event and signal boundary event waiting for this name, in every process instance, that is open when the signal is recorded (one that opens later does not get it), and starts an instance of the latest version of every process with a signal start event of this name. The answer comes once every one of them has it.',
  })
  @ApiOkResponse({ type: BroadcastedSignalDto })
  @ApiProblemResponses(400)
  broadcast(@Body() body: BroadcastSignalDto): Promise<BroadcastedSignal> {
    return this.broadcaster.broadcast({ signalName: body.signalName, ...(body.variables === undefined ? {} : { variables: body.variables }) });
  }
}
