import { buildDeployStep } from '../runtime/deploy';

export const handler = buildDeployStep(process.env);
