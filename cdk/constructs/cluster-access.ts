import { Aws, Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterSettings } from '../settings';

export interface ClusterAccessProps {
  clusters: ClusterSettings[];
  /** Roles that may edit workloads in each cluster's `namespaces`, keyed by a construct id. */
  roles: Record<string, IRole>;
  /** Roles that only read them (what runs, for approvers and drift checks). */
  readers?: Record<string, IRole>;
}

/**
 * Lets Gatekeeper's roles into existing EKS clusters (same account and region as
 * the stack, authentication mode API or API_AND_CONFIG_MAP): `eks:DescribeCluster`
 * on them in IAM, and in each cluster an access entry per role granting
 * AmazonEKSEditPolicy (`roles`) or AmazonEKSViewPolicy (`readers`) in that
 * cluster's namespaces only. Kubernetes authentication itself (a presigned
 * sts:GetCallerIdentity) needs no IAM permission.
 *
 * A cluster's entries live under its EKS name (`<eksClusterName>/<role id>`), so
 * reordering the clusters or renaming Gatekeeper's name for one does not replace
 * them (a replacement would collide: EKS allows one entry per principal).
 */
export class ClusterAccess extends Construct {
  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const clusterArns = props.clusters.map((cluster) => stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: cluster.eksClusterName }));
    const policyArn = (name: string) => `arn:${Aws.PARTITION}:eks::aws:cluster-access-policy/${name}`;
    const access = [
      ...Object.entries(props.roles).map(([roleId, role]) => ({ roleId, role, policy: policyArn('AmazonEKSEditPolicy') })),
      ...Object.entries(props.readers ?? {}).map(([roleId, role]) => ({ roleId, role, policy: policyArn('AmazonEKSViewPolicy') })),
    ];
    for (const { role } of access) role.addToPrincipalPolicy(new PolicyStatement({ actions: ['eks:DescribeCluster'], resources: clusterArns }));
    for (const cluster of props.clusters) {
      const entries = new Construct(this, cluster.eksClusterName);
      for (const { roleId, role, policy } of access) {
        new CfnAccessEntry(entries, roleId, {
          clusterName: cluster.eksClusterName,
          principalArn: role.roleArn,
          type: 'STANDARD',
          accessPolicies: [{ policyArn: policy, accessScope: { type: 'namespace', namespaces: cluster.namespaces } }],
        });
      }
    }
  }
}
