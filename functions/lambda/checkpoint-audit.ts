import { buildAuditCheckpointer } from '../runtime/audit-checkpointer';

export const handler = buildAuditCheckpointer(process.env);
