export { Camunda7DeploymentRestModule, Camunda7RestModule } from './camunda7-rest.module.js';
export {
  camunda7ProblemRenderer,
  camundaBodyOf,
  type CamundaErrorBody,
  CamundaRestException,
  ENGINE_REST_PATH,
  invalidRequest,
  notFoundRequest,
} from './camunda-rest.error.js';
export { CAMUNDA_REST_VERSION } from './api/engine.controller.js';
export { camundaDate, parseCamundaDate } from './camunda-dates.js';
export { type TypedValue, typedValueOf, typedValuesOf, valueOfTyped, variablesOfTyped } from './typed-values.js';
export type * from './camunda-dtos.js';
export { type ExternalTaskDto, externalTaskDtoOf, type LockedExternalTaskDto, lockedExternalTaskDtoOf } from './external-task-dtos.js';
