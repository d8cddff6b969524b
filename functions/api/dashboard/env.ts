/** A signed-in person's session, as the dashboard's routes see it (set by the session middleware). */
export interface DashboardSession {
  /** The verified email claim: the identity every action is recorded under. */
  identity: string;
  /** When the person last authenticated at the provider (epoch seconds): step-up compares it with now. */
  authTime: number;
  /** Echoed in every state-changing form and checked on POST (with Hono's Origin check). */
  csrfToken: string;
}

export interface DashboardEnv {
  Variables: { identity: string; session: DashboardSession };
}
