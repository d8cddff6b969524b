import { Aws, Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';

export interface ClusterAccessProps {
  cluster: ClusterSettings;
  /** Roles that may edit workloads in `cluster.namespaces`, keyed by a construct id. */
  roles: Record<string, IRole>;
  /** Roles that only read them (what runs, for approvers and drift checks). */
  readers?: Record<string, IRole>;
}

/**
 * Lets the deploy and rollback roles into an existing EKS cluster (same account and
 * region, authentication mode API or API_AND_CONFIG_MAP): `eks:DescribeCluster` in
 * IAM, and an access entry granting AmazonEKSEditPolicy in the configured namespaces
 * only. Kubernetes authentication itself (a presigned sts:GetCallerIdentity) needs
 * no IAM permission.
 */
export class ClusterAccess extends Construct {
  readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const { cluster } = props;
    this.clusterArn = Stack.of(this).formatArn({ service: 'eks', resource: 'cluster', resourceName: cluster.name });
    const policyArn = (name: string) => `arn:${Aws.PARTITION}:eks::aws:cluster-access-policy/${name}`;
    const access = [
      ...Object.entries(props.roles).map(([roleId, role]) => ({ roleId, role, policy: policyArn('AmazonEKSEditPolicy') })),
      ...Object.entries(props.readers ?? {}).map(([roleId, role]) => ({ roleId, role, policy: policyArn('AmazonEKSViewPolicy') })),
    ];
    for (const { roleId, role, policy } of access) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [this.clusterArn] }));
      new CfnAccessEntry(this, roleId, {
        clusterName: cluster.name,
        principalArn: role.roleArn,
        type: 'STANDARD',
        accessPolicies: [
          {
            policyArn: policy,
            accessScope: { type: 'namespace', namespaces: cluster.namespaces },
          },
        ],
      });
    }
  }
}
