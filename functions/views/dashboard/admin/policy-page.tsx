import type { Environment } from '../../../domain/catalog';
import { policySummary } from '../../policy-words';
import { Checkbox, CsrfField, FieldError, Select, TextArea, TextField, fieldId } from '../components/form-fields';
import { Notice } from '../components/notice';
import { shown } from '../format';
import { Layout } from '../layout';
import type { FormState } from './form-state';
import { RULE_ROWS, ruleField } from './policy-form';

export interface PolicyPageProps {
  environment: Environment;
  form: FormState;
  identity: string;
  csrfToken: string;
  done?: string | undefined;
  /** How many pending requests the last change voided. */
  voided?: number | undefined;
}

/**
 * `GET /admin/apps/:app/envs/:env/policy`: the policy as a form (the same
 * rules as `PUT /v1/apps/{app}/envs/{env}/policy`), each refusal shown by
 * the field it is about. Saving voids the environment's pending requests.
 */
export function PolicyPage({ environment: env, form, identity, csrfToken, done, voided }: PolicyPageProps) {
  const { values, errors } = form;
  const v = (name: string) => values[name];
  const filled = Array.from({ length: RULE_ROWS }, (_, row) => row).filter((row) => values[ruleField(row, 'group')] || values[ruleField(row, 'min')]);
  // Every filled row, and two empty ones after the last (at least three in all).
  const rows = Math.min(RULE_ROWS, Math.max(3, (filled.at(-1) ?? -1) + 3));
  return (
    <Layout title={`Policy of ${env.app} / ${env.name}`} identity={identity} csrfToken={csrfToken} section="admin">
      <Notice done={done} messages={{ saved: `Saved.${voided ? ` ${voided} pending request${voided === 1 ? ' was' : 's were'} voided (their releases end cancelled).` : ''}` }} />
      <p>
        Now: <strong>{policySummary(env.policy)}</strong> (version {env.policyVersion ?? 0}). <a href={`/apps/${env.app}/envs/${env.name}`}>The environment</a> · <a href="/admin">Admin</a>
      </p>
      <p class="warn">Saving a change voids the environment's pending approval requests: nothing approved under the old rules deploys under the new ones.</p>
      {errors.form ? <p class="field-error" role="alert">{shown(errors.form)}</p> : ''}
      <form method="post" action={`/admin/apps/${env.app}/envs/${env.name}/policy`}>
        <CsrfField token={csrfToken} />
        <TextField name="required" label="Approvals required in total (0 = no gate)" type="number" value={v('required')} error={errors.required} />
        <fieldset>
          <legend>Group rules: at least this many approvals from members of the group</legend>
          <FieldError name="rules" error={errors.rules} />
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">At least</th>
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: rows }, (_, row) => (
                <tr>
                  <td>
                    <label for={fieldId(ruleField(row, 'group'))} class="vh">
                      Group of rule {row + 1}
                    </label>
                    <input id={fieldId(ruleField(row, 'group'))} name={ruleField(row, 'group')} value={shown(v(ruleField(row, 'group')) ?? '')} {...aria(ruleField(row, 'group'), errors)} />
                    <FieldError name={ruleField(row, 'group')} error={errors[ruleField(row, 'group')]} />
                  </td>
                  <td>
                    <label for={fieldId(ruleField(row, 'min'))} class="vh">
                      Minimum of rule {row + 1}
                    </label>
                    <input id={fieldId(ruleField(row, 'min'))} name={ruleField(row, 'min')} type="number" value={shown(v(ruleField(row, 'min')) ?? '')} {...aria(ruleField(row, 'min'), errors)} />
                    <FieldError name={ruleField(row, 'min')} error={errors[ruleField(row, 'min')]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">Leave a row empty to drop it. Save to get more rows.</p>
        </fieldset>
        <TextField name="timeoutSeconds" label="A request expires after (seconds)" type="number" value={v('timeoutSeconds')} error={errors.timeoutSeconds} />
        <Checkbox name="supersede" label="A newer release supersedes a pending request" checked={v('supersede') === 'on'} error={errors.supersede} />
        <Checkbox name="rollbackRequiresApproval" label="Rollbacks need the same approval as releases" checked={v('rollbackRequiresApproval') === 'on'} error={errors.rollbackRequiresApproval} />
        <Select
          name="onDrift"
          label="When the cluster runs something Gatekeeper did not deploy"
          value={v('onDrift')}
          options={[
            ['proceed', 'record the drift and deploy over it'],
            ['refuse', 'refuse to deploy until it is resolved'],
          ]}
          error={errors.onDrift}
        />
        <TextArea name="freeze" label="Freeze windows (JSON: { onFreeze, windows })" value={v('freeze')} error={errors.freeze} rows={6} hint='e.g. {"onFreeze":"wait","windows":[{"kind":"weekly","timeZone":"Europe/Berlin","days":["fri"],"start":"16:00","end":"00:00"}]}' />
        <TextArea name="checks" label="Checks (JSON array; empty for none)" value={v('checks')} error={errors.checks} rows={6} />
        <p>
          <button type="submit">Save policy</button>
        </p>
      </form>
    </Layout>
  );
}

const aria = (name: string, errors: Record<string, string>) => (errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `${fieldId(name)}-error` } : {});
