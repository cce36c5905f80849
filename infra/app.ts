// Entry point of the CDK app: `npm run build && node dist/infra/app.js` writes the CloudFormation
// templates to infra/cdk.out; with the CDK CLI, `cd infra && cdk deploy` runs this same file.
import { fileURLToPath } from 'node:url';
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { ArbiterStack } from './arbiter-stack.js';
import { DeployOptionsError, parseDeployOptions } from './deploy-options.js';

/** infra/cdk.out whether this runs from infra/ or from dist/infra/. */
const defaultOutdir = fileURLToPath(new URL(import.meta.url.includes('/dist/infra/') ? '../../infra/cdk.out' : './cdk.out', import.meta.url));

/** Without `outdir` (tests) the CDK synthesizes into a fresh temporary directory. */
export function buildApp(context: Record<string, unknown> = {}, outdir?: string): { app: App; stack: ArbiterStack } {
  // The CLI passes its outdir and context through the environment; those win when present.
  const dir = process.env.CDK_OUTDIR ?? outdir;
  const app = new App({ ...(dir ? { outdir: dir } : {}), context });
  const options = parseDeployOptions((key) => app.node.tryGetContext(key));
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  if (options.vpcId && !options.publicSubnetIds && !(account && region)) {
    throw new DeployOptionsError([
      'vpcId: a lookup by id needs an account and region (run through the CDK CLI), or also give publicSubnetIds and availabilityZones',
    ]);
  }
  const stack = new ArbiterStack(app, options.stackName, {
    options,
    description: 'Arbiter: autoscaling gameserver manager on ECS',
    // The stack has no file assets, so its template also deploys with plain
    // `aws cloudformation deploy` in an account that was never bootstrapped.
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    // A VPC lookup by id needs a concrete account and region; otherwise the stack stays environment-agnostic.
    ...(account && region ? { env: { account, region } } : {}),
  });
  return { app, stack };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { app } = buildApp({}, defaultOutdir);
    const assembly = app.synth();
    console.log(`synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${assembly.directory}`);
  } catch (err) {
    if (err instanceof DeployOptionsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
