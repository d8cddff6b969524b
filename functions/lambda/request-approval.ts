import { buildRequestApprovalStep } from '../runtime/request-approval';

export const handler = buildRequestApprovalStep(process.env);
