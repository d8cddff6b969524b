import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { AwsConfig } from '../../config';
import type { MailMessage, Mailer } from '../../domain/ports';

export class SesMailer implements Mailer {
  private readonly ses: SESClient;

  constructor(
    aws: AwsConfig,
    private readonly from: string,
  ) {
    this.ses = new SESClient({ region: aws.AWS_REGION, ...(aws.SES_ENDPOINT ? { endpoint: aws.SES_ENDPOINT } : {}) });
  }

  async send(message: MailMessage): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
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
