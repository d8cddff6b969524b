import { buildSigningKeyRotation } from '../runtime/rotate-signing-key';

export const handler = buildSigningKeyRotation(process.env);
