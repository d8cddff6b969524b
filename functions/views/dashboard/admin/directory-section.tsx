import { ROLES, type Directory } from '../../../domain/authorization';
import { ActionButton, CsrfField, Select, TextArea, TextField } from '../components/form-fields';
import { shown } from '../format';
import type { FormState } from './form-state';

/** Groups (members) and role grants: list, set a group's members, add and remove grants. Every change is audited in the directory's chain. */
export function DirectorySection({ directory, groupForm, grantForm, csrfToken }: { directory: Directory; groupForm: FormState; grantForm: FormState; csrfToken: string }) {
  const groups = Object.entries(directory.groups).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <>
      <section aria-labelledby="groups">
        <h2 id="groups">Groups</h2>
        <table class="grid">
          <caption class="vh">Groups and their members</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Members</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {groups.map(([name, members]) => (
              <tr>
                <th scope="row">{shown(name)}</th>
                <td>{shown(members.join(', ') || '—')}</td>
                <td>
                  <a href={`/admin?group=${encodeURIComponent(name)}#group-form`}>
                    Edit<span class="vh"> {shown(name)}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/admin/groups" class="card" id="group-form">
          <h3>Set a group's members</h3>
          <CsrfField token={csrfToken} />
          <TextField name="group" label="Group" value={groupForm.values.group} error={groupForm.errors.group} required />
          <TextArea name="members" label="Members (one email or ci:name per line)" value={groupForm.values.members} error={groupForm.errors.members} rows={4} />
          {groupForm.errors.form ? <p class="field-error">{shown(groupForm.errors.form)}</p> : ''}
          <p>
            <button type="submit">Save group</button>
          </p>
        </form>
      </section>
      <section aria-labelledby="grants">
        <h2 id="grants">Grants</h2>
        <table class="grid">
          <caption class="vh">Role grants</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Role</th>
              <th scope="col">App</th>
              <th scope="col">Environment</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {directory.grants.map((grant) => {
              const who = 'user' in grant.subject ? grant.subject.user : `group ${grant.subject.group}`;
              return (
                <tr>
                  <th scope="row">{shown(who)}</th>
                  <td>{shown(grant.role)}</td>
                  <td>{shown(grant.app)}</td>
                  <td>{shown(grant.environment)}</td>
                  <td>
                    <ActionButton action={`/admin/grants/${grant.id}/revoke`} csrfToken={csrfToken} label={`Remove`}>
                      <span class="vh">{shown(` the ${grant.role} grant of ${who} on ${grant.app}/${grant.environment}`)}</span>
                    </ActionButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <form method="post" action="/admin/grants" class="card">
          <h3>Add a grant</h3>
          <CsrfField token={csrfToken} />
          <Select
            name="subject-kind"
            label="To a"
            value={grantForm.values['subject-kind']}
            options={[
              ['user', 'user (email or ci:name)'],
              ['group', 'group'],
            ]}
          />
          <TextField name="subject" label="User or group" value={grantForm.values.subject} error={grantForm.errors.subject} required />
          <Select name="role" label="Role" value={grantForm.values.role} options={ROLES.map((role) => [role, role])} error={grantForm.errors.role} />
          <TextField name="grant-app" label="App (or * for all)" value={grantForm.values['grant-app']} error={grantForm.errors['grant-app']} required />
          <TextField name="grant-environment" label="Environment (or * for all)" value={grantForm.values['grant-environment'] ?? '*'} error={grantForm.errors['grant-environment']} required />
          {grantForm.errors.form ? <p class="field-error">{shown(grantForm.errors.form)}</p> : ''}
          <p>
            <button type="submit">Add grant</button>
          </p>
        </form>
      </section>
    </>
  );
}
