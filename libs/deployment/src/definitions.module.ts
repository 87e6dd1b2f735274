import { Module } from '@nestjs/common';

import { DefinitionRegistry } from './definition-registry.js';

/**
 * The deployed process definitions, read only: the `DefinitionRegistry` rebuilt from the `deployments` stream, with no
 * HTTP endpoint. The runtime imports it (in the runtime-service, where the deployment-service deploys, it catches up
 * with `DefinitionRegistry.catchUp()`); `DeploymentModule` imports and re-exports it, so that one application holds one
 * registry. Needs the `EVENT_STORE` provider from the application.
 */
@Module({
  providers: [DefinitionRegistry],
  exports: [DefinitionRegistry],
})
export class DefinitionsModule {}
