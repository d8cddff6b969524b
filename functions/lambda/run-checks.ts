import { buildRunChecksStep } from '../runtime/deploy';

export const handler = buildRunChecksStep(process.env);
