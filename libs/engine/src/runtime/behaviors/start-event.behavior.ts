import type { StartEventNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/** None start event: the token starts here and moves on. */
export const startEventBehavior: ElementBehavior<StartEventNode> = { onActivate: passThrough };
