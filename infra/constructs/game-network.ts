// The VPC (an existing one, or a small one of our own) and the security groups of the fleet.
import { Construct } from 'constructs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { GameserverPorts } from '../deploy-options.js';

export interface GameNetworkProps {
  vpcId: string | undefined;
  publicSubnetIds: string[] | undefined;
  availabilityZones: string[] | undefined;
  natGateways: number;
  clientCidr: string;
  ports: GameserverPorts;
}

export class GameNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** Gameservers need public addresses for their clients: always public subnets. */
  readonly gameserverSubnets: ec2.ISubnet[];
  /** Public (with a public IP to reach the AWS APIs) unless this stack made a VPC with NAT gateways. */
  readonly managerSubnets: ec2.SubnetSelection;
  readonly managerNeedsPublicIp: boolean;
  readonly gameserverSecurityGroup: ec2.SecurityGroup;
  readonly managerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: GameNetworkProps) {
    super(scope, id);
    this.vpc = resolveVpc(this, props);
    this.gameserverSubnets = this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PUBLIC }).subnets;
    const privateEgress = !props.vpcId && props.natGateways > 0;
    this.managerSubnets = { subnetType: privateEgress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };
    this.managerNeedsPublicIp = !privateEgress;

    this.managerSecurityGroup = new ec2.SecurityGroup(this, 'ManagerSecurityGroup', {
      vpc: this.vpc,
      description: 'Arbiter manager',
      allowAllOutbound: true,
    });
    this.gameserverSecurityGroup = new ec2.SecurityGroup(this, 'GameserverSecurityGroup', {
      vpc: this.vpc,
      description: 'Arbiter gameservers: game port for players, sidecar for the manager',
      allowAllOutbound: true,
    });
    const clients = props.clientCidr === '0.0.0.0/0' ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.clientCidr);
    this.gameserverSecurityGroup.addIngressRule(clients, ec2.Port.tcp(props.ports.game), 'game clients (Cerveau TCP)');
    // The sidecar's port serves /drain/ and /setup: open to anyone, it would let anyone empty the fleet or fill it.
    // Only the manager's security group reaches it (health polls and drains on the tasks' private addresses,
    // ECS_POLL_ADDRESS=private); match runners join that group to set up their matches.
    this.gameserverSecurityGroup.addIngressRule(this.managerSecurityGroup, ec2.Port.tcp(props.ports.web), 'manager and match runners (sidecar)');
    // Cerveau's own HTTP port is deliberately not opened: only the sidecar, inside the task, reaches it,
    // so nobody can create sessions past the sidecar's limit.
  }
}

function resolveVpc(scope: Construct, props: GameNetworkProps): ec2.IVpc {
  if (props.vpcId && props.publicSubnetIds && props.availabilityZones) {
    // Fully described: no lookup, so synth needs no credentials.
    return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: props.availabilityZones,
      publicSubnetIds: props.publicSubnetIds,
    });
  }
  if (props.vpcId) return ec2.Vpc.fromLookup(scope, 'Vpc', { vpcId: props.vpcId });
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: props.natGateways,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      ...(props.natGateways > 0 ? [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 }] : []),
    ],
  });
}
