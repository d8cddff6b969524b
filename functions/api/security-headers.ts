import { secureHeaders } from 'hono/secure-headers';
import { STYLESHEET_CSP_SOURCE } from '../views/html';

/**
 * Headers on every response (JSON included: a browser may be pointed at any
 * URL). The pages have no scripts, images or frames, so the CSP allows
 * nothing but their one hashed stylesheet and posting the form back here.
 * Framing is refused twice (`frame-ancestors` and the older X-Frame-Options)
 * so nobody can overlay the Approve button (clickjacking). Links carry their
 * secret in the path, so no page may pass it on as a Referer.
 */
export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [STYLESHEET_CSP_SOURCE],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
  });
