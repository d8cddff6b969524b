import * as errors from '../../domain/errors';
import { GatekeeperError } from '../../domain/errors';
import { PROBLEM_BASE } from '../problem';

/** One problem type as the API answers it (`type` is `PROBLEM_BASE` + the slug). */
export interface ProblemType {
  slug: string;
  uri: string;
  status: number;
  /** Titles of the errors answering with it (`dependency-unavailable` has one per dependency). */
  titles: string[];
}

/** What toProblem answers for anything that is not a GatekeeperError (problem.ts). */
export const INTERNAL_PROBLEM = { slug: 'internal', status: 500, title: 'Internal error' } as const;

type ErrorClass = new (...args: unknown[]) => GatekeeperError;
const isErrorClass = (value: unknown): boolean => typeof value === 'function' && value.prototype instanceof GatekeeperError;

/**
 * Every problem type the API can answer with, read from the error catalog
 * (functions/domain/errors.ts) itself: each exported GatekeeperError class is
 * instantiated once to read its slug, status and title, so a new error class
 * is documented without anyone remembering to. Sorted by status, then slug.
 */
export function problemCatalog(): ProblemType[] {
  const bySlug = new Map<string, ProblemType>();
  const add = (slug: string, status: number, title: string) => {
    const known = bySlug.get(slug);
    if (!known) bySlug.set(slug, { slug, uri: PROBLEM_BASE + slug, status, titles: [title] });
    else if (known.status !== status) throw new Error(`problem type ${slug} is answered with both ${known.status} and ${status}`);
    else if (!known.titles.includes(title)) known.titles.push(title);
  };
  for (const value of Object.values(errors)) {
    if (!isErrorClass(value)) continue;
    // The constructors' extra arguments (allow, signInUrl, fields) are only stored; any value reads type, status and title.
    const sample = new (value as ErrorClass)('sample', []);
    add(sample.type, sample.status, sample.title);
  }
  add(INTERNAL_PROBLEM.slug, INTERNAL_PROBLEM.status, INTERNAL_PROBLEM.title);
  // Sorted throughout: how a runtime orders a module namespace's exports must not change the document.
  return [...bySlug.values()]
    .map((problem) => ({ ...problem, titles: [...problem.titles].sort() }))
    .sort((a, b) => a.status - b.status || a.slug.localeCompare(b.slug));
}
