import { buildRollbackStep } from '../runtime/deploy';

export const handler = buildRollbackStep(process.env);
