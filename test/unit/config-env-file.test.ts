// A .env that is not UTF-8 text, and an AWS_REGION that is not a region name, are refused at start with the variable named.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, readEnvFile } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'arbiter-envfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ECS_ENV = 'GAMESERVER_TASK_DEFINITION=LaunchGameserver\nECS_SUBNETS=subnet-1\n';

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('accepted');
}

describe('.env encoding', () => {
  it.each([
    { name: 'UTF-16LE with a byte-order mark', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ECS_ENV, 'utf16le')]), why: /UTF-16/ },
    { name: 'UTF-16BE with a byte-order mark', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(ECS_ENV, 'utf16le').swap16()]), why: /UTF-16/ },
    { name: 'UTF-16LE without a mark', bytes: Buffer.from(ECS_ENV, 'utf16le'), why: /NUL/ },
    { name: 'binary', bytes: Buffer.from([0x47, 0x41, 0xc3, 0x28, 0x00, 0xff, 0x10]), why: /not UTF-8/ },
  ])('refuses a $name file, naming ENV_FILE', ({ name, bytes, why }) => {
    const path = write(`${name.replace(/\W+/g, '-')}.env`, bytes);
    const [problem] = refusal(() => readEnvFile(path));
    expect(problem).toMatch(/^ENV_FILE: /);
    expect(problem).toMatch(why);
  });

  it('reads UTF-8, with or without a byte-order mark', () => {
    const plain = readEnvFile(write('plain.env', Buffer.from(ECS_ENV)));
    const marked = readEnvFile(write('bom.env', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ECS_ENV)])));
    for (const env of [plain, marked]) expect(env).toMatchObject({ GAMESERVER_TASK_DEFINITION: 'LaunchGameserver', ECS_SUBNETS: 'subnet-1' });
    expect(parseConfig(marked).backend).toBe('ecs');
  });
});

describe('AWS_REGION', () => {
  it.each(['us-east-1', 'eu-central-2', 'ap-southeast-3', 'us-gov-west-1', 'cn-north-1', ' us-west-2 '])('accepts %j', (region) => {
    expect(() => parseConfig({ AWS_REGION: region })).not.toThrow();
  });
  it.each(['us-east-1\nx', 'us‐east‐1', 'US-EAST-1', 'useast1', 'us-east', 'us-east-1; rm', 'мы-east-1'])('refuses %j, naming the variable', (region) => {
    const problems = refusal(() => parseConfig({ AWS_REGION: region }));
    expect(problems.some((p) => p.startsWith('AWS_REGION: expected an AWS region name'))).toBe(true);
  });
});
