import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import type { ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { esbuildOptions, lambdaEntries, repoRoot } from './lambda-bundles';
import type { LambdaName } from './lambda-bundles';

/**
 * Bundles in-process with esbuild. `entry` is a public field on purpose: CDK keys its
 * in-process asset cache on the JSON of the bundling options, which drops functions,
 * so without it every function would share the first bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    buildSync(esbuildOptions(this.entry, outputDir));
    return true;
  }
}

/** Never pulled or run: local bundling always succeeds or throws. */
const unusedDockerImage = DockerImage.fromRegistry('gatekeeper/local-bundling-only');

export function bundledCode(name: LambdaName): Code {
  const entry = lambdaEntries[name];
  return Code.fromAsset(path.join(repoRoot, 'functions'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: unusedDockerImage, local: new EsbuildBundling(entry) },
  });
}
