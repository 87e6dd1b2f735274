import { type DefinitionRegistry, type ProcessDefinition } from '@trellis/deployment';

/** What a start names: the latest version of a process id, or exactly one definition (`<processId>:<version>`). */
export type StartTarget = { readonly processId: string } | { readonly processDefinitionId: string };

/**
 * The definition a start targets. With `deployedElsewhere` (the runtime-service: the deployment-service deploys) the
 * registry first catches up with the deployments stream, so a start right after a deployment sees it, its newest
 * version included; otherwise the registry is caught up only when it misses the target.
 */
export async function resolveStartTarget(registry: DefinitionRegistry, target: StartTarget, deployedElsewhere: boolean): Promise<ProcessDefinition | undefined> {
  if (deployedElsewhere) await registry.catchUp();
  const lookup = (): ProcessDefinition | undefined => ('processId' in target ? registry.latest(target.processId) : registry.get(target.processDefinitionId));
  const found = lookup();
  if (found !== undefined || deployedElsewhere) return found;
  await registry.catchUp();
  return lookup();
}
