import { secureHeaders } from 'hono/secure-headers';
import { STYLESHEET_CSP_SOURCE } from '../views/html';

/**
 * Headers on every response (JSON included: a browser may be pointed at any
 * URL). The CSP allows the pages' one hashed stylesheet, scripts and fetches
 * from this origin only (the dashboard's `/assets/*.js`: never inline, never
 * eval), and posting forms back here; nothing else (no images, frames,
 * fonts). The emailed link's pages have no scripts at all. Framing is
 * refused twice (`frame-ancestors` and the older X-Frame-Options) so nobody
 * can overlay the Approve button (clickjacking). Links carry their secret in
 * the path, so no page may pass it on as a Referer.
 */
export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [STYLESHEET_CSP_SOURCE],
      scriptSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
  });
