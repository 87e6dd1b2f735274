import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { ENGINE_REST_PATH } from '../camunda-rest.error.js';

/** The Camunda 7 release whose REST API this one follows: what `GET /engine-rest/version` reports to clients. */
export const CAMUNDA_REST_VERSION = '7.23.0';

// Camunda's clients know this API from Camunda's own documentation; Trellis's OpenAPI document stays about /api.
@ApiExcludeController()
@Controller(ENGINE_REST_PATH)
export class CamundaEngineController {
  @Get('version')
  version(): { version: string } {
    return { version: CAMUNDA_REST_VERSION };
  }

  /** The process engines of the server: one, `default`, as in a Camunda Run distribution. */
  @Get('engine')
  engines(): { name: string }[] {
    return [{ name: 'default' }];
  }
}
