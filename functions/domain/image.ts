import { ImageNotPinnedError } from './errors';

/** A container image reference pinned to an immutable digest. */
export interface PinnedImage {
  /** The full reference as deployed: `<repository>@sha256:<64 hex>`. */
  reference: string;
  repository: string;
  digest: string;
  /** First 12 hex characters of the digest, for names and subjects. */
  shortDigest: string;
}

const PINNED = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::[\w][\w.-]{0,127})?@(sha256:[a-f0-9]{64})$/;

/**
 * Accepts only digest-pinned references. A tag can be moved after approval, so
 * approving a tag would not bind the approval to what is deployed (B2).
 */
export function parsePinnedImage(reference: string): PinnedImage {
  const match = PINNED.exec(reference);
  if (!match) {
    const hint = reference.includes('@sha256:')
      ? 'the digest must be "sha256:" followed by 64 lowercase hex characters'
      : 'a tag such as ":latest" can be moved after approval; pass the immutable digest, e.g. "registry.example.com/team/app@sha256:<64 hex>"';
    throw new ImageNotPinnedError(`image "${reference}" is not pinned by digest: ${hint}`);
  }
  const [, repository = '', digest = ''] = match;
  return { reference, repository, digest, shortDigest: digest.slice('sha256:'.length, 'sha256:'.length + 12) };
}
