// EC2 actions: RunInstances, DescribeInstances, TerminateInstances, DescribeNetworkInterfaces.
import type { SimContext } from './context.js';
import { later } from './context.js';
import { SimApiError } from './errors.js';
import { queryFilters, queryList, tagSet, type QueryFilter, type XmlNode } from './ec2-xml.js';
import { ec2Id, ecsId, hostName } from './ids.js';
import { INSTANCE_STATE_CODES, type Ec2Instance, type InstanceStateName } from './model.js';

const invalid = (code: string, message: string): SimApiError => new SimApiError(code, message);

function instanceState(state: InstanceStateName): XmlNode {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

function instanceXml(ctx: SimContext, i: Ec2Instance): XmlNode {
  const region = ctx.state.options.region;
  const live = i.state !== 'terminated';
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: instanceState(i.state),
    privateDnsName: live ? hostName(i.privateIp, region) : '',
    dnsName: live ? hostName(i.publicIp, region) : '',
    amiLaunchIndex: 0,
    instanceType: i.instanceType,
    launchTime: new Date(i.launchTime).toISOString(),
    placement: { availabilityZone: `${region}a`, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: live ? 'subnet-0sim0000000000001' : undefined,
    vpcId: live ? 'vpc-0sim0000000000001' : undefined,
    privateIpAddress: live ? i.privateIp : undefined,
    // The Query protocol calls the public address `ipAddress`; the SDK maps it to PublicIpAddress.
    ipAddress: live ? i.publicIp : undefined,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    tagSet: tagSet(
      new Map([...i.tags, ['aws:ec2launchtemplate:id', i.launchTemplateId], ['aws:ec2launchtemplate:version', '1']]),
    ),
  };
}

function reservationXml(ctx: SimContext, reservationId: string, instances: Ec2Instance[]): XmlNode {
  return {
    reservationId,
    ownerId: ctx.state.options.accountId,
    groupSet: [],
    instancesSet: instances.map((i) => instanceXml(ctx, i)),
  };
}

function positiveInt(params: URLSearchParams, key: string): number {
  const text = params.get(key);
  const value = Number(text);
  if (text === null || !Number.isInteger(value) || value < 1) {
    throw invalid('InvalidParameterValue', `Value (${String(text)}) for parameter ${key} is invalid.`);
  }
  return value;
}

export function runInstances(ctx: SimContext, params: URLSearchParams): XmlNode {
  const { state } = ctx;
  const templateId = params.get('LaunchTemplate.LaunchTemplateId') ?? undefined;
  const templateName = params.get('LaunchTemplate.LaunchTemplateName') ?? undefined;
  if (templateId === undefined && templateName === undefined && !params.has('ImageId')) {
    throw invalid('MissingParameter', 'The request must contain the parameter ImageId');
  }
  const template =
    templateId !== undefined || templateName !== undefined
      ? state.findLaunchTemplate({ id: templateId, name: templateName })
      : state.findLaunchTemplate({ name: 'defaultECS' });
  if (!template && templateId !== undefined) {
    throw invalid('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${templateId}, does not exist.`);
  }
  if (!template) {
    throw invalid(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${templateName ?? ''}, does not exist.`,
    );
  }
  const min = positiveInt(params, 'MinCount');
  const max = positiveInt(params, 'MaxCount');
  if (min > max) throw invalid('InvalidParameterValue', 'MinCount must be less than or equal to MaxCount.');
  const tags = new Map<string, string>();
  for (let n = 1; params.has(`TagSpecification.${n}.ResourceType`); n++) {
    if (params.get(`TagSpecification.${n}.ResourceType`) !== 'instance') continue;
    for (let t = 1; params.has(`TagSpecification.${n}.Tag.${t}.Key`); t++) {
      tags.set(params.get(`TagSpecification.${n}.Tag.${t}.Key`) ?? '', params.get(`TagSpecification.${n}.Tag.${t}.Value`) ?? '');
    }
  }
  const reservationId = ec2Id('r');
  const instances: Ec2Instance[] = [];
  for (let n = 0; n < max; n++) {
    const ip = state.addresses.take();
    const instance: Ec2Instance = {
      id: ec2Id('i'),
      reservationId,
      imageId: params.get('ImageId') ?? template.imageId,
      instanceType: params.get('InstanceType') ?? template.instanceType,
      launchTemplateId: template.id,
      launchTemplateName: template.name,
      state: 'pending',
      privateIp: ip,
      publicIp: ip,
      launchTime: Date.now(),
      tags: new Map(tags),
      clusterName: template.clusterName,
    };
    state.instances.set(instance.id, instance);
    instances.push(instance);
    const join = state.options.instanceJoinLatencyMs;
    later(ctx, join / 2, () => {
      if (instance.state === 'pending') instance.state = 'running';
    });
    later(ctx, join, () => joinCluster(ctx, instance));
  }
  return reservationXml(ctx, reservationId, instances);
}

/** The ECS agent on a running instance registers it as a container instance of its cluster. */
function joinCluster(ctx: SimContext, instance: Ec2Instance): void {
  const { state } = ctx;
  if (instance.state !== 'running' && instance.state !== 'pending') return;
  instance.state = 'running';
  const cluster = state.clusters.get(instance.clusterName) ?? state.createCluster(instance.clusterName);
  const id = ecsId();
  const containerInstance = {
    id,
    arn: state.arn(`container-instance/${cluster.name}/${id}`),
    cluster,
    ec2InstanceId: instance.id,
    status: 'ACTIVE' as const,
    registeredAt: Date.now(),
    cpu: 2048,
    memory: 3904,
    seq: state.nextSeq(),
  };
  state.containerInstances.set(id, containerInstance);
  instance.containerInstance = containerInstance;
}

function requireInstances(ctx: SimContext, ids: string[]): Ec2Instance[] {
  return ids.map((id) => {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw invalid('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    const instance = ctx.state.instances.get(id);
    if (!instance) throw invalid('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  });
}

function matchesFilters(instance: Ec2Instance, filters: QueryFilter[]): boolean {
  return filters.every((f) => {
    switch (f.name) {
      case 'instance-id':
        return f.values.includes(instance.id);
      case 'instance-state-name':
        return f.values.includes(instance.state);
      case 'private-ip-address':
        return f.values.includes(instance.privateIp);
      default:
        if (f.name.startsWith('tag:')) return f.values.includes(instance.tags.get(f.name.slice(4)) ?? '\u0000');
        throw invalid('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
  });
}

export function describeInstances(ctx: SimContext, params: URLSearchParams): XmlNode {
  const ids = queryList(params, 'InstanceId');
  const filters = queryFilters(params);
  const candidates = ids.length > 0 ? requireInstances(ctx, ids) : [...ctx.state.instances.values()];
  const matching = candidates.filter((i) => matchesFilters(i, filters));
  const byReservation = new Map<string, Ec2Instance[]>();
  for (const i of matching) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
  return { reservationSet: [...byReservation].map(([id, instances]) => reservationXml(ctx, id, instances)) };
}

export function terminateInstances(ctx: SimContext, params: URLSearchParams): XmlNode {
  const ids = queryList(params, 'InstanceId');
  if (ids.length === 0) throw invalid('MissingParameter', 'The request must contain the parameter InstanceId');
  const instances = requireInstances(ctx, ids);
  const changes = instances.map((instance) => {
    const previous = instance.state;
    if (previous !== 'terminated') {
      instance.state = 'shutting-down';
      deregister(ctx, instance);
      later(ctx, ctx.state.options.stopLatencyMs, () => {
        instance.state = 'terminated';
        instance.terminatedAt = Date.now();
        ctx.state.addresses.release(instance.privateIp);
      });
    }
    return { instanceId: instance.id, currentState: instanceState(instance.state), previousState: instanceState(previous) };
  });
  return { instancesSet: changes };
}

/** The instance leaves its cluster and takes its tasks down with it. */
function deregister(ctx: SimContext, instance: Ec2Instance): void {
  const containerInstance = instance.containerInstance;
  if (!containerInstance) return;
  for (const task of ctx.state.tasksOnInstance(containerInstance)) {
    ctx.lifecycle.stop(task, { stopCode: 'TerminationNotice', reason: `Host EC2 (instance ${instance.id}) terminated.` });
  }
  containerInstance.status = 'INACTIVE';
}

export function describeNetworkInterfaces(ctx: SimContext, params: URLSearchParams): XmlNode {
  const ids = queryList(params, 'NetworkInterfaceId');
  for (const f of queryFilters(params)) {
    if (f.name === 'network-interface-id') ids.push(...f.values);
    else throw invalid('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
  const enis = ids.length > 0 ? ids : [...ctx.state.enis.keys()];
  const items = enis.map((id) => {
    const eni = ctx.state.enis.get(id);
    if (!eni || eni.status === 'deleted') {
      throw invalid('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
    }
    const region = ctx.state.options.region;
    return {
      networkInterfaceId: eni.id,
      subnetId: eni.subnetId,
      vpcId: 'vpc-0sim0000000000001',
      availabilityZone: `${region}a`,
      description: `arn:aws:ecs:${region}:${ctx.state.options.accountId}:attachment/${eni.attachmentId}`,
      ownerId: ctx.state.options.accountId,
      requesterManaged: true,
      status: 'in-use',
      macAddress: eni.mac,
      privateIpAddress: eni.privateIp,
      privateDnsName: hostName(eni.privateIp, region),
      sourceDestCheck: true,
      interfaceType: 'interface',
      groupSet: [],
      association: eni.publicIp
        ? { publicIp: eni.publicIp, publicDnsName: hostName(eni.publicIp, region), ipOwnerId: 'amazon' }
        : undefined,
      privateIpAddressesSet: [
        { privateIpAddress: eni.privateIp, privateDnsName: hostName(eni.privateIp, region), primary: true },
      ],
      tagSet: [],
    };
  });
  return { networkInterfaceSet: items };
}
