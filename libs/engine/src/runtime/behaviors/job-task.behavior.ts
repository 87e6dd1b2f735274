import type { JobTaskNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { asCount, asNonEmptyString, evaluateAs } from './values.js';

/** Service, send and business rule tasks: a job for a worker; the task waits until the job is completed. */
export const jobTaskBehavior: ElementBehavior<JobTaskNode> = {
  onActivate(run, instance, node) {
    const type = evaluateAs(run, node.job.type, instance.id, 'the job type', 'a non-empty string', asNonEmptyString);
    if (!type.ok) return type.error;
    const retries = evaluateAs(run, node.job.retries, instance.id, 'the job retries', 'a whole number of at least 0', asCount);
    if (!retries.ok) return retries.error;
    run.activated(instance);
    run.emit({
      type: 'JobCreated',
      data: {
        jobId: run.newId(),
        type: type.value,
        retries: retries.value,
        elementInstanceId: instance.id,
        elementId: instance.elementId,
        customHeaders: node.job.customHeaders,
        createdAt: run.now,
      },
    });
    return undefined;
  },
  onTerminate(run, instance) {
    for (const job of Object.values(run.state.jobs)) {
      if (job.elementInstanceId === instance.id) run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
    }
  },
};
