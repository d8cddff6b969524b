import { buildRunChecksStep } from '../runtime/run-checks';

export const handler = buildRunChecksStep(process.env);
