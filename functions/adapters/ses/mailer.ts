import type * as SesSdk from './sdk';
import type { AwsConfig } from '../../config';
import type { MailMessage, Mailer } from '../../domain/ports';

type Ses = { sdk: typeof SesSdk; client: SesSdk.SESClient };

/**
 * The SES client and its SDK module are loaded on the first email, not at import:
 * the API's read paths never send one (issue 13, cold start).
 */
export class SesMailer implements Mailer {
  private ses: Promise<Ses> | undefined;

  constructor(
    private readonly aws: AwsConfig,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const { sdk, client } = await (this.ses ??= import('./sdk').then((sdk) => ({ sdk, client: sesClient(sdk, this.aws) })));
    await client.send(
      new sdk.SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: [message.to] },
        Message: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
        },
      }),
    );
  }
}

const sesClient = (sdk: Ses['sdk'], aws: AwsConfig) => new sdk.SESClient({ region: aws.AWS_REGION, ...(aws.SES_ENDPOINT ? { endpoint: aws.SES_ENDPOINT } : {}) });
