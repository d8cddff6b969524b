import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../functions/domain/config';
import { diffConfig, flattenConfig, renderDiff, threeWay } from '../../functions/domain/config-diff';

const config: AppConfig = {
  replicas: 3,
  env: { LOG_LEVEL: 'debug', DB_PASSWORD: { secretRef: { name: 'db', key: 'password' } } },
  resources: { limits: { memory: '1Gi', cpu: '500m' }, requests: { cpu: '100m' } },
  configMap: { 'app.yaml': 'port: 8080\nlog: info', 'flags.txt': 'a=1' },
};

describe('flattenConfig', () => {
  it('lists sorted path = value lines, multi-line values one line each', () => {
    expect(flattenConfig(config)).toEqual([
      ['replicas', '3'],
      ['env.DB_PASSWORD', 'secretRef(db/password)'],
      ['env.LOG_LEVEL', '"debug"'],
      ['resources.requests.cpu', '"100m"'],
      ['resources.limits.cpu', '"500m"'],
      ['resources.limits.memory', '"1Gi"'],
      ['configMap["app.yaml"]:1', '"port: 8080"'],
      ['configMap["app.yaml"]:2', '"log: info"'],
      ['configMap["flags.txt"]', '"a=1"'],
    ]);
  });

  it('does not depend on key order', () => {
    const reordered: AppConfig = {
      configMap: { 'flags.txt': 'a=1', 'app.yaml': 'port: 8080\nlog: info' },
      resources: { requests: { cpu: '100m' }, limits: { cpu: '500m', memory: '1Gi' } },
      env: { DB_PASSWORD: { secretRef: { name: 'db', key: 'password' } }, LOG_LEVEL: 'debug' },
      replicas: 3,
    };
    expect(flattenConfig(reordered)).toEqual(flattenConfig(config));
  });
});

