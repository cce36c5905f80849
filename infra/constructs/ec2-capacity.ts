// The seed's EC2 mode: a launch template the manager starts one instance from per gameserver.
// The instance joins the cluster through its user data, and the task is then placed on it.
import { Construct } from 'constructs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface Ec2CapacityProps {
  clusterName: string;
  launchTemplateName: string;
  instanceType: string;
  securityGroup: ec2.ISecurityGroup;
  /** RunInstances needs a subnet of this VPC; the template pins the first one (see docs/deploy.md). */
  subnet: ec2.ISubnet;
}

export class Ec2Capacity extends Construct {
  readonly launchTemplate: ec2.LaunchTemplate;
  /** The instances' role; the manager passes it (through the instance profile) to RunInstances. */
  readonly instanceRole: iam.Role;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEC2ContainerServiceforEC2Role')],
    });

    const userData = ec2.UserData.forLinux();
    userData.addCommands(`echo ECS_CLUSTER=${props.clusterName} >> /etc/ecs/ecs.config`);

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: props.launchTemplateName,
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      instanceType: new ec2.InstanceType(props.instanceType),
      role: this.instanceRole,
      userData,
      securityGroup: props.securityGroup,
      associatePublicIpAddress: true,
      requireImdsv2: true,
    });
    const cfn = this.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate;
    cfn.addPropertyOverride('LaunchTemplateData.NetworkInterfaces.0.SubnetId', props.subnet.subnetId);
  }
}
