import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ExternalTaskService } from '../external-tasks/external-task.service.js';
import type { ExternalTaskWorkerView } from '../external-tasks/external-task.views.js';
import { ExternalTaskWorkerDto } from './external-tasks.dto.js';

@ApiTags('External tasks')
@Controller('workers')
export class WorkersController {
  constructor(private readonly externalTasks: ExternalTaskService) {}

  @Get()
  @ApiOperation({
    summary: 'List external-task workers',
    description:
      'Every worker that polled this process: its topics, last poll, the tasks it holds, and whether it is healthy (it polled within `TRELLIS_WORKER_UNHEALTHY_AFTER_MS` or waits now).',
  })
  @ApiOkResponse({ type: [ExternalTaskWorkerDto] })
  list(): Promise<ExternalTaskWorkerView[]> {
    return this.externalTasks.workerList();
  }
}
