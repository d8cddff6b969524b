import { visible } from '../../domain/text';

/**
 * Small formatting helpers for the dashboard's views. hono/jsx escapes markup;
 * `shown` also makes control and bidi characters visible (`<U+202E>`), as the
 * emailed pages do, since stored text may predate the input rules.
 */
export const shown = (value: unknown): string => visible(String(value ?? ''));

/** `registry/app@sha256:0123456789ab…` → `sha256:0123456789ab` (the first 12 hex digits). */
export function shortDigest(image: string): string {
  const at = image.indexOf('@sha256:');
  return at < 0 ? image : `sha256:${image.slice(at + 8, at + 20)}`;
}

/** The repository part of a pinned image reference. */
export const repositoryOf = (image: string): string => (image.includes('@') ? image.slice(0, image.indexOf('@')) : image);

/** "2026-12-02 12:00:05 UTC": one unambiguous form everywhere. */
export function when(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "45 s", "12 min", "3 h", "2 days". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} days`;
}

export const ageOf = (iso: string, now: Date): string => duration((now.getTime() - Date.parse(iso)) / 1000);

/** `staging`, `waiting_for_approval` → "waiting for approval". */
export const statusLabel = (status: string): string => status.replace(/_/g, ' ');

/** A safe element id from names that are already `[a-z0-9-]` (environments) or uuids. */
export const idFor = (...parts: string[]): string => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
