/** The largest request body any route reads (413 beyond it); the OpenAPI document states it too. */
export const MAX_BODY_BYTES = 64 * 1024;
