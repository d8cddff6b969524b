import type { App } from '../../../domain/catalog';
import { policySummary } from '../../policy-words';
import { CsrfField, TextArea, TextField } from '../components/form-fields';
import { shown } from '../format';
import type { FormState } from './form-state';

const EXAMPLE = `{
  "environments": [
    { "name": "staging", "namespace": "shop-staging", "deployment": "shop", "container": "app", "policy": { "required": 0 } },
    { "name": "prod", "namespace": "shop", "deployment": "shop", "container": "app" }
  ]
}`;

/** Apps the identity manages, each environment's policy in words with a link to edit it, and registering a new app from its JSON definition. */
export function AppsSection({ apps, mayRegister, form, csrfToken }: { apps: App[]; mayRegister: boolean; form: FormState; csrfToken: string }) {
  return (
    <section aria-labelledby="apps">
      <h2 id="apps">Apps and policies</h2>
      {apps.length === 0 ? (
        <p class="muted">No app you manage.</p>
      ) : (
        <table class="grid">
          <caption class="vh">Apps, their environments and policies</caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Environment</th>
              <th scope="col">Policy</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {apps.flatMap((app) =>
              app.environments.map((env) => (
                <tr>
                  <th scope="row">{shown(app.name)}</th>
                  <td>
                    <a href={`/apps/${app.name}/envs/${env.name}`}>{shown(env.name)}</a>
                  </td>
                  <td>{policySummary(env.policy)}</td>
                  <td>
                    <a href={`/admin/apps/${app.name}/envs/${env.name}/policy`}>
                      Edit policy<span class="vh"> of {shown(app.name)} / {shown(env.name)}</span>
                    </a>
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      {mayRegister ? (
        <form method="post" action="/admin/apps" class="card">
          <h3>Register an app</h3>
          <CsrfField token={csrfToken} />
          <TextField name="app-name" label="App name" value={form.values['app-name']} error={form.errors['app-name']} hint="lowercase letters, digits and -" required />
          <TextArea
            name="definition"
            label="Definition (JSON, as PUT /v1/apps/{app} takes it)"
            value={form.values.definition ?? EXAMPLE}
            error={form.errors.definition}
            rows={10}
            hint="Each environment: name, namespace, deployment, container; optional after, cluster, policy."
          />
          <p>
            <button type="submit">Register app</button>
          </p>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}
