import { GatekeeperError } from '../domain/errors';

/*
 * Refusals that exist only because the request came over HTTP: the domain
 * never sees a media type or a method, so these live here and carry their
 * status themselves. problem.ts renders them like every other error.
 */

/** The body is not in the one media type (and charset) the route takes. */
export class UnsupportedMediaTypeError extends GatekeeperError {
  readonly type = 'unsupported-media-type';
  readonly status = 415;
  readonly title = 'Unsupported media type';
  constructor(detail: string) {
    super(detail);
    this.name = 'UnsupportedMediaType';
  }
}

/** The path exists, but not for this method; `allow` lists the ones it has (the Allow header). */
export class MethodNotAllowedError extends GatekeeperError {
  readonly type = 'method-not-allowed';
  readonly status = 405;
  readonly title = 'Method not allowed';
  constructor(
    detail: string,
    readonly allow: readonly string[],
  ) {
    super(detail);
    this.name = 'MethodNotAllowed';
  }
}
