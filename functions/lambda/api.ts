import { handle } from 'hono/aws-lambda';
import { createApiApp } from '../api/api-face';
import { buildApiDeps } from '../runtime/api';

/** The API face: /v1 (CI and the CLI), the emailed approval links and the OpenAPI document. */
export const handler = handle(createApiApp(buildApiDeps(process.env)));