describe('diffConfig', () => {
  it('shows nested additions, removals and changes', () => {
    const after: AppConfig = {
      replicas: 4,
      env: { LOG_LEVEL: 'info', FEATURE_X: 'on' },
      resources: { limits: { memory: '2Gi', cpu: '500m' }, requests: { cpu: '100m' } },
      configMap: { 'app.yaml': 'port: 8080\nlog: info', 'flags.txt': 'a=1' },
    };
    expect(diffConfig(config, after)).toEqual([
      { kind: 'changed', path: 'replicas', before: '3', after: '4' },
      { kind: 'removed', path: 'env.DB_PASSWORD', before: 'secretRef(db/password)' },
      { kind: 'added', path: 'env.FEATURE_X', after: '"on"' },
      { kind: 'changed', path: 'env.LOG_LEVEL', before: '"debug"', after: '"info"' },
      { kind: 'changed', path: 'resources.limits.memory', before: '"1Gi"', after: '"2Gi"' },
    ]);
    expect(diffConfig(config, config)).toEqual([]);
  });

  it('marks exactly the changed line of a multi-line configMap value', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `key${i}: value${i}`);
    const before: AppConfig = { configMap: { 'app.yaml': lines.join('\n') } };
    const changed = [...lines];
    changed[9] = 'key9: CHANGED';
    expect(diffConfig(before, { configMap: { 'app.yaml': changed.join('\n') } })).toEqual([
      { kind: 'changed', path: 'configMap["app.yaml"]:10', before: '"key9: value9"', after: '"key9: CHANGED"' },
    ]);
  });

  it('treats a final line break as the end of the last line, not an empty line (no `:2 = ""` artefact)', () => {
    const before: AppConfig = { configMap: { 'app.properties': 'a=1\n' } };
    const after: AppConfig = { configMap: { 'app.properties': 'a=1\nb=2\n' } };
    expect(diffConfig(before, after)).toEqual([{ kind: 'added', path: 'configMap["app.properties"]:2', after: '"b=2"' }]);
    expect(flattenConfig(before)).toEqual([['configMap["app.properties"]', '"a=1\\n"']]);
    expect(diffConfig({ configMap: { f: 'a\nb' } }, { configMap: { f: 'a\nb\n' } })).toEqual([
      { kind: 'changed', path: 'configMap["f"]:end', before: 'no line break at end', after: 'line break at end' },
    ]);
  });

  it('shows an inserted line as one addition, not every later line changing', () => {
    const before: AppConfig = { configMap: { f: 'a\nb\nc\nd' } };
    expect(diffConfig(before, { configMap: { f: 'a\nb\nNEW\nc\nd' } })).toEqual([{ kind: 'added', path: 'configMap["f"]:3', after: '"NEW"' }]);
    expect(diffConfig(before, { configMap: { f: 'a\nc\nd' } })).toEqual([{ kind: 'removed', path: 'configMap["f"]:2', before: '"b"' }]);
    expect(diffConfig(before, { configMap: { f: 'x\nb\nc\ny' } }).map((line) => line.path)).toEqual(['configMap["f"]:1', 'configMap["f"]:4']);
  });

  it('adds and removes whole configMap values line by line', () => {
    expect(diffConfig({}, { configMap: { f: 'a\nb' } })).toEqual([
      { kind: 'added', path: 'configMap["f"]:1', after: '"a"' },
      { kind: 'added', path: 'configMap["f"]:2', after: '"b"' },
    ]);
    expect(diffConfig({ configMap: { f: 'one' } }, {})).toEqual([{ kind: 'removed', path: 'configMap["f"]', before: '"one"' }]);
  });

  it('includes unchanged lines only with context, and renders unified-style text', () => {
    const after: AppConfig = { ...config, replicas: 5, configMap: { 'app.yaml': 'port: 9090\nlog: info', 'flags.txt': 'a=1' } };
    expect(diffConfig(config, after, { context: true }).filter((line) => line.kind === 'same')).toHaveLength(7);
    expect(renderDiff(diffConfig(config, after))).toBe(
      ['- replicas = 3', '+ replicas = 5', '- configMap["app.yaml"]:1 = "port: 8080"', '+ configMap["app.yaml"]:1 = "port: 9090"'].join('\n'),
    );
    expect(renderDiff([{ kind: 'same', path: 'replicas', before: '1', after: '1' }, { kind: 'added', path: 'env.A', after: '"x"' }])).toBe(
      '  replicas = 1\n+ env.A = "x"',
    );
  });
});

describe('threeWay', () => {
  const base: AppConfig = { replicas: 2, env: { A: '1', B: '2' }, configMap: { f: 'x' } };

  it('merges changes to different fields: theirs plus mine', () => {
    const mine: AppConfig = { replicas: 3, env: { A: '1', B: '2', C: 'mine' }, configMap: { f: 'x' } };
    const theirs: AppConfig = { replicas: 2, env: { A: 'theirs' }, configMap: { f: 'x', g: 'y' }, resources: { limits: { cpu: '1' } } };
    const result = threeWay(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.merged).toEqual({ replicas: 3, env: { A: 'theirs', C: 'mine' }, resources: { limits: { cpu: '1' } }, configMap: { f: 'x', g: 'y' } });
  });

  it('accepts the same change made on both sides', () => {
    const same: AppConfig = { ...base, replicas: 4 };
    expect(threeWay(base, same, same)).toMatchObject({ conflicts: [], merged: same });
  });

  it('reports paths changed on both sides to different values, removals included', () => {
    const mine: AppConfig = { replicas: 3, env: { A: '1', B: 'mine' }, configMap: { f: 'mine' } };
    const theirs: AppConfig = { replicas: 4, env: { A: '1' }, configMap: { f: 'x' } };
    const result = threeWay(base, mine, theirs);
    expect(result.conflicts).toEqual(['replicas', 'env.B']);
    expect(result.merged).toBeUndefined();
    expect(result).toMatchObject({ base, mine, theirs });
  });
});
