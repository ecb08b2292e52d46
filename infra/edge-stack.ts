import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

/** Requests one address may make in five minutes before WAF blocks it for a while. */
export const WAF_REQUESTS_PER_5_MINUTES_PER_IP = 1_000;

/**
 * With `-c waf=true`: the AWS WAF web ACL in front of the public routes. WAF cannot attach to an HTTP
 * API, so it sits on a CloudFront distribution (compute-stack.ts), and a CloudFront web ACL lives in
 * us-east-1 whatever the region of the rest: hence a stack of its own there.
 */
export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      description: 'status-notifier: a rate limit per client address on every public route',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'StatusNotifierWebAcl',
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: 'RatePerClientAddress',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: WAF_REQUESTS_PER_5_MINUTES_PER_IP, aggregateKeyType: 'IP' },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'StatusNotifierRatePerClientAddress',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
  }
}
